#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_metastore_assignment
short_description: Assign a Unity Catalog metastore to a Databricks workspace
version_added: 0.1.0
description:
  - Reads the workspace's assignment (C(GET /api/2.0/accounts/<account_id>/workspaces/<workspace_id>/metastore))
    and assigns the metastore when the workspace has none
    (C(POST .../workspaces/<workspace_id>/metastores/<metastore_id>)).
  - A workspace assigned to another metastore is not reassigned silently; the module fails naming both.
  - With O(state=absent), the assignment to O(metastore_id) is removed (C(DELETE) of the same path); an
    assignment to another metastore is left alone.
  - The workspace's default catalog is better set with the workspace setting C(default_namespace_ws)
    (M(lakehouse.databricks_aws.databricks_workspace_setting)); O(default_catalog_name) is the assignment's older,
    deprecated way.
  - Needs an account admin.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  workspace_id:
    description: ID of the workspace.
    type: int
    required: true
  metastore_id:
    description: ID of the metastore (in the workspace's region).
    type: str
    required: true
  default_catalog_name:
    description: The assignment's default catalog name (not managed when omitted).
    type: str
  state:
    description: Whether the workspace should be assigned to the metastore.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Give the workspace the region's metastore
  lakehouse.databricks_aws.databricks_metastore_assignment:
    account_id: "{{ databricks_account_id }}"
    workspace_id: "{{ workspace_id }}"
    metastore_id: "{{ metastore.metastore.metastore_id }}"
"""

RETURN = r"""
assignment:
  description: The workspace's assignment after the run (null when it has none). In check mode, as it would be.
  returned: always
  type: dict
  sample:
    workspace_id: 1234567890123456
    metastore_id: 11111111-2222-3333-4444-555555555555
    default_catalog_name: hive_metastore
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule


def read(module, workspace_id):
    reply = module.request("GET", module.account_path("/workspaces/%d/metastore" % workspace_id), not_found_ok=True,
                           action="read the metastore assignment of workspace %d" % workspace_id)
    assignment = (reply or {}).get("metastore_assignment")
    return assignment if assignment and assignment.get("metastore_id") else None


def run(module):
    params = module.params
    workspace_id, metastore_id = params["workspace_id"], params["metastore_id"]
    path = module.account_path("/workspaces/%d/metastores/%s" % (workspace_id, metastore_id))
    current = read(module, workspace_id)
    if params["state"] == "absent":
        if current is None or current["metastore_id"] != metastore_id:
            return module.result(changed=False, diff=absent_diff(None), assignment=current)
        if not module.check_mode:
            module.request("DELETE", path, not_found_ok=True, action="unassign metastore %s from workspace %d" % (
                metastore_id, workspace_id))
        return module.result(changed=True, diff=absent_diff(current), assignment=None)
    if current is not None and current["metastore_id"] != metastore_id:
        module.fail("workspace %d is assigned to metastore %s, not %s: a workspace has one metastore; unassign it "
                    "first to move the workspace" % (workspace_id, current["metastore_id"], metastore_id),
                    error_code="INVALID_STATE", assignment=current)
    desired = dict(workspace_id=workspace_id, metastore_id=metastore_id,
                   default_catalog_name=params["default_catalog_name"])
    delta = ResourceDiff(desired, current)
    if not delta.changed:
        return module.result(changed=False, diff=delta.diff, assignment=current)
    if module.check_mode:
        return module.result(changed=True, diff=delta.diff, assignment=delta.after)
    body = {"metastore_assignment": dict((k, v) for k, v in desired.items() if v is not None)}
    module.request("POST" if current is None else "PUT", path, body=body,
                   action="assign metastore %s to workspace %d" % (metastore_id, workspace_id))
    return module.result(changed=True, diff=delta.diff, assignment=read(module, workspace_id))


def main():
    DatabricksModule(
        argument_spec=dict(
            workspace_id=dict(type="int", required=True),
            metastore_id=dict(type="str", required=True),
            default_catalog_name=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
