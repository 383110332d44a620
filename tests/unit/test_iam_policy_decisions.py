"""What the iam role's rendered policies allow and deny, decided by the sandbox's IAM policy evaluator (the one the
Databricks emulator's instance profile dry run uses): the cross-account role launches and tags only Databricks'
resources, from Databricks' AMIs, changes the rules of the workspace's security group only and passes the instance
profiles' roles to EC2 only; the meta role chains to the data read role only, writes cluster logs under their prefix
and is refused the audit-log bucket even where another policy would grant it; the data write role is reached through
its own instance profile only; the Glue policy reaches the deployment's databases only.

tests/unit/playbooks/render_iam_estate.yml renders the estate with the role's templates and the local inventory's
values (deployment_prefix lh-sandbox, eu-west-1), for account 123456789012, VPC vpc-0a1b2c3d4e5f60718 and workspace
security group sg-0a1b2c3d4e5f60718."""

import json
import os
import subprocess
import sys

import pytest

from sandbox.databricks_emulator.aws.iam_policy import is_allowed
from tests.sandbox_harness import REPO

BIN = os.path.dirname(sys.executable)
ACCOUNT, REGION, PREFIX = "123456789012", "eu-west-1", "lh-sandbox"
EC2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
VPC = f"{EC2}:vpc/vpc-0a1b2c3d4e5f60718"
WORKSPACE_SG = f"{EC2}:security-group/sg-0a1b2c3d4e5f60718"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}"
DATABRICKS_IMAGES = "601306020600"
LAUNCH_TAGS = {"aws:RequestTag/Vendor": "Databricks", "aws:TagKeys": ["Vendor", "ClusterId"]}
ALLOW_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def render(tmp_path, *extra):
    output = tmp_path / "iam.json"
    with open(tmp_path / "endpoints.json", "w", encoding="utf-8") as handle:
        json.dump({"aws": "http://127.0.0.1:9", "databricks_account": "http://127.0.0.1:9",
                   "databricks_account_id": "0d26daa6-5e44-4c97-a497-ef015f91254a", "client_id": "unused",
                   "client_secret": "unused"}, handle)
    env = dict(os.environ, SANDBOX_DIR=str(tmp_path), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    process = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "tests/unit/playbooks/render_iam_estate.yml",
         "-e", f"render_iam_output={output}", *extra], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stdout + process.stderr
    with open(output, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    return render(tmp_path_factory.mktemp("iam"))


def policy(estate, role, name):
    (found,) = [p["policy"] for p in estate["inline_policies"] if p["role"] == f"{PREFIX}-{role}" and p["name"] == name]
    return [found]


@pytest.fixture(scope="module")
def cross_account(estate):
    return policy(estate, "cross-account-role", "databricks-cross-account")


@pytest.mark.parametrize("action, resource, context, allowed", [
    # Launch: instances and volumes only with Vendor=Databricks, images only of Databricks' image account.
    ("ec2:RunInstances", f"{EC2}:instance/*", LAUNCH_TAGS, True),
    ("ec2:RunInstances", f"{EC2}:volume/*", LAUNCH_TAGS, True),
    ("ec2:RunInstances", f"{EC2}:instance/*", {"aws:RequestTag/Vendor": "Someone"}, False),
    ("ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0", {"ec2:Owner": DATABRICKS_IMAGES}, True),
    ("ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0", {"ec2:Owner": ACCOUNT}, False),
    ("ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0", {}, False),
    ("ec2:RequestSpotInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0", {"ec2:Owner": ACCOUNT}, False),
    ("ec2:RunInstances", f"{EC2}:subnet/subnet-0a1b2c3d", {"ec2:Vpc": VPC}, True),
    ("ec2:RunInstances", f"{EC2}:subnet/subnet-0a1b2c3d", {"ec2:Vpc": f"{EC2}:vpc/vpc-0fffffffffffffff0"}, False),
    ("ec2:RunInstances", f"{EC2}:key-pair/any", {}, True),
    # Tags: while launching (ec2:CreateAction) with Vendor=Databricks, or on resources that already carry it - never
    # on anyone's instance, which the terminate statement would then cover.
    ("ec2:CreateTags", f"{EC2}:instance/i-0a1b2c3d", {**LAUNCH_TAGS, "ec2:CreateAction": "RunInstances"}, True),
    ("ec2:CreateTags", f"{EC2}:volume/vol-0a1b2c3d", {**LAUNCH_TAGS, "ec2:CreateAction": "CreateVolume"}, True),
    ("ec2:CreateTags", f"{EC2}:instance/i-0a1b2c3d", LAUNCH_TAGS, False),
    ("ec2:CreateTags", f"{EC2}:instance/i-0a1b2c3d", {"ec2:CreateAction": "RunInstances"}, False),
    ("ec2:CreateTags", f"{EC2}:instance/i-0a1b2c3d", {**LAUNCH_TAGS, "ec2:CreateAction": "CreateImage"}, False),
    ("ec2:CreateTags", f"{EC2}:instance/i-0a1b2c3d", {"ec2:ResourceTag/Vendor": "Databricks"}, True),
    ("ec2:DeleteTags", f"{EC2}:instance/i-0a1b2c3d", {}, False),
    ("ec2:CreateTags", f"{EC2}:security-group/sg-0a1b2c3d", {"ec2:ResourceTag/Vendor": "Databricks"}, False),
    ("ec2:TerminateInstances", f"{EC2}:instance/i-0a1b2c3d", {}, False),
    ("ec2:TerminateInstances", f"{EC2}:instance/i-0a1b2c3d", {"ec2:ResourceTag/Vendor": "Databricks"}, True),
    # Security-group rules: the workspace's own group only.
    ("ec2:AuthorizeSecurityGroupIngress", WORKSPACE_SG, {"ec2:Vpc": VPC}, True),
    ("ec2:RevokeSecurityGroupEgress", WORKSPACE_SG, {"ec2:Vpc": VPC}, True),
    ("ec2:AuthorizeSecurityGroupIngress", f"{EC2}:security-group/sg-0fffffffffffffff0", {"ec2:Vpc": VPC}, False),
    # PassRole: the instance profiles' roles, to EC2 only.
    ("iam:PassRole", f"{ROLE}-data-write-role", {"iam:PassedToService": "ec2.amazonaws.com"}, True),
    ("iam:PassRole", f"{ROLE}-data-write-role", {"iam:PassedToService": "lambda.amazonaws.com"}, False),
    ("iam:PassRole", f"{ROLE}-cross-account-role", {"iam:PassedToService": "ec2.amazonaws.com"}, False),
])
def test_cross_account_role_decisions(cross_account, action, resource, context, allowed):
    assert is_allowed(cross_account, action, resource, context) is allowed


def test_other_owners_images_are_denied_whatever_else_allows(cross_account):
    image = f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0"
    documents = [*cross_account, ALLOW_EVERYTHING]
    assert not is_allowed(documents, "ec2:RunInstances", image, {"ec2:Owner": ACCOUNT})
    assert is_allowed(documents, "ec2:RunInstances", image, {"ec2:Owner": DATABRICKS_IMAGES})


def test_without_vendor_tag_conditions_tags_are_still_created_only_while_launching(tmp_path):
    rendered = render(tmp_path, "-e", "iam_cross_account_vendor_tag_conditions=false")
    documents = policy(rendered, "cross-account-role", "databricks-cross-account")
    instance = f"{EC2}:instance/i-0a1b2c3d"
    assert is_allowed(documents, "ec2:RunInstances", instance, {})
    assert is_allowed(documents, "ec2:CreateTags", instance, {"ec2:CreateAction": "RunInstances"})
    assert not is_allowed(documents, "ec2:CreateTags", instance, {})
    assert not is_allowed(documents, "ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0",
                          {"ec2:Owner": ACCOUNT})


@pytest.mark.parametrize("action, resource, context, allowed", [
    ("sts:AssumeRole", f"{ROLE}-data-read-role", {}, True),
    ("sts:AssumeRole", f"{ROLE}-data-write-role", {}, False),
    ("s3:PutObject", f"arn:aws:s3:::{PREFIX}-databricks-logging/cluster-logs/0101-abc/driver/log4j.log", {}, True),
    ("s3:PutObject", f"arn:aws:s3:::{PREFIX}-databricks-logging/billable-usage/csv/usage.csv", {}, False),
    ("s3:GetObject", f"arn:aws:s3:::{PREFIX}-databricks-logging/billable-usage/csv/usage.csv", {}, False),
    ("s3:ListBucket", f"arn:aws:s3:::{PREFIX}-databricks-logging", {"s3:prefix": "cluster-logs/0101-abc/"}, True),
    ("s3:DeleteObject", f"arn:aws:s3:::{PREFIX}-databricks-logging/cluster-logs/0101-abc/driver/log4j.log", {}, False),
    ("s3:ListBucket", f"arn:aws:s3:::{PREFIX}-raw", {}, False),
    ("s3:GetObject", f"arn:aws:s3:::{PREFIX}-audit-logs/audit-logs/workspaceId=1/date=2026-01-01/a.json", {}, False),
])
def test_meta_role_decisions(estate, action, resource, context, allowed):
    assert is_allowed(policy(estate, "meta-role", "databricks-meta"), action, resource, context) is allowed


def test_meta_role_is_denied_the_audit_logs_whatever_else_allows(estate):
    documents = [*policy(estate, "meta-role", "databricks-meta"), ALLOW_EVERYTHING]
    audit = f"arn:aws:s3:::{PREFIX}-audit-logs"
    for action, resource in (("s3:GetObject", f"{audit}/audit-logs/a.json"), ("s3:ListBucket", audit),
                             ("s3:PutObject", f"{audit}/x"), ("s3:DeleteObjectVersion", f"{audit}/x")):
        assert not is_allowed(documents, action, resource), (action, resource)
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/66666666-7777-8888-9999-000000000000"
    for context in ({"kms:EncryptionContext:aws:s3:arn": audit},
                    {"kms:EncryptionContext:aws:s3:arn": f"{audit}/audit-logs/a.json"}):
        assert not is_allowed(documents, "kms:Decrypt", key, context), context
    logging_context = {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-databricks-logging"}
    assert is_allowed(documents, "kms:GenerateDataKey", key, logging_context)


def test_data_write_role_is_reached_only_through_its_instance_profile(estate):
    trusts = {role["name"]: role["trust"] for role in estate["roles"]}
    principals = {name: [s["Principal"] for s in trust["Statement"]] for name, trust in trusts.items()}
    assert principals[f"{PREFIX}-data-write-role"] == [{"Service": "ec2.amazonaws.com"}]
    assert principals[f"{PREFIX}-data-read-role"] == [
        {"Service": "ec2.amazonaws.com"}, {"AWS": f"{ROLE}-meta-role"}]
    assert {(p["name"], p["role"]) for p in estate["instance_profiles"]} == {
        (f"{PREFIX}-{kind}-instance-profile", f"{PREFIX}-{kind}-role") for kind in ("meta", "data-read", "data-write")}


@pytest.mark.parametrize("bucket, allowed", [(f"{PREFIX}-databricks-logging", True), (f"{PREFIX}-audit-logs", True),
                                             (f"{PREFIX}-raw", False)])
def test_log_delivery_writes_billable_usage_and_audit_logs(estate, bucket, allowed):
    documents = policy(estate, "log-delivery", "databricks-log-delivery")
    assert is_allowed(documents, "s3:PutObject", f"arn:aws:s3:::{bucket}/logs/a.json") is allowed
    assert is_allowed(documents, "s3:GetBucketLocation", f"arn:aws:s3:::{bucket}") is allowed


@pytest.mark.parametrize("resource, allowed", [
    ("catalog", True), ("database/lh_sandbox", True), ("table/lh_sandbox/events", True),
    ("table/lh_sandbox_bronze/events", True), ("userDefinedFunction/lh_sandbox/f", True),
    ("database/default", True), ("table/default/t", True),
    ("database/finance", False), ("table/finance/salaries", False), ("table/lh_sandboxother/t", False),
    ("userDefinedFunction/finance/f", False),
])
def test_glue_policy_reaches_the_deployments_databases_only(estate, resource, allowed):
    documents = policy(estate, "data-write-role", "databricks-glue-catalog")
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:{resource}"
    assert is_allowed(documents, "glue:GetTable" if "/" in resource else "glue:GetDatabases", arn) is allowed


UC_ROLE = f"{ROLE}-uc-storage-role"
S3_VIA = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
DATALAKE_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize("action, resource, context, allowed", [
    # The catalog's managed storage and the external locations' buckets: read, write, multipart uploads.
    ("s3:PutObject", f"arn:aws:s3:::{PREFIX}-catalog/__unitystorage/catalogs/1/tables/2/part-0.parquet", {}, True),
    ("s3:GetObject", f"arn:aws:s3:::{PREFIX}-raw/landing/a.csv", {}, True),
    ("s3:DeleteObject", f"arn:aws:s3:::{PREFIX}-prepared/a.parquet", {}, True),
    ("s3:AbortMultipartUpload", f"arn:aws:s3:::{PREFIX}-trusted/a.parquet", {}, True),
    ("s3:ListBucket", f"arn:aws:s3:::{PREFIX}-catalog", {}, True),
    ("s3:ListBucketMultipartUploads", f"arn:aws:s3:::{PREFIX}-trusted", {}, True),
    # Nothing else: not the root bucket, the logs, another deployment's catalog, object ACLs or bucket policies.
    ("s3:GetObject", f"arn:aws:s3:::{PREFIX}-rootbucket/ireland-prod/1/a", {}, False),
    ("s3:GetObject", f"arn:aws:s3:::{PREFIX}-audit-logs/a.json", {}, False),
    ("s3:ListBucket", f"arn:aws:s3:::{PREFIX}-databricks-logging", {}, False),
    ("s3:PutObject", "arn:aws:s3:::other-catalog/a", {}, False),
    ("s3:PutObjectAcl", f"arn:aws:s3:::{PREFIX}-catalog/a", {}, False),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::{PREFIX}-catalog", {}, False),
    # The datalake key through S3 for these buckets only (bucket key: the bucket's ARN; else the object's).
    ("kms:GenerateDataKey", DATALAKE_KEY,
     {**S3_VIA, "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-catalog"}, True),
    ("kms:Decrypt", DATALAKE_KEY, {**S3_VIA, "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-raw/a.csv"},
     True),
    ("kms:Decrypt", DATALAKE_KEY, {**S3_VIA, "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-rootbucket"},
     False),
    ("kms:Decrypt", DATALAKE_KEY, {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-raw/a.csv"}, False),
    ("kms:CreateGrant", DATALAKE_KEY, {**S3_VIA, "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{PREFIX}-raw"},
     False),
    # Self-assumption, nothing else.
    ("sts:AssumeRole", UC_ROLE, {}, True),
    ("sts:AssumeRole", f"{ROLE}-data-write-role", {}, False),
])
def test_unity_catalog_role_decisions(estate, action, resource, context, allowed):
    assert is_allowed(policy(estate, "uc-storage-role", "databricks-unity-catalog"), action, resource, context) \
        is allowed


def test_unity_catalog_trust_takes_the_credentials_external_id_and_the_switch(tmp_path):
    external_id = "6a5b8f3e-0c1d-4e2f-9a8b-7c6d5e4f3a2b"
    rendered = render(tmp_path, "-e", f"iam_unity_catalog_external_id={external_id}")
    (role,) = [role for role in rendered["roles"] if role["name"] == f"{PREFIX}-uc-storage-role"]
    conditions = [statement["Condition"]["StringEquals"]["sts:ExternalId"] for statement in role["trust"]["Statement"]]
    assert conditions == [external_id, external_id]
    disabled = render(tmp_path, "-e", "unity_catalog_enabled=false")
    assert f"{PREFIX}-uc-storage-role" not in [role["name"] for role in disabled["roles"]]
    assert f"{PREFIX}-uc-storage-role" not in disabled["read"]["roles"]
    assert "databricks-unity-catalog" not in [p["name"] for p in disabled["inline_policies"]]
    assert len(disabled["roles"]) == 5
