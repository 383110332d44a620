#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_estate_info
short_description: Read named IAM roles, inline role policies and instance profiles in one go
version_added: 0.1.0
description:
  - Reads the IAM roles, inline role policies and instance profiles it is given by name - one C(GetRole) per role,
    one C(GetRolePolicy) per inline policy of an existing role, one C(GetInstanceProfile) per instance profile.
  - The calls run concurrently (up to eight in flight) in two rounds, the roles and instance profiles, then the
    inline policies, so the read waits about two calls' latency; the result keeps the order asked.
  - What does not exist is left out of the result, so a caller can compare the result with its desired state and
    call the writing modules (M(amazon.aws.iam_role), M(amazon.aws.iam_policy), M(amazon.aws.iam_instance_profile))
    only for what differs.
  - Makes read calls only and never reports a change.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  roles:
    description:
      - Names of the IAM roles to read.
    type: list
    elements: str
    default: []
  inline_policies:
    description:
      - The inline policies to read, each the role that embeds it and the policy name.
      - The policies of a role that does not exist are not read (they do not exist either).
    type: list
    elements: dict
    default: []
    suboptions:
      role:
        description: Name of the role that embeds the policy.
        type: str
        required: true
      name:
        description: Name of the inline policy.
        type: str
        required: true
  instance_profiles:
    description:
      - Names of the instance profiles to read.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Read the roles, their inline policies and the instance profiles of a deployment
  lakehouse.databricks_aws.iam_estate_info:
    roles:
      - demo-meta-role
      - demo-cross-account-role
    inline_policies:
      - role: demo-meta-role
        name: databricks-meta
      - role: demo-cross-account-role
        name: databricks-cross-account
    instance_profiles:
      - demo-meta-instance-profile
  register: estate

- name: Fail when the cross-account role is missing
  ansible.builtin.assert:
    that: "'demo-cross-account-role' in estate.roles"
"""

RETURN = r"""
roles:
  description: The roles that exist, by name; a role that does not exist is not a key.
  returned: always
  type: dict
  sample:
    demo-meta-role:
      arn: arn:aws:iam::123456789012:role/demo-meta-role
      path: /
      description: Databricks meta instance profile role
      max_session_duration: 3600
      assume_role_policy_document:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      tags:
        Project: lakehouse
  contains:
    arn:
      description: The role ARN.
      type: str
    path:
      description: The role path.
      type: str
    description:
      description: The role description; V(null) when it has none.
      type: str
    max_session_duration:
      description: The longest session the role issues, in seconds.
      type: int
    assume_role_policy_document:
      description: The trust policy, decoded.
      type: dict
    tags:
      description: The role tags.
      type: dict
inline_policies:
  description:
    - The inline policies that exist, by C(role/name), each its policy document (decoded).
    - A policy that does not exist, or whose role does not exist, is not a key.
  returned: always
  type: dict
  sample:
    demo-meta-role/databricks-meta:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:PutObject
          Resource: arn:aws:s3:::demo-databricks-logging/*
instance_profiles:
  description: The instance profiles that exist, by name; a profile that does not exist is not a key.
  returned: always
  type: dict
  sample:
    demo-meta-instance-profile:
      arn: arn:aws:iam::123456789012:instance-profile/demo-meta-instance-profile
      path: /
      roles:
        - demo-meta-role
      tags:
        Project: lakehouse
  contains:
    arn:
      description: The instance profile ARN.
      type: str
    path:
      description: The instance profile path.
      type: str
    roles:
      description: Names of the roles in the instance profile.
      type: list
      elements: str
    tags:
      description: The instance profile tags.
      type: dict
"""

import json
from functools import partial
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import retrying_client
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel, pairs
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def decode_document(document):
    """A policy document as a dict: boto3 decodes them, but an URL-encoded or JSON string is accepted too."""
    if isinstance(document, dict):
        return document
    text = unquote(document or "")
    return json.loads(text) if text else {}


def read_role(client, name):
    try:
        role = client.get_role(RoleName=name, aws_retry=True)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return None
    return {
        "arn": role.get("Arn"),
        "path": role.get("Path"),
        "description": role.get("Description"),
        "max_session_duration": role.get("MaxSessionDuration"),
        "assume_role_policy_document": decode_document(role.get("AssumeRolePolicyDocument")),
        "tags": boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
    }


def read_inline_policy(client, role, name):
    try:
        reply = client.get_role_policy(RoleName=role, PolicyName=name, aws_retry=True)
    except is_boto3_error_code("NoSuchEntity"):
        return None
    return decode_document(reply.get("PolicyDocument"))


def read_instance_profile(client, name):
    try:
        profile = client.get_instance_profile(InstanceProfileName=name, aws_retry=True)["InstanceProfile"]
    except is_boto3_error_code("NoSuchEntity"):
        return None
    if "Tags" in profile:
        tags = profile["Tags"]
    else:  # not every endpoint returns the tags with the profile
        tags = client.list_instance_profile_tags(InstanceProfileName=name, aws_retry=True).get("Tags", [])
    return {
        "arn": profile.get("Arn"),
        "path": profile.get("Path"),
        "roles": [role.get("RoleName") for role in profile.get("Roles") or []],
        "tags": boto3_tag_list_to_ansible_dict(tags or []),
    }


def read_estate(client, roles, inline_policies, instance_profiles):
    """The three dicts of the RETURN block (roles, inline_policies, instance_profiles), in the order asked.

    Two rounds of concurrent calls: the roles and instance profiles, then the inline policies of the roles
    that exist (or that were not asked for).
    """
    estate = {"roles": {}, "inline_policies": {}, "instance_profiles": {}}
    found = in_parallel([partial(read_role, client, name) for name in roles]
                        + [partial(read_instance_profile, client, name) for name in instance_profiles])
    for name, role in pairs(roles, found[:len(roles)]):
        if role is not None:
            estate["roles"][name] = role
    known_roles = set(estate["roles"])
    # read above and missing: no policy to read
    policies = [policy for policy in inline_policies if policy["role"] not in roles or policy["role"] in known_roles]
    documents = in_parallel([partial(read_inline_policy, client, policy["role"], policy["name"])
                             for policy in policies])
    for policy, document in pairs(policies, documents):
        if document is not None:
            estate["inline_policies"]["%s/%s" % (policy["role"], policy["name"])] = document
    for name, profile in pairs(instance_profiles, found[len(roles):]):
        if profile is not None:
            estate["instance_profiles"][name] = profile
    return estate


def run(module):
    client = retrying_client(module, "iam")
    params = module.params
    try:
        estate = read_estate(client, params["roles"], params["inline_policies"], params["instance_profiles"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise ModuleFailure("Failed to read the IAM roles, inline policies and instance profiles",
                            aws_error=exc) from exc
    return dict(changed=False, **estate)


def main():
    argument_spec = dict(
        roles=dict(type="list", elements="str", default=[]),
        inline_policies=dict(type="list", elements="dict", default=[], options=dict(
            role=dict(type="str", required=True),
            name=dict(type="str", required=True),
        )),
        instance_profiles=dict(type="list", elements="str", default=[]),
    )
    run_module(AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
