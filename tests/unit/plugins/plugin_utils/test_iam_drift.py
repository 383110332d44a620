import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.iam_drift import iam_drift

ACCOUNT = "123456789012"
TAGS = {"Project": "lakehouse", "Environment": "sandbox", "Cost": 1}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Sid": "EC2AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"},
    {"Sid": "MetaRoleAssumeRole", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::%s:role/lh-meta-role" % ACCOUNT}, "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadRaw", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::lh-raw", "arn:aws:s3:::lh-raw/*"]}]}
GLUE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "glue:*", "Resource": "*"}]}


def desired():
    return {
        "roles": [{"name": "lh-data-read-role", "description": "Databricks data read role",
                   "max_session_duration": 3600, "tags": dict(TAGS), "trust": copy.deepcopy(TRUST)}],
        "inline_policies": [
            {"role": "lh-data-read-role", "name": "databricks-data-read", "state": "present",
             "policy": copy.deepcopy(POLICY)},
            {"role": "lh-data-read-role", "name": "databricks-glue-catalog", "state": "absent",
             "policy": copy.deepcopy(GLUE)}],
        "instance_profiles": [{"name": "lh-data-read-instance-profile", "role": "lh-data-read-role", "path": "/",
                               "tags": dict(TAGS)}],
    }


def current():
    # As iam_estate_info returns it: tag values as strings, policy statements and lists reordered.
    reordered_trust = {"Statement": [dict(reversed(list(s.items()))) for s in reversed(TRUST["Statement"])],
                       "Version": "2012-10-17"}
    reordered_policy = copy.deepcopy(POLICY)
    reordered_policy["Statement"][0]["Action"].reverse()
    return {
        "changed": False,
        "roles": {"lh-data-read-role": {
            "arn": "arn:aws:iam::%s:role/lh-data-read-role" % ACCOUNT, "path": "/",
            "description": "Databricks data read role", "max_session_duration": 3600,
            "assume_role_policy_document": reordered_trust,
            "tags": {"Cost": "1", "Environment": "sandbox", "Project": "lakehouse"}}},
        "inline_policies": {"lh-data-read-role/databricks-data-read": reordered_policy},
        "instance_profiles": {"lh-data-read-instance-profile": {
            "arn": "arn:aws:iam::%s:instance-profile/lh-data-read-instance-profile" % ACCOUNT, "path": "/",
            "roles": ["lh-data-read-role"], "tags": {"Project": "lakehouse", "Environment": "sandbox", "Cost": "1"}}},
    }


NOTHING = {"roles": [], "inline_policies": [], "instance_profiles": [], "changes": []}


def test_equal_state_has_no_drift():
    assert iam_drift(current(), desired()) == NOTHING


def test_empty_account_needs_everything_present_and_nothing_absent():
    drift = iam_drift({"roles": {}, "inline_policies": {}, "instance_profiles": {}}, desired())
    assert drift["roles"] == ["lh-data-read-role"]
    assert drift["inline_policies"] == ["lh-data-read-role/databricks-data-read"]
    assert drift["instance_profiles"] == ["lh-data-read-instance-profile"]
    assert [(c["resource"], c["action"]) for c in drift["changes"]] == [
        ("role", "create"), ("inline policy", "create"), ("instance profile", "create")]


def role_drift(mutate):
    state = current()
    mutate(state["roles"]["lh-data-read-role"])
    drift = iam_drift(state, desired())
    assert drift["inline_policies"] == [] and drift["instance_profiles"] == []
    return drift


def test_changed_trust_policy_is_drift():
    def narrow(role):
        del role["assume_role_policy_document"]["Statement"][0]
    drift = role_drift(narrow)
    assert drift["roles"] == ["lh-data-read-role"]
    (change,) = drift["changes"]
    assert change["action"] == "update" and change["settings"] == ["assume_role_policy_document"]
    assert change["after"]["assume_role_policy_document"] == TRUST


