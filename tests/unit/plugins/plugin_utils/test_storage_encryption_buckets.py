import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_buckets import bucket_drift

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
FLAGS = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
LIFECYCLE = {"transition_days": 30, "storage_class": "glacier", "expiration_days": 180,
             "noncurrent_version_expiration_days": 180}


def desired(**overrides):
    bucket = {"logical": "s3_logging", "name": "b", "key": "logging", "key_arn": KEY, "versioning": True,
              "object_ownership": "BucketOwnerEnforced", "lifecycle": LIFECYCLE, "enforce_sse": False,
              "public_access": FLAGS, "tags": {"Project": "lakehouse", "Cost": 1}, "policy": POLICY}
    bucket.update(overrides)
    return bucket


def current(**overrides):
    # As amazon.aws.s3_bucket_info returns it (policy as a JSON string, reordered).
    reordered = {"Statement": [dict(reversed(list(POLICY["Statement"][0].items())))], "Version": "2012-10-17"}
    bucket = {
        "name": "b",
        "bucket_policy": {"Policy": json.dumps(reordered)},
        "bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY},
             "BucketKeyEnabled": True}]}},
        "public_access_block": {"PublicAccessBlockConfiguration": dict(FLAGS)},
        "bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
        "bucket_versioning": {"Status": "Enabled"},
        "bucket_tagging": {"Project": "lakehouse", "Cost": "1"},
        "bucket_lifecycle_configuration": {"Rules": [
            {"ID": "other-rule", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}},
            {"ID": "lakehouse-retention", "Status": "Enabled", "Filter": {"Prefix": ""},
             "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}], "Expiration": {"Days": 180},
             "NoncurrentVersionExpiration": {"NoncurrentDays": 180}}]},
    }
    bucket.update(overrides)
    return bucket


def test_matching_bucket_has_no_drift():
    assert bucket_drift([desired()], [current()]) == []


def test_missing_bucket_is_created_with_everything():
    (entry,) = bucket_drift([desired()], [])
    assert entry["exists"] is False
    assert entry["settings"] == ["create", "encryption", "object_ownership", "policy", "public_access", "tags",
                                 "versioning"]
    assert entry["lifecycle"] == "present"
    assert entry["desired"]["name"] == "b"


