"""The workspace's settings API (disable legacy DBFS, disable legacy access): workspace admins only."""

from ..settings import WORKSPACE_SETTINGS, SettingsStore
from .base import WorkspaceFamily


class WorkspaceSettingsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.settings = SettingsStore(WORKSPACE_SETTINGS)

    def setting_value(self, setting_type: str):
        return self.settings.values[setting_type]["value"]

    def get_setting(self, caller: str, setting_type: str, name: str) -> dict:
        self.require_admin(caller, "workspace settings")
        return self.settings.get(setting_type, name)

    def update_setting(self, caller: str, setting_type: str, name: str, body: dict) -> dict:
        self.require_admin(caller, "workspace settings")
        return self.settings.update(setting_type, name, body)

    def delete_setting(self, caller: str, setting_type: str, name: str, etag) -> dict:
        self.require_admin(caller, "workspace settings")
        return self.settings.delete(setting_type, name, etag)
