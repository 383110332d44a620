#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_service_principal
short_description: Manage a Databricks workspace service principal and its entitlements
version_added: 0.1.0
description:
  - Creates, updates or deletes a service principal in a workspace (SCIM API).
  - The service principal is found by O(application_id) when given, else by O(display_name)
    (which must then be unique).
  - Group membership is managed with M(lakehouse.databricks_aws.databricks_group_member).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  display_name:
    description: Display name of the service principal.
    type: str
    required: true
  application_id:
    description:
      - Application ID (UUID) of the service principal. When not set, a new service principal gets one
        from Databricks and an existing one is found by O(display_name).
    type: str
  entitlements:
    description:
      - Entitlements granted directly to the service principal, for example V(allow-cluster-create),
        V(allow-instance-pool-create), V(databricks-sql-access), V(workspace-access).
      - The list is exact, entitlements not listed are removed. Not managed when not set.
    type: list
    elements: str
  active:
    description: Whether the service principal is active. Not managed when not set.
    type: bool
  state:
    description: Whether the service principal should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The automation service principal, allowed to create clusters
  lakehouse.databricks_aws.databricks_service_principal:
    workspace_host: "{{ workspace_url }}"
    display_name: Service Principal
    entitlements: [allow-cluster-create]
  register: sp
"""

RETURN = r"""
id:
  description: Workspace SCIM ID of the service principal (null in check mode before creation).
  returned: always
  type: str
  sample: "1234567890123456"
application_id:
  description: Application ID of the service principal (null in check mode before creation).
  returned: always
  type: str
  sample: 8f4e3d2c-1111-2222-3333-444455556666
service_principal:
  description: The service principal as the SCIM API returns it (null when absent).
  returned: always
  type: dict
  sample:
    id: "1234567890123456"
    applicationId: 8f4e3d2c-1111-2222-3333-444455556666
    displayName: Service Principal
    active: true
    entitlements: [{value: allow-cluster-create}]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_scim as scim
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

KIND = "ServicePrincipals"


def comparable(sp):
    return {"display_name": sp.get("displayName"), "application_id": sp.get("applicationId"),
            "entitlements": scim.values_of(sp, "entitlements"), "active": sp.get("active", True)}


def find(module):
    params = module.params
    if params["application_id"]:
        return scim.find_one(module, KIND, "applicationId", params["application_id"])
    return scim.find_one(module, KIND, "displayName", params["display_name"])


def finish(module, changed, sp, diff):
    return module.result(changed=changed, diff=diff, service_principal=sp, id=sp.get("id") if sp else None,
                         application_id=sp.get("applicationId") if sp else module.params["application_id"])


def run(module):
    params = module.params
    label = "service principal %s" % params["display_name"]
    current = find(module)
    if params["state"] == "absent":
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            scim.delete(module, KIND, current["id"], action="delete %s" % label)
        return finish(module, True, current, absent_diff(comparable(current)))

    desired = {"display_name": params["display_name"], "application_id": params["application_id"],
               "entitlements": sorted(set(params["entitlements"])) if params["entitlements"] is not None else None,
               "active": params["active"]}
    delta = ResourceDiff(desired, comparable(current) if current else None, unordered=("entitlements",))
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    if module.check_mode:
        return finish(module, True, current, delta.diff)
    if current is None:
        body = {"displayName": params["display_name"]}
        if params["application_id"]:
            body["applicationId"] = params["application_id"]
        if params["entitlements"]:
            body["entitlements"] = [{"value": e} for e in desired["entitlements"]]
        if params["active"] is not None:
            body["active"] = params["active"]
        created = scim.create(module, KIND, body, action="create %s" % label)
        return finish(module, True, created, delta.diff)
    operations = []
    if "entitlements" in delta.changes:
        have = set(scim.values_of(current, "entitlements"))
        want = set(desired["entitlements"])
        if want - have:
            operations.append(scim.add_values("entitlements", sorted(want - have)))
        if have - want:
            operations.append(scim.remove_values("entitlements", sorted(have - want)))
    if "display_name" in delta.changes:
        operations.append(scim.replace_value("displayName", params["display_name"]))
    if "active" in delta.changes:
        operations.append(scim.replace_value("active", params["active"]))
    updated = scim.patch_and_read(module, KIND, current["id"], operations, label)
    return finish(module, True, updated, delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            display_name=dict(type="str", required=True),
            application_id=dict(type="str"),
            entitlements=dict(type="list", elements="str"),
            active=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
