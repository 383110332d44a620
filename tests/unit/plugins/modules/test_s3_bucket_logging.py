"""s3_bucket_logging against an in-memory S3 faked at the boto3 client seam (AnsibleAWSModule.client)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import s3_bucket_logging
from botocore.exceptions import ClientError

TARGET = "lh-s3-logging"
PREFIX = "s3-access-logs/lh-raw/"


class FakeS3:
    def __init__(self, logging=None, refuse=None):
        self.logging = logging or {}
        self.refuse = refuse
        self.calls = []

    def mutating_calls(self):
        return [name for name, dummy in self.calls if name.startswith("put_")]

    def get_bucket_logging(self, Bucket):
        self.calls.append(("get_bucket_logging", {"Bucket": Bucket}))
        return {"LoggingEnabled": dict(self.logging)} if self.logging else {}

    def put_bucket_logging(self, Bucket, BucketLoggingStatus):
        self.calls.append(("put_bucket_logging", {"Bucket": Bucket, "BucketLoggingStatus": BucketLoggingStatus}))
        if self.refuse:
            raise ClientError({"Error": {"Code": "InvalidTargetBucketForLogging", "Message": self.refuse}},
                              "PutBucketLogging")
        self.logging = BucketLoggingStatus.get("LoggingEnabled") or {}
        return {}


@pytest.fixture
def run(run_aws_module):
    return run_aws_module.bind(s3_bucket_logging.main, "s3", name="lh-raw", region="eu-west-1")


def test_turns_logging_on_then_is_idempotent_and_never_touches_acls(run):
    fake = FakeS3()
    first = run(fake, diff=True, target_bucket=TARGET, target_prefix=PREFIX).result
    assert first["changed"] is True
    assert fake.mutating_calls() == ["put_bucket_logging"]
    (put,) = [kwargs for name, kwargs in fake.calls if name == "put_bucket_logging"]
    assert put == {"Bucket": "lh-raw",
                   "BucketLoggingStatus": {"LoggingEnabled": {"TargetBucket": TARGET, "TargetPrefix": PREFIX}}}
    assert first["diff"] == {"before": {}, "after": {"target_bucket": TARGET, "target_prefix": PREFIX}}
    fake.calls.clear()
    second = run(fake, target_bucket=TARGET, target_prefix=PREFIX).result
    assert second["changed"] is False and fake.mutating_calls() == []
    assert {name for name, dummy in fake.calls} == {"get_bucket_logging"}


def test_check_mode_predicts_a_new_prefix_without_writing(run):
    fake = FakeS3({"TargetBucket": TARGET, "TargetPrefix": "old/"})
    result = run(fake, check_mode=True, diff=True, target_bucket=TARGET, target_prefix=PREFIX).result
    assert result["changed"] is True and fake.mutating_calls() == []
    assert result["diff"]["before"] == {"target_bucket": TARGET, "target_prefix": "old/"}
    assert result["logging"] == {"target_bucket": TARGET, "target_prefix": PREFIX}


def test_absent_turns_logging_off(run):
    fake = FakeS3({"TargetBucket": TARGET, "TargetPrefix": PREFIX})
    result = run(fake, state="absent").result
    assert result["changed"] is True and fake.logging == {}
    assert run(fake, state="absent").result["changed"] is False


def test_a_refused_target_fails_with_aws_error(run):
    fake = FakeS3(refuse="The target bucket must use SSE-S3")
    outcome = run(fake, target_bucket=TARGET, target_prefix=PREFIX)
    assert outcome.failed
    assert "Failed to log the access to lh-raw in %s" % TARGET in outcome.result["msg"]
    assert outcome.result["error"]["code"] == "InvalidTargetBucketForLogging"
