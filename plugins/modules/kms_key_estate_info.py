#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kms_key_estate_info
short_description: Read KMS keys by alias with their key policy, rotation status and tags
version_added: 0.1.0
description:
  - Finds each KMS key by its alias and returns its metadata, its C(default) key policy, whether automatic rotation
    is on, and its tags.
  - Four calls per key (C(DescribeKey), C(GetKeyPolicy), C(GetKeyRotationStatus), C(ListResourceTags)); the
    amazon.aws.kms_key module reads each key with a dozen or more (aliases, grants, policies, rotation twice). The
    storage_encryption role reads its keys with this module once and runs amazon.aws.kms_key only for the keys that
    differ.
  - Read-only; runs the same in check mode.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  aliases:
    description:
      - The alias names of the keys, with or without the C(alias/) prefix.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the deployment's KMS keys
  lakehouse.databricks_aws.kms_key_estate_info:
    aliases: [alias/lh-dev-datalake, lh-dev-logging]
  register: kms_estate

# Subscript the result: kms_estate.keys would be the dict method keys().
- name: ARN of the data lake key
  ansible.builtin.debug:
    msg: "{{ kms_estate['keys']['alias/lh-dev-datalake'].arn }}"
"""

RETURN = r"""
keys:
  description:
    - The keys found, by alias name (always with the C(alias/) prefix). An alias that does not exist is left out.
  returned: always
  type: dict
  sample: {"alias/lh-dev-datalake": {"key_id": "1234abcd-12ab-34cd-56ef-1234567890ab",
           "arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
           "description": "Data lake", "enabled": true, "key_state": "Enabled", "key_usage": "ENCRYPT_DECRYPT",
           "key_spec": "SYMMETRIC_DEFAULT", "policy": {"Version": "2012-10-17", "Statement": []},
           "enable_key_rotation": true, "tags": {"Project": "lakehouse"}}}
  contains:
    key_id:
      description: The key ID.
      type: str
    arn:
      description: The key ARN.
      type: str
    description:
      description: The key description.
      type: str
    enabled:
      description: Whether the key is enabled.
      type: bool
    key_state:
      description: The key state (C(Enabled), C(Disabled), C(PendingDeletion), ...).
      type: str
    key_usage:
      description: The key usage.
      type: str
    key_spec:
      description: The key spec.
      type: str
    policy:
      description: The C(default) key policy as a dictionary; V(null) when it cannot be read.
      type: dict
    enable_key_rotation:
      description: Whether automatic rotation is on; V(null) when it cannot be read (for example a key pending
        deletion).
      type: bool
    tags:
      description: The key tags; V(null) when they cannot be read.
      type: dict
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import kms_alias_name, retrying_client
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

# Replies that leave a setting unknown (the key's state forbids the call, or we may not read it): reported as
# null, which the drift filter treats as a difference, as amazon.aws.kms_key would try to set it.
UNREADABLE = ["AccessDeniedException", "UnsupportedOperationException", "KMSInvalidStateException"]


# KMS throttles with ThrottlingException, which AWSRetry does not retry by itself.
KMS_RETRYABLE_CODES = ["ThrottlingException"]


def read_policy(client, key_id):
    try:
        reply = client.get_key_policy(KeyId=key_id, PolicyName="default", aws_retry=True)
    except is_boto3_error_code(UNREADABLE):
        return None
    policy = reply.get("Policy")
    if isinstance(policy, dict):
        return policy
    return json.loads(policy) if policy else None


def read_rotation(client, key_id):
    try:
        reply = client.get_key_rotation_status(KeyId=key_id, aws_retry=True)
    except is_boto3_error_code(UNREADABLE):
        return None
    return reply.get("KeyRotationEnabled")


def read_tags(client, key_id):
    tags, kwargs = [], {}
    while True:
        try:
            reply = client.list_resource_tags(KeyId=key_id, aws_retry=True, **kwargs)
        except is_boto3_error_code(UNREADABLE):
            return None
        tags.extend(reply.get("Tags") or [])
        if not reply.get("Truncated") or not reply.get("NextMarker"):
            return boto3_tag_list_to_ansible_dict(tags, "TagKey", "TagValue")
        kwargs["Marker"] = reply["NextMarker"]


def read_key(client, alias):
    """The key an alias names (the RETURN shape), or None when the alias does not exist."""
    try:
        metadata = client.describe_key(KeyId=alias, aws_retry=True)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        return None
    key_id = metadata["KeyId"]
    return {
        "key_id": key_id,
        "arn": metadata.get("Arn"),
        "description": metadata.get("Description"),
        "enabled": metadata.get("Enabled"),
        "key_state": metadata.get("KeyState"),
        "key_usage": metadata.get("KeyUsage"),
        "key_spec": metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec"),
        "policy": read_policy(client, key_id),
        "enable_key_rotation": read_rotation(client, key_id),
        "tags": read_tags(client, key_id),
    }


def read_keys(client, aliases):
    keys = {}
    for name in aliases:
        alias = kms_alias_name(name)
        if alias in keys:
            continue
        key = read_key(client, alias)
        if key is not None:
            keys[alias] = key
    return keys


def run(module):
    try:
        keys = read_keys(retrying_client(module, "kms", KMS_RETRYABLE_CODES), module.params["aliases"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the KMS keys %s" % ", ".join(module.params["aliases"]),
                            aws_error=exc) from exc
    return dict(changed=False, keys=keys)


def main():
    argument_spec = dict(
        aliases=dict(type="list", elements="str", required=True),
    )
    run_module(AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
