"""s3_bucket_object_lock_info against an in-memory S3 faked at the boto3 client seam."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import s3_bucket_object_lock_info
from botocore.exceptions import ClientError


class FakeS3:
    def __init__(self, configs):
        self.configs = configs  # name -> ObjectLockConfiguration, None (not locked); missing: no such bucket
        self.calls = []

    def get_object_lock_configuration(self, Bucket):
        self.calls.append(Bucket)
        if Bucket not in self.configs:
            raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": "no"}}, "GetObjectLockConfiguration")
        if self.configs[Bucket] is None:
            raise ClientError({"Error": {"Code": "ObjectLockConfigurationNotFoundError", "Message": "none"}},
                              "GetObjectLockConfiguration")
        return {"ObjectLockConfiguration": self.configs[Bucket]}


@pytest.fixture
def run(run_aws_module):
    return run_aws_module.bind(s3_bucket_object_lock_info.main, "s3", region="eu-west-1")


def test_reads_each_bucket_once_and_changes_nothing(run):
    fake = FakeS3({
        "locked": {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}},
        "enabled-only": {"ObjectLockEnabled": "Enabled"},
        "plain": None})
    result = run(fake, check_mode=True, names=["locked", "enabled-only", "plain", "gone"]).result
    assert result["changed"] is False and fake.calls == ["locked", "enabled-only", "plain", "gone"]
    assert result["buckets"] == {
        "locked": {"exists": True, "enabled": True, "mode": "GOVERNANCE", "days": 365, "years": None},
        "enabled-only": {"exists": True, "enabled": True, "mode": None, "days": None, "years": None},
        "plain": {"exists": True, "enabled": False, "mode": None, "days": None, "years": None},
        "gone": {"exists": False, "enabled": False, "mode": None, "days": None, "years": None}}
