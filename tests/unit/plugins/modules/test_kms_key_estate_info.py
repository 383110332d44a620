"""kms_key_estate_info against an in-memory KMS faked at the boto3 client seam (AnsibleAWSModule.client)."""

import datetime
import json
from unittest import mock

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _concurrent
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

    def add(self, alias, key_id, state="Enabled", rotation=True, tags=None, description="a key", created=0,
            manager="CUSTOMER"):
        """A key; alias None: a key without alias. created: minutes after a fixed time (its CreationDate)."""
        self.keys[key_id] = {"KeyId": key_id, "Arn": ARN + key_id, "Description": description,
                             "Enabled": state == "Enabled", "KeyState": state, "KeyUsage": "ENCRYPT_DECRYPT",
                             "KeySpec": "SYMMETRIC_DEFAULT", "KeyManager": manager,
                             "CreationDate": datetime.datetime(2026, 12, 2, 16, 0, tzinfo=datetime.timezone.utc)
                             + datetime.timedelta(minutes=created),
                             "rotation": rotation, "tags": dict(tags or {})}
        if alias:
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

    def list_aliases(self, Marker=None):
        self._call("ListAliases", Marker=Marker)
        aliases = [{"AliasName": alias, "TargetKeyId": key_id} for alias, key_id in sorted(self.aliases.items())]
        aliases.append({"AliasName": "alias/aws/s3"})  # an AWS managed key's alias before the key exists
        if Marker is None and len(aliases) > 1:  # two pages
            return {"Aliases": aliases[:1], "Truncated": True, "NextMarker": "page-2"}
        return {"Aliases": aliases[1:] if Marker else aliases, "Truncated": False}

    def list_keys(self, Marker=None):
        self._call("ListKeys", Marker=Marker)
        keys = [{"KeyId": key_id, "KeyArn": ARN + key_id} for key_id in sorted(self.keys)]
        if Marker is None and len(keys) > 1:  # two pages
            return {"Keys": keys[:1], "Truncated": True, "NextMarker": "page-2"}
        return {"Keys": keys[1:] if Marker else keys, "Truncated": False}

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
        "enable_key_rotation": True, "tags": {"Project": "lakehouse", "Cost": "1"}, "aliased": True}
    assert outcome.result["unaliased"] == []
    assert keys["alias/p-logging"]["enable_key_rotation"] is False and keys["alias/p-logging"]["tags"] == {}
    operations = [operation for operation, kwargs in fake.calls]
    # Every DescribeKey, then the settings of the keys found (each round's calls in no set order); two tag
    # pages for the first key, one call of each otherwise.
    assert operations[:2] == ["DescribeKey", "DescribeKey"]
    assert sorted(operations[2:]) == ["GetKeyPolicy", "GetKeyPolicy", "GetKeyRotationStatus", "GetKeyRotationStatus",
                                      "ListResourceTags", "ListResourceTags", "ListResourceTags"]
    assert sorted(kwargs["KeyId"] for operation, kwargs in fake.calls[:2]) == ["alias/p-datalake", "alias/p-logging"]
    assert sorted((kwargs["KeyId"], kwargs["PolicyName"]) for operation, kwargs in fake.calls
                  if operation == "GetKeyPolicy") == [("1111", "default"), ("2222", "default")]


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


TAG = "lakehouse:kms-alias"


def operations(fake):
    return [operation for operation, _kwargs in fake.calls]


