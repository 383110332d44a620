#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_log_delivery
short_description: Manage a Databricks log delivery configuration (billable usage, audit logs)
version_added: 0.1.0
description:
  - Creates a log delivery configuration of the account (C(/log-delivery)) that delivers billable
    usage (CSV) or audit logs (JSON) to an S3 bucket, and enables or disables it.
  - Databricks cannot delete a log delivery configuration, nor change one except its status. This
    module therefore never deletes. The configuration is found by O(name); when its settings
    differ, the old configuration is disabled and a new one with the same name is created
    (C(replaced=true)). A disabled configuration with the wanted settings is enabled again rather
    than duplicated.
  - Databricks allows only a few enabled configurations per log type; disabling before creating
    keeps a replacement within that limit.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description:
      - Name of the configuration (C(config_name)).
      - Required unless O(configurations) is given.
    type: str
  configurations:
    description:
      - Several log delivery configurations (billable usage and audit logs), converged in one run instead of a loop
        of tasks; the account's configurations are listed once for all of them, and they are changed side by side.
      - An option an entry does not set is the module's (O(log_type), O(output_format), O(credentials_id),
        O(storage_configuration_id), O(delivery_path_prefix), O(delivery_start_time), O(workspace_ids_filter));
        O(state) applies to every one. Each name once. Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the configuration.
        type: str
        required: true
      log_type:
        description: As O(log_type).
        type: str
        choices: [BILLABLE_USAGE, AUDIT_LOGS]
      output_format:
        description: As O(output_format).
        type: str
        choices: [CSV, JSON]
      credentials_id:
        description: As O(credentials_id).
        type: str
      storage_configuration_id:
        description: As O(storage_configuration_id).
        type: str
      delivery_path_prefix:
        description: As O(delivery_path_prefix).
        type: str
      delivery_start_time:
        description: As O(delivery_start_time).
        type: str
      workspace_ids_filter:
        description: As O(workspace_ids_filter).
        type: list
        elements: int
  log_type:
    description: What is delivered. Required when the configuration is created.
    type: str
    choices: [BILLABLE_USAGE, AUDIT_LOGS]
  output_format:
    description:
      - Format of the files. Databricks requires V(CSV) for V(BILLABLE_USAGE) and V(JSON) for
        V(AUDIT_LOGS); defaults to that.
    type: str
    choices: [CSV, JSON]
  credentials_id:
    description:
      - Credential configuration of the log-delivery IAM role
        (M(lakehouse.databricks_aws.databricks_account_credentials)). Required when the configuration is created.
    type: str
  storage_configuration_id:
    description:
      - Storage configuration of the logging bucket
        (M(lakehouse.databricks_aws.databricks_account_storage_configuration)).
        Required when the configuration is created.
    type: str
  delivery_path_prefix:
    description:
      - Prefix of the delivered files in the bucket, without leading or trailing slash, for example V(audit-logs).
    type: str
  delivery_start_time:
    description: First month to deliver (C(YYYY-MM)), billable usage only; Databricks' default is the current month.
    type: str
  workspace_ids_filter:
    description: Deliver only for these workspaces (all workspaces of the account when not set).
    type: list
    elements: int
  state:
    description:
      - V(enabled) - the configuration exists with these settings and delivers.
      - V(disabled) - every configuration with this name is disabled (none is created).
    type: str
    choices: [enabled, disabled]
    default: enabled
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Audit logs as JSON under audit-logs/
  lakehouse.databricks_aws.databricks_account_log_delivery:
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    name: prod-audit-logs
    log_type: AUDIT_LOGS
    credentials_id: "{{ log_credentials.credentials_id }}"
    storage_configuration_id: "{{ log_storage.storage_configuration_id }}"
    delivery_path_prefix: audit-logs

- name: Billable usage and audit logs in one run, with the same credentials
  lakehouse.databricks_aws.databricks_account_log_delivery:
    credentials_id: "{{ log_credentials.credentials_id }}"
    configurations:
      - {name: prod-billable-usage, log_type: BILLABLE_USAGE, delivery_path_prefix: billable-usage,
         storage_configuration_id: "{{ log_storage_id }}"}
      - {name: prod-audit-logs, log_type: AUDIT_LOGS, delivery_path_prefix: audit-logs,
         storage_configuration_id: "{{ audit_storage_id }}"}