@pytest.mark.parametrize(("change", "setting"), [
    ({"bucket_policy": {}}, "policy"),
    ({"public_access_block": {"PublicAccessBlockConfiguration": dict(FLAGS, BlockPublicPolicy=False)}},
     "public_access"),
    ({"public_access_block": {}}, "public_access"),
    ({"bucket_versioning": {"Status": "Suspended"}}, "versioning"),
    ({"bucket_tagging": {"Project": "other"}}, "tags"),
    ({"bucket_ownership_controls": {}}, "object_ownership"),
    ({"bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}]}}}, "encryption"),
    ({"bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}}}, "encryption"),
])
def test_each_drift_is_named_with_before_and_after(change, setting):
    (entry,) = bucket_drift([desired()], [current(**change)])
    assert entry["exists"] is True
    assert entry["settings"] == [setting]
    assert entry["lifecycle"] is None
    assert setting in entry["before"] and setting in entry["after"]


def test_policy_statement_change_is_drift():
    changed = json.loads(json.dumps(POLICY))
    changed["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"] = "true"
    (entry,) = bucket_drift([desired()], [current(bucket_policy={"Policy": json.dumps(changed)})])
    assert entry["settings"] == ["policy"]


def test_versioning_off_accepts_a_never_versioned_bucket():
    assert bucket_drift([desired(versioning=False)], [current(bucket_versioning={})]) == []
    (entry,) = bucket_drift([desired(versioning=False)], [current()])
    assert entry["settings"] == ["versioning"]


def test_lifecycle_drift_present_and_absent():
    (entry,) = bucket_drift([desired(lifecycle=dict(LIFECYCLE, expiration_days=365))], [current()])
    assert entry["settings"] == [] and entry["lifecycle"] == "present"
    assert entry["before"]["lifecycle"]["ExpirationDays"] == 180
    assert entry["after"]["lifecycle"]["ExpirationDays"] == 365
    (entry,) = bucket_drift([desired(lifecycle={})], [current()])
    assert entry["lifecycle"] == "absent"
    assert bucket_drift([desired(lifecycle={})], [current(bucket_lifecycle_configuration={})]) == []
    (entry,) = bucket_drift([desired()], [current(bucket_lifecycle_configuration={})])
    assert entry["lifecycle"] == "present"


def test_other_buckets_in_the_listing_are_ignored():
    assert bucket_drift([desired()], [current(), {"name": "b-other"}]) == []


def test_wrong_input_types():
    with pytest.raises(AnsibleFilterError):
        bucket_drift({"name": "b"}, [])


def test_with_skip_unchanged_false_every_bucket_goes_to_both_writers():
    (entry,) = bucket_drift([desired()], [current()], skip_unchanged=False)
    assert entry["differs"] is False and entry["write_bucket"] is True and entry["settings"] == []
    assert entry["lifecycle"] == "present" and "lifecycle" not in entry["after"]
    (without_rule,) = bucket_drift([desired(lifecycle={})], [current(bucket_lifecycle_configuration={"Rules": []})],
                                   skip_unchanged=False)
    assert without_rule["lifecycle"] == "absent" and without_rule["differs"] is False


def test_a_differing_bucket_is_marked_and_written_as_before():
    (entry,) = bucket_drift([desired(versioning=False)], [current()])
    assert entry["differs"] is True and entry["write_bucket"] is True and entry["lifecycle"] is None


def test_skip_unchanged_given_as_text_is_a_boolean():
    assert len(bucket_drift([desired()], [current()], skip_unchanged="false")) == 1
    assert bucket_drift([desired()], [current()], skip_unchanged="true") == []


ACCESS_LOGS = {"target_bucket": "lh-s3-logging", "target_prefix": "s3-access-logs/b/"}
LOGGING_ON = {"LoggingEnabled": {"TargetBucket": "lh-s3-logging", "TargetPrefix": "s3-access-logs/b/"}}


def test_access_logging_drift_turns_it_on_and_matching_logging_is_no_drift():
    (entry,) = bucket_drift([desired(access_logging=ACCESS_LOGS)], [current()])
    assert entry["access_logging"] == "present" and entry["write_bucket"] is False and entry["differs"] is True
    assert entry["before"] == {"access_logging": None} and entry["after"] == {"access_logging": ACCESS_LOGS}
    assert bucket_drift([desired(access_logging=ACCESS_LOGS)], [current(bucket_logging=LOGGING_ON)]) == []
    other_prefix = {"LoggingEnabled": {"TargetBucket": "lh-s3-logging", "TargetPrefix": "logs/"}}
    (moved,) = bucket_drift([desired(access_logging=ACCESS_LOGS)], [current(bucket_logging=other_prefix)])
    assert moved["access_logging"] == "present"
    assert moved["before"]["access_logging"] == {"target_bucket": "lh-s3-logging", "target_prefix": "logs/"}


def test_without_desired_access_logging_the_bucket_logging_is_left_alone():
    assert bucket_drift([desired(access_logging=None)], [current(bucket_logging=LOGGING_ON)]) == []
    (entry,) = bucket_drift([desired(access_logging=None)], [current()], skip_unchanged=False)
    assert entry["access_logging"] is None


def test_sse_s3_bucket_compares_the_algorithm_only():
    aes = {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}}
    assert bucket_drift([desired(encryption="AES256", key=None, key_arn=None)], [current(bucket_encryption=aes)]) == []
    (entry,) = bucket_drift([desired(encryption="AES256", key=None, key_arn=None)], [current()])
    assert entry["settings"] == ["encryption"]
    assert entry["after"]["encryption"] == {"algorithm": "AES256", "key_id": None, "bucket_key": False}
    (back,) = bucket_drift([desired()], [current(bucket_encryption=aes)])
    assert back["before"]["encryption"]["algorithm"] == "AES256"


def test_an_object_lock_bucket_always_goes_to_s3_bucket_but_is_no_drift():
    lock = {"mode": "GOVERNANCE", "days": 365}
    (entry,) = bucket_drift([desired(object_lock=lock)], [current()])
    assert entry["write_bucket"] is True and entry["differs"] is False and entry["settings"] == []
    assert entry["desired"]["object_lock"] == lock


def test_bucket_policy_drift_of_one_bucket():
    from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_buckets import (
        bucket_policy_drift,
    )
    assert bucket_policy_drift(POLICY, [current()], "b") == []
    assert bucket_policy_drift(POLICY, [current()], "missing") == []
    wider = {"Version": "2012-10-17", "Statement": POLICY["Statement"] + [
        {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    (entry,) = bucket_policy_drift(wider, [current()], "b")
    assert entry["name"] == "b" and entry["after"] == wider and entry["before"]["Statement"][0]["Sid"] == \
        "DenyInsecureTransport"
    (no_policy,) = bucket_policy_drift(POLICY, [current(bucket_policy={})], "b")
    assert no_policy["before"] is None
    with pytest.raises(AnsibleFilterError):
        bucket_policy_drift("policy", [], "b")


def test_object_lock_read_apart_is_compared():
    lock = {"mode": "GOVERNANCE", "days": 365}
    read = {"exists": True, "enabled": True, "mode": "GOVERNANCE", "days": 365, "years": None}
    assert bucket_drift([desired(object_lock=lock)], [current()], object_locks={"b": read}) == []
    (shorter,) = bucket_drift([desired(object_lock=lock)], [current()], object_locks={"b": dict(read, days=30)})
    assert shorter["settings"] == ["object_lock"] and shorter["write_bucket"] is True
    assert shorter["before"]["object_lock"]["days"] == 30
    assert shorter["after"]["object_lock"] == {"mode": "GOVERNANCE", "days": 365, "enabled": True}
    (unlocked,) = bucket_drift([desired(object_lock=lock)], [current()], object_locks={"b": dict(read, enabled=False)})
    assert unlocked["settings"] == ["object_lock"]
    # A bucket to create: created with its lock, nothing to compare.
    (new,) = bucket_drift([desired(object_lock=lock)], [], object_locks={})
    assert new["settings"][0] == "create" and "object_lock" not in new["settings"]
