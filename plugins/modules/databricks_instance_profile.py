#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_instance_profile
short_description: Register an AWS instance profile with a Databricks workspace
version_added: 0.1.0
description:
  - Registers (C(instance-profiles/add)), updates (C(instance-profiles/edit)) or removes
    (C(instance-profiles/remove)) an instance profile in a workspace, so clusters can run with it
    and groups can be given it
    (O(lakehouse.databricks_aws.databricks_group#module:roles) of M(lakehouse.databricks_aws.databricks_group)).
  - The instance profile is found by its ARN; a re-run changes nothing when the flags already match.
  - Databricks validates a new instance profile against AWS unless O(skip_validation=true). It dry-runs
    the C(RunInstances) EC2 action with the workspace's cross-account role and the profile, which fails
    (C(DRY_RUN_FAILED)) when that role may not pass the profile's role (C(iam:PassRole)) or launch instances with
    Databricks' C(Vendor) tag. For a few seconds after IAM creates a profile, EC2 does not know it yet
    (C(Invalid IAM Instance Profile ARN)); that error is retried within O(retry_timeout).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  instance_profile_arn:
    description: ARN of the AWS instance profile (C(arn:aws:iam::<account>:instance-profile/<name>)).
    type: str
    required: true
  iam_role_arn:
    description:
      - ARN of the IAM role of the instance profile, when its name differs from the instance
        profile's name (needed for serverless SQL). Not managed when not set.
    type: str
  is_meta_instance_profile:
    description:
      - Whether the instance profile is a meta instance profile (its role may assume other roles,
        for example the data roles). Not managed when not set; a new profile is registered as a
        plain one.
    type: bool
  skip_validation:
    description:
      - Register without Databricks' AWS checks (the profile must still exist when a cluster uses it).
        Only used when the profile is added.
    type: bool
    default: false
  state:
    description: Whether the instance profile should be registered.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the meta instance profile
  lakehouse.databricks_aws.databricks_instance_profile:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    instance_profile_arn: arn:aws:iam::123456789012:instance-profile/prod-meta-instance-profile
    is_meta_instance_profile: true

- name: Remove a profile that is no longer used
  lakehouse.databricks_aws.databricks_instance_profile:
    instance_profile_arn: arn:aws:iam::123456789012:instance-profile/old
    state: absent
"""

RETURN = r"""
instance_profile_arn:
  description: ARN of the instance profile.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:instance-profile/prod-meta-instance-profile
instance_profile:
  description:
    - The instance profile as the workspace lists it (null when absent).
    - In check mode, the profile as it would be.
  returned: always
  type: dict
  sample:
    instance_profile_arn: arn:aws:iam::123456789012:instance-profile/prod-meta-instance-profile
    is_meta_instance_profile: true
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import message_contains
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

API = "/api/2.0/instance-profiles"


def is_iam_propagation_error(exc):
    """EC2 does not know an instance profile for a few seconds after IAM created it: Databricks' dry run
    then fails with AWS's "Invalid IAM Instance Profile ARN" (retried within retry_timeout)."""
    return message_contains(exc, "Invalid IAM Instance Profile ARN")


def comparable(profile):
    return {"instance_profile_arn": profile.get("instance_profile_arn"),
            "iam_role_arn": profile.get("iam_role_arn"),
            "is_meta_instance_profile": bool(profile.get("is_meta_instance_profile"))}


def find(module, arn):
    reply = module.request("GET", API + "/list", action="list instance profiles")
    return next((p for p in reply.get("instance_profiles") or [] if p.get("instance_profile_arn") == arn), None)


def finish(module, changed, profile, diff):
    return module.result(changed=changed, diff=diff, instance_profile=profile,
                         instance_profile_arn=module.params["instance_profile_arn"])


def run(module):
    params = module.params
    arn = params["instance_profile_arn"]
    current = find(module, arn)
    if params["state"] == "absent":
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            module.request("POST", API + "/remove", body={"instance_profile_arn": arn},
                           action="remove instance profile %s" % arn, not_found_ok=True)
        return finish(module, True, None, absent_diff(comparable(current)))

    desired = {"instance_profile_arn": arn, "iam_role_arn": params["iam_role_arn"],
               "is_meta_instance_profile": params["is_meta_instance_profile"]}
    delta = ResourceDiff(desired, comparable(current) if current else None)
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    planned = dict(comparable(current) if current else comparable({"instance_profile_arn": arn}))
    planned.update(dict((k, v) for k, v in desired.items() if v is not None))
    planned = dict((k, v) for k, v in planned.items() if v is not None)
    if module.check_mode:
        return finish(module, True, planned, delta.diff)
    body = dict(planned)
    if current is None:
        body["skip_validation"] = params["skip_validation"]
        module.request("POST", API + "/add", body=body, action="add instance profile %s" % arn,
                       retry_if=is_iam_propagation_error)
    else:
        module.request("POST", API + "/edit", body=body, action="edit instance profile %s" % arn)
    return finish(module, True, find(module, arn), delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            instance_profile_arn=dict(type="str", required=True),
            iam_role_arn=dict(type="str"),
            is_meta_instance_profile=dict(type="bool"),
            skip_validation=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
