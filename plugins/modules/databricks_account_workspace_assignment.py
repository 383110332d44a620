#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_workspace_assignment
short_description: Assign an account group, service principal or user to a Databricks workspace
version_added: 0.1.0
description:
  - Gives an account principal a permission on a workspace (V(USER) or V(ADMIN)) through the account API's
    permission assignments (C(/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/permissionassignments)), or
    removes it. An assigned principal appears in the workspace's own directory, where its entitlements are set
    (M(lakehouse.databricks_aws.databricks_group) with C(scope=account)).
  - The principal is found in the account's directory by group display name (O(group_name)), service principal
    application ID (O(service_principal_application_id)) or user name (O(user_name)).
  - The permissions are exact; a change is one C(PUT) of the whole list, so a re-run changes nothing.
  - A workspace that has a workspace-local group of the same name refuses an account group (two groups of one name
    cannot share a workspace); rename or delete the workspace-local group first.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  workspace_id:
    description: ID of the workspace.
    type: int
    required: true
  group_name:
    description: Display name of the account group to assign.
    type: str
  group_names:
    description:
      - Display names of several account groups, each given O(permissions) (or, with O(state=absent), unassigned),
        in one run instead of a loop of tasks; they are read and changed side by side, and one SCIM query finds
        them all.
    type: list
    elements: str
  service_principal_application_id:
    description: Application ID of the account service principal to assign.
    type: str
  user_name:
    description: User name (e-mail address) of the account user to assign.
    type: str
  permissions:
    description: The principal's permissions on the workspace (exact). V(ADMIN) makes it a workspace admin.
    type: list
    elements: str
    choices: [USER, ADMIN]
    default: [USER]
  state:
    description: Whether the principal should be assigned to the workspace.
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Source: the account API's workspace assignment (databricks-sdk C(AccountClient.workspace_assignment)), as the
    Terraform provider's C(databricks_mws_permission_assignment) uses it."
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The account group Read only may use the workspace
  lakehouse.databricks_aws.databricks_account_workspace_assignment:
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    workspace_id: 1234567890123456
    group_name: Read only
    permissions: [USER]

- name: A service principal administers the workspace
  lakehouse.databricks_aws.databricks_account_workspace_assignment:
    workspace_id: 1234567890123456
    service_principal_application_id: 8f2a4c8e-0000-4000-8000-000000000000
    permissions: [ADMIN]

- name: Remove the group's assignment
  lakehouse.databricks_aws.databricks_account_workspace_assignment:
    workspace_id: 1234567890123456
    group_name: Read only
    state: absent
"""

RETURN = r"""
assignment:
  description:
    - The assignment after the run (null when absent). In check mode, as it would be; RV(assignment.principal_id) is
      null when the principal does not exist yet.
  returned: always
  type: dict
  contains:
    workspace_id:
      description: ID of the workspace.
      type: int
      sample: 1234567890123456
    principal_id:
      description: Account ID of the principal.
      type: int
      sample: 123456789012345
    display_name:
      description: Display name of the principal.
      type: str
      sample: Read only
    permissions:
      description: Its permissions on the workspace.
      type: list
      elements: str
      sample: [USER]
assignments:
  description: One entry per group of O(group_names), in the order given, each with its C(group_name), C(changed)
    and C(assignment) as above.
  returned: with O(group_names)
  type: list
  elements: dict
  sample:
    - {group_name: Read only, changed: false, assignment: {workspace_id: 1234567890123456, permissions: [USER]}}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_scim as scim
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

# option -> (SCIM resource type, attribute the principal is found by, what to call it)
PRINCIPALS = {
    "group_name": ("Groups", "displayName", "account group"),
    "service_principal_application_id": ("ServicePrincipals", "applicationId", "account service principal"),
    "user_name": ("Users", "userName", "account user"),
}