- name: Stop delivering billable usage (the configuration stays, disabled)
  lakehouse.databricks_aws.databricks_account_log_delivery:
    name: prod-billable-usage
    state: disabled
"""

RETURN = r"""
config_id:
  description: ID of the configuration (null in check mode before creation, and when none exists).
  returned: with O(name)
  type: str
  sample: 1a2b3c4d-1111-2222-3333-444455556666
log_delivery_configuration:
  description: The configuration as Databricks returns it (null in check mode before creation).
  returned: with O(name)
  type: dict
  sample:
    config_id: 1a2b3c4d-1111-2222-3333-444455556666
    config_name: prod-audit-logs
    log_type: AUDIT_LOGS
    output_format: JSON
    delivery_path_prefix: audit-logs
    status: ENABLED
replaced:
  description: Whether a configuration with other settings was disabled and a new one created.
  returned: with O(name)
  type: bool
disabled_ids:
  description: IDs of the configurations this run disabled (or would disable in check mode).
  returned: with O(name)
  type: list
  elements: str
configurations:
  description: One entry per configuration of O(configurations), in the order given, each with its C(name),
    C(changed), C(config_id), C(log_delivery_configuration), C(replaced) and C(disabled_ids) as above.
  returned: with O(configurations)
  type: list
  elements: dict
  sample:
    - name: prod-audit-logs
      changed: false
      config_id: 1a2b3c4d-1111-2222-3333-444455556666
      log_delivery_configuration: {config_id: 1a2b3c4d-1111-2222-3333-444455556666, config_name: prod-audit-logs,
                                   log_type: AUDIT_LOGS, output_format: JSON, status: ENABLED}
      replaced: false
      disabled_ids: []
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import ResourceDiff
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

FORMATS = {"BILLABLE_USAGE": "CSV", "AUDIT_LOGS": "JSON"}
MANAGED = ("log_type", "output_format", "credentials_id", "storage_configuration_id", "delivery_path_prefix",
           "delivery_start_time", "workspace_ids_filter")
ENABLED = "ENABLED"
DISABLED = "DISABLED"


def comparable(conf):
    flat = dict((k, conf.get(k)) for k in MANAGED)
    flat["delivery_path_prefix"] = conf.get("delivery_path_prefix") or None
    flat["workspace_ids_filter"] = sorted(int(w) for w in conf.get("workspace_ids_filter") or []) or None
    return flat


def list_configurations(module):
    """Every configuration of the account: the list is paged, and disabled ones stay forever (listed once for all
    the entries of configurations)."""
    return module.shared_read(("GET", "/log-delivery"), lambda: module.list_pages(
        module.account_path("/log-delivery"), "log_delivery_configurations", "list log delivery configurations"))


def set_status(module, conf, status):
    if not module.check_mode:
        module.request("PATCH", module.account_path("/log-delivery/%s" % conf["config_id"]), body={"status": status},
                       action="%s log delivery configuration %s" % (status.lower()[:-1], conf["config_id"]))


def read(module, config_id):
    reply = module.request("GET", module.account_path("/log-delivery/%s" % config_id),
                           action="read log delivery configuration %s" % config_id)
    return reply.get("log_delivery_configuration") or reply


def newest(configurations):
    return sorted(configurations, key=lambda c: c.get("creation_time") or 0)[-1] if configurations else None


def view(conf):
    return dict(comparable(conf), status=conf.get("status")) if conf else {}


def done(module, changed, conf, diff, replaced=False, disabled=()):
    return module.result(changed=changed, diff=diff, log_delivery_configuration=conf,
                         config_id=conf.get("config_id") if conf else None, replaced=replaced,
                         disabled_ids=[c["config_id"] for c in disabled])


def ensure_disabled(module, mine, enabled):
    for conf in enabled:
        set_status(module, conf, DISABLED)
    last = newest(mine)
    before = view(enabled[0] if enabled else last)
    after = dict(before, status=DISABLED) if before else {}
    result = read(module, last["config_id"]) if last and enabled and not module.check_mode else last
    return done(module, bool(enabled), result, {"before": before, "after": after}, disabled=enabled)


