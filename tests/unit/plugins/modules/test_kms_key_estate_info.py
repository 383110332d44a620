"""kms_key_estate_info against an in-memory KMS faked at the boto3 client seam (AnsibleAWSModule.client)."""

import json
from unittest import mock

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import kms_key_estate_info

ARN = "arn:aws:kms:eu-west-1:123456789012:key/"
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "Root", "Effect": "Allow", "Action": "kms:*"}]}


def client_error(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, operation)


class FakeKms:
    def __init__(self):
        self.keys = {}
        self.aliases = {}
        self.calls = []
        self.throttle = {}  # operation -> how many ThrottlingException replies before answering

    def add(self, alias, key_id, state="Enabled", rotation=True, tags=None, description="a key"):
        self.keys[key_id] = {"KeyId": key_id, "Arn": ARN + key_id, "Description": description,
                             "Enabled": state == "Enabled", "KeyState": state, "KeyUsage": "ENCRYPT_DECRYPT",
                             "KeySpec": "SYMMETRIC_DEFAULT", "rotation": rotation, "tags": dict(tags or {})}
        self.aliases[alias] = key_id

    def _call(self, operation, **kwargs):
        self.calls.append((operation, kwargs))
        if self.throttle.get(operation):
            self.throttle[operation] -= 1
            raise client_error("ThrottlingException", operation)

    def _key(self, key_id, operation):
        key_id = self.aliases.get(key_id, key_id)
        if key_id not in self.keys:
            raise client_error("NotFoundException", operation)
        return self.keys[key_id]

    def describe_key(self, KeyId):
        self._call("DescribeKey", KeyId=KeyId)
        key = self._key(KeyId, "DescribeKey")
        return {"KeyMetadata": {k: v for k, v in key.items() if k[0].isupper()}}

    def get_key_policy(self, KeyId, PolicyName):
        self._call("GetKeyPolicy", KeyId=KeyId, PolicyName=PolicyName)
        self._key(KeyId, "GetKeyPolicy")
        return {"Policy": json.dumps(POLICY)}

    def get_key_rotation_status(self, KeyId):
        self._call("GetKeyRotationStatus", KeyId=KeyId)
        key = self._key(KeyId, "GetKeyRotationStatus")
        if key["KeyState"] == "PendingDeletion":
            raise client_error("KMSInvalidStateException", "GetKeyRotationStatus")
        return {"KeyRotationEnabled": key["rotation"]}

    def list_resource_tags(self, KeyId, Marker=None):
        self._call("ListResourceTags", KeyId=KeyId, Marker=Marker)
        tags = [{"TagKey": k, "TagValue": v} for k, v in sorted(self._key(KeyId, "ListResourceTags")["tags"].items())]
        if Marker is None and len(tags) > 1:  # two pages
            return {"Tags": tags[:1], "Truncated": True, "NextMarker": "page-2"}
        return {"Tags": tags[1:] if Marker else tags, "Truncated": False}


@pytest.fixture
def run(run_aws_module):
    """run(fake, check_mode=False, **params): kms_key_estate_info run against fake KMS, its ModuleExit (the module
    asks for a retrying client)."""

    run_info = run_aws_module.bind(kms_key_estate_info.main, "kms", region="eu-west-1")

    def run_checked(fake, check_mode=False, **params):
        outcome = run_info(fake, check_mode=check_mode, **params)
        assert outcome.retry_decorators and all(decorator is not None for decorator in outcome.retry_decorators)
        return outcome

    return run_checked


def test_reads_each_key_with_four_calls(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111", tags={"Project": "lakehouse", "Cost": "1"})
    fake.add("alias/p-logging", "2222", rotation=False)
    outcome = run(fake, aliases=["alias/p-datalake", "p-logging"])
    assert not outcome.failed, outcome.result
    assert outcome.result["changed"] is False
    keys = outcome.result["keys"]
    assert sorted(keys) == ["alias/p-datalake", "alias/p-logging"]
    assert keys["alias/p-datalake"] == {
        "key_id": "1111", "arn": ARN + "1111", "description": "a key", "enabled": True, "key_state": "Enabled",
        "key_usage": "ENCRYPT_DECRYPT", "key_spec": "SYMMETRIC_DEFAULT", "policy": POLICY,
        "enable_key_rotation": True, "tags": {"Project": "lakehouse", "Cost": "1"}}
    assert keys["alias/p-logging"]["enable_key_rotation"] is False and keys["alias/p-logging"]["tags"] == {}
    operations = [operation for operation, kwargs in fake.calls]
    # Two tag pages for the first key; one call of each otherwise.
    assert operations == ["DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags",
                          "ListResourceTags", "DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus",
                          "ListResourceTags"]
    assert fake.calls[0][1] == {"KeyId": "alias/p-datalake"}
    assert fake.calls[1][1] == {"KeyId": "1111", "PolicyName": "default"}


def test_missing_alias_is_left_out(run):
    fake = FakeKms()
    fake.add("alias/p-logging", "2222")
    keys = run(fake, check_mode=True, aliases=["alias/p-datalake", "alias/p-logging"]).result["keys"]
    assert list(keys) == ["alias/p-logging"]
    assert [operation for operation, kwargs in fake.calls].count("DescribeKey") == 2


def test_key_pending_deletion_is_read_with_its_state(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111", state="PendingDeletion")
    key = run(fake, aliases=["alias/p-datalake"]).result["keys"]["alias/p-datalake"]
    assert key["key_state"] == "PendingDeletion" and key["enabled"] is False
    assert key["enable_key_rotation"] is None


def test_throttling_is_retried(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111")
    fake.throttle["DescribeKey"] = 3
    with mock.patch("time.sleep"):
        outcome = run(fake, aliases=["alias/p-datalake"])
    assert not outcome.failed, outcome.result
    assert outcome.result["keys"]["alias/p-datalake"]["key_id"] == "1111"
    assert [operation for operation, kwargs in fake.calls].count("DescribeKey") == 4


def test_other_errors_fail_the_module(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111")

    def denied(**kwargs):
        raise client_error("AccessDeniedException", "DescribeKey")

    fake.describe_key = denied
    outcome = run(fake, aliases=["alias/p-datalake"])
    assert outcome.failed and "Failed to read the KMS keys alias/p-datalake" in outcome.result["msg"]
