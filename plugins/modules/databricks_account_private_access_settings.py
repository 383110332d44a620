#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_private_access_settings
short_description: Manage Databricks private access settings (PrivateLink front-end access)
version_added: 0.1.0
description:
  - Creates, updates in place (C(PUT)) or deletes the private access settings a PrivateLink workspace is attached
    to (M(lakehouse.databricks_aws.databricks_account_workspace)
    O(lakehouse.databricks_aws.databricks_account_workspace#module:private_access_settings_id)). They say whether the
    workspace is also reachable over the internet and which VPC endpoint registrations may reach it.
  - The settings are found by O(name); a re-run changes nothing when they match. Databricks refuses to delete
    settings a workspace uses; the module reports that refusal.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the settings (C(private_access_settings_name)).
    type: str
    required: true
  region:
    description: AWS region of the workspaces that use them. Required when O(state=present).
    type: str
  public_access_enabled:
    description: Whether the workspace stays reachable from the internet too (front-end PrivateLink optional).
    type: bool
    default: false
  private_access_level:
    description:
      - V(ACCOUNT) lets every VPC endpoint registered in the account reach the workspace; V(ENDPOINT) only the
        ones in O(allowed_vpc_endpoint_ids).
    type: str
    choices: [ACCOUNT, ENDPOINT]
    default: ACCOUNT
  allowed_vpc_endpoint_ids:
    description: Databricks IDs of the VPC endpoint registrations allowed with O(private_access_level=ENDPOINT).
    type: list
    elements: str
    default: []
  state:
    description: Whether the settings should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Only the deployment's endpoint may reach the workspace
  lakehouse.databricks_aws.databricks_account_private_access_settings:
    name: prod-private-access
    region: eu-west-1
    public_access_enabled: false
    private_access_level: ENDPOINT
    allowed_vpc_endpoint_ids: ["{{ rest_endpoint.vpc_endpoint_id }}"]
  register: private_access
"""

RETURN = r"""
private_access_settings_id:
  description: ID of the settings; null in check mode before they exist.
  returned: always
  type: str
  sample: 2a9d0c1e-1111-2222-3333-444455556666
private_access_settings:
  description: The settings as Databricks returns them (null when absent); in check mode, as they would be.
  returned: always
  type: dict
  sample:
    private_access_settings_id: 2a9d0c1e-1111-2222-3333-444455556666
    private_access_settings_name: prod-private-access
    region: eu-west-1
    public_access_enabled: false
    private_access_level: ENDPOINT
    allowed_vpc_endpoint_ids: [9c7e8a52-1111-2222-3333-444455556666]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import list_objects
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

PATH = "/private-access-settings"
FIELDS = ("region", "public_access_enabled", "private_access_level", "allowed_vpc_endpoint_ids")


def comparable(obj):
    found = dict((field, obj.get(field)) for field in FIELDS)
    found["public_access_enabled"] = bool(found["public_access_enabled"])
    found["private_access_level"] = found["private_access_level"] or "ACCOUNT"
    found["allowed_vpc_endpoint_ids"] = list(found["allowed_vpc_endpoint_ids"] or [])
    return found


def finish(module, changed, settings, diff):
    return module.result(changed=changed, diff=diff, private_access_settings=settings,
                         private_access_settings_id=(settings or {}).get("private_access_settings_id"))


def run(module):
    params = module.params
    name = params["name"]
    found = [obj for obj in list_objects(module, PATH, "list private access settings")
             if obj.get("private_access_settings_name") == name]
    if len(found) > 1:
        module.fail("private access settings %s: %d match; remove the duplicates" % (name, len(found)),
                    error_code="AMBIGUOUS_MATCH")
    current = found[0] if found else None
    if params["state"] == "absent":
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            module.request("DELETE", module.account_path("%s/%s" % (PATH, current["private_access_settings_id"])),
                           action="delete private access settings %s" % name, not_found_ok=True)
        return module.result(changed=True, diff=absent_diff(comparable(current)), private_access_settings=None,
                             private_access_settings_id=current["private_access_settings_id"])

    desired = dict((field, params[field]) for field in FIELDS)
    delta = ResourceDiff(desired, comparable(current) if current else None, unordered=("allowed_vpc_endpoint_ids",))
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    body = dict(desired, private_access_settings_name=name)
    if module.check_mode:
        return finish(module, True, dict(current or {"private_access_settings_id": None}, **body), delta.diff)
    if current is None:
        settings = module.request("POST", module.account_path(PATH), body=body,
                                  action="create private access settings %s" % name)
    else:
        settings = module.request("PUT", module.account_path("%s/%s" % (PATH, current["private_access_settings_id"])),
                                  body=body, action="update private access settings %s" % name)
    return finish(module, True, settings, delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            region=dict(type="str"),
            public_access_enabled=dict(type="bool", default=False),
            private_access_level=dict(type="str", default="ACCOUNT", choices=["ACCOUNT", "ENDPOINT"]),
            allowed_vpc_endpoint_ids=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
        required_if=[("state", "present", ("region",))],
    ).run(run)


if __name__ == "__main__":
    main()
