#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_bucket_logging
short_description: Manage the server access logging of an S3 bucket, without ACLs
version_added: 0.1.0
description:
  - Ensures the S3 server access logs of a bucket go to a target bucket under a prefix (PutBucketLogging), or that
    the bucket logs nothing.
  - Unlike M(community.aws.s3_logging) it never changes the target bucket's ACL. The target grants the logging
    service through its bucket policy (principal C(logging.s3.amazonaws.com) with C(aws:SourceAccount) and
    C(aws:SourceArn) conditions), which is the only way a target with S3 Object Ownership C(BucketOwnerEnforced)
    (ACLs off) can (S3 User Guide, "Permissions for log delivery").
  - S3 refuses a target without that policy grant, in another region or account; logs are delivered only to a
    target with SSE-S3 default encryption and without an Object Lock default retention.
  - Check mode predicts the result with read calls only; C(diff) shows the logging configuration before and after.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: The bucket whose access is logged.
    type: str
    required: true
  state:
    description: V(present) to log to O(target_bucket), V(absent) to turn logging off.
    type: str
    choices: [present, absent]
    default: present
  target_bucket:
    description: The bucket the logs go to; required with O(state=present).
    type: str
  target_prefix:
    description: The key prefix of the log objects in O(target_bucket), such as C(s3-access-logs/<bucket>/).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Reports what would change; makes only read calls.
  diff_mode:
    support: full
    description: Returns the logging configuration before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Access logs of the raw bucket to the logging bucket
  lakehouse.databricks_aws.s3_bucket_logging:
    name: demo-raw
    target_bucket: demo-s3-logging
    target_prefix: s3-access-logs/demo-raw/
    region: eu-west-1

- name: No access logs
  lakehouse.databricks_aws.s3_bucket_logging:
    name: demo-raw
    state: absent
    region: eu-west-1
"""

RETURN = r"""
logging:
  description: The logging configuration after the run (predicted in check mode); empty when off.
  returned: always
  type: dict
  contains:
    target_bucket:
      description: The target bucket.
      type: str
      sample: demo-s3-logging
    target_prefix:
      description: The key prefix of the log objects.
      type: str
      sample: s3-access-logs/demo-raw/
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def current_logging(client, name):
    """The bucket's logging configuration as {target_bucket, target_prefix}, {} when it logs nothing."""
    reply = client.get_bucket_logging(aws_retry=True, Bucket=name)
    enabled = reply.get("LoggingEnabled") or {}
    if not enabled.get("TargetBucket"):
        return {}
    return {"target_bucket": enabled["TargetBucket"], "target_prefix": enabled.get("TargetPrefix") or ""}


def wanted_logging(params):
    if params["state"] == "absent":
        return {}
    return {"target_bucket": params["target_bucket"], "target_prefix": params["target_prefix"] or ""}


def put_logging(client, name, wanted):
    status = {}
    if wanted:
        status = {"LoggingEnabled": {"TargetBucket": wanted["target_bucket"], "TargetPrefix": wanted["target_prefix"]}}
    client.put_bucket_logging(aws_retry=True, Bucket=name, BucketLoggingStatus=status)


def run(module):
    name = module.params["name"]
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())
    wanted = wanted_logging(module.params)
    try:
        before = current_logging(client, name)
        changed = before != wanted
        if changed and not module.check_mode:
            put_logging(client, name, wanted)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        what = ("log the access to %s in %s" % (name, wanted["target_bucket"])) if wanted else \
            ("turn off the access logging of %s" % name)
        raise ModuleFailure("Failed to %s" % what, aws_error=exc) from exc
    result = dict(changed=changed, logging=wanted)
    if module._diff:
        result["diff"] = dict(before=before, after=wanted)
    return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        target_bucket=dict(type="str"),
        target_prefix=dict(type="str", default=""),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["target_bucket"])])
    run_module(module, run)


if __name__ == "__main__":
    main()
