"""databricks_grants against the fake workspace's Unity Catalog grants (unity_catalog_fake, paged by two)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_grants as grants
from databricks.sdk import errors as sdk_errors

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

PATH = "/api/2.1/unity-catalog/permissions/catalog/lakehouse_dev"


@pytest.fixture
def uc():
    return FakeUnityCatalog()


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(grants.main, uc, diff=True, securable_type="catalog", full_name="lakehouse_dev")


READ = [{"principal": "Read only", "privileges": ["USE CATALOG", "use_schema", "SELECT"]},
        {"principal": "All access", "privileges": ["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY"]}]


def test_check_mode_then_one_patch_then_nothing_to_do(run, uc):
    planned = run(grants=READ, check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["grants"] == {"Read only": ["SELECT", "USE_CATALOG", "USE_SCHEMA"],
                                 "All access": ["MODIFY", "SELECT", "USE_CATALOG", "USE_SCHEMA"]}
    assert planned["changes"] == [
        {"principal": "All access", "add": ["MODIFY", "SELECT", "USE_CATALOG", "USE_SCHEMA"], "remove": []},
        {"principal": "Read only", "add": ["SELECT", "USE_CATALOG", "USE_SCHEMA"], "remove": []}]
    applied = run(grants=READ)
    assert applied["changed"] and applied["grants"] == planned["grants"]
    assert uc.bodies == [("PATCH", PATH, {"changes": [
        {"principal": "All access", "add": ["MODIFY", "SELECT", "USE_CATALOG", "USE_SCHEMA"]},
        {"principal": "Read only", "add": ["SELECT", "USE_CATALOG", "USE_SCHEMA"]}]})]
    again = run(grants=READ)
    assert not again["changed"] and again["changes"] == [] and len(uc.bodies) == 1


def test_a_grant_added_by_hand_is_reported_and_revoked(run, uc):
    run(grants=READ)
    uc.grants[("catalog", "lakehouse_dev")]["someone@example.com"] = {"MODIFY"}
    uc.grants[("catalog", "lakehouse_dev")]["Read only"].add("MODIFY")
    planned = run(grants=READ, check_mode=True)
    assert planned["changed"] and planned["changes"] == [
        {"principal": "Read only", "add": [], "remove": ["MODIFY"]},
        {"principal": "someone@example.com", "add": [], "remove": ["MODIFY"]}]
    assert "someone@example.com" in planned["diff"]["before"]["grants"]
    assert "someone@example.com" not in planned["diff"]["after"]["grants"]
    repaired = run(grants=READ)
    assert repaired["changed"] and "someone@example.com" not in repaired["grants"]
    assert uc.grants[("catalog", "lakehouse_dev")]["Read only"] == {"USE_CATALOG", "USE_SCHEMA", "SELECT"}


def test_not_exclusive_only_adds(run, uc):
    uc.grants[("catalog", "lakehouse_dev")] = {"someone": {"MODIFY"}}
    result = run(grants=[{"principal": "someone", "privileges": ["SELECT"]}], exclusive=False)
    assert result["changed"] and result["grants"] == {"someone": ["MODIFY", "SELECT"]}
    assert result["changes"] == [{"principal": "someone", "add": ["SELECT"], "remove": []}]


def test_an_unknown_privilege_fails_before_any_change(run, uc):
    result = run(grants=[{"principal": "x", "privileges": ["SELEKT"]}])
    assert result["failed"] and "SELEKT" in result["msg"] and uc.mutating_calls() == []


def test_principals_match_case_insensitively(run, uc):
    uc.grants[("catalog", "lakehouse_dev")] = {"Someone@Example.com": {"SELECT"}}
    result = run(grants=[{"principal": "someone@example.com", "privileges": ["SELECT"]}])
    assert not result["changed"]


def test_absent_revokes_only_the_listed_privileges(run, uc):
    uc.grants[("catalog", "lakehouse_dev")] = {"a": {"SELECT", "MODIFY"}, "b": {"SELECT"}}
    planned = run(grants=[{"principal": "a", "privileges": ["MODIFY", "USE CATALOG"]},
                          {"principal": "c", "privileges": ["SELECT"]}], state="absent", check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["changes"] == [{"principal": "a", "add": [], "remove": ["MODIFY"]}]
    assert planned["grants"] == {"a": ["SELECT"], "b": ["SELECT"]}
    result = run(grants=[{"principal": "a", "privileges": ["MODIFY"]}], state="absent")
    assert result["changed"] and uc.grants[("catalog", "lakehouse_dev")] == {"a": {"SELECT"}, "b": {"SELECT"}}
    assert not run(grants=[{"principal": "a", "privileges": ["MODIFY"]}], state="absent")["changed"]


SCHEMA_PATH = "/api/2.1/unity-catalog/permissions/schema/lakehouse_dev.bronze"
SECURABLES = [
    {"securable_type": "catalog", "full_name": "lakehouse_dev", "grants": [{"principal": "Read only",
                                                                            "privileges": ["USE CATALOG"]}]},
    {"securable_type": "schema", "full_name": "lakehouse_dev.bronze",
     "grants": [{"principal": "Read only", "privileges": ["USE_SCHEMA", "SELECT"]}]},
]


@pytest.fixture
def run_many(run_workspace_module, uc):
    return run_workspace_module.bind(grants.main, uc, diff=True)


def test_securables_in_one_run_plan_then_one_patch_each_then_nothing_to_do(run_many, uc):
    uc.grants[("schema", "lakehouse_dev.bronze")] = {"Read only": {"USE_SCHEMA", "SELECT"}}
    planned = run_many(securables=SECURABLES, check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert [(s["securable_type"], s["full_name"], s["changed"]) for s in planned["securables"]] == [
        ("catalog", "lakehouse_dev", True), ("schema", "lakehouse_dev.bronze", False)]
    assert planned["securables"][0]["changes"] == [{"principal": "Read only", "add": ["USE_CATALOG"], "remove": []}]
    assert planned["diff"]["before"] == {"catalog lakehouse_dev": {"grants": {}},
                                         "schema lakehouse_dev.bronze": {"grants": {
                                             "Read only": ["SELECT", "USE_SCHEMA"]}}}
    assert planned["diff"]["after"]["catalog lakehouse_dev"] == {"grants": {"Read only": ["USE_CATALOG"]}}
    applied = run_many(securables=SECURABLES)
    assert applied["changed"]
    assert uc.bodies == [("PATCH", PATH, {"changes": [{"principal": "Read only", "add": ["USE_CATALOG"]}]})]
    assert applied["securables"][0]["grants"] == {"Read only": ["USE_CATALOG"]}
    uc.grants[("schema", "lakehouse_dev.bronze")]["someone"] = {"MODIFY"}  # a grant added by hand
    repaired = run_many(securables=SECURABLES)
    assert [s["changed"] for s in repaired["securables"]] == [False, True]
    assert uc.bodies[1:] == [("PATCH", SCHEMA_PATH, {"changes": [{"principal": "someone", "remove": ["MODIFY"]}]})]
    again = run_many(securables=SECURABLES)
    assert not again["changed"] and len(uc.bodies) == 2


def test_an_unknown_privilege_on_any_securable_fails_before_any_change(run_many, uc):
    bad = [SECURABLES[0], {"securable_type": "schema", "full_name": "lakehouse_dev.bronze",
                           "grants": [{"principal": "x", "privileges": ["SELEKT"]}]}]
    result = run_many(securables=bad)
    assert result["failed"] and "SELEKT" in result["msg"] and "schema lakehouse_dev.bronze" in result["msg"]
    assert uc.mutating_calls() == []


def test_a_failed_read_fails_the_module_naming_the_securable(run_many, uc):
    missing = sdk_errors.NotFound("Schema 'lakehouse_dev.bronze' does not exist.", error_code="SCHEMA_DOES_NOT_EXIST")
    uc.fault("GET", "permissions/schema/", missing)
    result = run_many(securables=SECURABLES)
    assert result["failed"] and "read the grants on schema lakehouse_dev.bronze" in result["msg"]
    assert "SCHEMA_DOES_NOT_EXIST" in result["msg"]


def test_securables_and_one_securable_are_exclusive(run_many, uc):
    result = run_many(securables=SECURABLES, securable_type="catalog", full_name="lakehouse_dev")
    assert result["failed"] and "mutually exclusive" in result["msg"] and uc.mutating_calls() == []
    assert "one of the following is required" in run_many()["msg"]
