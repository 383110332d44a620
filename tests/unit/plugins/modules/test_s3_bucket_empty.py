"""s3_bucket_empty against an in-memory S3 with Object Lock, faked at the boto3 client seam."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import s3_bucket_empty
from botocore.exceptions import ClientError


class FakeS3:
    """versions: {(key, version_id): lock mode or None}; markers: [(key, version_id)]."""

    def __init__(self, versions=None, markers=(), exists=True, policy=None):
        self.policy = policy
        self.versions = dict(versions or {})
        self.markers = list(markers)
        self.exists = exists
        self.calls = []

    def get_paginator(self, operation):
        assert operation == "list_object_versions"
        fake = self

        class Paginator:
            def paginate(self, Bucket):
                fake.calls.append(("list_object_versions", Bucket))
                if not fake.exists:
                    raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": "no"}}, "ListObjectVersions")
                yield {"Versions": [{"Key": k, "VersionId": v} for k, v in fake.versions],
                       "DeleteMarkers": [{"Key": k, "VersionId": v} for k, v in fake.markers]}
        return Paginator()

    def get_bucket_policy(self, Bucket):
        self.calls.append(("get_bucket_policy", Bucket))
        if self.policy is None:
            raise ClientError({"Error": {"Code": "NoSuchBucketPolicy", "Message": "none"}}, "GetBucketPolicy")
        return {"Policy": self.policy}

    def delete_bucket_policy(self, Bucket):
        self.calls.append(("delete_bucket_policy", Bucket))
        self.policy = None

    def delete_objects(self, Bucket, Delete, BypassGovernanceRetention=False):
        self.calls.append(("delete_objects", BypassGovernanceRetention))
        errors = []
        for entry in Delete["Objects"]:
            ident = (entry["Key"], entry["VersionId"])
            mode = self.versions.get(ident)
            if mode == "COMPLIANCE" or (mode == "GOVERNANCE" and not BypassGovernanceRetention):
                errors.append({"Key": ident[0], "VersionId": ident[1], "Code": "AccessDenied",
                               "Message": "Access Denied because object protected by object lock."})
                continue
            self.versions.pop(ident, None)
            if ident in self.markers:
                self.markers.remove(ident)
        return {"Errors": errors} if errors else {}


@pytest.fixture
def run(run_aws_module):
    return run_aws_module.bind(s3_bucket_empty.main, "s3", name="lh-audit-logs", region="eu-west-1")


def test_governance_versions_need_the_bypass(run):
    fake = FakeS3({("a", "1"): "GOVERNANCE", ("b", "2"): None}, markers=[("a", "3")])
    without = run(fake).result
    assert without["deleted"] == 2 and without["retained_count"] == 1
    assert without["retained"][0]["key"] == "a" and without["retained"][0]["code"] == "AccessDenied"
    with_bypass = run(fake, bypass_governance_retention=True, diff=True).result
    assert with_bypass["changed"] is True and with_bypass["deleted"] == 1 and with_bypass["retained_count"] == 0
    assert with_bypass["diff"] == {"before": {"versions": 1}, "after": {"versions": 0}}
    assert fake.versions == {} and fake.markers == []
    assert run(fake, bypass_governance_retention=True).result["changed"] is False


def test_compliance_versions_are_reported_not_failed(run):
    fake = FakeS3({("a", "1"): "COMPLIANCE"})
    outcome = run(fake, bypass_governance_retention=True)
    assert not outcome.failed
    assert outcome.result["changed"] is False and outcome.result["retained_count"] == 1
    assert fake.versions == {("a", "1"): "COMPLIANCE"}


def test_check_mode_counts_without_deleting(run):
    fake = FakeS3({("a", "1"): None, ("b", "2"): "GOVERNANCE"})
    result = run(fake, check_mode=True, bypass_governance_retention=True).result
    assert result["changed"] is True and result["deleted"] == 2
    assert [name for name, dummy in fake.calls] == ["list_object_versions"] and len(fake.versions) == 2


def test_a_missing_bucket_is_nothing_to_do(run):
    result = run(FakeS3(exists=False)).result
    assert result == dict(result, changed=False, exists=False, deleted=0, retained_count=0)


def test_the_policy_goes_first_when_asked(run):
    fake = FakeS3({("a", "1"): "GOVERNANCE"}, policy='{"Statement": []}')
    result = run(fake, bypass_governance_retention=True, delete_policy=True).result
    assert result["policy_deleted"] is True and result["changed"] is True and fake.policy is None
    called = [name for name, dummy in fake.calls]
    assert called[:3] == ["list_object_versions", "get_bucket_policy", "delete_bucket_policy"]
    again = run(fake, delete_policy=True).result
    assert again["policy_deleted"] is False and again["changed"] is False
    kept = FakeS3(policy='{"Statement": []}')
    assert run(kept, check_mode=True, delete_policy=True).result["policy_deleted"] is False
    assert kept.policy is not None
