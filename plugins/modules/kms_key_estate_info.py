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
  - With O(created_for_tag), it also finds the keys a run created but could not give their alias (a run killed
    between C(CreateKey) and C(CreateAlias)), that is keys without any alias whose tag O(created_for_tag), set in the
    C(CreateKey) call, names one of O(aliases). The oldest such key of an alias that does not exist is returned
    under that alias with RV(keys.aliased=false), for the caller to give it the alias (adopt it) instead of
    creating another key; every other one is listed in RV(unaliased). Keys pending deletion are left out. The
    search costs C(ListAliases), C(ListKeys) and one C(ListResourceTags) per key without alias, and runs only when
    an alias is missing unless O(search_unaliased=always).
  - The calls run concurrently (up to eight in flight), every C(DescribeKey) of O(aliases) and O(probe_aliases)
    together, then the policy, rotation and tags of every key found, so reading the keys waits about two calls'
    latency; the results keep the order asked.
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
  created_for_tag:
    description:
      - The tag key that the caller sets, in the C(CreateKey) call, to the alias a key is created for (for example
        C(lakehouse:kms-alias) = C(alias/lh-dev-datalake)). Keys without alias that carry it for one of
        O(aliases) are found as described above.
      - Without it, keys are found by alias only.
    type: str
  search_unaliased:
    description:
      - When to look for keys without alias (with O(created_for_tag) only).
      - V(missing) - only when an alias of O(aliases) does not exist (a converged estate costs no call more).
      - V(always) - on every run, for example before a destroy, so that every key of the deployment is found.
    type: str
    choices: [missing, always]
    default: missing
  probe_aliases:
    description:
      - Further alias names, read by alias only (never searched for by O(created_for_tag), never adopted) and
        returned in RV(probed) - keys that the caller's configuration no longer creates but an estate may still hold
        (the storage_encryption role refuses to drop them silently). One C(DescribeKey) each when the alias does not
        exist, the full read when it does.
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
- name: Read the deployment's KMS keys
  lakehouse.databricks_aws.kms_key_estate_info:
    aliases: [alias/lh-dev-datalake, lh-dev-logging]
  register: kms_estate

# Also the keys created for these aliases that a killed run left without alias, before a destroy.
- name: Read the deployment's KMS keys, also those left without alias
  lakehouse.databricks_aws.kms_key_estate_info:
    aliases: [alias/lh-dev-datalake, alias/lh-dev-logging]
    created_for_tag: "lakehouse:kms-alias"
    search_unaliased: always
  register: kms_estate_all

# Also whether keys the configuration no longer creates still exist.
- name: Read the deployment's KMS keys and probe the aliases of keys it no longer uses
  lakehouse.databricks_aws.kms_key_estate_info:
    aliases: [alias/lh-dev-datalake, alias/lh-dev-logging]
    probe_aliases: [alias/lh-dev-workspace-storage]
  register: kms_estate_probed

# Subscript the result: kms_estate.keys would be the dict method keys().
- name: ARN of the data lake key
  ansible.builtin.debug:
    msg: "{{ kms_estate['keys']['alias/lh-dev-datalake'].arn }}"
"""

RETURN = r"""
keys:
  description:
    - The keys found, by alias name (always with the C(alias/) prefix). An alias that does not exist is left out,
      unless O(created_for_tag) finds a key without alias created for it (then RV(keys.aliased) is V(false)).
  returned: always
  type: dict
  sample: {"alias/lh-dev-datalake": {"key_id": "1234abcd-12ab-34cd-56ef-1234567890ab",
           "arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
           "description": "Data lake", "enabled": true, "key_state": "Enabled", "key_usage": "ENCRYPT_DECRYPT",
           "key_spec": "SYMMETRIC_DEFAULT", "policy": {"Version": "2012-10-17", "Statement": []},
           "enable_key_rotation": true, "tags": {"Project": "lakehouse"}, "aliased": true}}
  contains:
    aliased:
      description: V(true) for a key found by its alias; V(false) for a key without alias found by
        O(created_for_tag) (the caller creates the alias to it).
      type: bool
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
probed:
  description:
    - The keys of O(probe_aliases) that exist, by alias name (with the C(alias/) prefix), each as in RV(keys).
  returned: always
  type: dict
  sample: {"alias/lh-dev-workspace-storage": {"key_id": "9abc1234-12ab-34cd-56ef-1234567890ab",
           "key_state": "Enabled", "aliased": true}}
unaliased:
  description:
    - The keys without any alias whose tag O(created_for_tag) names one of O(aliases), not pending deletion, other
      than those returned in RV(keys); oldest first. Empty without O(created_for_tag), and when
      O(search_unaliased=missing) and every alias exists.
  returned: always
  type: list
  elements: dict
  sample: [{"key_id": "5678abcd-12ab-34cd-56ef-1234567890ab",
            "arn": "arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab",
            "key_state": "Enabled", "creation_date": "2026-12-02T16:10:00+00:00",
            "created_for": "alias/lh-dev-datalake"}]
  contains:
    key_id:
      description: The key ID.
      type: str
    arn:
      description: The key ARN.
      type: str
    key_state:
      description: The key state.
      type: str
    creation_date:
      description: When the key was created (ISO 8601).
      type: str
    created_for:
      description: The alias its tag O(created_for_tag) names.
      type: str
