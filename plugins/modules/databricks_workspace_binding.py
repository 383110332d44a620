#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_workspace_binding
short_description: Manage the workspaces an isolated Unity Catalog securable is bound to
version_added: 0.1.0
description:
  - Reads the workspace bindings of a catalog, external location or storage credential
    (C(GET /api/2.1/unity-catalog/bindings/<securable_type>/<securable_name>)) and makes them exactly
    O(workspace_ids) with one C(PATCH) of the same path (C(add) and C(remove) lists); with O(state=absent) only
    the listed workspaces are unbound.
  - Bindings matter only while the securable's isolation mode is C(ISOLATED) (see
    M(lakehouse.databricks_aws.databricks_catalog)); Databricks binds the workspace that isolates it.
  - Needs the securable's ownership or a metastore admin.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  securable_type:
    description: The kind of securable, as in the API path.
    type: str
    choices: [catalog, external_location, storage_credential]
    default: catalog
  securable_name:
    description: Name of the securable.
    type: str
    required: true
  workspace_ids:
    description:
      - The workspaces the securable is bound to, the exact set (others are unbound).
      - With O(state=absent), the workspaces to unbind.
    type: list
    elements: int
    required: true
  binding_type:
    description: The access the bound workspaces get.
    type: str
    choices: [BINDING_TYPE_READ_WRITE, BINDING_TYPE_READ_ONLY]
    default: BINDING_TYPE_READ_WRITE
  state:
    description: Whether the listed workspaces should be bound (V(present), the exact set) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The deployment's catalog is reachable from its own workspace only
  lakehouse.databricks_aws.databricks_workspace_binding:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    securable_type: catalog
    securable_name: lakehouse_dev
    workspace_ids: ["{{ workspace_id | int }}"]
"""

RETURN = r"""
bindings:
  description: The bindings after the run (in check mode, as they would be), sorted by workspace id.
  returned: always
  type: list
  elements: dict
  sample:
    - {workspace_id: 1234567890123456, binding_type: BINDING_TYPE_READ_WRITE}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    bindings_path,
    paged,
)


def as_map(bindings):
    """{workspace_id: binding_type} (a binding without a type is read-write, the API's default)."""
    return dict((int(b["workspace_id"]), b.get("binding_type") or "BINDING_TYPE_READ_WRITE") for b in bindings or [])


def as_list(mapping):
    return [{"workspace_id": wid, "binding_type": mapping[wid]} for wid in sorted(mapping)]


def run(module):
    params = module.params
    path = bindings_path(params["securable_type"], params["securable_name"])
    action = "read the workspace bindings of %s %s" % (params["securable_type"].replace("_", " "),
                                                       params["securable_name"])
    current = as_map(paged(module, path, "bindings", action))
    listed = dict((int(wid), params["binding_type"]) for wid in params["workspace_ids"])
    if params["state"] == "absent":
        wanted = dict((wid, kind) for wid, kind in current.items() if wid not in listed)
    else:
        wanted = listed
    add = as_list(dict((wid, kind) for wid, kind in wanted.items() if current.get(wid) != kind))
    remove = as_list(dict((wid, kind) for wid, kind in current.items() if wid not in wanted))
    diff = {"before": {"bindings": as_list(current)}, "after": {"bindings": as_list(wanted)}}
    if not add and not remove:
        return module.result(changed=False, diff=diff, bindings=as_list(current))
    if module.check_mode:
        return module.result(changed=True, diff=diff, bindings=as_list(wanted))
    body = dict((key, value) for key, value in (("add", add), ("remove", remove)) if value)
    module.request("PATCH", path, body=body, action="update the workspace bindings of %s %s" % (
        params["securable_type"].replace("_", " "), params["securable_name"]))
    return module.result(changed=True, diff=diff, bindings=as_list(as_map(paged(module, path, "bindings", action))))


def main():
    DatabricksModule(
        argument_spec=dict(
            securable_type=dict(type="str", default="catalog",
                                choices=["catalog", "external_location", "storage_credential"]),
            securable_name=dict(type="str", required=True),
            workspace_ids=dict(type="list", elements="int", required=True),
            binding_type=dict(type="str", default="BINDING_TYPE_READ_WRITE",
                              choices=["BINDING_TYPE_READ_WRITE", "BINDING_TYPE_READ_ONLY"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
