#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_bucket_empty
short_description: Delete every object version and delete marker of an S3 bucket, S3 Object Lock included
version_added: 0.1.0
description:
  - Deletes every object version and delete marker of a bucket (ListObjectVersions, DeleteObjects by batches of
    1000), so that the bucket can then be deleted.
  - With O(bypass_governance_retention) the deletes carry C(x-amz-bypass-governance-retention), which lets a caller
    with C(s3:BypassGovernanceRetention) delete versions under a GOVERNANCE-mode Object Lock retention. Versions under
    a COMPLIANCE-mode retention or a legal hold cannot be deleted by anyone until the retention ends or the hold is
    removed; S3 refuses them, the module reports them in RV(retained) and does not fail.
  - A bucket that does not exist is nothing to do.
  - Check mode lists what would be deleted without deleting; C(diff) shows the number of versions before and after.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: The bucket to empty.
    type: str
    required: true
  bypass_governance_retention:
    description: Delete versions under a GOVERNANCE-mode Object Lock retention too.
    type: bool
    default: false
  delete_policy:
    description:
      - Delete the bucket's policy first. A policy that denies deletes to every principal but one (as the
        audit-logs bucket's does) would refuse them to the caller otherwise.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Counts the versions that would be deleted; makes only read calls.
  diff_mode:
    support: full
    description: Returns the number of object versions and delete markers before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Empty the audit-logs bucket (GOVERNANCE retention bypassed) before deleting it
  lakehouse.databricks_aws.s3_bucket_empty:
    name: demo-audit-logs
    bypass_governance_retention: true
    delete_policy: true
    region: eu-west-1
  register: emptied

- name: Delete it unless versions are still retained
  amazon.aws.s3_bucket:
    name: demo-audit-logs
    state: absent
    region: eu-west-1
  when: emptied.retained | length == 0
"""

RETURN = r"""
exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
deleted:
  description: Number of object versions and delete markers deleted (in check mode, that would be tried).
  returned: always
  type: int
  sample: 42
retained:
  description: The versions S3 refused to delete (COMPLIANCE retention, legal hold, no permission), at most 100.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Object key.
      type: str
    version_id:
      description: Version id.
      type: str
    code:
      description: S3's error code, such as C(AccessDenied).
      type: str
    message:
      description: S3's error message.
      type: str
retained_count:
  description: Number of versions S3 refused to delete.
  returned: always
  type: int
policy_deleted:
  description: Whether O(delete_policy) deleted a bucket policy.
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

BATCH = 1000  # DeleteObjects' limit
REPORTED = 100


def list_versions(client, name):
    """Every object version and delete marker, as [{"Key", "VersionId"}]."""
    versions = []
    paginator = client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=name):
        for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
            versions.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
    return versions


def delete_versions(client, name, versions, bypass):
    """Delete in batches; the entries S3 refused, as the module returns them."""
    refused = []
    for start in range(0, len(versions), BATCH):
        params = {"Bucket": name, "Delete": {"Objects": versions[start:start + BATCH], "Quiet": True}}
        if bypass:
            params["BypassGovernanceRetention"] = True
        reply = client.delete_objects(aws_retry=True, **params)
        refused += [{"key": error.get("Key"), "version_id": error.get("VersionId"), "code": error.get("Code"),
                     "message": error.get("Message")} for error in reply.get("Errors", [])]
    return refused


def delete_policy(client, name):
    """Delete the bucket's policy; whether it had one."""
    try:
        client.get_bucket_policy(aws_retry=True, Bucket=name)
    except is_boto3_error_code("NoSuchBucketPolicy"):
        return False
    client.delete_bucket_policy(aws_retry=True, Bucket=name)
    return True


def run(module):
    name = module.params["name"]
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())
    try:
        versions = list_versions(client, name)
    except is_boto3_error_code("NoSuchBucket"):
        return dict(changed=False, exists=False, deleted=0, retained=[], retained_count=0, policy_deleted=False)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # pylint: disable=duplicate-except
        raise ModuleFailure("Failed to list the object versions of %s" % name, aws_error=exc) from exc
    refused, policy_deleted = [], False
    if module.params["delete_policy"] and not module.check_mode:
        try:
            policy_deleted = delete_policy(client, name)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to delete the policy of %s" % name, aws_error=exc) from exc
    if versions and not module.check_mode:
        try:
            refused = delete_versions(client, name, versions, module.params["bypass_governance_retention"])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to delete the object versions of %s" % name, aws_error=exc) from exc
    deleted = len(versions) - len(refused)
    result = dict(changed=deleted > 0 or policy_deleted, exists=True, deleted=deleted, retained=refused[:REPORTED],
                  retained_count=len(refused), policy_deleted=policy_deleted)
    if module._diff:
        result["diff"] = dict(before={"versions": len(versions)}, after={"versions": len(refused)})
    return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        bypass_governance_retention=dict(type="bool", default=False),
        delete_policy=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
