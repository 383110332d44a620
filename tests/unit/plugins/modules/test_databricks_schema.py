"""databricks_schema against the fake workspace's Unity Catalog (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_schema as schema

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

PATH = "/api/2.1/unity-catalog/schemas"


@pytest.fixture
def uc():
    fake = FakeUnityCatalog()
    mid = fake.add_metastore("lakehouse-eu", "eu-west-1")["metastore_id"]
    fake.assignments[fake.workspace_id] = {"workspace_id": fake.workspace_id, "metastore_id": mid}
    fake.catalogs["lakehouse_dev"] = {"name": "lakehouse_dev"}
    return fake


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(schema.main, uc, diff=True, catalog_name="lakehouse_dev", name="raw")


def test_check_mode_then_create_then_update_then_absent(run, uc):
    planned = run(comment="raw layer", check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["schema"]["full_name"] == "lakehouse_dev.raw" and planned["schema"]["comment"] == "raw layer"
    created = run(comment="raw layer", owner="sp-app")
    assert created["changed"] and created["schema"]["full_name"] == "lakehouse_dev.raw"
    assert uc.bodies[0] == ("POST", PATH, {"name": "raw", "catalog_name": "lakehouse_dev", "comment": "raw layer"})
    assert uc.schemas["lakehouse_dev.raw"]["owner"] == "sp-app"
    assert not run(comment="raw layer", owner="sp-app")["changed"]
    updated = run(comment="landing", owner="sp-app")
    assert updated["changed"] and uc.bodies[-1] == ("PATCH", PATH + "/lakehouse_dev.raw", {"comment": "landing"})
    assert run(state="absent")["changed"] and uc.schemas == {}


def test_a_missing_catalog_is_databricks_error(run, uc):
    result = run(catalog_name="nope")
    assert result["failed"] and result["error_code"] == "NOT_FOUND"


@pytest.fixture
def run_many(run_workspace_module, uc):
    return run_workspace_module.bind(schema.main, uc, diff=True, catalog_name="lakehouse_dev")


LAYERS = [{"name": "raw", "comment": "raw layer"}, {"name": "prepared"}]


def test_schemas_in_one_run_with_the_module_options_as_defaults(run_many, uc):
    planned = run_many(schemas=LAYERS, comment="a layer", owner="sp-app", check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert [(s["name"], s["changed"], s["schema"]["comment"]) for s in planned["schemas"]] == [
        ("raw", True, "raw layer"), ("prepared", True, "a layer")]
    assert planned["diff"]["before"] == {"raw": {}, "prepared": {}}
    assert planned["diff"]["after"]["raw"]["comment"] == "raw layer"
    created = run_many(schemas=LAYERS, comment="a layer", owner="sp-app")
    assert created["changed"] and sorted(uc.schemas) == ["lakehouse_dev.prepared", "lakehouse_dev.raw"]
    assert uc.schemas["lakehouse_dev.prepared"]["comment"] == "a layer"
    assert all(s["owner"] == "sp-app" for s in uc.schemas.values())
    uc.schemas["lakehouse_dev.prepared"]["comment"] = "changed by hand"
    repaired = run_many(schemas=LAYERS, comment="a layer", owner="sp-app")
    assert [s["changed"] for s in repaired["schemas"]] == [False, True]
    assert uc.bodies[-1] == ("PATCH", PATH + "/lakehouse_dev.prepared", {"comment": "a layer"})
    assert not run_many(schemas=LAYERS, comment="a layer", owner="sp-app")["changed"]
    removed = run_many(schemas=LAYERS, state="absent")
    assert [s["changed"] for s in removed["schemas"]] == [True, True] and uc.schemas == {}


def test_schemas_and_name_are_exclusive(run_many, uc):
    result = run_many(schemas=LAYERS, name="raw")
    assert result["failed"] and "mutually exclusive" in result["msg"] and uc.mutating_calls() == []
