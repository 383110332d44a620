#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_metastore
short_description: Find or create the Unity Catalog metastore of a region of a Databricks account
version_added: 0.1.0
description:
  - Lists the account's metastores (C(GET /api/2.0/accounts/<account_id>/metastores)) and uses the one named
    O(name); failing that, the account's metastore in O(region) (Databricks allows one metastore per region and
    account), whatever its name; failing that, creates one (C(POST .../metastores)). RV(found_by) tells which.
  - A metastore found is not renamed and its storage root is not changed; its owner is set when O(owner) is
    given and differs (C(PUT .../metastores/<id>)). A metastore named O(name) in another region fails the module
    (a workspace can only use the metastore of its own region).
  - With O(state=absent), only the metastore named O(name) is deleted, and only while no workspace is assigned to
    it (C(GET .../metastores/<id>/workspaces)); otherwise it is kept and RV(assigned_workspace_ids) names the
    workspaces.
  - Needs an account admin.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the metastore (used when a metastore is created, and to find or delete one).
    type: str
    required: true
  region:
    description: The AWS region the metastore serves, the region of its workspaces, for example V(eu-west-1).
    type: str
    required: true
  storage_root:
    description:
      - The metastore's root storage (C(s3://bucket/path)), set on creation only. Databricks recommends none
        (each catalog gets its own managed location).
    type: str
  owner:
    description: The owning user, service principal (application id) or account group (not managed when omitted).
    type: str
  force:
    description: With O(state=absent), delete the metastore even when it still holds catalogs.
    type: bool
    default: false
  state:
    description: Whether the metastore should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The account's metastore of the region (created when there is none)
  lakehouse.databricks_aws.databricks_metastore:
    account_id: "{{ databricks_account_id }}"
    name: lakehouse-eu-west-1
    region: eu-west-1
  register: metastore

- name: Delete the metastore this deployment created, when no workspace uses it any more
  lakehouse.databricks_aws.databricks_metastore:
    name: lakehouse-eu-west-1
    region: eu-west-1
    state: absent
"""

RETURN = r"""
metastore:
  description: The metastore (null when absent). In check mode, as it would be (no id for one still to be created).
  returned: always
  type: dict
  sample:
    metastore_id: 11111111-2222-3333-4444-555555555555
    name: lakehouse-eu-west-1
    region: eu-west-1
    owner: 8f4e3d2c-1111-2222-3333-444455556666
    created_by: 8f4e3d2c-1111-2222-3333-444455556666
found_by:
  description: How the metastore was found, V(name), V(region) or V(created) (null with O(state=absent)).
  returned: always
  type: str
  sample: region
assigned_workspace_ids:
  description: With O(state=absent), the workspaces still assigned to the metastore, which keep it from deletion.
  returned: when state is absent
  type: list
  elements: int
  sample: [1234567890123456]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import strip_slash

COMPARED = ("name", "region", "storage_root", "owner")


def comparable(metastore):
    return dict((key, strip_slash(metastore.get(key)) if key == "storage_root" else metastore.get(key))
                for key in COMPARED)


def find(module, name, region):
    """(metastore, found_by): by name, else the one in region, else (None, None)."""
    metastores = module.request("GET", module.account_path("/metastores"),
                                action="list the account's metastores").get("metastores") or []
    named = [m for m in metastores if m.get("name") == name]
    if named:
        return named[0], "name"
    regional = [m for m in metastores if m.get("region") == region]
    if len(regional) > 1:
        module.fail("the account has %d metastores in %s (%s): set name to the one to use" % (
            len(regional), region, ", ".join(sorted(m.get("name") or "" for m in regional))),
            error_code="INVALID_PARAMETER_VALUE")
    return (regional[0], "region") if regional else (None, None)


def ensure_absent(module, name):
    current, found_by = find(module, name, None)
    if current is None or found_by != "name":
        return module.result(changed=False, diff=absent_diff(None), metastore=None, found_by=None,
                             assigned_workspace_ids=[])
    path = module.account_path("/metastores/%s" % current["metastore_id"])
    assigned = module.request("GET", path + "/workspaces", action="list the workspaces of metastore %s" % name,
                              not_found_ok=True) or {}
    workspace_ids = sorted(int(w) for w in assigned.get("workspace_ids") or [])
    if workspace_ids:
        return module.result(changed=False, diff=None, metastore=current, found_by="name",
                             assigned_workspace_ids=workspace_ids)
    if not module.check_mode:
        module.request("DELETE", path, query={"force": module.params["force"]}, not_found_ok=True,
                       action="delete metastore %s" % name)
    return module.result(changed=True, diff=absent_diff(comparable(current)), metastore=None, found_by=None,
                         assigned_workspace_ids=[])


def run(module):
    params = module.params
    if params["state"] == "absent":
        return ensure_absent(module, params["name"])
    current, found_by = find(module, params["name"], params["region"])
    if current is not None and current.get("region") != params["region"]:
        module.fail("metastore %s serves %s, not %s: a workspace can only use the metastore of its region; set name to "
                    "a metastore of that region, or to a name no metastore has" % (
                        current.get("name"), current.get("region"), params["region"]),
                    error_code="INVALID_PARAMETER_VALUE", metastore=current)
    if current is not None:
        delta = ResourceDiff({"owner": params["owner"]}, comparable(current))
        if not delta.changed:
            return module.result(changed=False, diff=delta.diff, metastore=current, found_by=found_by)
        if module.check_mode:
            return module.result(changed=True, diff=delta.diff, metastore=dict(current, owner=params["owner"]),
                                 found_by=found_by)
        path = module.account_path("/metastores/%s" % current["metastore_id"])
        module.request("PUT", path, body={"metastore_info": {"owner": params["owner"]}},
                       action="set the owner of metastore %s" % current.get("name"))
        updated = module.request("GET", path, action="read metastore %s" % current.get("name"))
        return module.result(changed=True, diff=delta.diff, metastore=updated.get("metastore_info") or updated,
                             found_by=found_by)
    desired = dict(name=params["name"], region=params["region"], storage_root=params["storage_root"],
                   owner=params["owner"])
    delta = ResourceDiff(desired, None)
    if module.check_mode:
        return module.result(changed=True, diff=delta.diff, found_by="created",
                             metastore=dict(dict((k, v) for k, v in desired.items() if v is not None),
                                            metastore_id=None))
    info = dict((k, v) for k, v in desired.items() if v is not None and k != "owner")
    created = module.request("POST", module.account_path("/metastores"), body={"metastore_info": info},
                             action="create metastore %s" % params["name"])
    metastore = created.get("metastore_info") or created
    if params["owner"] is not None and metastore.get("owner") != params["owner"]:
        path = module.account_path("/metastores/%s" % metastore["metastore_id"])
        module.request("PUT", path, body={"metastore_info": {"owner": params["owner"]}},
                       action="set the owner of metastore %s" % params["name"])
        metastore = module.request("GET", path, action="read metastore %s" % params["name"]).get("metastore_info")
    return module.result(changed=True, diff=delta.diff, metastore=metastore, found_by="created")


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            region=dict(type="str", required=True),
            storage_root=dict(type="str"),
            owner=dict(type="str"),
            force=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
