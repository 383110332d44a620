#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_bucket_estate_info
short_description: Read S3 buckets and their settings, the settings of all buckets concurrently
version_added: 0.1.0
description:
  - Lists the buckets (C(ListBuckets)) whose name contains O(name_filter), or the bucket named O(name), and reads the
    settings named in O(settings) of each, one C(GetBucket*) call per bucket and setting.
  - Returns the buckets as M(amazon.aws.s3_bucket_info) does with the same C(bucket_facts), key for key, and reads
    them the same way (each read retried on throttling, C(NoSuchBucket) and C(OperationAborted); a setting whose
    read fails - not set, access denied - is an empty dictionary), so the role's drift filters take either.
  - The settings of all the buckets are read concurrently, eight calls in flight, instead of one call after the
    other; the buckets keep the order of C(ListBuckets).
  - Read-only; runs the same in check mode.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description:
      - The name of the one bucket to read. Either this or O(name_filter) is required.
    type: str
  name_filter:
    description:
      - Read the buckets whose name contains this string.
    type: str
  settings:
    description:
      - The settings to read of each bucket, named as the C(bucket_facts) of M(amazon.aws.s3_bucket_info) (and the
        keys of RV(buckets)).
    type: list
    elements: str
    choices: [bucket_encryption, bucket_lifecycle_configuration, bucket_logging, bucket_ownership_controls,
              bucket_policy, bucket_tagging, bucket_versioning, public_access_block]
    default: [bucket_encryption, bucket_lifecycle_configuration, bucket_logging, bucket_ownership_controls,
              bucket_policy, bucket_tagging, bucket_versioning, public_access_block]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Read the deployment's buckets with every setting the role compares
  lakehouse.databricks_aws.s3_bucket_estate_info:
    name_filter: lh-dev
    region: eu-west-1
  register: buckets

- name: Read the policy of one bucket
  lakehouse.databricks_aws.s3_bucket_estate_info:
    name: lh-dev-workspace-root
    settings: [bucket_policy]
    region: eu-west-1
  register: root_bucket
"""

RETURN = r"""
buckets:
  description:
    - The buckets found, in the order of C(ListBuckets), each with C(name), C(creation_date) (and the other keys of
      C(ListBuckets), snake_case) and one key per setting of O(settings).
    - A setting is the C(GetBucket*) reply without C(ResponseMetadata) (C(bucket_tagging) the tags as a dictionary);
      V({}) when the read failed (the setting is not set, or may not be read).
  returned: always
  type: list
  elements: dict
  sample:
    - name: lh-dev-datalake
      creation_date: "2026-12-02T16:00:00+00:00"
      bucket_encryption:
        ServerSideEncryptionConfiguration:
          Rules:
            - ApplyServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:..."}
              BucketKeyEnabled: true
      bucket_versioning: {Status: Enabled}
      bucket_tagging: {Project: lakehouse}
      bucket_lifecycle_configuration: {}
bucket_name:
  description: O(name), when given.
  returned: when O(name) is given
  type: str
  sample: lh-dev-workspace-root
bucket_name_filter:
  description: O(name_filter), when given.
  returned: when O(name_filter) is given
  type: str
  sample: lh-dev
"""

from functools import partial

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel, pairs
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_patches import (
    share_botocore_data,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

SETTINGS = ["bucket_encryption", "bucket_lifecycle_configuration", "bucket_logging", "bucket_ownership_controls",
            "bucket_policy", "bucket_tagging", "bucket_versioning", "public_access_block"]

# The retries amazon.aws.s3_bucket_info gives each read: a bucket just created may not be readable everywhere yet.
read_retry = AWSRetry.jittered_backoff(max_delay=120, catch_extra_error_codes=["NoSuchBucket", "OperationAborted"])


@read_retry
def _get(client, name, setting):
    data = getattr(client, "get_" + setting)(Bucket=name)
    if setting == "bucket_tagging" and "TagSet" in data:
        return boto3_tag_list_to_ansible_dict(data["TagSet"])
    data.pop("ResponseMetadata", None)
    return data


def read_setting(client, name, setting):
    """One setting of one bucket as amazon.aws.s3_bucket_info returns it: {} when the read fails."""
    try:
        return _get(client, name, setting)
    except botocore.exceptions.ClientError:  # not set, or not readable: s3_bucket_info reports it empty
        return {}


def list_buckets(client, name=None, name_filter=None):
    """The buckets of ListBuckets (snake_case keys) whose name is name, or contains name_filter."""
    buckets = camel_dict_to_snake_dict(client.list_buckets())["buckets"]
    if name_filter:
        return [bucket for bucket in buckets if name_filter in bucket["name"]]
    return [bucket for bucket in buckets if bucket["name"] == name]


def read_buckets(client, name=None, name_filter=None, settings=None):
    """The RETURN buckets: ListBuckets, then every setting of every bucket, concurrently."""
    settings = SETTINGS if settings is None else settings
    buckets = list_buckets(client, name, name_filter)
    asked = [(bucket, setting) for bucket in buckets for setting in settings]
    values = in_parallel([partial(read_setting, client, bucket["name"], setting) for bucket, setting in asked])
    for (bucket, setting), value in pairs(asked, values):
        bucket[setting] = value
    return buckets


def run(module):
    params = module.params
    share_botocore_data()
    client = module.client("s3")
    try:
        buckets = read_buckets(client, params["name"], params["name_filter"], params["settings"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the buckets %s" % (params["name"] or params["name_filter"]),
                            aws_error=exc) from exc
    result = dict(changed=False, buckets=buckets)
    if params["name"]:
        result["bucket_name"] = params["name"]
    else:
        result["bucket_name_filter"] = params["name_filter"]
    return result


def main():
    argument_spec = dict(
        name=dict(type="str"),
        name_filter=dict(type="str"),
        settings=dict(type="list", elements="str", choices=SETTINGS, default=list(SETTINGS)),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              mutually_exclusive=[("name", "name_filter")], required_one_of=[("name", "name_filter")])
    run_module(module, run)


if __name__ == "__main__":
    main()
