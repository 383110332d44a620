"""The settings API (``/settings/types/{type}/names/default``) of a workspace or of the account: typed settings with
optimistic concurrency by etag.

Shapes from the databricks-sdk (service/settings.py: ``DisableLegacyDbfs``, ``DisableLegacyAccess``,
``DisableLegacyFeatures``, each a ``BooleanMessage`` under the setting's own key, with ``etag`` and
``setting_name``); the update body is ``{"allow_missing": true, "field_mask": "<type>.value", "setting": {...}}``.
An update or delete whose etag is not the current one (none, once the setting has been written) is refused with
409 ``RESOURCE_CONFLICT`` carrying the current etag in a ``google.rpc.ErrorInfo`` detail, the reply
terraform-provider-databricks retries on (settings/generic_setting.go ``retryOnEtagError``).
"""

import base64
import uuid

from ..errors import ApiError, invalid

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"

# The settings the emulator serves, with their value when never set: the boolean ones are off (Databricks'
# documented default); the workspace's default namespace (``DefaultNamespaceSetting``, a ``StringMessage`` under the
# key ``namespace``, field mask ``namespace.value``) is unset.
WORKSPACE_SETTINGS = {"disable_legacy_dbfs": False, "disable_legacy_access": False, "default_namespace_ws": None}
ACCOUNT_SETTINGS = {"disable_legacy_features": False}
# The message key of a setting whose key is not its type name.
MESSAGE_KEYS = {"default_namespace_ws": "namespace"}


def message_key(setting_type: str) -> str:
    return MESSAGE_KEYS.get(setting_type, setting_type)


def _new_etag(version: int) -> str:
    return base64.b64encode(f"{version}:{uuid.uuid4().hex}".encode()).decode()


class SettingsStore:
    """The settings of one scope (a workspace or the account)."""

    def __init__(self, catalogue: dict):
        self.catalogue = catalogue
        self.values = {name: {"value": default, "version": 0, "etag": _new_etag(0)}
                       for name, default in catalogue.items()}

    def _entry(self, setting_type: str, name: str) -> dict:
        if setting_type not in self.catalogue:
            raise ApiError(404, "NOT_FOUND", f"Setting type {setting_type} does not exist.")
        if name != "default":
            raise invalid(f"Setting name must be 'default' for setting type {setting_type}, got '{name}'.")
        return self.values[setting_type]

    @staticmethod
    def render(setting_type: str, entry: dict) -> dict:
        """As Databricks renders the proto3 message: a false boolean or an unset string is left out (``{}``)."""
        message = {"value": entry["value"]} if entry["value"] not in (False, None, "") else {}
        return {message_key(setting_type): message, "etag": entry["etag"], "setting_name": "default"}

    def get(self, setting_type: str, name: str) -> dict:
        return self.render(setting_type, self._entry(setting_type, name))

    @staticmethod
    def _check_etag(setting_type: str, entry: dict, etag) -> None:
        """A stale etag, or none for a setting already written, is a conflict naming the current etag."""
        if etag == entry["etag"] or (not etag and entry["version"] == 0):
            return
        raise ApiError(409, "RESOURCE_CONFLICT",
                       f"etag does not match the current version of setting {setting_type}: read it again and "
                       "retry with the current etag.",
                       details=[{"@type": ERROR_INFO, "reason": "ETAG_MISMATCH", "domain": "databricks.com",
                                 "metadata": {"etag": entry["etag"]}}])

    def _bump(self, entry: dict, value) -> None:
        entry["version"] += 1
        entry.update(value=value, etag=_new_etag(entry["version"]))

    def update(self, setting_type: str, name: str, body: dict) -> dict:
        entry = self._entry(setting_type, name)
        if body.get("allow_missing") is not True:
            raise invalid("allow_missing must be true for the settings API.")
        field_mask = body.get("field_mask")
        key = message_key(setting_type)
        if not field_mask:
            raise invalid("Missing required field: field_mask")
        if field_mask not in (f"{key}.value", key, "*"):
            raise invalid(f"Invalid field mask '{field_mask}': the fields of {setting_type} are {key}.value.")
        setting = body.get("setting")
        if not isinstance(setting, dict):
            raise invalid("Missing required field: setting")
        message = setting.get(key)
        if not isinstance(message, dict) or "value" not in message:
            raise invalid(f"Missing required field: setting.{key}.value")
        expected = bool if isinstance(self.catalogue[setting_type], bool) else str
        if not isinstance(message["value"], expected) or (expected is str and not message["value"]):
            raise invalid(f"setting.{key}.value must be a {'boolean' if expected is bool else 'non-empty string'}.")
        self._check_etag(setting_type, entry, setting.get("etag"))
        self._bump(entry, message["value"])
        return self.render(setting_type, entry)

    def delete(self, setting_type: str, name: str, etag) -> dict:
        entry = self._entry(setting_type, name)
        self._check_etag(setting_type, entry, etag)
        self._bump(entry, self.catalogue[setting_type])
        return {"etag": entry["etag"]}
