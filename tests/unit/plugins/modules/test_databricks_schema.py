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