"""

import json
from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import kms_alias_name, retrying_client
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel, pairs
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
# A key on its way out is never adopted nor scheduled again.
PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")


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


def describe(client, key_id):
    """The KeyMetadata of a key given by alias or id, or None when there is no such key."""
    try:
        return client.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        return None


def read_many(client, names):
    """The keys the aliases (or key ids) name (each the RETURN shape, or None when it does not exist), in order.

    Two rounds of concurrent calls: every DescribeKey, then the policy, rotation and tags of each key found.
    """
    described = in_parallel([partial(describe, client, name) for name in names])
    found = [metadata for metadata in described if metadata is not None]
    settings = in_parallel([partial(read, client, metadata["KeyId"])
                            for metadata in found for read in (read_policy, read_rotation, read_tags)])
    keys = []
    for metadata in described:
        if metadata is None:
            keys.append(None)
            continue
        policy, rotation, tags = settings[:3]
        settings = settings[3:]
        keys.append({
            "key_id": metadata["KeyId"],
            "arn": metadata.get("Arn"),
            "description": metadata.get("Description"),
            "enabled": metadata.get("Enabled"),
            "key_state": metadata.get("KeyState"),
            "key_usage": metadata.get("KeyUsage"),
            "key_spec": metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec"),
            "policy": policy,
            "enable_key_rotation": rotation,
            "tags": tags,
            "aliased": True,
        })
    return keys


def paged(client, method, field, **kwargs):
    """Every item of a KMS list call (Marker / Truncated / NextMarker paging)."""
    items = []
    while True:
        reply = getattr(client, method)(aws_retry=True, **kwargs)
        items.extend(reply.get(field) or [])
        if not reply.get("Truncated") or not reply.get("NextMarker"):
            return items
        kwargs["Marker"] = reply["NextMarker"]


def find_unaliased(client, aliases, created_for_tag):
    """The keys without any alias whose tag created_for_tag names one of aliases, not pending deletion, oldest
    first (the unaliased RETURN shape). The tags of the keys, then the keys they mark, are read concurrently."""
    aliased_ids, listed = in_parallel([
        lambda: {alias.get("TargetKeyId") for alias in paged(client, "list_aliases", "Aliases")},
        lambda: paged(client, "list_keys", "Keys"),
    ])
    key_ids = [key["KeyId"] for key in listed if key["KeyId"] not in aliased_ids]
    tags = in_parallel([partial(read_tags, client, key_id) for key_id in key_ids])
    candidates = []
    for key_id, key_tags in pairs(key_ids, tags):
        created_for = (key_tags or {}).get(created_for_tag)
        if created_for and kms_alias_name(created_for) in aliases:
            candidates.append((key_id, created_for))
    described = in_parallel([partial(describe, client, key_id) for key_id, dummy in candidates])
    found = []
    for (key_id, created_for), metadata in pairs(candidates, described):
        if metadata is None:  # deleted meanwhile
            continue
        if metadata.get("KeyState") in PENDING_DELETION or metadata.get("KeyManager") == "AWS":
            continue
        created = metadata.get("CreationDate")
        found.append({
            "key_id": key_id,
            "arn": metadata.get("Arn"),
            "key_state": metadata.get("KeyState"),
            "creation_date": created.isoformat() if hasattr(created, "isoformat") else created,
            "created_for": kms_alias_name(created_for),
        })
    return sorted(found, key=lambda key: (str(key["creation_date"] or ""), key["key_id"]))


def read_keys(client, aliases, created_for_tag=None, search_unaliased="missing", probe_aliases=()):
    """(keys by alias, unaliased keys, probed keys by alias): see RETURN."""
    wanted = []
    for name in aliases:
        alias = kms_alias_name(name)
        if alias not in wanted:
            wanted.append(alias)
    # A probe of an alias of aliases would find what the alias itself finds, and never be returned.
    probes = []
    for name in probe_aliases:
        alias = kms_alias_name(name)
        if alias not in wanted and alias not in probes:
            probes.append(alias)
    read = read_many(client, wanted + probes)
    keys = {alias: key for alias, key in pairs(wanted, read[:len(wanted)]) if key is not None}
    probed = {alias: key for alias, key in pairs(probes, read[len(wanted):]) if key is not None}
    if not created_for_tag or (search_unaliased == "missing" and len(keys) == len(wanted)):
        return keys, [], probed
    unaliased = find_unaliased(client, wanted, created_for_tag)
    adoptions = []
    for alias in wanted:
        if alias in keys:
            continue
        candidate = next((key for key in unaliased if key["created_for"] == alias), None)
        if candidate is None:
            continue
        unaliased.remove(candidate)
        adoptions.append((alias, candidate["key_id"]))
    adopted = read_many(client, [key_id for dummy, key_id in adoptions])
    for (alias, _key_id), key in pairs(adoptions, adopted):
        if key is not None:
            keys[alias] = dict(key, aliased=False)
    return keys, unaliased, probed


def run(module):
    params = module.params
    try:
        client = retrying_client(module, "kms", KMS_RETRYABLE_CODES)
        keys, unaliased, probed = read_keys(client, params["aliases"], params["created_for_tag"],
                                            params["search_unaliased"], params["probe_aliases"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the KMS keys %s" % ", ".join(params["aliases"] + params["probe_aliases"]),
                            aws_error=exc) from exc
    return dict(changed=False, keys=keys, unaliased=unaliased, probed=probed)


def main():
    argument_spec = dict(
        aliases=dict(type="list", elements="str", required=True),
        created_for_tag=dict(type="str"),
        search_unaliased=dict(type="str", choices=["missing", "always"], default="missing"),
        probe_aliases=dict(type="list", elements="str", default=[]),
    )
    run_module(AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