def test_with_every_alias_present_the_search_costs_no_call(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111", tags={TAG: "alias/p-datalake"})
    fake.add(None, "9999", tags={TAG: "alias/p-datalake"})  # would be found by a search
    outcome = run(fake, aliases=["alias/p-datalake"], created_for_tag=TAG)
    assert outcome.result["unaliased"] == [] and outcome.result["keys"]["alias/p-datalake"]["aliased"] is True
    assert "ListKeys" not in operations(fake) and "ListAliases" not in operations(fake)


def test_a_missing_alias_adopts_the_oldest_key_created_for_it(run):
    fake = FakeKms()
    fake.add("alias/p-logging", "2222", tags={TAG: "alias/p-logging"})
    fake.add(None, "5555", tags={TAG: "alias/p-datalake", "Project": "lakehouse"}, created=5)
    fake.add(None, "4444", tags={TAG: "p-datalake"}, created=3)  # the oldest; the tag without alias/ counts too
    fake.add(None, "6666", tags={TAG: "alias/p-datalake"}, created=1, state="PendingDeletion")  # left out
    fake.add(None, "7777", tags={TAG: "alias/other-datalake"}, created=0)  # another deployment's
    fake.add(None, "8888", tags={"Project": "lakehouse"}, created=0)  # not created for an alias
    fake.add(None, "aws1", tags={TAG: "alias/p-datalake"}, manager="AWS")  # never adopted
    fake.add("alias/p-old", "3333", tags={TAG: "alias/p-datalake"}, created=0)  # it has an alias: not an orphan
    outcome = run(fake, check_mode=True, aliases=["alias/p-datalake", "alias/p-logging"], created_for_tag=TAG)
    assert not outcome.failed, outcome.result
    keys = outcome.result["keys"]
    assert keys["alias/p-datalake"]["key_id"] == "4444" and keys["alias/p-datalake"]["aliased"] is False
    assert keys["alias/p-datalake"]["policy"] == POLICY and keys["alias/p-datalake"]["tags"] == {TAG: "p-datalake"}
    assert keys["alias/p-logging"]["key_id"] == "2222" and keys["alias/p-logging"]["aliased"] is True
    assert outcome.result["unaliased"] == [{
        "key_id": "5555", "arn": ARN + "5555", "key_state": "Enabled", "creation_date": "2026-12-02T16:05:00+00:00",
        "created_for": "alias/p-datalake"}]
    # Both pages of aliases and keys; the tags of the aliased keys read by alias (2222) and of the keys without
    # alias, never of a key with another alias (3333).
    assert operations(fake).count("ListAliases") == 2 and operations(fake).count("ListKeys") == 2
    tagged = {kwargs["KeyId"] for operation, kwargs in fake.calls if operation == "ListResourceTags"}
    assert tagged == {"2222", "4444", "5555", "6666", "7777", "8888", "aws1"}


def test_always_lists_the_keys_left_without_alias_also_when_every_alias_exists(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111", tags={TAG: "alias/p-datalake"})
    fake.add(None, "4444", tags={TAG: "alias/p-datalake"})
    outcome = run(fake, aliases=["alias/p-datalake"], created_for_tag=TAG, search_unaliased="always")
    assert outcome.result["keys"]["alias/p-datalake"]["key_id"] == "1111"
    assert [key["key_id"] for key in outcome.result["unaliased"]] == ["4444"]


def test_without_created_for_tag_a_missing_alias_is_not_searched(run):
    fake = FakeKms()
    fake.add(None, "4444", tags={TAG: "alias/p-datalake"})
    outcome = run(fake, aliases=["alias/p-datalake"], search_unaliased="always")
    assert outcome.result["keys"] == {} and outcome.result["unaliased"] == []
    assert "ListKeys" not in operations(fake)


def test_a_key_whose_tags_cannot_be_read_is_not_ours(run):
    fake = FakeKms()
    fake.add(None, "4444", tags={TAG: "alias/p-datalake"})
    real = fake.list_resource_tags

    def denied(KeyId, Marker=None):
        if KeyId == "4444":
            raise client_error("AccessDeniedException", "ListResourceTags")
        return real(KeyId, Marker)

    fake.list_resource_tags = denied
    outcome = run(fake, aliases=["alias/p-datalake"], created_for_tag=TAG)
    assert not outcome.failed and outcome.result["keys"] == {} and outcome.result["unaliased"] == []


def test_probed_aliases_are_read_by_alias_only_and_returned_apart(run):
    fake = FakeKms()
    fake.add("alias/p-datalake", "1111", tags={TAG: "alias/p-datalake"})
    fake.add("alias/p-workspace-storage", "3333", tags={TAG: "alias/p-workspace-storage"})
    fake.add(None, "9999", tags={TAG: "alias/p-tokens"})  # created for a probed alias: never searched for
    outcome = run(fake, aliases=["alias/p-datalake"], created_for_tag=TAG,
                  probe_aliases=["p-workspace-storage", "alias/p-tokens", "alias/p-datalake"])
    assert not outcome.failed, outcome.result
    assert list(outcome.result["keys"]) == ["alias/p-datalake"]
    assert list(outcome.result["probed"]) == ["alias/p-workspace-storage"]
    assert outcome.result["probed"]["alias/p-workspace-storage"]["key_id"] == "3333"
    assert outcome.result["unaliased"] == []
    # Every alias of aliases exists: no search; the probe costs one DescribeKey for the missing alias.
    assert "ListKeys" not in operations(fake) and "ListAliases" not in operations(fake)
    assert sorted(kwargs["KeyId"] for operation, kwargs in fake.calls if operation == "DescribeKey") == [
        "alias/p-datalake", "alias/p-tokens", "alias/p-workspace-storage"]


def test_concurrent_and_sequential_reads_return_the_same(run, monkeypatch):
    def estate():
        fake = FakeKms()
        fake.add("alias/p-logging", "2222", tags={TAG: "alias/p-logging", "Project": "lakehouse"})
        fake.add(None, "5555", tags={TAG: "alias/p-datalake"}, created=5)
        fake.add(None, "4444", tags={TAG: "alias/p-datalake"}, created=3)
        fake.add(None, "6666", tags={TAG: "alias/p-tokens"}, created=1)
        fake.add("alias/p-probe", "3333")
        return fake
    params = dict(aliases=["alias/p-datalake", "alias/p-logging", "alias/p-tokens", "p-missing"],
                  created_for_tag=TAG, probe_aliases=["p-probe", "p-gone"])
    concurrent = estate()
    concurrent_result = run(concurrent, **params).result
    monkeypatch.setattr(_concurrent, "MAX_IN_FLIGHT", 1)
    sequential = estate()
    sequential_result = run(sequential, **params).result
    assert not concurrent_result.get("failed") and concurrent_result == sequential_result
    assert list(concurrent_result["keys"]) == ["alias/p-logging", "alias/p-datalake", "alias/p-tokens"]
    assert sorted(map(str, concurrent.calls)) == sorted(map(str, sequential.calls))
