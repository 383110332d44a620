# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VPC endpoint policies of the network role (the filter network_endpoint_policies).

Shaped after Databricks' security reference architecture (terraform-databricks-sra, aws/tf/privatelink.tf): every
statement names its principals' account and its buckets literally - no policy variable such as
``${aws:PrincipalAccount}``, which would let a principal of any account reach that account's own buckets through the
endpoint (a way out for data). What the endpoints let through:

* S3 gateway: the deployment's buckets (by name) for this account's principals; the workspace root bucket for
  Databricks' account; Databricks' regional artifact buckets (owned by Databricks' account), system-tables bucket,
  sample-datasets bucket and log bucket for Databricks' principals; the Amazon Linux package repositories of the
  region (read only).
* STS interface: this account's principals (assuming only this account's roles), and Databricks' account.
* Kinesis Streams interface: Databricks' account, to its own streams in the region.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

ENDPOINT_SERVICES = ("s3", "sts", "kinesis_streams")
DATABRICKS_AWS_ACCOUNT = "414351767826"
READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation"]
# What clusters do to the deployment's buckets: read, write and delete objects, list, and multipart uploads.
DATA_ACTIONS = [
    "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
    "s3:GetBucketLocation", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads",
]
ROOT_BUCKET_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                       "s3:GetBucketLocation"]
# The Databricks principal SRA names besides the account (sample datasets).
DATASETS_USER = "user/databricks-datasets-readonly-user-prod"
# Amazon Linux 2023's repositories (AWS: "Configure an S3 gateway endpoint for Amazon Linux 2023"), and Amazon
# Linux 2's.
AMAZON_LINUX_REPOSITORIES = ("packages.{region}.amazonaws.com", "repo.{region}.amazonaws.com",
                             "al2023-repos-{region}-de612dc2")
REGIONAL_BUCKET_KINDS = ("artifacts", "system_tables", "datasets", "logs")


def _bucket_resources(partition, buckets):
    resources = []
    for bucket in buckets:
        resources += ["arn:%s:s3:::%s" % (partition, bucket), "arn:%s:s3:::%s/*" % (partition, bucket)]
    return resources


def _root(partition, account):
    return "arn:%s:iam::%s:root" % (partition, account)


def _statement(sid, actions, resources, principal="*", condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def s3_policy(region, account_id, deployment_buckets, databricks_buckets, databricks_account_id, partition="aws"):
    root = deployment_buckets.get("root")
    ours = [bucket for bucket in deployment_buckets.values() if bucket]
    databricks = {"aws:PrincipalAccount": [databricks_account_id]}
    statements = [
        _statement("DeploymentBuckets", DATA_ACTIONS, _bucket_resources(partition, ours),
                   condition={"StringEquals": {"aws:PrincipalAccount": [account_id],
                                               "aws:ResourceAccount": [account_id]}}),
    ]
    if root:
        statements.append(_statement("DatabricksWorkspaceRootBucket", ROOT_BUCKET_ACTIONS,
                                     _bucket_resources(partition, [root]), condition={"StringEquals": databricks}))
    artifacts = _as_list(databricks_buckets.get("artifacts"))
    if artifacts:
        statements.append(_statement("DatabricksArtifactBuckets", READ_ACTIONS, _bucket_resources(partition, artifacts),
                                     condition={"StringEquals": {"aws:ResourceAccount": [databricks_account_id]}}))
    for sid, kind, actions in (("DatabricksSystemTablesBucket", "system_tables", READ_ACTIONS),
                               ("DatabricksSampleDatasetsBucket", "datasets", READ_ACTIONS),
                               ("DatabricksLogBucket", "logs", ["s3:PutObject", "s3:ListBucket",
                                                                "s3:GetBucketLocation"])):
        buckets = _as_list(databricks_buckets.get(kind))
        if buckets:
            statements.append(_statement(sid, actions, _bucket_resources(partition, buckets),
                                         condition={"StringEquals": databricks}))
    statements.append(_statement(
        "AmazonLinuxRepositories", ["s3:GetObject"],
        ["arn:%s:s3:::%s/*" % (partition, bucket.format(region=region)) for bucket in AMAZON_LINUX_REPOSITORIES]))
    return {"Version": "2012-10-17", "Statement": statements}


def sts_policy(account_id, databricks_account_id, partition="aws"):
    return {"Version": "2012-10-17", "Statement": [
        _statement("ThisAccountAssumesItsOwnRoles", ["sts:AssumeRole", "sts:TagSession"],
                   "arn:%s:iam::%s:role/*" % (partition, account_id), {"AWS": _root(partition, account_id)}),
        _statement("ThisAccountSessions", ["sts:GetAccessKeyInfo", "sts:GetSessionToken",
                                           "sts:DecodeAuthorizationMessage", "sts:GetCallerIdentity"],
                   "*", {"AWS": _root(partition, account_id)}),
        _statement("DatabricksAccount", ["sts:AssumeRole", "sts:GetSessionToken", "sts:TagSession"], "*",
                   {"AWS": ["arn:%s:iam::%s:%s" % (partition, databricks_account_id, DATASETS_USER),
                            _root(partition, databricks_account_id)]}),
    ]}


def kinesis_policy(region, databricks_account_id, partition="aws"):
    return {"Version": "2012-10-17", "Statement": [
        _statement("DatabricksLogStreams", ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream"],
                   "arn:%s:kinesis:%s:%s:stream/*" % (partition, region, databricks_account_id),
                   {"AWS": _root(partition, databricks_account_id)}),
    ]}


def network_endpoint_policies(region, account_id, deployment_buckets, databricks_buckets=None,
                              databricks_account_id=DATABRICKS_AWS_ACCOUNT, overrides=None, partition="aws"):
    """The policies of the s3, sts and kinesis_streams endpoints. deployment_buckets: the deployment's buckets by
    logical name (root names the workspace root bucket); databricks_buckets: Databricks' buckets of the region
    (artifacts, system_tables, datasets, logs); overrides: a policy document per service that replaces the one
    built here."""
    if not isinstance(deployment_buckets, dict) or not isinstance(databricks_buckets or {}, dict):
        raise AnsibleFilterError("network_endpoint_policies: expects the deployment's buckets and Databricks' "
                                 "buckets of the region as dictionaries")
    if not str(account_id or "").isdigit():
        raise AnsibleFilterError("network_endpoint_policies: account_id must be this AWS account's id, got %r"
                                 % (account_id,))
    account_id, databricks_account_id = str(account_id), str(databricks_account_id)
    policies = {
        "s3": s3_policy(region, account_id, deployment_buckets, databricks_buckets or {}, databricks_account_id,
                        partition),
        "sts": sts_policy(account_id, databricks_account_id, partition),
        "kinesis_streams": kinesis_policy(region, databricks_account_id, partition),
    }
    for service, policy in (overrides or {}).items():
        if policy:
            policies[service] = policy
    return policies
