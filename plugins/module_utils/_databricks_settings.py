# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The settings API of a workspace (``/api/2.0/settings/types/<type>/names/default``) or of the account
(``/api/2.0/accounts/<id>/settings/types/<type>/names/default``): one typed setting, read with its etag and
updated with it (optimistic concurrency).

Databricks answers an update whose etag is stale with 409 RESOURCE_CONFLICT naming the current etag in a
``google.rpc.ErrorInfo`` detail (terraform-provider-databricks settings/generic_setting.go retries once with it);
some settings answer a read of a never-set value with 404 and the etag to create it with. A boolean false is left
out of the reply (proto3 JSON), so a missing value of a boolean setting reads as false.

Where the value sits in the setting's message: most settings hold it in a member named after the setting
(``{"disable_legacy_dbfs": {"value": true}}``, field ``value``, field mask ``disable_legacy_dbfs.value``); others
name the member differently (the default namespace: ``{"namespace": {"value": "main"}}``, field mask
``namespace.value``, databricks-sdk service/settings.py DefaultNamespaceSetting). A dotted field is that path from
the message's root, and is the field mask as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import BOOLEANS, boolean
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import ResourceDiff
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    error_code_of,
    unwrap,
)


def settings_argument_spec():
    return dict(
        setting=dict(type="str", required=True),
        value=dict(type="raw", required=True),
        field=dict(type="str", default="value"),
    )


def etag_of_error(exc):
    """The etag an ErrorInfo detail of the error names (a conflict, or a never-set setting), else None."""
    inner = unwrap(exc)
    getter = getattr(inner, "get_error_details", None)
    details = getter() if getter is not None else None
    info = getattr(details, "error_info", None)
    metadata = getattr(info, "metadata", None) or {}
    return metadata.get("etag")


def wanted_value(value, current):
    """The value to send: "true"/"yes"/... become a boolean when the setting holds one (or none yet)."""
    if isinstance(value, str) and value.lower() in BOOLEANS and (current is None or isinstance(current, bool)):
        return boolean(value)
    return value


class SettingsApi:
    """One setting of the settings API, through module (a DatabricksModule) and base ('/api/2.0' for a workspace,
    the account path '/api/2.0/accounts/<id>' for the account)."""

    def __init__(self, module, base):
        self.module = module
        self.setting = module.params["setting"]
        self.field = module.params["field"]
        self.path = "%s/settings/types/%s/names/default" % (base, self.setting)
        self.where = "account" if module.api == "account" else "workspace"
        # The members from the setting message's root to the value, and the update's field mask.
        self.members = self.field.split(".") if "." in self.field else [self.setting, self.field]
        self.field_mask = ".".join(self.members)

    def _call(self, method, body=None, action=None):
        return self.module.request(method, self.path, body=body, action=action, fail=False)

    def read(self):
        """(value, etag): the value held (None when never set), and the etag to update it with."""
        action = "read the %s setting %s" % (self.where, self.setting)
        try:
            reply = self._call("GET", action=action)
        except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
            etag = etag_of_error(exc)
            if error_code_of(exc) in ("NOT_FOUND", "RESOURCE_DOES_NOT_EXIST") and etag:
                return None, etag  # a never-set setting: 404 with the etag to create it with
            if error_code_of(exc) in ("ENDPOINT_NOT_FOUND", "NOT_FOUND", "RESOURCE_DOES_NOT_EXIST"):
                self.module.fail("%s: the %s does not know the setting %s (check its name, and that it is a %s "
                                 "setting)" % (action, self.where, self.setting, self.where),
                                 error_code=error_code_of(exc))
            self.module.fail_error(exc, action=action)
        value = reply
        for member in self.members:
            value = value.get(member) if isinstance(value, dict) else None
        return value, reply.get("etag") or ""

    def message(self, value):
        """The setting message holding value at the field's path."""
        message = value
        for member in reversed(self.members):
            message = {member: message}
        return message

    def update(self, value, etag):
        """Set the value with the etag read; a conflict (someone changed it since) is retried once with the etag the
        conflict names. Returns the setting's new etag."""
        action = "set the %s setting %s" % (self.where, self.setting)
        for attempt in (1, 2):
            body = {"allow_missing": True, "field_mask": self.field_mask,
                    "setting": dict(self.message(value), etag=etag, setting_name="default")}
            try:
                reply = self._call("PATCH", body=body, action=action)
                return reply.get("etag") or ""
            except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
                newer = etag_of_error(exc)
                if attempt == 1 and newer and error_code_of(exc) in ("RESOURCE_CONFLICT", "NOT_FOUND"):
                    etag = newer
                    continue
                self.module.fail_error(exc, action=action)
        return ""  # not reached: the second failure fails the module


def run_setting(module, base):
    """The runner of databricks_workspace_setting / databricks_account_setting."""
    api = SettingsApi(module, base)
    current, etag = api.read()
    wanted = wanted_value(module.params["value"], current)
    if current is None and isinstance(wanted, bool):
        current = False  # a boolean false is left out of the reply
    delta = ResourceDiff({api.setting: wanted}, {api.setting: current})
    changed = bool(delta.changed_keys)
    if changed and not module.check_mode:
        etag = api.update(wanted, etag)
        current, etag = api.read()
        if current is None and isinstance(wanted, bool):
            current = False
    elif changed:
        current = wanted
    return module.result(changed=changed, diff=delta.diff, setting=api.setting, value=current, etag=etag)
