"""Workspace principals: the workspace SCIM directory with its ``admins`` and ``users`` groups, the
principals account assignments bring in, admin and entitlement checks, ``/Me``.

An account principal assigned to the workspace appears in its directory under the account's id (identity federation:
one principal, one id). Its groups carry ``meta.resourceType`` ``Group``; the workspace's own groups
``WorkspaceGroup`` (the Terraform provider's exporter tells them apart by this, exporter/impl_scim.go
isWorkspaceLevelGroup). Two groups of one name cannot share a workspace (Databricks, "Manage workspace-local groups
(legacy)": rename the workspace-local group before adding an account group of the same name), so an assignment of an
account group whose name a workspace-local group has is refused."""

from ...errors import ApiError, permission_denied
from ..scim import ScimDirectory
from .base import WorkspaceFamily

ACCOUNT_SOURCE = "_account"  # private marker of a principal an account assignment brought in


class WorkspaceDirectory(ScimDirectory):
    """The workspace's SCIM directory: groups render their source (account or workspace-local)."""

    def render(self, kind: str, resource: dict) -> dict:
        out = super().render(kind, resource)
        if kind == "Groups":
            out["meta"] = {"resourceType": "Group" if resource.get(ACCOUNT_SOURCE) else "WorkspaceGroup"}
        return out


class WorkspacePrincipalsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.directory = WorkspaceDirectory(role_validator=self._known_instance_profile)
        self.admins_id = self.directory.create("Groups", {"displayName": "admins"})["id"]
        self.users_id = self.directory.create("Groups", {
            "displayName": "users",
            "entitlements": [{"value": "workspace-access"}, {"value": "databricks-sql-access"}]})["id"]

    def scim_create(self, kind: str, body: dict) -> dict:
        """SCIM create; Databricks puts every new user and service principal in the ``users`` group."""
        resource = self.directory.create(kind, body)
        if kind != "Groups":
            users = self.directory.resources["Groups"][self.users_id]
            users.setdefault("members", []).append({"value": resource["id"], "display": resource["displayName"],
                                                    "$ref": f"{kind}/{resource['id']}"})
        return resource

    def add_admin_service_principal(self, application_id: str, display_name: str) -> dict:
        sp = self.scim_create("ServicePrincipals", {"applicationId": application_id, "displayName": display_name})
        self.directory.patch("Groups", self.admins_id, {"Operations": [
            {"op": "add", "path": "members", "value": [{"value": sp["id"]}]}]})
        return sp

    def check_account_principal(self, kind: str, principal: dict) -> None:
        """Refuse an account group whose name a workspace-local group of this workspace has (409)."""
        if kind != "Groups":
            return
        local = self.directory.find("Groups", "displayName", principal.get("displayName"))
        if local is not None and not local.get(ACCOUNT_SOURCE) and local["id"] != principal["id"]:
            raise ApiError(409, "RESOURCE_CONFLICT",
                           f"Workspace {self.ws['workspace_id']} has a workspace-local group named "
                           f"{principal.get('displayName')}: two groups of one name cannot share a workspace. Rename "
                           "the workspace-local group before assigning the account group.")

    def sync_account_principal(self, kind: str, principal: dict, admin: bool) -> None:
        """A permission assignment from the account brings the principal into the workspace. An account group keeps
        the account's id and is marked as the account's."""
        key = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
        local = self.directory.find(kind, key, principal.get(key))
        if local is None:
            body = {k: principal[k] for k in ("userName", "applicationId", "displayName") if principal.get(k)}
            if kind == "Groups":
                local = self.directory.create(kind, body, rid=principal["id"])
                local[ACCOUNT_SOURCE] = True
            else:
                local = self.scim_create(kind, body)
        is_admin = self.directory.is_member(local["id"], "admins")
        if admin and not is_admin:
            self.directory.patch("Groups", self.admins_id, {"Operations": [
                {"op": "add", "path": "members", "value": [{"value": local["id"]}]}]})

    def unsync_account_group(self, group_id: str) -> None:
        """An account group's assignment removed (or the group deleted): it leaves the workspace's directory."""
        group = self.directory.resources["Groups"].get(str(group_id))
        if group is not None and group.get(ACCOUNT_SOURCE):
            self.directory.delete("Groups", str(group_id))

    def principal_by_application_id(self, application_id: str) -> dict | None:
        return self.directory.find("ServicePrincipals", "applicationId", application_id)

    def is_admin(self, principal_id: str) -> bool:
        return self.directory.is_member(principal_id, "admins")

    def principal(self, principal_id: str) -> tuple[str, dict]:
        kind = self.directory.kind_of(principal_id)
        if kind is None:
            raise permission_denied("Invalid access token: the token's principal no longer exists.")
        return kind, self.directory.resources[kind][principal_id]

    def require_admin(self, principal_id: str, what: str = "this API") -> None:
        if not self.is_admin(principal_id):
            raise permission_denied(f"Only workspace admins can access {what}.")

    def _has_entitlement(self, principal_id: str, entitlement: str) -> bool:
        _, resource = self.principal(principal_id)
        holders = [resource, *self.directory.groups_of(principal_id)]
        return any(e.get("value") == entitlement for h in holders for e in h.get("entitlements", []))

    def me(self, principal_id: str) -> dict:
        kind, resource = self.principal(principal_id)
        out = self.directory.render(kind, resource)
        if kind == "ServicePrincipals":  # Databricks answers /Me for an SP as a user named by its application id
            out.update(userName=resource["applicationId"], schemas=["urn:ietf:params:scim:schemas:core:2.0:User"])
        return out

    def _name_of(self, principal_id: str) -> str:
        resource = self.principal(principal_id)[1]
        return resource.get("userName") or resource.get("applicationId") or resource.get("displayName", "")
