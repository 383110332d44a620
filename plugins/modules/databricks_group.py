#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_group
short_description: Manage a Databricks workspace group, its entitlements and instance profiles
version_added: 0.1.0
description:
  - Creates, updates or deletes a workspace group through the workspace SCIM API.
  - Entitlements (for example V(allow-cluster-create)) and roles (instance profile ARNs the
    group's members may use) are changed with one SCIM C(PATCH) that adds and removes only
    what differs, so a re-run changes nothing. The token travels in the module's request,
    never on a command line.
  - The group is found by O(display_name), which must be unique. Members are managed with
    M(lakehouse.databricks_aws.databricks_group_member).
  - Instance profiles must be registered first (M(lakehouse.databricks_aws.databricks_instance_profile)).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  display_name:
    description: Name of the group, for example V(All access) or V(admins).
    type: str
    required: true
  entitlements:
    description:
      - Entitlements of the group, for example V(allow-cluster-create),
        V(allow-instance-pool-create), V(databricks-sql-access), V(workspace-access).
      - With O(purge_entitlements=true) the list is exact (V([]) removes them all);
        otherwise the listed ones are added and others kept. Not managed when not set.
    type: list
    elements: str
  roles:
    description:
      - Instance profile ARNs granted to the group (SCIM C(roles)).
      - With O(purge_roles=true) the list is exact; otherwise the listed ones are added and
        others kept. Not managed when not set.
    type: list
    elements: str
  purge_entitlements:
    description: Remove entitlements that are not in O(entitlements).
    type: bool
    default: true
  purge_roles:
    description:
      - Remove instance profiles that are not in O(roles). Set V(false) to grant a profile to a
        group that others manage too, such as V(admins).
    type: bool
    default: true
  state:
    description: Whether the group should exist. The built-in groups V(admins) and V(users) cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: A group whose members may read the data lake, without cluster creation
  lakehouse.databricks_aws.databricks_group:
    workspace_host: "{{ workspace_url }}"
    display_name: Read only
    entitlements: []
    roles:
      - arn:aws:iam::123456789012:instance-profile/prod-data-read-instance-profile
  register: read_only

- name: Give admins the meta instance profile, keeping their other profiles
  lakehouse.databricks_aws.databricks_group:
    display_name: admins
    roles: [arn:aws:iam::123456789012:instance-profile/prod-meta-instance-profile]
    purge_roles: false
"""

RETURN = r"""
id:
  description: Workspace SCIM ID of the group (null in check mode before creation, and when absent).
  returned: always
  type: str
  sample: "123456789012345"
group:
  description: The group as the SCIM API returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    id: "123456789012345"
    displayName: Read only
    roles: [{value: "arn:aws:iam::123456789012:instance-profile/prod-data-read-instance-profile"}]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_scim as scim
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

KIND = "Groups"
BUILT_IN = ("admins", "users")


def comparable(group):
    return {"display_name": group.get("displayName"), "entitlements": scim.values_of(group, "entitlements"),
            "roles": scim.values_of(group, "roles")}


def wanted(values, have, purge):
    """The list the attribute should hold (None: not managed)."""
    if values is None:
        return None
    values = set(values)
    return sorted(values if purge else values | set(have))


def finish(module, changed, group, diff):
    return module.result(changed=changed, diff=diff, group=group, id=group.get("id") if group else None)


def run(module):
    params = module.params
    name = params["display_name"]
    label = "group %s" % name
    current = scim.find_one(module, KIND, "displayName", name)
    if params["state"] == "absent":
        if name in BUILT_IN:
            module.fail("%s is built in and cannot be deleted" % label, error_code="INVALID_PARAMETER_VALUE")
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            scim.delete(module, KIND, current["id"], action="delete %s" % label)
        return finish(module, True, current, absent_diff(comparable(current)))

    have = comparable(current) if current else {"entitlements": [], "roles": []}
    desired = {"display_name": name,
               "entitlements": wanted(params["entitlements"], have["entitlements"], params["purge_entitlements"]),
               "roles": wanted(params["roles"], have["roles"], params["purge_roles"])}
    delta = ResourceDiff(desired, comparable(current) if current else None, unordered=("entitlements", "roles"))
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    if module.check_mode:
        return finish(module, True, current, delta.diff)
    if current is None:
        body = {"displayName": name}
        for attribute in ("entitlements", "roles"):
            if desired[attribute]:
                body[attribute] = [{"value": v} for v in desired[attribute]]
        created = scim.create(module, KIND, body, action="create %s" % label)
        return finish(module, True, created, delta.diff)
    operations = []
    if "display_name" in delta.changes:  # found case-insensitively
        operations.append(scim.replace_value("displayName", name))
    for attribute in ("entitlements", "roles"):
        if attribute not in delta.changes:
            continue
        before, after = set(have[attribute]), set(desired[attribute])
        if after - before:
            operations.append(scim.add_values(attribute, sorted(after - before)))
        if before - after:
            operations.append(scim.remove_values(attribute, sorted(before - after)))
    updated = scim.patch_and_read(module, KIND, current["id"], operations, label)
    return finish(module, True, updated, delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            display_name=dict(type="str", required=True),
            entitlements=dict(type="list", elements="str"),
            roles=dict(type="list", elements="str"),
            purge_entitlements=dict(type="bool", default=True),
            purge_roles=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
