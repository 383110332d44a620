"""The sandbox's moto answers S3 as AWS does where the storage_encryption role relies on it
(sandbox/aws_strictness_s3.py): each test shows AWS's refusal through boto3 and that the valid form passes."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.sandbox_harness import Sandbox

REGION = "eu-west-1"
LOCATION = {"LocationConstraint": REGION}
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    sandbox = Sandbox(tmp_path_factory.mktemp("strict-s3"), services="aws").up()
    try:
        yield sandbox
    finally:
        sandbox.down()


@pytest.fixture(scope="module")
def s3(box):
    return box.aws_client("s3", REGION)


def bucket(s3, prefix, **kwargs):
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=LOCATION, **kwargs)
    return name


def refused(call, code, message=None):
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert message in error["Message"], error
    return error


def enforce_owner(s3, name):
    s3.put_bucket_ownership_controls(Bucket=name,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})


def access_log_policy(target, prefix, sources, account=ACCOUNT):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "S3ServerAccessLogsDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{target}/{prefix}*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": [f"arn:aws:s3:::{source}" for source in sources]}}}]})


def enable_logging(s3, source, target, prefix):
    return s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}})


def test_acls_are_refused_on_a_bucket_with_acls_disabled(s3):
    name = bucket(s3, "acl")
    enforce_owner(s3, name)
    refused(lambda: s3.put_bucket_acl(Bucket=name, ACL="log-delivery-write"), "AccessControlListNotSupported",
            "The bucket does not allow ACLs")
    s3.put_bucket_acl(Bucket=name, ACL="private")  # the owner-only ACL is still accepted
    other = bucket(s3, "acl-on")
    s3.put_bucket_acl(Bucket=other, ACL="log-delivery-write")  # ACLs on: accepted


def test_access_logging_needs_the_target_policy_grant_as_s3_evaluates_it(s3):
    target, source, stranger = bucket(s3, "tgt"), bucket(s3, "src"), bucket(s3, "other")
    enforce_owner(s3, target)
    prefix = f"s3-access-logs/{source}/"
    refused(lambda: enable_logging(s3, source, target, prefix), "InvalidTargetBucketForLogging",
            "provide the necessary permissions")
    s3.put_bucket_policy(Bucket=target, Policy=access_log_policy(target, "s3-access-logs/", [source]))
    enable_logging(s3, source, target, prefix)  # a wildcard grant on the prefix, with source conditions
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": prefix}
    # A source the aws:SourceArn condition does not name, or a prefix outside the grant, is refused.
    refused(lambda: enable_logging(s3, stranger, target, f"s3-access-logs/{stranger}/"),
            "InvalidTargetBucketForLogging")
    refused(lambda: enable_logging(s3, source, target, "elsewhere/"), "InvalidTargetBucketForLogging")
    s3.put_bucket_policy(Bucket=target, Policy=access_log_policy(target, "s3-access-logs/", [source], "999999999999"))
    refused(lambda: enable_logging(s3, source, target, prefix), "InvalidTargetBucketForLogging")


def test_access_logs_go_only_to_an_sse_s3_target_without_default_retention(box, s3):
    key = box.aws_client("kms", REGION).create_key()["KeyMetadata"]["Arn"]
    target, source = bucket(s3, "kms-tgt"), bucket(s3, "src")
    s3.put_bucket_policy(Bucket=target, Policy=access_log_policy(target, "", [source]))
    s3.put_bucket_encryption(Bucket=target, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    refused(lambda: enable_logging(s3, source, target, "logs/"), "InvalidTargetBucketForLogging", "SSE-S3")
    s3.put_bucket_encryption(Bucket=target, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    enable_logging(s3, source, target, "logs/")

    locked = bucket(s3, "lock-tgt", ObjectLockEnabledForBucket=True)
    s3.put_bucket_policy(Bucket=locked, Policy=access_log_policy(locked, "", [source]))
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    refused(lambda: enable_logging(s3, source, locked, "logs/"), "InvalidTargetBucketForLogging", "Object Lock")


def test_object_lock_keeps_versioning_on_and_answers_its_retention_as_set(s3):
    name = bucket(s3, "lock", ObjectLockEnabledForBucket=True)
    refused(lambda: s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"}),
            "InvalidBucketState")
    refused(lambda: s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}}),
        "InvalidArgument")
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}})
    rule = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]["Rule"]
    assert rule == {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}
    # With objects in the bucket the default retention still changes (it applies to new versions).
    version = s3.put_object(Bucket=name, Key="a", Body=b"x")["VersionId"]
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}}})
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"][
        "Days"] == 400
    # A locked version needs the governance bypass to be deleted (moto's own behaviour, relied on by destroy).
    refused(lambda: s3.delete_object(Bucket=name, Key="a", VersionId=version), "AccessDenied")
    s3.delete_object(Bucket=name, Key="a", VersionId=version, BypassGovernanceRetention=True)


def test_a_bucket_policy_denies_object_requests_only_when_its_conditions_hold(s3):
    name = bucket(s3, "tls")
    arn = f"arn:aws:s3:::{name}"
    tls_only = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]}))
    s3.put_object(Bucket=name, Key="a", Body=b"x")
    s3.put_object(Bucket=name, Key="a", Body=b"y")  # an existing key: the policy is checked
    assert s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "a"}]}).get("Errors") is None
    # An unconditional Deny still denies.
    s3.put_object(Bucket=name, Key="b", Body=b"x")
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"{arn}/*"}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only, deny]}))
    errors = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "b"}]})["Errors"]
    assert [(e["Key"], e["Code"]) for e in errors] == [("b", "AccessDenied")]
