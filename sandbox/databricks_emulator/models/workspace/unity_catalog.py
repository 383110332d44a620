"""A workspace's view of Unity Catalog: the metastore assigned to it (``current-metastore-assignment``,
``metastore_summary``) and the calls on that metastore's objects, made as the caller from this workspace.

A workspace without a metastore refuses every Unity Catalog call with 404 ``METASTORE_DOES_NOT_EXIST`` "No metastore
assigned for the current workspace." (terraform-provider-databricks issue 1632). Grants and owners name
account-level principals only (Databricks, "Manage groups": workspace-local groups cannot be granted Unity Catalog
privileges): account users, service principals and groups, the users and service principals of an
identity-federated workspace (which are account principals), and the built-in ``account users`` group.
"""

from ...errors import ApiError
from ..unity_catalog import Caller, MetastoreObjects
from .base import WorkspaceFamily

NO_METASTORE = "No metastore assigned for the current workspace."
ACCOUNT_USERS = "account users"


class UnityCatalogBackend(WorkspaceFamily):
    def _assigned_metastore(self) -> dict:
        metastore = self.state.account.workspace_metastore(self.workspace_id)
        if metastore is None:
            raise ApiError(404, "METASTORE_DOES_NOT_EXIST", NO_METASTORE)
        return metastore

    def uc(self, caller: str) -> tuple[MetastoreObjects, Caller]:
        """The assigned metastore's objects and the caller as they see it."""
        objects = self._assigned_metastore()["_objects"]
        return objects, Caller(name=self._name_of(caller), workspace_id=self.workspace_id,
                               is_admin=self.is_admin(caller), check_principal=self.check_uc_principal)

    def uc_assigned_workspaces(self) -> set:
        metastore = self._assigned_metastore()
        return set(self.state.account.metastore_workspaces(metastore["metastore_id"]))

    def check_uc_principal(self, name: str) -> None:
        """An account-level principal, or 400: a workspace-local group is refused, an unknown name too."""
        account = self.state.account.directory
        if name == ACCOUNT_USERS or any(account.find(kind, key, name) for kind, key in (
                ("Users", "userName"), ("ServicePrincipals", "applicationId"), ("Groups", "displayName"))):
            return
        if self.directory.find("Users", "userName", name) or \
                self.directory.find("ServicePrincipals", "applicationId", name):
            return  # users and service principals of an identity-federated workspace are account principals
        if self.directory.find("Groups", "displayName", name):
            raise ApiError(400, "INVALID_PARAMETER_VALUE",
                           f"Cannot grant privileges to workspace-local group '{name}': Unity Catalog privileges can "
                           "only be granted to account-level principals. Use an account group.")
        raise ApiError(400, "PRINCIPAL_DOES_NOT_EXIST", f"Could not find principal with name {name}")

    def current_metastore_assignment(self) -> dict:
        metastore = self._assigned_metastore()
        assignment = self.state.account.metastore_assignments[self.workspace_id]
        out = {"workspace_id": self.workspace_id, "metastore_id": metastore["metastore_id"]}
        if assignment.get("default_catalog_name"):
            out["default_catalog_name"] = assignment["default_catalog_name"]
        return out

    def metastore_summary(self) -> dict:
        metastore = self._assigned_metastore()
        return {k: v for k, v in metastore.items() if not k.startswith("_") and v is not None}
