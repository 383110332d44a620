#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_workspace_info
short_description: Find Databricks workspaces of the account
version_added: 0.1.0
description:
  - Lists the account's workspaces (account API), optionally only the one with O(name) or O(workspace_id),
    with each workspace's status, deployment name and URL.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Only the workspace with this name.
    type: str
  workspace_id:
    description: Only the workspace with this ID.
    type: int
notes:
  - The C(workspace_url) of each workspace in RV(workspaces) is C(https://<deployment_name>.cloud.databricks.com).
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.info_attributes
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Find the workspace
  lakehouse.databricks_aws.databricks_workspace_info:
    name: prod-workspace
  register: found

- name: Use it
  ansible.builtin.debug:
    msg: "{{ found.workspaces[0].workspace_url }}"
  when: found.workspaces | length > 0
"""

RETURN = r"""
workspaces:
  description: The matching workspaces as Databricks returns them, each with C(workspace_url) added.
  returned: always
  type: list
  elements: dict
  sample:
    - workspace_id: 1234567890123456
      workspace_name: prod-workspace
      deployment_name: dbc-1234abcd-5678
      workspace_status: RUNNING
      workspace_url: https://dbc-1234abcd-5678.cloud.databricks.com
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    list_objects,
    workspaces_matching,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule


def run(module):
    params = module.params
    found = workspaces_matching(list_objects(module, "/workspaces", "list workspaces"), params["name"],
                                params["workspace_id"])
    return module.result(changed=False, workspaces=found)


def main():
    DatabricksModule(
        argument_spec=dict(name=dict(type="str"), workspace_id=dict(type="int")),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
