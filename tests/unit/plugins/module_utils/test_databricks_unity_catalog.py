"""The pure parts of _databricks_unity_catalog: privilege names, grant changes, the IAM-propagation predicate."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_unity_catalog as uc
from databricks.sdk import errors as sdk_errors
from databricks.sdk.service.catalog import Privilege


@pytest.mark.parametrize("given, expected", [
    ("USE CATALOG", "USE_CATALOG"), ("use_schema", "USE_SCHEMA"), (" read  files ", "READ_FILES"),
    ("all-privileges", "ALL_PRIVILEGES"), ("SELECT", "SELECT"),
])
def test_privileges_are_normalised_to_the_api_s_names(given, expected):
    assert uc.normalise_privilege(given) == expected


def test_the_privilege_list_is_the_sdk_s():
    assert set(uc.PRIVILEGES) == set(p.value for p in Privilege)


def test_wanted_grants_merges_a_principal_listed_twice_and_names_unknown_privileges():
    wanted, unknown = uc.wanted_grants([{"principal": "a", "privileges": ["select"]},
                                        {"principal": "a", "privileges": ["USE CATALOG", "SELEKT"]}])
    assert wanted == {"a": ["SELECT", "SELEKT", "USE_CATALOG"]} and unknown == ["SELEKT"]


def test_grant_changes_exclusive_and_additive():
    current = {"a": ["MODIFY", "SELECT"], "b": ["SELECT"]}
    changes, after = uc.grant_changes(current, {"a": ["SELECT", "USE_CATALOG"], "c": ["SELECT"]})
    assert changes == [{"principal": "a", "add": ["USE_CATALOG"], "remove": ["MODIFY"]},
                       {"principal": "b", "add": [], "remove": ["SELECT"]},
                       {"principal": "c", "add": ["SELECT"], "remove": []}]
    assert after == {"a": ["SELECT", "USE_CATALOG"], "c": ["SELECT"]}
    changes, after = uc.grant_changes(current, {"a": ["USE_CATALOG"]}, exclusive=False)
    assert changes == [{"principal": "a", "add": ["USE_CATALOG"], "remove": []}]
    assert after == {"a": ["MODIFY", "SELECT", "USE_CATALOG"], "b": ["SELECT"]}
    assert uc.grant_changes(current, current) == ([], current)


def test_assignments_to_grants_drops_empty_principals_and_normalises():
    assert uc.assignments_to_grants([{"principal": "a", "privileges": ["SELECT", "use catalog"]},
                                     {"principal": "b", "privileges": []}]) == {"a": ["SELECT", "USE_CATALOG"]}


@pytest.mark.parametrize("exc, expected", [
    (sdk_errors.PermissionDenied("Failed to get credentials: AWS IAM role in the storage credential is not "
                                 "configured correctly.", error_code="PERMISSION_DENIED"), True),
    (sdk_errors.InvalidParameterValue("User: arn:aws:sts::1:assumed-role/x is not authorized to perform: "
                                      "sts:AssumeRole on resource: arn:aws:iam::1:role/r",
                                      error_code="INVALID_PARAMETER_VALUE"), True),
    (sdk_errors.InvalidParameterValue("Input path url 's3://a' overlaps with an existing external location 'b'.",
                                      error_code="INVALID_PARAMETER_VALUE"), False),
    (sdk_errors.NotFound("Storage Credential 'x' does not exist.", error_code="NOT_FOUND"), False),
    (sdk_errors.ResourceAlreadyExists("AWS IAM role x already used", error_code="RESOURCE_ALREADY_EXISTS"), False),
])
def test_iam_propagation_errors(exc, expected):
    assert uc.is_iam_propagation_error(exc) is expected


def test_deep_merge_and_strip_slash():
    assert uc.deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}, "b": None}) == {"a": {"x": 1, "y": 3}}
    assert uc.strip_slash("s3://b/") == "s3://b" and uc.strip_slash("/") == "/" and uc.strip_slash(None) is None