def test_trust_policy_with_another_condition_is_drift():
    def condition(role):
        role["assume_role_policy_document"]["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    assert role_drift(condition)["roles"] == ["lh-data-read-role"]


@pytest.mark.parametrize("setting, value", [("description", "something else"), ("description", None),
                                            ("max_session_duration", 7200)])
def test_changed_description_or_session_is_drift(setting, value):
    def change(role):
        role[setting] = value
    (entry,) = role_drift(change)["changes"]
    assert entry["settings"] == [setting] and entry["before"] == {setting: value}


def test_session_duration_given_as_text_is_compared_as_a_number():
    wanted = desired()
    wanted["roles"][0]["max_session_duration"] = "3600"
    assert iam_drift(current(), wanted) == NOTHING


@pytest.mark.parametrize("tags", [
    {"Cost": "1", "Environment": "sandbox", "Project": "lakehouse", "Extra": "added"},  # purged by purge_tags
    {"Cost": "1", "Environment": "sandbox"},  # removed
    {"Cost": "2", "Environment": "sandbox", "Project": "lakehouse"},  # changed
])
def test_role_tag_added_removed_or_changed_is_drift(tags):
    def retag(role):
        role["tags"] = tags
    (entry,) = role_drift(retag)["changes"]
    assert entry["settings"] == ["tags"] and entry["after"] == {"tags": TAGS}


def test_aws_reserved_tags_are_not_purged():
    state = current()
    state["roles"]["lh-data-read-role"]["tags"]["aws:cloudformation:stack-name"] = "x"
    assert iam_drift(state, desired()) == NOTHING


def test_changed_inline_policy_document_is_drift():
    state = current()
    state["inline_policies"]["lh-data-read-role/databricks-data-read"]["Statement"][0]["Action"] = "s3:*"
    drift = iam_drift(state, desired())
    assert drift["roles"] == [] and drift["instance_profiles"] == []
    assert drift["inline_policies"] == ["lh-data-read-role/databricks-data-read"]
    (change,) = drift["changes"]
    assert (change["resource"], change["action"], change["settings"]) == ("inline policy", "update", ["policy"])


def test_missing_inline_policy_is_drift():
    state = current()
    del state["inline_policies"]["lh-data-read-role/databricks-data-read"]
    drift = iam_drift(state, desired())
    assert drift["inline_policies"] == ["lh-data-read-role/databricks-data-read"]
    assert drift["changes"][0]["action"] == "create"


def test_policy_that_should_be_absent_but_exists_is_drift():
    state = current()
    state["inline_policies"]["lh-data-read-role/databricks-glue-catalog"] = GLUE
    drift = iam_drift(state, desired())
    assert drift["inline_policies"] == ["lh-data-read-role/databricks-glue-catalog"]
    assert drift["changes"][0]["action"] == "delete"


def test_missing_role_is_drift_and_its_policies_too():
    state = current()
    del state["roles"]["lh-data-read-role"]
    del state["inline_policies"]["lh-data-read-role/databricks-data-read"]
    drift = iam_drift(state, desired())
    assert drift["roles"] == ["lh-data-read-role"]
    assert drift["inline_policies"] == ["lh-data-read-role/databricks-data-read"]
    assert drift["changes"][0] == {"resource": "role", "name": "lh-data-read-role", "action": "create",
                                   "settings": ["create"], "before": {}, "after": {"exists": True}}


def profile_drift(mutate):
    state = current()
    mutate(state["instance_profiles"]["lh-data-read-instance-profile"])
    drift = iam_drift(state, desired())
    assert drift["roles"] == [] and drift["inline_policies"] == []
    return drift


def test_missing_instance_profile_is_drift():
    state = current()
    del state["instance_profiles"]["lh-data-read-instance-profile"]
    drift = iam_drift(state, desired())
    assert drift["instance_profiles"] == ["lh-data-read-instance-profile"]
    assert drift["changes"][0]["action"] == "create"


@pytest.mark.parametrize("roles", [[], ["lh-other-role"], ["lh-other-role", "lh-data-read-role"]])
def test_instance_profile_with_the_wrong_role_or_none_is_drift(roles):
    def swap(profile):
        profile["roles"] = roles
    (change,) = profile_drift(swap)["changes"]
    assert change["settings"] == ["roles"] and change["after"] == {"roles": ["lh-data-read-role"]}


@pytest.mark.parametrize("setting, value", [("tags", {"Project": "lakehouse"}),
                                            ("tags", {"Project": "lakehouse", "Environment": "other", "Cost": "1"}),
                                            ("path", "/databricks/")])
def test_instance_profile_tags_or_path_differ_is_drift(setting, value):
    def change(profile):
        profile[setting] = value
    (entry,) = profile_drift(change)["changes"]
    assert entry["settings"] == [setting]


def test_several_differences_are_all_listed():
    state = current()
    state["roles"]["lh-data-read-role"]["description"] = "old"
    state["roles"]["lh-data-read-role"]["tags"] = {}
    (change,) = iam_drift(state, desired())["changes"]
    assert change["settings"] == ["description", "tags"]
    assert change["before"] == {"description": "old", "tags": {}}


def test_rejects_what_is_not_two_dicts():
    with pytest.raises(AnsibleFilterError):
        iam_drift([], desired())
    with pytest.raises(AnsibleFilterError):
        iam_drift(current(), None)


def test_with_skip_unchanged_false_every_resource_goes_to_its_writer():
    wanted = desired()
    result = iam_drift(current(), wanted, skip_unchanged=False)
    assert result["changes"] == []
    assert result["roles"] == [role["name"] for role in wanted["roles"]]
    assert result["inline_policies"] == ["%s/%s" % (policy["role"], policy["name"])
                                         for policy in wanted["inline_policies"]]
    assert result["instance_profiles"] == [profile["name"] for profile in wanted["instance_profiles"]]


def test_skip_unchanged_given_as_text_is_a_boolean():
    assert iam_drift(current(), desired(), skip_unchanged="false")["roles"]
    assert iam_drift(current(), desired(), skip_unchanged="true") == NOTHING
