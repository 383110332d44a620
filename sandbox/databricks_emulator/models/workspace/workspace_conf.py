"""Workspace configuration (``workspace-conf``): the known keys, string values, admin only."""

from ...errors import invalid
from ..catalog import WORKSPACE_CONF_DEFAULTS
from .base import WorkspaceFamily


class WorkspaceConfBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.conf: dict = dict(WORKSPACE_CONF_DEFAULTS)

    def get_conf(self, caller: str, keys: str) -> dict:
        self.require_admin(caller, "workspace configuration")
        names = [k for k in (keys or "").split(",") if k]
        unknown = [k for k in names if k not in self.conf]
        if not names or unknown:
            raise invalid(f"Some of the keys are not supported: {unknown or names}")
        return {k: self.conf[k] for k in names}

    def set_conf(self, caller: str, body: dict) -> None:
        self.require_admin(caller, "workspace configuration")
        unknown = [k for k in body if k not in self.conf]
        if unknown:
            raise invalid(f"Some of the keys are not supported: {unknown}")
        for key, value in body.items():
            if value is not None and not isinstance(value, str):
                raise invalid(f"Value of {key} must be a string")
            if key == "maxTokenLifetimeDays" and value not in (None, "") and (
                    not value.isdigit() or int(value) > 730):
                raise invalid("maxTokenLifetimeDays must be an integer number of days between 0 and 730")
            if key.startswith("enable") and value not in (None, "true", "false"):
                raise invalid(f"Value of {key} must be 'true' or 'false'")
        merged = dict(self.conf, **body)
        self._check_not_locked_out(self.ip_lists, merged)
        self.conf = merged
