#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_bucket_object_lock_info
short_description: Read the S3 Object Lock configuration of buckets
version_added: 0.1.0
description:
  - Reads whether S3 Object Lock is enabled on each bucket and its default retention (GetObjectLockConfiguration), one
    call per bucket, which M(amazon.aws.s3_bucket_info) does not read.
  - Changes nothing; a bucket that does not exist is reported as such.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  names:
    description: The buckets to read.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Read the Object Lock of the audit-logs bucket
  lakehouse.databricks_aws.s3_bucket_object_lock_info:
    names: [demo-audit-logs]
    region: eu-west-1
  register: locks
"""

RETURN = r"""
buckets:
  description: Per bucket name, its Object Lock configuration.
  returned: always
  type: dict
  sample:
    demo-audit-logs: {exists: true, enabled: true, mode: GOVERNANCE, days: 365, years: null}
  contains:
    exists:
      description: Whether the bucket exists.
      type: bool
    enabled:
      description: Whether S3 Object Lock is enabled.
      type: bool
    mode:
      description: Mode of the default retention (GOVERNANCE or COMPLIANCE), null without one.
      type: str
    days:
      description: Days of the default retention, null when it is in years or absent.
      type: int
    years:
      description: Years of the default retention, null when it is in days or absent.
      type: int
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

NOT_LOCKED = {"exists": True, "enabled": False, "mode": None, "days": None, "years": None}


def object_lock(client, name):
    """The bucket's Object Lock as the module returns it."""
    try:
        config = client.get_object_lock_configuration(aws_retry=True, Bucket=name).get("ObjectLockConfiguration") or {}
    except is_boto3_error_code("ObjectLockConfigurationNotFoundError"):
        return dict(NOT_LOCKED)
    except is_boto3_error_code("NoSuchBucket"):  # pylint: disable=duplicate-except
        return dict(NOT_LOCKED, exists=False)
    retention = (config.get("Rule") or {}).get("DefaultRetention") or {}
    return {"exists": True, "enabled": config.get("ObjectLockEnabled") == "Enabled", "mode": retention.get("Mode"),
            "days": retention.get("Days") or None, "years": retention.get("Years") or None}


def run(module):
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())
    buckets = {}
    for name in module.params["names"]:
        try:
            buckets[name] = object_lock(client, name)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to read the Object Lock configuration of %s" % name, aws_error=exc) from exc
    return dict(changed=False, buckets=buckets)


def main():
    module = AnsibleAWSModule(argument_spec=dict(names=dict(type="list", elements="str", required=True)),
                              supports_check_mode=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