def principal_of(module):
    """(option, value, label, the principal in the account's directory or None)."""
    option = next(name for name in PRINCIPALS if module.params.get(name))
    kind, attribute, noun = PRINCIPALS[option]
    value = module.params[option]
    among = module.params.get("group_names") if option == "group_name" else None  # one query for every entry
    found = scim.find_one(
        module, kind, attribute, value, client=module.account, base=scim.account_base(module.account_id), among=among
    )
    return value, "%s %s" % (noun, value), found


def assignments_path(module, suffix=""):
    return module.account_path("/workspaces/%s/permissionassignments%s" % (module.params["workspace_id"], suffix))


def current_assignment(module, principal_id, label):
    """The principal's assignment (None when it has none, or the workspace is gone: nothing is assigned to it).
    The workspace's assignments are read once for all the entries of group_names."""
    reply = module.shared_read(("GET", assignments_path(module)), lambda: module.request(
        "GET",
        assignments_path(module),
        action="read the permission assignments of workspace %s" % module.params["workspace_id"],
        not_found_ok=True,
    ))
    for item in (reply or {}).get("permission_assignments") or []:
        if str((item.get("principal") or {}).get("principal_id")) == str(principal_id):
            return item
    return None


def render(module, principal_id, display_name, permissions):
    return {
        "workspace_id": module.params["workspace_id"],
        "principal_id": int(principal_id) if principal_id is not None else None,
        "display_name": display_name,
        "permissions": sorted(permissions),
    }


def converge(module):
    """The one principal of module.params assigned (or not) as wanted."""
    params = module.params
    wid = params["workspace_id"]
    value, label, principal = principal_of(module)
    principal_id = principal.get("id") if principal else None
    display = (principal or {}).get("displayName") or value
    current = current_assignment(module, principal_id, label) if principal else None
    before = {"permissions": sorted(current.get("permissions") or [])} if current else None
    if params["state"] == "absent":
        if current is None:
            return module.result(changed=False, diff=absent_diff(None), assignment=None)
        if not module.check_mode:
            module.request(
                "DELETE",
                assignments_path(module, "/principals/%s" % principal_id),
                not_found_ok=True,
                action="remove the assignment of %s to workspace %s" % (label, wid),
            )
        return module.result(changed=True, diff=absent_diff(before), assignment=None)

    desired = {"permissions": sorted(set(params["permissions"]))}
    if not desired["permissions"]:
        module.fail(
            "permissions must name at least one of USER, ADMIN (state absent removes the assignment)",
            error_code="INVALID_PARAMETER_VALUE",
        )
    delta = ResourceDiff(desired, before, unordered=("permissions",))
    after = render(module, principal_id, display, desired["permissions"])
    if not delta.changed:
        return module.result(changed=False, diff=delta.diff, assignment=after)
    if principal is None and not module.check_mode:
        module.fail("%s does not exist in the account; create it first" % label, error_code="RESOURCE_DOES_NOT_EXIST")
    if not module.check_mode:
        module.request(
            "PUT",
            assignments_path(module, "/principals/%s" % principal_id),
            body={"permissions": desired["permissions"]},
            action="assign %s to workspace %s (%s)" % (label, wid, ", ".join(desired["permissions"])),
        )
    return module.result(changed=True, diff=delta.diff, assignment=after)


def run(module):
    names = module.params["group_names"]
    if names is None:
        return converge(module)
    return module.run_each(converge, [{"group_name": name} for name in names], "assignments",
                           identity=("group_name",))


def main():
    DatabricksModule(
        argument_spec=dict(
            workspace_id=dict(type="int", required=True),
            group_name=dict(type="str"),
            group_names=dict(type="list", elements="str"),
            service_principal_application_id=dict(type="str"),
            user_name=dict(type="str"),
            permissions=dict(type="list", elements="str", choices=["USER", "ADMIN"], default=["USER"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
        mutually_exclusive=[[*PRINCIPALS, "group_names"]],
        required_one_of=[[*PRINCIPALS, "group_names"]],
    ).run(run)


if __name__ == "__main__":
    main()
