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
