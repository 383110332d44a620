"""The VPC endpoint policies of the network role (plugin_utils/network_endpoint_policies.py), evaluated request by
request with the sandbox's policy evaluator (moto stores endpoint policies but never evaluates them): what the
workspace needs goes through, what would let data out of the account does not."""

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_endpoint_policies import (
    network_endpoint_policies,
)

from sandbox.databricks_emulator.aws.iam_policy import endpoint_policy_allows

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
ACCOUNT = "111122223333"
OTHER = "444455556666"
DATABRICKS = "414351767826"
PREFIX = "lh"
REGION = "eu-west-1"
ROLE = f"arn:aws:sts::{ACCOUNT}:assumed-role/{PREFIX}-data-write-role/i-0123456789abcdef0"
OTHER_ROLE = f"arn:aws:sts::{OTHER}:assumed-role/exfiltration/i-0123456789abcdef0"
DATABRICKS_ROLE = f"arn:aws:sts::{DATABRICKS}:assumed-role/databricks-compute/session"


def role_defaults():
    """The network role's defaults for the buckets, with deployment_prefix resolved."""
    with open(os.path.join(REPO, "roles", "network", "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    buckets = {key: value.replace("{{ deployment_prefix }}", PREFIX)
               for key, value in defaults["network_vpc_endpoint_policy_buckets"].items()}
    return buckets, defaults["network_databricks_regional_buckets"], defaults["network_databricks_aws_account_id"]


BUCKETS, REGIONAL, DATABRICKS_ACCOUNT = role_defaults()
POLICIES = network_endpoint_policies(REGION, ACCOUNT, BUCKETS, REGIONAL[REGION], DATABRICKS_ACCOUNT)


def s3(principal, action, bucket, key=None, owner=ACCOUNT):
    resource = f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else "")
    return endpoint_policy_allows(POLICIES["s3"], principal, action, resource, {"aws:ResourceAccount": owner})


def test_the_defaults_name_the_deployment_s_buckets_and_databricks_account():
    assert set(BUCKETS.values()) == {f"{PREFIX}-{suffix}" for suffix in (
        "rootbucket", "raw", "prepared", "trusted", "s3-logging", "databricks-logging", "audit-logs")}
    assert DATABRICKS_ACCOUNT == DATABRICKS
    assert REGIONAL[REGION] == {"artifacts": ["databricks-prod-artifacts-eu-west-1"],
                                "system_tables": "system-tables-prod-eu-west-1-uc-metastore-bucket",
                                "datasets": "databricks-datasets-ireland", "logs": "databricks-prod-storage-ireland"}
    assert "databricks-update-oregon" in REGIONAL["us-west-2"]["artifacts"]


@pytest.mark.parametrize("suffix", ["raw", "prepared", "trusted", "databricks-logging", "rootbucket"])
def test_this_account_s_roles_read_and_write_the_deployment_s_buckets(suffix):
    bucket = f"{PREFIX}-{suffix}"
    assert s3(ROLE, "s3:GetObject", bucket, "data/part-0.parquet")
    assert s3(ROLE, "s3:PutObject", bucket, "data/part-1.parquet")
    assert s3(ROLE, "s3:ListBucket", bucket)
    assert s3(ROLE, "s3:AbortMultipartUpload", bucket, "data/part-2.parquet")


def test_databricks_reaches_the_root_bucket_and_its_regional_buckets():
    assert s3(DATABRICKS_ROLE, "s3:PutObject", f"{PREFIX}-rootbucket", "ireland-prod/0/tmp")
    assert s3(DATABRICKS_ROLE, "s3:ListBucket", f"{PREFIX}-rootbucket")
    assert s3(ROLE, "s3:GetObject", "databricks-prod-artifacts-eu-west-1", "dbr/14.3.x/spark.tgz", owner=DATABRICKS)
    assert s3(DATABRICKS_ROLE, "s3:GetObject", "system-tables-prod-eu-west-1-uc-metastore-bucket", "t/1",
              owner=DATABRICKS)
    assert s3(DATABRICKS_ROLE, "s3:GetObject", "databricks-datasets-ireland", "README.md", owner=DATABRICKS)
    assert s3(DATABRICKS_ROLE, "s3:PutObject", "databricks-prod-storage-ireland", "logs/1", owner=DATABRICKS)
    assert s3(ROLE, "s3:GetObject", f"al2023-repos-{REGION}-de612dc2", "core/mirrors/latest/x86_64/mirror.list",
              owner="137112412989")


