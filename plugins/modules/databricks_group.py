#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_group
short_description: Manage a Databricks group (workspace-local or account), its entitlements and instance profiles
version_added: 0.1.0
description:
  - Creates, updates or deletes a group through the SCIM API, either a workspace-local group in the workspace's
    directory (O(scope=workspace)), or an account group in the account's directory (O(scope=account)), the kind
    Unity Catalog can grant privileges to.
  - Entitlements (for example V(allow-cluster-create)) and roles (instance profile ARNs the
    group's members may use) are changed with one SCIM C(PATCH) that adds and removes only
    what differs, so a re-run changes nothing. The token travels in the module's request,
    never on a command line.
  - The group is found by O(display_name), which must be unique. Members are managed with
    M(lakehouse.databricks_aws.databricks_group_member).
  - Instance profiles must be registered first (M(lakehouse.databricks_aws.databricks_instance_profile)).
  - "With O(scope=account), entitlements and roles are workspace settings: they are set on the group as the workspace
    O(workspace_host) sees it, which it does once the group is assigned to the workspace
    (M(lakehouse.databricks_aws.databricks_account_workspace_assignment)). The account connection options
    (O(account_id), O(client_id), O(client_secret)) reach the account; O(workspace_host) and O(token) the workspace."
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  display_name:
    description:
      - Name of the group, for example V(All access) or V(admins).
      - Required unless O(groups) is given.
    type: str
  groups:
    description:
      - Several groups of the same O(scope), converged in one run instead of a loop of tasks; they are read and
        changed side by side (up to 8 requests in flight), and one SCIM query (20 names a query, joined by C(or))
        finds them all.
      - An option an entry does not set is the module's (O(entitlements), O(roles)); O(purge_entitlements),
        O(purge_roles), O(keep_assigned) and O(state) apply to every one. Mutually exclusive with O(display_name).
    type: list
    elements: dict
    suboptions:
      display_name:
        description: Name of the group.
        type: str
        required: true
      entitlements:
        description: As O(entitlements).
        type: list
        elements: str
      roles:
        description: As O(roles).
        type: list
        elements: str
  scope:
    description:
      - V(workspace) - a group of the workspace's directory (workspace API). An account group the workspace
        already sees under this name is updated in place (its entitlements and roles), but O(state=absent) deletes
        only a workspace-local group and leaves an account group as it is (remove its assignment, or delete it with
        O(scope=account)).
      - V(account) - an account group (account API). O(state=absent) keeps a group that a workspace still has
        assigned unless O(keep_assigned=false).
    type: str
    choices: [workspace, account]
    default: workspace
  entitlements:
    description:
      - Entitlements of the group, for example V(allow-cluster-create),
        V(allow-instance-pool-create), V(databricks-sql-access), V(workspace-access).
      - With O(purge_entitlements=true) the list is exact (V([]) removes them all);
        otherwise the listed ones are added and others kept. Not managed when not set.
      - With O(scope=account), set in the workspace O(workspace_host) (the group must be assigned to it). Check mode
        counts a group not created or assigned yet as one without entitlements, as it would be once assigned.
    type: list
    elements: str
  roles:
    description:
      - Instance profile ARNs granted to the group (SCIM C(roles)).
      - With O(purge_roles=true) the list is exact; otherwise the listed ones are added and
        others kept. Not managed when not set.
      - With O(scope=account), set in the workspace O(workspace_host) (the group must be assigned to it).
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
  keep_assigned:
    description:
      - With O(scope=account) and O(state=absent), keep the account group while any workspace of the account has
        it assigned (the result lists them in RV(assigned_workspace_ids)); several deployments of one account can
        share a group. V(false) deletes it anyway.
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

- name: An account group (Unity Catalog grants need account principals)
  lakehouse.databricks_aws.databricks_group:
    scope: account
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    display_name: Read only
  register: read_only

- name: Its entitlements in a workspace it is assigned to
  lakehouse.databricks_aws.databricks_group:
    scope: account
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    workspace_host: "{{ workspace_url }}"
    token: "{{ workspace_token }}"
    display_name: Read only
    entitlements: [workspace-access, databricks-sql-access]

- name: Two account groups and their entitlements in the workspace, in one task
  lakehouse.databricks_aws.databricks_group:
    scope: account
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    workspace_host: "{{ workspace_url }}"
    token: "{{ workspace_token }}"
    groups:
      - display_name: Read only
        entitlements: [workspace-access]
      - display_name: All access
        entitlements: [workspace-access, allow-cluster-create]

- name: Delete the account group unless another workspace still has it
  lakehouse.databricks_aws.databricks_group:
    scope: account
    display_name: Read only
    state: absent
"""

RETURN = r"""
id:
  description:
    - SCIM ID of the group (null in check mode before creation, and when absent). With O(scope=account), the
      account group's ID.
  returned: with O(display_name)
  type: str
  sample: "123456789012345"
group:
  description: The group as the SCIM API returns it (null when absent or not yet created); with O(scope=account), the
    account's view of it.
  returned: with O(display_name)
  type: dict
  sample:
    id: "123456789012345"
    displayName: Read only
    roles: [{value: "arn:aws:iam::123456789012:instance-profile/prod-data-read-instance-profile"}]
workspace_group:
  description: With O(scope=account) and entitlements or roles to manage, the group as the workspace sees it (null in
    check mode before it is assigned).
  returned: when O(scope=account) and O(entitlements) or O(roles) are set
  type: dict
  sample: {id: "123456789012345", displayName: Read only, entitlements: [{value: workspace-access}]}
assigned_workspace_ids:
  description: With O(scope=account) and O(state=absent), the workspaces the group is still assigned to (the group is
    kept when there are any and O(keep_assigned=true)).
  returned: when O(scope=account) and O(state=absent)
  type: list
  elements: int
  sample: [1234567890123456]
groups:
  description: One entry per group of O(groups), in the order given, each with its C(display_name), C(changed) and
    what a single group returns (C(id), C(group), and C(workspace_group) or C(assigned_workspace_ids) when they
    apply).
  returned: with O(groups)
  type: list
  elements: dict
  sample:
    - {display_name: Read only, changed: false, id: "123456789012345", group: {id: "123456789012345"}}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_scim as scim
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    has_error_code,
    message_contains,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

KIND = "Groups"
BUILT_IN = ("admins", "users")
WORKSPACE_ATTRIBUTES = ("entitlements", "roles")


def comparable(group, attributes=WORKSPACE_ATTRIBUTES):
    out = {"display_name": group.get("displayName")}
    out.update((attribute, scim.values_of(group, attribute)) for attribute in attributes)
    return out


def wanted(values, have, purge):
    """The list the attribute should hold (None: not managed)."""
    if values is None:
        return None
    values = set(values)
    return sorted(values if purge else values | set(have))


def finish(module, changed, group, diff, **extra):
    return module.result(changed=changed, diff=diff, group=group, id=group.get("id") if group else None, **extra)


def desired_of(params, have):
    return {
        "display_name": params["display_name"],
        "entitlements": wanted(params["entitlements"], have["entitlements"], params["purge_entitlements"]),
        "roles": wanted(params["roles"], have["roles"], params["purge_roles"]),
    }


def update_operations(name, delta, have, desired):
    """The SCIM PATCH operations that turn have into desired (one PATCH for everything)."""
    operations = []
    if "display_name" in delta.changes:  # found case-insensitively
        operations.append(scim.replace_value("displayName", name))
    for attribute in WORKSPACE_ATTRIBUTES:
        if attribute not in delta.changes:
            continue
        before, after = set(have[attribute]), set(desired[attribute])
        if after - before:
            operations.append(scim.add_values(attribute, sorted(after - before)))
        if before - after:
            operations.append(scim.remove_values(attribute, sorted(before - after)))
    return operations


def names_of_the_list(module):
    """The display names of every entry of groups (None without groups): one SCIM query finds them all."""
    groups = module.params.get("groups")
    return [group["display_name"] for group in groups] if groups else None


def run_workspace(module):
    params = module.params
    name = params["display_name"]
    label = "group %s" % name
    current = scim.find_one(module, KIND, "displayName", name, among=names_of_the_list(module))
    if params["state"] == "absent":
        if name in BUILT_IN:
            module.fail("%s is built in and cannot be deleted" % label, error_code="INVALID_PARAMETER_VALUE")
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if scim.resource_source(current) == scim.ACCOUNT_GROUP:  # not the workspace's to delete
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            scim.delete(module, KIND, current["id"], action="delete %s" % label)
        return finish(module, True, current, absent_diff(comparable(current)))

    have = comparable(current) if current else {"entitlements": [], "roles": []}
    desired = desired_of(params, have)
    delta = ResourceDiff(desired, comparable(current) if current else None, unordered=WORKSPACE_ATTRIBUTES)
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    if module.check_mode:
        return finish(module, True, current, delta.diff)
    if current is None:
        body = {"displayName": name}
        for attribute in WORKSPACE_ATTRIBUTES:
            if desired[attribute]:
                body[attribute] = [{"value": v} for v in desired[attribute]]
        created = scim.create(module, KIND, body, action="create %s" % label)
        return finish(module, True, created, delta.diff)
    updated = scim.patch_and_read(module, KIND, current["id"], update_operations(name, delta, have, desired), label)
    return finish(module, True, updated, delta.diff)


def assigned_workspace_ids(module, group_id):
    """The account's workspaces that have the group assigned (permission assignments)."""
    assigned = []
    for workspace in module.request("GET", module.account_path("/workspaces"), action="list workspaces") or []:
        wid = workspace.get("workspace_id")
        reply = module.request(
            "GET",
            module.account_path("/workspaces/%s/permissionassignments" % wid),
            action="list the permission assignments of workspace %s" % wid,
            not_found_ok=True,
        )
        principals = [
            str((a.get("principal") or {}).get("principal_id"))
            for a in (reply or {}).get("permission_assignments") or []
        ]
        if str(group_id) in principals:
            assigned.append(int(wid))
    return sorted(assigned)


def workspace_view(module, group, name):
    """The account group as the workspace sees it (None when it is not assigned there). A workspace-local group of
    the same name fails the module: Databricks allows one group of a name per workspace."""
    views = scim.find(module, KIND, "displayName", name, client=module.workspace, among=names_of_the_list(module))
    for view in views:
        if (group is not None and str(view.get("id")) == str(group.get("id"))) or scim.resource_source(
            view
        ) == scim.ACCOUNT_GROUP:
            return view
    if views:
        module.fail(
            "group %s of workspace %s is a workspace-local group, not the account group: two groups of one "
            "name cannot share a workspace (rename or delete the workspace-local group, then assign the "
            "account group)" % (name, module.params.get("workspace_host")),
            error_code="RESOURCE_CONFLICT",
        )
    return None


def create_account_group(module, name, label, base):
    """Create the account group. Deployments of one account run in parallel and share groups of one name: when
    another run created it since it was looked up (409, already exists), that group is the one."""
    try:
        return scim.create(
            module,
            KIND,
            {"displayName": name},
            action="create %s" % label,
            client=module.account,
            base=base,
            fail=False,
        )
    except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
        if not (
            has_error_code(exc, "SCIM_409", "RESOURCE_ALREADY_EXISTS", "RESOURCE_CONFLICT")
            or message_contains(exc, "already exists")
        ):
            module.fail_error(exc, action="create %s" % label)
        found = scim.find_one(module, KIND, "displayName", name, client=module.account, base=base)
        if found is None:
            module.fail_error(exc, action="create %s" % label)
        return found


def run_account(module):
    params = module.params
    name = params["display_name"]
    label = "account group %s" % name
    base = scim.account_base(module.account_id)
    manages_workspace = params["entitlements"] is not None or params["roles"] is not None
    if manages_workspace and not params.get("workspace_host"):
        module.fail(
            "scope account with entitlements or roles needs workspace_host (and its token): they are set on "
            "the group in that workspace",
            error_code="MISSING_PARAMETER",
        )
    current = scim.find_one(
        module, KIND, "displayName", name, client=module.account, base=base, among=names_of_the_list(module)
    )
    if params["state"] == "absent":
        if name in BUILT_IN:
            module.fail("%s is built in and cannot be deleted" % label, error_code="INVALID_PARAMETER_VALUE")
        if current is None:
            return finish(module, False, None, absent_diff(None), assigned_workspace_ids=[])
        assigned = assigned_workspace_ids(module, current["id"])
        if assigned and params["keep_assigned"]:
            return finish(module, False, current, absent_diff(None), assigned_workspace_ids=assigned)
        if not module.check_mode:
            scim.delete(module, KIND, current["id"], action="delete %s" % label, client=module.account, base=base)
        return finish(module, True, current, absent_diff(comparable(current, ())), assigned_workspace_ids=assigned)

    attributes = WORKSPACE_ATTRIBUTES if manages_workspace else ()
    view = workspace_view(module, current, name) if manages_workspace and current is not None else None
    if manages_workspace and current is not None and view is None and not module.check_mode:
        module.fail(
            "%s is not assigned to workspace %s: assign it first (databricks_account_workspace_assignment)"
            % (label, params.get("workspace_host")),
            error_code="RESOURCE_DOES_NOT_EXIST",
        )
    before = None
    if current is not None:
        before = comparable(dict(view or {}, displayName=current.get("displayName")), attributes)
    elif manages_workspace and module.check_mode:
        # Check mode after the tasks that would create and assign the group: it would be a new group in the
        # workspace, without entitlements or roles (the creation itself is the earlier task's change).
        before = comparable({"displayName": name}, attributes)
    have = dict({"entitlements": [], "roles": []}, **(before or {}))
    desired = desired_of(params, have)
    delta = ResourceDiff(desired, before, unordered=WORKSPACE_ATTRIBUTES)
    extra = {"workspace_group": view} if manages_workspace else {}
    if not delta.changed or module.check_mode:
        return finish(module, delta.changed, current, delta.diff, **extra)
    if current is None:
        current = create_account_group(module, name, label, base)
        if manages_workspace:  # a new group is assigned to no workspace yet
            module.fail(
                "%s created; it is not assigned to workspace %s yet: assign it "
                "(databricks_account_workspace_assignment), then set its entitlements and roles"
                % (label, params.get("workspace_host")),
                error_code="RESOURCE_DOES_NOT_EXIST",
                id=current["id"],
            )
        return finish(module, True, current, delta.diff)
    if "display_name" in delta.changes:
        current = scim.patch_and_read(
            module,
            KIND,
            current["id"],
            [scim.replace_value("displayName", name)],
            label,
            client=module.account,
            base=base,
        )
    operations = [op for op in update_operations(name, delta, have, desired) if op.get("path") != "displayName"]
    if operations:
        extra["workspace_group"] = scim.patch_and_read(
            module, KIND, view["id"], operations, "%s in the workspace" % label, client=module.workspace
        )
    return finish(module, True, current, delta.diff, **extra)


def converge(module):
    """One group (module.params) as wanted."""
    return run_account(module) if module.params["scope"] == "account" else run_workspace(module)


def run(module):
    if module.params["scope"] == "account":
        module.api = "account"
    if module.params["groups"] is None:
        return converge(module)
    return module.run_each(converge, module.params["groups"], "groups", identity=("display_name",))


def per_group_options():
    """The options an entry of groups may set as well as the module (unset there, the module's hold)."""
    return dict(entitlements=dict(type="list", elements="str"), roles=dict(type="list", elements="str"))


def main():
    DatabricksModule(
        argument_spec=dict(
            display_name=dict(type="str"),
            groups=dict(type="list", elements="dict",
                        options=dict(display_name=dict(type="str", required=True), **per_group_options())),
            scope=dict(type="str", default="workspace", choices=["workspace", "account"]),
            purge_entitlements=dict(type="bool", default=True),
            purge_roles=dict(type="bool", default=True),
            keep_assigned=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **per_group_options()
        ),
        api="workspace",
        required_one_of=[("display_name", "groups")],
        mutually_exclusive=[("display_name", "groups")],
    ).run(run)


if __name__ == "__main__":
    main()
