import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_keys import (
    key_alias_tag,
    key_arns,
    key_drift,
    key_identity_errors,
)

ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"
POLICY = {"Version": "2012-10-17", "Id": "datalake-key-policy", "Statement": [
    {"Sid": "EnableAccountRootPermissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "DatabricksUseKey", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]}
TAGS = {"Project": "lakehouse", "Cost": 1}


def desired(**overrides):
    key = {"name": "datalake", "alias": "alias/p-datalake", "description": "Data lake",
           "enable_key_rotation": True, "tags": TAGS, "policy": POLICY}
    key.update(overrides)
    return key


def current(**overrides):
    # As kms_key_estate_info returns it: tag values are strings, the policy reordered.
    policy = copy.deepcopy(POLICY)
    policy["Statement"] = list(reversed(policy["Statement"]))
    policy["Statement"][0]["Action"] = list(reversed(policy["Statement"][0]["Action"]))
    key = {"key_id": "1111", "arn": ARN, "description": "Data lake", "enabled": True, "key_state": "Enabled",
           "key_usage": "ENCRYPT_DECRYPT", "key_spec": "SYMMETRIC_DEFAULT", "policy": policy,
           "enable_key_rotation": True, "tags": {"Project": "lakehouse", "Cost": "1"}}
    key.update(overrides)
    return {"alias/p-datalake": key}


def test_matching_key_has_no_drift():
    assert key_drift([desired()], current()) == []


def test_alias_without_prefix_matches():
    assert key_drift([desired(alias="p-datalake")], current()) == []


def test_missing_key_is_created():
    (entry,) = key_drift([desired()], {})
    assert entry["exists"] is False and entry["settings"] == ["create"]
    assert entry["alias"] == "alias/p-datalake" and entry["name"] == "datalake"
    assert entry["after"]["policy"] == POLICY and entry["desired"] == desired()
    assert entry["adopt"] is None


@pytest.mark.parametrize("state", ["PendingDeletion", "Disabled", "PendingImport", "Unavailable"])
def test_key_not_enabled_differs(state):
    (entry,) = key_drift([desired()], current(key_state=state, enabled=False))
    assert entry["settings"] == ["state"]
    assert entry["before"] == {"state": state} and entry["after"] == {"state": "Enabled"}


def test_pending_deletion_with_unreadable_rotation_differs():
    (entry,) = key_drift([desired()], current(key_state="PendingDeletion", enable_key_rotation=None))
    assert entry["settings"] == ["enable_key_rotation", "state"]


def test_rotation_off_differs():
    (entry,) = key_drift([desired()], current(enable_key_rotation=False))
    assert entry["settings"] == ["enable_key_rotation"]
    assert entry["before"] == {"enable_key_rotation": False} and entry["after"] == {"enable_key_rotation": True}


def test_rotation_as_string_is_a_boolean():
    assert key_drift([desired(enable_key_rotation="false")], current(enable_key_rotation=False)) == []


def test_rotation_unmanaged_when_none():
    assert key_drift([desired(enable_key_rotation=None)], current(enable_key_rotation=False)) == []


def test_description_differs():
    (entry,) = key_drift([desired()], current(description="old"))
    assert entry["settings"] == ["description"] and entry["before"] == {"description": "old"}


def test_extra_tag_is_purged():
    (entry,) = key_drift([desired()], current(tags={"Project": "lakehouse", "Cost": "1", "Owner": "me"}))
    assert entry["settings"] == ["tags"]


def test_aws_reserved_tag_is_not_purged():
    tags = {"Project": "lakehouse", "Cost": "1", "aws:cloudformation:stack-name": "s"}
    assert key_drift([desired()], current(tags=tags)) == []


def test_changed_or_missing_tag_differs():
    assert key_drift([desired()], current(tags={"Project": "other", "Cost": "1"}))[0]["settings"] == ["tags"]
    assert key_drift([desired()], current(tags={"Project": "lakehouse"}))[0]["settings"] == ["tags"]


def test_unreadable_tags_or_policy_differ():
    assert key_drift([desired()], current(tags=None))[0]["settings"] == ["tags"]
    assert key_drift([desired()], current(policy=None))[0]["settings"] == ["policy"]


def test_policy_change_differs():
    policy = copy.deepcopy(POLICY)
    policy["Statement"][1]["Action"].append("kms:ReEncrypt*")
    (entry,) = key_drift([desired()], current(policy=policy))
    assert entry["settings"] == ["policy"]
    assert entry["before"]["policy"] == policy and entry["after"]["policy"] == POLICY


def test_several_differences_and_only_differing_keys():
    logging = desired(name="logging", alias="alias/p-logging")
    keys = dict(current(description="old", enable_key_rotation=False))
    keys["alias/p-logging"] = current()["alias/p-datalake"]
    (entry,) = key_drift([desired(), logging], keys)
    assert entry["name"] == "datalake" and entry["settings"] == ["description", "enable_key_rotation"]


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        key_drift({}, {})
    with pytest.raises(AnsibleFilterError):
        key_drift([], [])


def test_key_arns_with_check_mode_stand_in():
    results = [{"item": {"name": "datalake", "alias": "alias/p-datalake"}, "key_arn": ARN},
               {"item": {"name": "logging", "alias": "p-logging"}, "changed": True}]
    assert key_arns(results, "eu-west-1", "123456789012") == {
        "datalake": ARN, "logging": "arn:aws:kms:eu-west-1:123456789012:alias/p-logging"}


def test_key_arns_of_skipped_items_come_from_the_read():
    results = [{"item": {"name": "datalake", "alias": "alias/p-datalake"}, "skipped": True},
               {"item": {"name": "logging", "alias": "p-logging"}, "key_arn": ARN + "-new", "changed": True}]
    current = {"alias/p-datalake": {"arn": ARN}, "alias/p-logging": {"arn": ARN + "-old"}}
    assert key_arns(results, "eu-west-1", "123456789012", current=current) == {
        "datalake": ARN, "logging": ARN + "-new"}


def test_key_arns_of_a_key_to_create_in_check_mode_is_the_alias_arn():
    results = [{"item": {"name": "datalake", "alias": "alias/p-datalake"}, "changed": True},
               {"item": {"name": "logging", "alias": "alias/p-logging"}, "skipped": True}]
    assert key_arns(results, "cn-north-1", "123456789012", "aws-cn", {"alias/p-logging": {"arn": ARN}}) == {
        "datalake": "arn:aws-cn:kms:cn-north-1:123456789012:alias/p-datalake", "logging": ARN}


def test_key_arns_of_every_key_listed_even_without_a_kms_key_loop():
    keys = [{"name": "datalake", "alias": "alias/p-datalake"}, {"name": "logging", "alias": "alias/p-logging"}]
    current = {"alias/p-datalake": {"arn": ARN}}
    assert key_arns([], "eu-west-1", "123456789012", current=current, keys=keys) == {
        "datalake": ARN, "logging": "arn:aws:kms:eu-west-1:123456789012:alias/p-logging"}
    results = [{"item": keys[1], "key_arn": ARN + "-new"}, {"item": keys[0], "skipped": True}]
    assert key_arns(results, "eu-west-1", "123456789012", current=current, keys=keys) == {
        "datalake": ARN, "logging": ARN + "-new"}


def test_key_arns_without_stand_in_leave_a_missing_key_empty():
    keys = [{"name": "datalake", "alias": "alias/p-datalake"}, {"name": "logging", "alias": "alias/p-logging"}]
    assert key_arns([], "eu-west-1", "123456789012", current={"alias/p-logging": {"arn": ARN}}, keys=keys,
                    stand_in=False) == {"datalake": "", "logging": ARN}


def test_with_skip_unchanged_false_every_key_goes_to_kms_key():
    (entry,) = key_drift([desired()], current(), skip_unchanged=False)
    assert entry["name"] == "datalake" and entry["settings"] == [] and entry["differs"] is False
    assert entry["before"] == {} and entry["after"] == {}
    (changed,) = key_drift([desired(description="Other")], current(), skip_unchanged=False)
    assert changed["differs"] is True and changed["settings"] == ["description"]


def test_skip_unchanged_given_as_text_is_a_boolean():
    assert len(key_drift([desired()], current(), skip_unchanged="false")) == 1
    assert key_drift([desired()], current(), skip_unchanged="yes") == []


def test_a_key_found_without_its_alias_is_adopted():
    # kms_key_estate_info found it by its tag (aliased false): kms_key gets its ARN as key_id and creates the alias.
    (entry,) = key_drift([desired()], current(aliased=False))
    assert entry["exists"] is True and entry["differs"] is True and entry["adopt"] == ARN
    assert entry["settings"] == ["alias"]
    assert entry["before"] == {"alias": None} and entry["after"] == {"alias": "alias/p-datalake"}
    (entry,) = key_drift([desired()], current(aliased=False, enable_key_rotation=False))
    assert entry["settings"] == ["alias", "enable_key_rotation"] and entry["adopt"] == ARN


def test_a_key_found_by_its_alias_is_not_adopted():
    assert key_drift([desired()], current(aliased=True)) == []
    (entry,) = key_drift([desired(description="Other")], current(aliased=True))
    assert entry["adopt"] is None and entry["settings"] == ["description"]


def test_alias_tag_names_each_key_alias():
    keys = [desired(), desired(name="logging", alias="p-logging", tags=None)]
    tagged = key_alias_tag(keys, "lakehouse:kms-alias")
    assert tagged[0]["tags"] == dict(TAGS, **{"lakehouse:kms-alias": "alias/p-datalake"})
    assert tagged[1]["tags"] == {"lakehouse:kms-alias": "alias/p-logging"}
    assert keys[0]["tags"] == TAGS and tagged[0]["policy"] == POLICY  # the input is left as it was
    # Tagged keys match a key carrying the tag; the drift sees the tag like any other.
    assert key_drift(tagged[:1], current(tags={"Project": "lakehouse", "Cost": "1",
                                               "lakehouse:kms-alias": "alias/p-datalake"})) == []
    (entry,) = key_drift(tagged[:1], current())
    assert entry["settings"] == ["tags"]


def test_alias_tag_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        key_alias_tag({}, "lakehouse:kms-alias")
    with pytest.raises(AnsibleFilterError):
        key_alias_tag([desired()], "")


def test_a_changed_alias_on_deployed_buckets_is_refused():
    keys = [{"name": "datalake", "alias": "alias/new-datalake"}, {"name": "logging", "alias": "alias/lh-logging"}]
    layout = [{"bucket": "raw", "key": "datalake"}, {"bucket": "trusted", "key": "datalake"},
              {"bucket": "s3_logging", "key": "logging"}]
    names = {"raw": "lh-raw", "trusted": "lh-trusted", "s3_logging": "lh-s3-logging"}

    def bucket(name, key_id):
        return {"name": name, "bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]}}}

    old = "arn:aws:kms:eu-west-1:123456789012:key/old"
    deployed = [bucket("lh-raw", old), bucket("lh-trusted", old), bucket("lh-s3-logging", "arn:logging")]
    current = {"alias/lh-logging": {"arn": "arn:logging"}}
    errors = key_identity_errors(current, keys, layout, names, deployed)
    assert len(errors) == 1
    assert errors[0].startswith("storage_encryption_datalake_key_alias: alias/new-datalake names no key, but the "
                                "deployed bucket(s) lh-raw, lh-trusted are encrypted with the key %s" % old)
    # a new deployment, an adopted key, or an alias that exists: nothing to refuse
    assert key_identity_errors(current, keys, layout, names, []) == []
    assert key_identity_errors(dict(current, **{"alias/new-datalake": {"aliased": False}}), keys, layout, names,
                               deployed) == []


def test_key_arns_of_shared_uses_name_the_datalake_key():
    keys = [{"name": "datalake", "alias": "alias/p-datalake"}, {"name": "logging", "alias": "alias/p-logging"}]
    shared = {"workspace_storage": "datalake", "managed_services": "datalake", "tokens": "datalake"}
    current = {"alias/p-datalake": {"arn": ARN}, "alias/p-logging": {"arn": ARN + "-logging"}}
    arns = key_arns([], "eu-west-1", "123456789012", current=current, keys=keys, shared=shared)
    assert arns == {"datalake": ARN, "logging": ARN + "-logging", "workspace_storage": ARN, "managed_services": ARN,
                    "tokens": ARN}
    # Check mode, nothing created yet: the shared uses take the datalake key's alias ARN too.
    arns = key_arns([], "eu-west-1", "123456789012", keys=keys, shared=shared)
    assert arns["tokens"] == arns["datalake"] == "arn:aws:kms:eu-west-1:123456789012:alias/p-datalake"
    with pytest.raises(AnsibleFilterError, match="the key datalake, shared by tokens, is not among the keys"):
        key_arns([], "eu-west-1", "123456789012", keys=keys[1:], shared={"tokens": "datalake"})


def _encrypted(name, key_id):
    return {"name": name, "bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]}}}


def test_separate_keys_on_an_estate_deployed_with_one_shared_key_is_refused():
    keys = [{"name": "workspace_storage", "alias": "alias/lh-workspace-storage"},
            {"name": "datalake", "alias": "alias/lh-datalake"}]
    layout = [{"bucket": "root", "key": "workspace_storage"}, {"bucket": "raw", "key": "datalake"}]
    names = {"root": "lh-rootbucket", "raw": "lh-raw"}
    datalake = "arn:aws:kms:eu-west-1:123456789012:key/datalake"
    deployed = [_encrypted("lh-rootbucket", datalake), _encrypted("lh-raw", datalake)]
    current = {"alias/lh-datalake": {"arn": datalake, "key_id": "datalake"}}
    (error,) = key_identity_errors(current, keys, layout, names, deployed)
    assert error.startswith("storage_encryption_workspace_storage_key_alias: alias/lh-workspace-storage names no "
                            "key, but the deployed bucket(s) lh-rootbucket are encrypted with the key %s" % datalake)
    assert "set storage_encryption_separate_keys to false" in error
    # With the shared key (separate_keys false) the root bucket is the datalake key's, which exists: nothing refused.
    shared = {"workspace_storage": "datalake", "managed_services": "datalake", "tokens": "datalake"}
    assert key_identity_errors(current, keys[1:], layout, names, deployed, shared=shared) == []
    # ... but a changed datalake alias on that estate names the root bucket too.
    (error,) = key_identity_errors({}, [{"name": "datalake", "alias": "alias/lh-new"}], layout, names, deployed,
                                   shared=shared)
    assert "lh-rootbucket, lh-raw are encrypted with the key %s" % datalake in error


def test_two_aliases_naming_one_key_are_refused():
    keys = [{"name": "datalake", "alias": "alias/lh-datalake"}, {"name": "tokens", "alias": "alias/lh-tokens"},
            {"name": "logging", "alias": "alias/lh-logging"}]
    current = {"alias/lh-datalake": {"key_id": "k1"}, "alias/lh-tokens": {"key_id": "k1"},
               "alias/lh-logging": {"key_id": "k2"}}
    assert key_identity_errors(current, keys, [], {}, []) == [
        "storage_encryption_datalake_key_alias, storage_encryption_tokens_key_alias: the aliases alias/lh-datalake, "
        "alias/lh-tokens name one key (k1); each of these keys needs a key of its own (or set "
        "storage_encryption_separate_keys to false for one shared datalake key)"]
    current["alias/lh-tokens"] = {"key_id": "k3"}
    assert key_identity_errors(current, keys, [], {}, []) == []


def test_shared_keys_on_an_estate_deployed_with_separate_keys_are_refused():
    keys = [{"name": "datalake", "alias": "alias/lh-datalake"}]
    dropped = [{"name": "workspace_storage", "alias": "alias/lh-workspace-storage"},
               {"name": "tokens", "alias": "alias/lh-tokens"}]
    current = {"alias/lh-datalake": {"key_id": "k1"}}
    probed = {"alias/lh-workspace-storage": {"key_id": "k2", "key_state": "Enabled"}}
    (error,) = key_identity_errors(current, keys, [], {}, [], dropped=dropped, probed=probed)
    assert error.startswith("storage_encryption_separate_keys: false, but alias/lh-workspace-storage names a key "
                            "(k2): the estate was deployed with a workspace storage key of its own")
    # A key pending deletion (a destroyed estate) or no probe at all: nothing to refuse.
    probed["alias/lh-workspace-storage"]["key_state"] = "PendingDeletion"
    assert key_identity_errors(current, keys, [], {}, [], dropped=dropped, probed=probed) == []
    assert key_identity_errors(current, keys, [], {}, [], dropped=dropped) == []
