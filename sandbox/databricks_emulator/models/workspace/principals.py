"""Workspace principals: the workspace SCIM directory with its ``admins`` and ``users`` groups, the
principals account assignments bring in, admin and entitlement checks, ``/Me``."""

from ...errors import permission_denied
from ..scim import ScimDirectory
from .base import WorkspaceFamily


class WorkspacePrincipalsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.directory = ScimDirectory(role_validator=self._known_instance_profile)
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

    def sync_account_principal(self, kind: str, principal: dict, admin: bool) -> None:
        """A permission assignment from the account brings the principal into the workspace."""
        key = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
        local = self.directory.find(kind, key, principal.get(key))
        if local is None:
            body = {k: principal[k] for k in ("userName", "applicationId", "displayName") if principal.get(k)}
            local = self.scim_create(kind, body)
        is_admin = self.directory.is_member(local["id"], "admins")
        if admin and not is_admin:
            self.directory.patch("Groups", self.admins_id, {"Operations": [
                {"op": "add", "path": "members", "value": [{"value": local["id"]}]}]})

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
