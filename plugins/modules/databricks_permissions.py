#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_permissions
short_description: Manage the access control list of a Databricks workspace object
version_added: 0.1.0
description:
  - Grants permission levels on a workspace object through the permissions API
    (C(/api/2.0/permissions/<object_type>/<object_id>)), for example C(CAN_USE) on token
    authorization (O(object_type=authorization), O(object_id=tokens)) or C(CAN_RESTART) on a cluster
    (O(object_type=clusters)).
  - By default the listed grants are added or changed and other direct grants are left alone
    (C(PATCH)). With O(exclusive=true) the list replaces every direct grant (C(PUT)).
  - Inherited grants and the C(admins) group's fixed grants are never compared or removed.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  object_type:
    description: Object type in the permissions API path, for example V(authorization), V(clusters), V(jobs).
    type: str
    required: true
  object_id:
    description: Object ID in the permissions API path, for example V(tokens) or a cluster ID.
    type: str
    required: true
  access_control_list:
    description: The grants, each with exactly one principal and a permission level.
    type: list
    elements: dict
    required: true
    suboptions:
      user_name:
        description: User name of the grantee.
        type: str
      group_name:
        description: Group name of the grantee.
        type: str
      service_principal_name:
        description: Application ID of the grantee service principal.
        type: str
      permission_level:
        description: Permission level, for example V(CAN_USE), V(CAN_MANAGE), V(CAN_RESTART).
        type: str
        required: true
  exclusive:
    description: Whether the list replaces all direct grants (V(true)) or only adds and changes (V(false)).
    type: bool
    default: false
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Let the service principal use tokens
  lakehouse.databricks_aws.databricks_permissions:
    workspace_host: "{{ workspace_url }}"
    object_type: authorization
    object_id: tokens
    access_control_list:
      - service_principal_name: "{{ sp.application_id }}"
        permission_level: CAN_USE
"""

RETURN = r"""
access_control_list:
  description: The object's access control list after the run (as Databricks returns it; predicted in check mode).
  returned: always
  type: list
  elements: dict
  sample:
    - service_principal_name: 8f4e3d2c-1111-2222-3333-444455556666
      all_permissions: [{permission_level: CAN_USE, inherited: false}]
grants:
  description: Direct grants after the run, as C(principal -> [levels]) with principals written C(kind:name).
  returned: always
  type: dict
  sample: {"service_principal_name:8f4e3d2c-1111-2222-3333-444455556666": [CAN_USE]}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import ResourceDiff
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

PRINCIPAL_KEYS = ("user_name", "group_name", "service_principal_name")
FIXED = ("group_name:admins",)


def principal_of(entry):
    keys = [key for key in PRINCIPAL_KEYS if entry.get(key)]
    return "%s:%s" % (keys[0], entry[keys[0]]) if len(keys) == 1 else None


def direct_grants(acl):
    grants = {}
    for entry in acl or []:
        principal = principal_of(entry)
        if principal is None or principal in FIXED:
            continue
        levels = sorted(p["permission_level"] for p in entry.get("all_permissions") or [] if not p.get("inherited"))
        if levels:
            grants[principal] = levels
    return grants


def run(module):
    params = module.params
    path = "/api/2.0/permissions/%s/%s" % (params["object_type"], params["object_id"])
    entries = []
    for index, entry in enumerate(params["access_control_list"]):
        principal = principal_of(entry)
        if principal is None:
            module.fail("access_control_list[%d]: give exactly one of %s" % (index, ", ".join(PRINCIPAL_KEYS)),
                        error_code="INVALID_PARAMETER_VALUE")
        entries.append((principal, entry))
    current = module.request("GET", path, action="read permissions of %s/%s" % (params["object_type"],
                                                                                params["object_id"]))
    have = direct_grants(current.get("access_control_list"))
    if params["exclusive"]:
        want = {}
        for principal, entry in entries:
            want.setdefault(principal, []).append(entry["permission_level"])
        want = dict((k, sorted(set(v))) for k, v in want.items())
    else:
        want = dict((k, list(v)) for k, v in have.items())
        for principal, entry in entries:
            if entry["permission_level"] not in want.get(principal, []):
                want[principal] = sorted(set([*want.get(principal, []), entry["permission_level"]]))
    delta = ResourceDiff({"grants": want}, {"grants": have})
    if not delta.changes:
        return module.result(changed=False, access_control_list=current.get("access_control_list"), grants=have,
                             diff=delta.diff)
    if module.check_mode:
        return module.result(changed=True, access_control_list=current.get("access_control_list"), grants=want,
                             diff=delta.diff)
    body = {"access_control_list": [
        dict((k, v) for k, v in entry.items() if v is not None) for dummy, entry in entries]}
    updated = module.request("PUT" if params["exclusive"] else "PATCH", path, body=body,
                             action="set permissions of %s/%s" % (params["object_type"], params["object_id"]))
    return module.result(changed=True, access_control_list=updated.get("access_control_list"),
                         grants=direct_grants(updated.get("access_control_list")), diff=delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            object_type=dict(type="str", required=True),
            object_id=dict(type="str", required=True),
            access_control_list=dict(type="list", elements="dict", required=True, options=dict(
                user_name=dict(type="str"),
                group_name=dict(type="str"),
                service_principal_name=dict(type="str"),
                permission_level=dict(type="str", required=True),
            )),
            exclusive=dict(type="bool", default=False),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
