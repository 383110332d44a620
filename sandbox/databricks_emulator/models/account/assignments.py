"""Workspace permission assignments: account principals given USER or ADMIN on a workspace, which brings
them into the workspace's own directory (an account group under its account id; removed from it again when the
assignment or the group goes). An account group whose name a workspace-local group has is refused."""

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
        backend = self.state.workspace_backend(ws["workspace_id"])
        if backend is not None:
            backend.check_account_principal(kind, principal)
        self.assignments.setdefault(ws["workspace_id"], {})[str(pid)] = list(permissions)
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
        backend = self.state.workspace_backend(ws["workspace_id"])
        if backend is not None and self.directory.kind_of(str(pid)) == "Groups":
            backend.unsync_account_group(str(pid))

    def delete_account_principal(self, kind: str, pid: str) -> None:
        """Delete an account principal: its workspace assignments go with it (and a group leaves the workspaces)."""
        self.directory.delete(kind, pid)
        for wid, assigned in self.assignments.items():
            if assigned.pop(str(pid), None) is not None and kind == "Groups":
                backend = self.state.workspace_backend(wid)
                if backend is not None:
                    backend.unsync_account_group(str(pid))
