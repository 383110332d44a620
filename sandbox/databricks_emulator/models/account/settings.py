"""The account's settings API (disable legacy features for new workspaces)."""

from ..settings import ACCOUNT_SETTINGS, SettingsStore
from .base import AccountFamily


class AccountSettingsBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.settings = SettingsStore(ACCOUNT_SETTINGS)
