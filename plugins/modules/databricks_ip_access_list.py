#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_ip_access_list
short_description: Manage an IP access list of a Databricks workspace
version_added: 0.1.0
description:
  - Creates (C(POST /api/2.0/ip-access-lists)), replaces (C(PUT .../{id})) or deletes an allow or
    block list of a workspace, found by its O(label). A re-run changes nothing when the type, the
    addresses (in any order) and the enabled flag already match.
  - The lists take effect only while the workspace key C(enableIpAccessLists) is C(true)
    (M(lakehouse.databricks_aws.databricks_workspace_conf)).
  - Databricks refuses a list, a change or a deletion that would block the caller while the
    lists are in effect; the module reports that refusal as it is.
  - Needs a workspace admin.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  label:
    description: Name of the list; unique in the workspace (the module finds the list by it).
    type: str
    required: true
  list_type:
    description: C(ALLOW) lets only matching addresses in (when any allow list exists); C(BLOCK) keeps them out.
    type: str
    choices: [ALLOW, BLOCK]
    default: ALLOW
  ip_addresses:
    description: IPv4 addresses and CIDR ranges. Required with O(state=present).
    type: list
    elements: str
  enabled:
    description: Whether the list is in effect.
    type: bool
    default: true
  state:
    description: Whether the list should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Allow the office and the deployment runners
  lakehouse.databricks_aws.databricks_ip_access_list:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    label: prod-allow
    list_type: ALLOW
    ip_addresses: [203.0.113.0/24, 198.51.100.7]

- name: Remove a list no longer wanted
  lakehouse.databricks_aws.databricks_ip_access_list:
    label: old-vpn
    state: absent
"""

RETURN = r"""
ip_access_list:
  description:
    - The list as the workspace holds it (null when absent). In check mode, as it would be (C(list_id) null
      for a list still to be created).
  returned: always
  type: dict
  sample:
    list_id: 8b7c6a1e-0f44-4b1a-9a6e-2f0c7f3f1c11
    label: prod-allow
    list_type: ALLOW
    ip_addresses: [203.0.113.0/24]
    enabled: true
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

API = "/api/2.0/ip-access-lists"
MANAGED = ("label", "list_type", "ip_addresses", "enabled")


def comparable(entry):
    return dict((key, entry.get(key)) for key in MANAGED)


def find(module, label):
    reply = module.request("GET", API, action="list IP access lists")
    return next((e for e in reply.get("ip_access_lists") or [] if e.get("label") == label), None)


def run(module):
    params = module.params
    label = params["label"]
    current = find(module, label)
    if params["state"] == "absent":
        if current is None:
            return module.result(changed=False, diff=absent_diff(None), ip_access_list=None)
        if not module.check_mode:
            module.request("DELETE", "%s/%s" % (API, current["list_id"]), action="delete IP access list %s" % label,
                           not_found_ok=True)
        return module.result(changed=True, diff=absent_diff(comparable(current)), ip_access_list=None)

    desired = {"label": label, "list_type": params["list_type"], "ip_addresses": list(params["ip_addresses"]),
               "enabled": params["enabled"]}
    delta = ResourceDiff(desired, comparable(current) if current else None, unordered=("ip_addresses",))
    if not delta.changed:
        return module.result(changed=False, diff=delta.diff, ip_access_list=current)
    if module.check_mode:
        return module.result(changed=True, diff=delta.diff,
                             ip_access_list=dict(current or {"list_id": None}, **desired))
    if current is None:
        reply = module.request("POST", API, body=desired, action="create IP access list %s" % label)
        created = reply.get("ip_access_list") or {}
        if not desired["enabled"] and created.get("enabled"):  # create takes no enabled flag everywhere
            module.request("PATCH", "%s/%s" % (API, created["list_id"]), body={"enabled": False},
                           action="disable IP access list %s" % label)
    else:
        module.request("PUT", "%s/%s" % (API, current["list_id"]), body=desired,
                       action="replace IP access list %s" % label)
    return module.result(changed=True, diff=delta.diff, ip_access_list=find(module, label))


def main():
    DatabricksModule(
        argument_spec=dict(
            label=dict(type="str", required=True),
            list_type=dict(type="str", default="ALLOW", choices=["ALLOW", "BLOCK"]),
            ip_addresses=dict(type="list", elements="str"),
            enabled=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
        required_if=[("state", "present", ("ip_addresses",))],
    ).run(run)


if __name__ == "__main__":
    main()
