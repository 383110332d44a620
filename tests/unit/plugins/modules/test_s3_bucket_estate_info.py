"""s3_bucket_estate_info against an in-memory S3 faked at the boto3 client seam: the buckets amazon.aws.s3_bucket_info
returns with the same bucket_facts (its reply shapes: ListBuckets snake_case, each setting the GetBucket* reply without
ResponseMetadata, the tags as a dict, {} when the read fails), read concurrently."""

import datetime
import threading
from unittest import mock

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _concurrent
from ansible_collections.lakehouse.databricks_aws.plugins.modules import s3_bucket_estate_info
from botocore.exceptions import ClientError

SETTINGS = s3_bucket_estate_info.SETTINGS
NOT_SET = {"bucket_encryption": "ServerSideEncryptionConfigurationNotFoundError",
           "bucket_lifecycle_configuration": "NoSuchLifecycleConfiguration",
           "bucket_ownership_controls": "OwnershipControlsNotFoundError", "bucket_policy": "NoSuchBucketPolicy",
           "bucket_tagging": "NoSuchTagSet", "public_access_block": "NoSuchPublicAccessBlockConfiguration"}


def error(code, operation):
    return ClientError({"Error": {"Code": code, "Message": code}}, operation)


class FakeS3:
    """ListBuckets and the GetBucket* calls of the settings, with boto3's reply shapes (ResponseMetadata too)."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        self.fail = {}  # (bucket, setting) -> [error codes, answered in turn before the value]
        self.barrier = None
        created = datetime.datetime(2026, 12, 2, 16, 0, tzinfo=datetime.timezone.utc)
        self.buckets = {
            "lh-datalake": {
                "bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [{
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:k"},
                    "BucketKeyEnabled": True}]}},
                "bucket_lifecycle_configuration": {"Rules": [{"ID": "lakehouse-retention", "Status": "Enabled",
                                                              "Filter": {"Prefix": ""},
                                                              "Expiration": {"Days": 30}}]},
                "bucket_logging": {"LoggingEnabled": {"TargetBucket": "lh-logs", "TargetPrefix": "datalake/"}},
                "bucket_ownership_controls": {"OwnershipControls": {"Rules": [
                    {"ObjectOwnership": "BucketOwnerEnforced"}]}},
                "bucket_policy": {"Policy": '{"Version": "2012-10-17", "Statement": []}'},
                "bucket_tagging": {"TagSet": [{"Key": "Project", "Value": "lakehouse"}]},
                "bucket_versioning": {"Status": "Enabled"},
                "public_access_block": {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
            },
            "lh-logs": {"bucket_logging": {}, "bucket_versioning": {}},  # nothing else set
            "other-bucket": {"bucket_versioning": {"Status": "Suspended"}},
        }
        self.created = created

    def list_buckets(self):
        with self.lock:
            self.calls.append(("ListBuckets", None))
        return {"Buckets": [{"Name": name, "CreationDate": self.created} for name in self.buckets],
                "Owner": {"ID": "owner"}, "ResponseMetadata": {"RequestId": "r"}}

    def __getattr__(self, attribute):
        setting = attribute[len("get_"):]
        if not attribute.startswith("get_") or setting not in SETTINGS:
            raise AttributeError(attribute)

        def get(Bucket):
            with self.lock:
                self.calls.append((setting, Bucket))
                failures = self.fail.get((Bucket, setting)) or []
                code = failures.pop(0) if failures else None
            if self.barrier is not None:
                self.barrier.wait()
            if code:
                raise error(code, attribute)
            if setting not in self.buckets[Bucket]:
                raise error(NOT_SET[setting], attribute)
            return dict(self.buckets[Bucket][setting], ResponseMetadata={"RequestId": "r"})
        return get


@pytest.fixture
def run(run_aws_module):
    return run_aws_module.bind(s3_bucket_estate_info.main, "s3", region="eu-west-1")


@pytest.mark.parametrize("check_mode", [False, True])
def test_returns_the_buckets_as_s3_bucket_info_does(run, check_mode):
    fake = FakeS3()
    result = run(fake, check_mode=check_mode, name_filter="lh-").result
    assert not result.get("failed"), result
    assert result["changed"] is False and result["bucket_name_filter"] == "lh-"
    settings = fake.buckets["lh-datalake"]
    assert result["buckets"] == [
        dict({"name": "lh-datalake", "creation_date": fake.created.isoformat()},
             **{setting: settings[setting] for setting in SETTINGS if setting != "bucket_tagging"},
             bucket_tagging={"Project": "lakehouse"}),
        {"name": "lh-logs", "creation_date": fake.created.isoformat(), "bucket_logging": {}, "bucket_versioning": {},
         "bucket_encryption": {}, "bucket_lifecycle_configuration": {}, "bucket_ownership_controls": {},
         "bucket_policy": {}, "bucket_tagging": {}, "public_access_block": {}}]
    # ListBuckets, then one call per bucket and setting (in no set order).
    assert fake.calls[0] == ("ListBuckets", None)
    assert sorted(fake.calls[1:]) == sorted((setting, name) for name in ("lh-datalake", "lh-logs")
                                            for setting in SETTINGS)


def test_one_bucket_by_name_and_only_the_settings_asked(run):
    fake = FakeS3()
    result = run(fake, name="lh-logs", settings=["bucket_policy", "bucket_versioning"]).result
    assert result["bucket_name"] == "lh-logs"
    assert [(bucket["name"], bucket["bucket_policy"], bucket["bucket_versioning"]) for bucket in result["buckets"]] == [
        ("lh-logs", {}, {})]
    assert sorted(fake.calls[1:]) == [("bucket_policy", "lh-logs"), ("bucket_versioning", "lh-logs")]


def test_the_settings_of_all_buckets_are_in_flight_together(run, monkeypatch):
    monkeypatch.setattr(_concurrent, "MAX_IN_FLIGHT", 4)
    fake = FakeS3()
    fake.barrier = threading.Barrier(4, timeout=10)  # a sequential read would break it
    result = run(fake, name_filter="lh-", settings=["bucket_policy", "bucket_versioning"]).result
    assert not result.get("failed") and not fake.barrier.broken
    assert [bucket["bucket_versioning"] for bucket in result["buckets"]] == [{"Status": "Enabled"}, {}]


def test_throttling_and_a_bucket_not_visible_yet_are_retried_and_access_denied_is_empty(run):
    fake = FakeS3()
    fake.fail[("lh-datalake", "bucket_versioning")] = ["Throttling", "NoSuchBucket"]
    fake.fail[("lh-datalake", "bucket_policy")] = ["AccessDenied"]
    with mock.patch("time.sleep"):
        result = run(fake, name_filter="lh-datalake").result
    bucket = result["buckets"][0]
    assert bucket["bucket_versioning"] == {"Status": "Enabled"} and bucket["bucket_policy"] == {}
    assert fake.calls.count(("bucket_versioning", "lh-datalake")) == 3
    assert fake.calls.count(("bucket_policy", "lh-datalake")) == 1


def test_a_failed_listing_fails_the_module(run):
    fake = FakeS3()

    def denied():
        raise error("AccessDenied", "ListBuckets")
    fake.list_buckets = denied
    outcome = run(fake, name_filter="lh-")
    assert outcome.failed and "Failed to read the buckets lh-" in outcome.result["msg"]


def test_a_name_or_a_filter_is_required(run):
    outcome = run(FakeS3())
    assert outcome.failed and "name, name_filter" in outcome.result["msg"]
