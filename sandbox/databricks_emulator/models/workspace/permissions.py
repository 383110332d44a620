"""Permissions on ``authorization/tokens``: who may use personal access tokens (CAN_USE, CAN_MANAGE)."""

from ...errors import invalid
from .base import WorkspaceFamily

TOKEN_LEVELS = ("CAN_USE", "CAN_MANAGE")
ACL_KEYS = {"user_name": "Users", "group_name": "Groups", "service_principal_name": "ServicePrincipals"}


class TokenPermissionsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.token_acl: dict[tuple, str] = {}  # (SCIM kind, name) -> permission level

    def can_use_tokens(self, principal_id: str) -> bool:
        if self.is_admin(principal_id):
            return True
        kind, resource = self.principal(principal_id)
        names = {(kind, resource.get("userName") or resource.get("applicationId"))}
        names |= {("Groups", g["displayName"]) for g in self.directory.groups_of(principal_id)}
        return any(key in self.token_acl for key in names)

    def token_permissions(self) -> dict:
        acl = [{"group_name": "admins", "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}]}]
        for (kind, name), level in sorted(self.token_acl.items()):
            key = {v: k for k, v in ACL_KEYS.items()}[kind]
            entry = {key: name, "all_permissions": [{"permission_level": level, "inherited": False}]}
            resource = self.directory.find(kind, {"Users": "userName", "ServicePrincipals": "applicationId",
                                                  "Groups": "displayName"}[kind], name)
            if resource and resource.get("displayName"):
                entry["display_name"] = resource["displayName"]
            acl.append(entry)
        return {"object_id": "authorization/tokens", "object_type": "tokens", "access_control_list": acl}

    def set_token_permissions(self, body: dict, replace: bool) -> dict:
        entries = body.get("access_control_list") or []
        grants = {}
        for entry in entries:
            keys = [k for k in ACL_KEYS if entry.get(k)]
            if len(keys) != 1:
                raise invalid("Each access control entry needs exactly one of user_name, group_name, "
                              "service_principal_name")
            kind, name = ACL_KEYS[keys[0]], entry[keys[0]]
            level = entry.get("permission_level")
            if level not in TOKEN_LEVELS:
                raise invalid(f"Permission level {level} is not supported for tokens; use one of {TOKEN_LEVELS}")
            attr = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
            if self.directory.find(kind, attr, name) is None:
                raise invalid(f"Principal {keys[0]}={name} does not exist in the workspace.")
            if kind == "Groups" and name == "admins":
                raise invalid("The admins group's permission on tokens cannot be changed.")
            grants[(kind, name)] = level
        if replace:
            self.token_acl = grants
        else:
            self.token_acl.update(grants)
        return self.token_permissions()
