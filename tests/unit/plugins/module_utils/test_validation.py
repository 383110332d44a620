"""_validation: the input rules every preflight and module shares."""

import glob
import importlib
import os
import re

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import (
    _databricks_management_validation as management,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v


def test_valid_subnets_have_no_errors():
    assert v.check_subnets("vpc", "10.0.0.0/16", "subnets", ["10.0.1.0/24", "10.0.2.0/24"], (17, 26)) == []


def test_subnet_outside_vpc_overlapping_and_bad_mask_are_each_named():
    errors = v.check_subnets("vpc", "10.0.0.0/16", "subnets", ["10.1.0.0/24", "10.0.0.0/28", "10.0.0.0/24"], (17, 26))
    assert any("subnets[0]" in e and "not inside" in e for e in errors)
    assert any("subnets[1]" in e and "/28 mask" in e for e in errors)
    assert any("subnets[1]" in e and "overlaps" in e for e in errors)


def test_invalid_cidr_is_reported():
    assert "not a valid IPv4 CIDR" in v.check_subnets("vpc", "10.0.0.0/33", "subnets", [])[0]


def test_availability_zones_must_be_in_region_and_distinct():
    assert v.check_availability_zones("azs", ["eu-west-1a", "eu-west-1b"], "eu-west-1") == []
    errors = v.check_availability_zones("azs", ["us-east-1a", "us-east-1a"], "eu-west-1")
    assert any("not an availability zone of region eu-west-1" in e for e in errors)
    assert any("at least 2" in e for e in errors)


def test_bucket_names():
    assert v.check_bucket_name("b", "lh-sandbox-raw") == []
    assert "lowercase" in v.check_bucket_name("b", "Has_Upper")[0]
    assert "3 to 63" in v.check_bucket_name("b", "ab")[0]
    assert "IP address" in v.check_bucket_name("b", "192.168.1.1")[0]


def test_tags_and_positive_int():
    assert v.check_tags("t", {"a": "b"}) == []
    assert "reserved prefix" in v.check_tags("t", {"aws:x": "b"})[0]
    assert "dictionary" in v.check_tags("t", ["a"])[0]
    assert v.check_positive_int("days", 30) == []
    assert v.check_positive_int("days", 0) and v.check_positive_int("days", True)


def test_region():
    assert v.check_region("r", "eu-west-1") == []
    assert v.check_region("r", "europe")


@pytest.mark.parametrize("value, good", [
    ("https://accounts.cloud.databricks.com", True), ("http://127.0.0.1:8080", True),
    ("accounts.cloud.databricks.com", False), ("ftp://accounts.cloud.databricks.com", False),
    ("https://accounts.cloud.databricks.com/api/2.0", False), (None, False),
])
def test_host_url_rule(value, good):
    assert (v.check_host_url("h", value) == []) is good


def test_missing_region_says_it_is_required():
    assert v.check_region("aws_region", "") == ["aws_region: '' is not an AWS region name such as eu-west-1; "
                                                "it is required"]
    assert "required" not in v.check_region("aws_region", "europe-1")[0]


# --- one rule each: anchored patterns, one account-id rule for every role ----------------------
# A value each pattern accepts; every pattern of the rule modules must have one (a new pattern is tested too).
ACCEPTED = {
    (v, "REGION_PATTERN"): "eu-west-1",
    (v, "BUCKET_PATTERN"): "lh-sandbox-raw",
    (v, "IP_LIKE"): "192.168.1.1",
    (v, "URL_PATTERN"): "https://accounts.cloud.databricks.com",
    (v, "UUID_PATTERN"): "0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d",
    (v, "BUCKET_PREFIX_PATTERN"): "lh-sandbox",
    (v, "IAM_NAME_PATTERN"): "lh-sandbox-meta-role",
    (v, "WORKSPACE_NAME_PATTERN"): "lh-sandbox-workspace",
    (v, "DEPLOYMENT_NAME_PATTERN"): "lh-sandbox",
    (v, "ROLE_ARN_PATTERN"): "arn:aws:iam::123456789012:role/lh-cross-account",
    (v, "INSTANCE_PROFILE_ARN_PATTERN"): "arn:aws:iam::123456789012:instance-profile/lh-meta",
    (v, "KEY_ARN_PATTERN"): "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab",
    (v, "TAG_TEXT_PATTERN"): "Cost centre: data/platform+ops@lakehouse",
    (v, "KEY_ALIAS_ARN_PATTERN"): "arn:aws:kms:eu-west-1:123456789012:alias/lh-sandbox-datalake",
    (v, "SECRET_NAME_PATTERN"): "lh/databricks/tokens",
    (v, "OBJECT_NAME_PATTERN"): "lh-credentials",
    (v, "AWS_ACCOUNT_PATTERN"): "123456789012",
    (v, "VPC_ID_PATTERN"): "vpc-0a1b2c3d4e5f60718",
    (v, "SECURITY_GROUP_ID_PATTERN"): "sg-0a1b2c3d4e5f60718",
    (v, "GLUE_DATABASE_PATTERN"): "lh_sandbox_*",
    (v, "UC_NAME_PATTERN"): "lh-sandbox-uc-storage",
    (v, "UC_LOWERCASE_NAME_PATTERN"): "lh_sandbox",
    (v, "KEY_PREFIX_PATTERN"): "cluster-logs/driver",
    (v, "KMS_ALIAS_PATTERN"): "alias/lh-sandbox-datalake",
    (v, "RESOURCE_PREFIX_PATTERN"): "lh-sandbox",
    (management, "DBFS_PATH_PATTERN"): "dbfs:/tmp/core-site.xml",
    (management, "SPARK_VERSION_PATTERN"): "16.4.x-photon-scala2.12",
    (management, "NODE_TYPE_PATTERN"): "m7gd.metal-48xl",
    (management, "PREFIX_PATTERN"): "audit-logs",
    (management, "GROUP_NAME_PATTERN"): "Read only",
}


def compiled_patterns(module):
    return {name for name, value in vars(module).items() if isinstance(value, re.Pattern)}


def test_every_pattern_has_an_accepted_value():
    for module in (v, management):
        assert compiled_patterns(module) == {name for owner, name in ACCEPTED if owner is module}


def test_the_roles_preflights_define_no_patterns_of_their_own():
    """Every input pattern lives in the rule modules above, so one rule cannot disagree with a copy of itself."""
    package = "ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils."
    folder = os.path.dirname(importlib.import_module(package + "network_preflight").__file__)
    for path in sorted(glob.glob(os.path.join(folder, "*.py"))):
        module = importlib.import_module(package + os.path.basename(path)[:-3])
        assert compiled_patterns(module) == set(), path


@pytest.mark.parametrize("owner, name", sorted(ACCEPTED, key=lambda key: key[1]))
def test_a_trailing_newline_does_not_pass_any_pattern(owner, name):
    pattern, value = getattr(owner, name), ACCEPTED[(owner, name)]
    assert pattern.match(value) and pattern.fullmatch(value)
    for tail in ("\n", "\r\n", " \n"):
        assert not pattern.match(value + tail), repr(value + tail)
        assert not pattern.search(value + tail), repr(value + tail)


def test_the_checks_refuse_a_trailing_newline():
    assert v.check_region("r", "eu-west-1\n")
    assert v.check_uuid("a", "0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d\n")
    assert v.check_bucket_name("b", "lh-sandbox-raw\n")
    assert v.check_bucket_prefix("p", "lh-sandbox\n")
    assert v.check_iam_name("n", "lh-role\n")
    assert v.check_host_url("h", "https://accounts.cloud.databricks.com\n")
    assert v.check_workspace_name("w", "lh-workspace\n")
    assert v.check_deployment_name("d", "lh-sandbox\n")
    assert v.check_pattern("k", "arn:aws:kms:eu-west-1:123456789012:key/k-1\n", v.KEY_ARN_PATTERN, "a KMS key ARN")


# The preflight filters that check a Databricks account id, and the variable each checks it in.
ACCOUNT_ID_VARIABLES = {
    "iam_input_errors": "iam_databricks_account_id",
    "storage_encryption_input_errors": "storage_encryption_databricks_account_id",
    "databricks_provisioning_input_errors": "databricks_provisioning_account_id",
    "databricks_management_input_errors": "databricks_management_account_id",
}
FILTER_DIR = os.path.join(os.path.dirname(v.__file__), os.pardir, "filter")


def preflight_filters():
    """Every filter of plugins/filter by name (found by reading the folder, whatever file holds it)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(FILTER_DIR, "*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        plugin = importlib.import_module("ansible_collections.lakehouse.databricks_aws.plugins.filter." + name)
        if hasattr(plugin, "FilterModule"):
            found.update(plugin.FilterModule().filters())
    return found


def account_id_answer(check, variable, account_id):
    """The preflight's messages about the account id variable, with the variable's name taken out."""
    messages = check({variable: account_id})
    return [message.replace(variable, "<account id>") for message in messages if message.startswith(variable + ":")]


@pytest.mark.parametrize("account_id, accepted", [
    ("0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d", True),
    ("0D2A9B6E-1c3f-4a5b-8C7D-9e0f1a2b3c4d", False),  # Databricks' ids are lower case; IAM's ExternalId is exact
    ("0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d\n", False),
    ("0d2a9b6e1c3f4a5b8c7d9e0f1a2b3c4d", False),
    ("", False),
])
def test_every_role_gives_an_account_id_the_same_answer(account_id, accepted):
    filters = preflight_filters()
    assert set(ACCOUNT_ID_VARIABLES) <= set(filters)
    answers = {name: account_id_answer(filters[name], variable, account_id)
               for name, variable in ACCOUNT_ID_VARIABLES.items()}
    assert all(answer == answers["iam_input_errors"] for answer in answers.values()), answers
    assert (answers["iam_input_errors"] == []) is accepted


def test_a_mixed_case_account_id_is_told_to_be_lower_case():
    message = v.check_uuid("a", "0D2A9B6E-1c3f-4a5b-8c7d-9e0f1a2b3c4d")[0]
    assert "lowercase UUID" in message and "case-sensitively" in message
    assert "case-sensitively" not in v.check_uuid("a", "12345")[0]


def test_tags_refuse_characters_aws_refuses():
    assert v.check_tags("deployment_tags", {"Owner": "data platform", "cost:centre": "a/b+c=d@e.f_g-h"}) == []
    assert v.check_tags("deployment_tags", {"Owner!": "x"}) == [
        "deployment_tags: tag key 'Owner!' holds a character AWS refuses in tags (allowed: letters, digits, spaces "
        "and + - = . _ : / @)"]
    assert "value of tag 'Owner' holds a character" in v.check_tags("deployment_tags", {"Owner": "a;b"})[0]
    assert v.check_tags("deployment_tags", {"Owner": "a\n"})  # a trailing newline is not a space


def test_tag_count_includes_the_tags_the_role_adds():
    forty_eight = {"k%d" % index: "v" for index in range(48)}
    assert v.check_tag_count(["deployment_tags", "network_tags"], [forty_eight, {}], added=("Name", "Tier")) == []
    errors = v.check_tag_count(["deployment_tags", "network_tags"], [forty_eight, {"Extra": "1"}],
                               added=("Name", "Tier"))
    assert errors == ["network_tags: 51 tags per resource (deployment_tags and network_tags merged plus the role's "
                      "own Name, Tier); AWS allows at most 50, so the role can take at most 48 of your own"]
    # the same key in both dictionaries is one tag
    assert v.check_tag_count(["deployment_tags", "network_tags"], [forty_eight, {"k1": "w"}], ("Name", "Tier")) == []


def test_a_key_must_be_in_the_workspace_region():
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab"
    assert v.check_key_arn_region("databricks_provisioning_storage_key_arn", arn, "eu-west-1") == [
        "databricks_provisioning_storage_key_arn: the key is in region us-east-1 but aws_region is eu-west-1; "
        "Databricks needs a customer-managed key in the workspace's region"]
    assert v.check_key_arn_region("k", arn, "us-east-1") == []
    assert v.check_key_arn_region("k", "", "eu-west-1") == []
    assert v.check_key_arn_region("k", "not an arn", "eu-west-1") == []


def test_the_cluster_runtime_and_node_type_have_their_form():
    inputs = {"databricks_management_cluster_spark_version": "16.4.x-scala2.12",
              "databricks_management_cluster_node_type_id": "i3.xlarge"}
    assert not [e for e in management.check_cluster(inputs) if "spark_version" in e or "node_type_id" in e]
    inputs = {"databricks_management_cluster_spark_version": "16.4 LTS",
              "databricks_management_cluster_node_type_id": "i3 xlarge"}
    errors = [e for e in management.check_cluster(inputs) if "spark_version" in e or "node_type_id" in e]
    assert errors == ["databricks_management_cluster_spark_version: '16.4 LTS' is not a Databricks runtime key "
                      "such as 16.4.x-scala2.12",
                      "databricks_management_cluster_node_type_id: 'i3 xlarge' is not a node type id such as "
                      "i3.xlarge"]