def ensure_enabled(module, mine, enabled):
    params = module.params
    label = "log delivery configuration %s" % params["name"]
    desired = dict((k, params[k]) for k in MANAGED)
    if params["log_type"] and not desired["output_format"]:
        desired["output_format"] = FORMATS[params["log_type"]]
    if desired["workspace_ids_filter"] is not None:
        desired["workspace_ids_filter"] = sorted(desired["workspace_ids_filter"]) or None
    # Configurations with the wanted settings (unset options match anything): enabled first, else the newest.
    same = [c for c in mine if not ResourceDiff(desired, comparable(c)).changes]
    keep = [c for c in same if c.get("status") == ENABLED] or [newest(same)] if same else []
    keep = keep[0] if keep else None
    stale = [c for c in enabled if keep is None or c["config_id"] != keep["config_id"]]
    before = view(enabled[0] if enabled else newest(mine))
    if keep is not None:
        after = dict(view(keep), status=ENABLED)
        if keep.get("status") == ENABLED and not stale:
            return done(module, False, keep, {"before": before, "after": after})
        for conf in stale:  # disable first: Databricks limits the enabled configurations per type
            set_status(module, conf, DISABLED)
        if keep.get("status") != ENABLED:
            set_status(module, keep, ENABLED)
        result = keep if module.check_mode else read(module, keep["config_id"])
        return done(module, True, result, {"before": before, "after": after}, disabled=stale)

    after = dict(ResourceDiff(desired, None).after, status=ENABLED)
    missing = [k for k in ("log_type", "credentials_id", "storage_configuration_id") if not params[k]]
    if missing:
        if module.check_mode:  # produced by earlier tasks that check mode did not run
            module.warn("%s: %s not known yet in check mode; assuming the configuration would be created"
                        % (label, ", ".join(missing)))
            return done(module, True, None, {"before": before, "after": after}, replaced=bool(mine),
                        disabled=stale)
        module.fail("%s: %s required to create the configuration" % (label, ", ".join(missing)),
                    error_code="MISSING_PARAMETER")
    for conf in stale:
        set_status(module, conf, DISABLED)
    if module.check_mode:
        return done(module, True, None, {"before": before, "after": after}, replaced=bool(mine), disabled=stale)
    body = dict((k, v) for k, v in desired.items() if v is not None)
    body.update(config_name=params["name"], status=ENABLED)
    created = module.request("POST", module.account_path("/log-delivery"), body={"log_delivery_configuration": body},
                             action="create %s" % label)
    return done(module, True, created.get("log_delivery_configuration") or created,
                {"before": before, "after": after}, replaced=bool(mine), disabled=stale)


def converge(module):
    mine = [c for c in list_configurations(module) if c.get("config_name") == module.params["name"]]
    enabled = [c for c in mine if c.get("status") == ENABLED]
    if module.params["state"] == "disabled":
        return ensure_disabled(module, mine, enabled)
    return ensure_enabled(module, mine, enabled)


def run(module):
    if module.params["configurations"] is None:
        return converge(module)
    return module.run_each(converge, module.params["configurations"], "configurations", identity=("name",))


def per_configuration_options():
    """The options an entry of configurations may set as well as the module (unset there, the module's hold)."""
    return dict(log_type=dict(type="str", choices=list(FORMATS)),
                output_format=dict(type="str", choices=["CSV", "JSON"]), credentials_id=dict(type="str"),
                storage_configuration_id=dict(type="str"),
                delivery_path_prefix=dict(type="str"), delivery_start_time=dict(type="str"),
                workspace_ids_filter=dict(type="list", elements="int"))


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str"),
            configurations=dict(type="list", elements="dict",
                                options=dict(name=dict(type="str", required=True), **per_configuration_options())),
            state=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
            **per_configuration_options()
        ),
        api="account",
        required_one_of=[("name", "configurations")],
        mutually_exclusive=[("name", "configurations")],
    ).run(run)


if __name__ == "__main__":
    main()
