#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_group_member
short_description: Add a user, service principal or group to a Databricks workspace group, or remove it
version_added: 0.1.0
description:
  - Manages one direct membership of a workspace group (SCIM API), for example a service principal
    in C(admins). Other members are left alone.
  - The member is given by exactly one of O(service_principal), O(user_name), O(member_group) or O(member_id).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  group:
    description: Display name of the group, for example V(admins).
    type: str
    required: true
  service_principal:
    description: Application ID of a service principal member.
    type: str
  user_name:
    description: User name (e-mail) of a user member.
    type: str
  member_group:
    description: Display name of a group member.
    type: str
  member_id:
    description: Workspace SCIM ID of the member.
    type: str
  state:
    description: Whether the membership should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Make the service principal a workspace admin
  lakehouse.databricks_aws.databricks_group_member:
    workspace_host: "{{ workspace_url }}"
    group: admins
    service_principal: "{{ sp.application_id }}"
"""

RETURN = r"""
group_id:
  description: SCIM ID of the group.
  returned: always
  type: str
  sample: "1111222233334444"
member_id:
  description: SCIM ID of the member (null in check mode when the member itself does not exist yet).
  returned: always
  type: str
  sample: "5555666677778888"
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_scim as scim
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

MEMBER_OPTIONS = ("service_principal", "user_name", "member_group", "member_id")
LOOKUP = {"service_principal": ("ServicePrincipals", "applicationId"), "user_name": ("Users", "userName"),
          "member_group": ("Groups", "displayName")}


def resolve_member(module):
    params = module.params
    if params["member_id"]:
        return str(params["member_id"]), "member %s" % params["member_id"]
    option = next(name for name in MEMBER_OPTIONS if params[name])
    kind, attribute = LOOKUP[option]
    found = scim.find_one(module, kind, attribute, params[option])
    label = "%s %s" % (option.replace("_", " "), params[option])
    if found is None:
        if module.check_mode:  # created earlier in the same check-mode run: predict the change
            return None, label
        module.fail("%s does not exist in the workspace" % label, error_code="RESOURCE_DOES_NOT_EXIST")
    return str(found["id"]), label


def run(module):
    params = module.params
    group = scim.find_one(module, "Groups", "displayName", params["group"])
    if group is None:
        module.fail("group %s does not exist in the workspace" % params["group"], error_code="RESOURCE_DOES_NOT_EXIST")
    member_id, label = resolve_member(module)
    members = scim.values_of(group, "members")
    is_member = member_id is not None and member_id in members
    want = params["state"] == "present"
    before = {"group": params["group"], "members": members}
    if is_member == want:
        return module.result(changed=False, group_id=group["id"], member_id=member_id,
                             diff={"before": before, "after": before})
    after_members = sorted(set(members) | {member_id or "(%s)" % label}) if want else \
        [m for m in members if m != member_id]
    diff = {"before": before, "after": {"group": params["group"], "members": after_members}}
    if member_id is None or (not want and not is_member):
        return module.result(changed=want, group_id=group["id"], member_id=member_id, diff=diff)
    if not module.check_mode:
        operation = scim.add_members([member_id]) if want else scim.remove_member(member_id)
        scim.patch(module, "Groups", group["id"], [operation],
                   action="%s %s %s group %s" % ("add" if want else "remove", label, "to" if want else "from",
                                                 params["group"]))
    return module.result(changed=True, group_id=group["id"], member_id=member_id, diff=diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            group=dict(type="str", required=True),
            service_principal=dict(type="str"),
            user_name=dict(type="str"),
            member_group=dict(type="str"),
            member_id=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
        mutually_exclusive=[MEMBER_OPTIONS],
        required_one_of=[MEMBER_OPTIONS],
    ).run(run)


if __name__ == "__main__":
    main()
