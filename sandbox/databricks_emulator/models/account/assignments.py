"""Workspace permission assignments: account principals given USER or ADMIN on a workspace, which brings
them into the workspace's own directory."""

from ...errors import invalid, not_found, permission_denied
from .base import AccountFamily


class PermissionAssignmentsBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.assignments: dict[int, dict[str, list]] = {}  # workspace id -> principal id -> permissions

    def _principal(self, pid: str) -> tuple[str, dict]:
        kind = self.directory.kind_of(str(pid))
        if kind is None:
            raise not_found(f"Principal {pid} does not exist.")
        return kind, self.directory.resources[kind][str(pid)]

    def list_assignments(self, wid) -> dict:
        ws = self.get_workspace(wid)
        out = []
        for pid, perms in self.assignments.get(ws["workspace_id"], {}).items():
            if self.directory.kind_of(pid) is None:
                continue
            kind, p = self._principal(pid)
            principal = {"principal_id": int(pid), "display_name": p.get("displayName")}
            principal[{"Users": "user_name", "ServicePrincipals": "service_principal_name",
                       "Groups": "group_name"}[kind]] = p.get("userName") or p.get("applicationId") or p["displayName"]
            out.append({"principal": principal, "permissions": perms})
        return {"permission_assignments": out}

    def put_assignment(self, wid, pid: str, permissions: list) -> dict:
        ws = self.get_workspace(wid)
        if not permissions or any(p not in ("USER", "ADMIN") for p in permissions):
            raise invalid("permissions must be a non-empty subset of [USER, ADMIN]")
        kind, principal = self._principal(pid)
        self.assignments.setdefault(ws["workspace_id"], {})[str(pid)] = list(permissions)
        backend = self.state.workspace_backend(ws["workspace_id"])
        if backend is not None:
            backend.sync_account_principal(kind, principal, "ADMIN" in permissions)
        return {"principal": {"principal_id": int(pid)}, "permissions": list(permissions)}

    def delete_assignment(self, wid, pid: str) -> None:
        ws = self.get_workspace(wid)
        if str(pid) not in self.assignments.get(ws["workspace_id"], {}):
            raise not_found(f"Principal {pid} is not assigned to workspace {wid}.")
        if str(pid) == self.admin_sp_id:
            raise permission_denied("The workspace creator's assignment cannot be removed.")
        del self.assignments[ws["workspace_id"]][str(pid)]