def test_nothing_else_goes_out():
    # this account's principal writing to a bucket of another account (the way data leaves)
    assert not s3(ROLE, "s3:PutObject", "attacker-drop", "loot.csv", owner=OTHER)
    # ... even one named like the deployment's (bucket names are global; the owner decides)
    assert not s3(ROLE, "s3:PutObject", f"{PREFIX}-raw", "loot.csv", owner=OTHER)
    # an unknown bucket of this account
    assert not s3(ROLE, "s3:GetObject", "someone-elses-bucket-in-this-account", "x")
    # another account's role reaching its own bucket through the endpoint
    assert not s3(OTHER_ROLE, "s3:PutObject", "attacker-drop", "loot.csv", owner=OTHER)
    assert not s3(OTHER_ROLE, "s3:GetObject", f"{PREFIX}-raw", "x")
    # the artifact buckets are read only, and only when Databricks owns them
    assert not s3(ROLE, "s3:PutObject", "databricks-prod-artifacts-eu-west-1", "x", owner=DATABRICKS)
    assert not s3(ROLE, "s3:GetObject", "databricks-prod-artifacts-eu-west-1", "x", owner=OTHER)
    # another region's Databricks buckets, and Databricks' log bucket for this account's roles
    assert not s3(ROLE, "s3:GetObject", "databricks-prod-artifacts-us-east-1", "x", owner=DATABRICKS)
    assert not s3(ROLE, "s3:PutObject", "databricks-prod-storage-ireland", "x", owner=DATABRICKS)
    # the root bucket's data is not open to any other Databricks customer's role
    assert not s3(OTHER_ROLE, "s3:GetObject", f"{PREFIX}-rootbucket", "x")
    # no management of the buckets through the endpoint
    assert not s3(ROLE, "s3:PutBucketPolicy", f"{PREFIX}-raw")
    assert not s3(ROLE, "s3:PutObject", "packages.eu-west-1.amazonaws.com", "x", owner="137112412989")


def sts(principal, action, resource="*"):
    return endpoint_policy_allows(POLICIES["sts"], principal, action, resource)


def test_sts_lets_this_account_and_databricks_through():
    assert sts(ROLE, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-data-read-role")
    assert sts(ROLE, "sts:GetCallerIdentity")
    assert sts(DATABRICKS_ROLE, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-cross-account-role")
    assert sts(f"arn:aws:iam::{DATABRICKS}:user/databricks-datasets-readonly-user-prod", "sts:GetSessionToken")


def test_sts_refuses_other_accounts():
    assert not sts(OTHER_ROLE, "sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/exfiltration")
    assert not sts(OTHER_ROLE, "sts:GetSessionToken")
    # this account's principals assume only this account's roles
    assert not sts(ROLE, "sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/exfiltration")


def test_kinesis_only_to_databricks_streams_in_the_region():
    policy = POLICIES["kinesis_streams"]
    stream = f"arn:aws:kinesis:{REGION}:{DATABRICKS}:stream/prod-{REGION}-logs"
    assert endpoint_policy_allows(policy, DATABRICKS_ROLE, "kinesis:PutRecords", stream)
    assert not endpoint_policy_allows(policy, DATABRICKS_ROLE, "kinesis:PutRecords",
                                      f"arn:aws:kinesis:{REGION}:{OTHER}:stream/loot")
    assert not endpoint_policy_allows(policy, OTHER_ROLE, "kinesis:PutRecords", stream)
    assert not endpoint_policy_allows(policy, DATABRICKS_ROLE, "kinesis:DeleteStream", stream)


def test_no_policy_variable_and_no_unconditional_wildcard_principal():
    for service, policy in POLICIES.items():
        text = repr(policy)
        assert "${" not in text, service
        for statement in policy["Statement"]:
            if statement["Principal"] == "*" and statement["Sid"] != "AmazonLinuxRepositories":
                assert statement.get("Condition"), (service, statement["Sid"])


def test_an_override_replaces_one_policy():
    mine = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
                                                    "Resource": "*"}]}
    policies = network_endpoint_policies(REGION, ACCOUNT, BUCKETS, REGIONAL[REGION], overrides={"sts": mine})
    assert policies["sts"] == mine and policies["s3"] == POLICIES["s3"]


def test_the_account_must_be_known():
    with pytest.raises(AnsibleFilterError, match="account_id"):
        network_endpoint_policies(REGION, "", BUCKETS, REGIONAL[REGION])
    with pytest.raises(AnsibleFilterError, match="dictionaries"):
        network_endpoint_policies(REGION, ACCOUNT, ["lh-raw"], REGIONAL[REGION])
