"""databricks_catalog against the fake workspace's Unity Catalog (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_catalog as catalog

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

PATH = "/api/2.1/unity-catalog/catalogs"


@pytest.fixture
def uc():
    fake = FakeUnityCatalog()
    mid = fake.add_metastore("lakehouse-eu", "eu-west-1")["metastore_id"]
    fake.assignments[fake.workspace_id] = {"workspace_id": fake.workspace_id, "metastore_id": mid}
    fake.locations["cat"] = {"name": "cat", "url": "s3://lakehouse-catalog", "credential_name": "cred"}
    return fake


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(catalog.main, uc, diff=True, name="lakehouse_dev",
                                     storage_root="s3://lakehouse-catalog/")


def test_check_mode_then_an_isolated_catalog_is_created_then_nothing_changes(run, uc):
    planned = run(isolation_mode="ISOLATED", owner="sp-app", check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["catalog"]["isolation_mode"] == "ISOLATED" and planned["catalog"]["owner"] == "sp-app"
    created = run(isolation_mode="ISOLATED", owner="sp-app", properties={"layer": "all", "version": 2})
    held = uc.catalogs["lakehouse_dev"]
    assert created["changed"] and held["isolation_mode"] == "ISOLATED" and held["owner"] == "sp-app"
    assert created["catalog"] == held
    assert uc.bodies == [
        ("POST", PATH, {"name": "lakehouse_dev", "storage_root": "s3://lakehouse-catalog/",
                        "properties": {"layer": "all", "version": "2"}}),
        ("PATCH", PATH + "/lakehouse_dev", {"isolation_mode": "ISOLATED"}),
        ("PATCH", PATH + "/lakehouse_dev", {"owner": "sp-app"}),
    ]
    again = run(isolation_mode="ISOLATED", owner="sp-app", properties={"layer": "all", "version": "2"})
    assert not again["changed"] and len(uc.bodies) == 3


def test_a_different_storage_root_fails_before_any_change(run, uc):
    run()
    result = run(storage_root="s3://lakehouse-catalog/elsewhere", comment="x")
    assert result["failed"] and "storage_root cannot be changed" in result["msg"]
    assert len(uc.bodies) == 1


def test_a_storage_root_outside_every_external_location_is_databricks_error(run, uc):
    result = run(storage_root="s3://somewhere-else/")
    assert result["failed"] and result["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "not covered by any external location" in result["msg"]


def test_comment_and_isolation_are_updated(run, uc):
    run()
    result = run(comment="governed", isolation_mode="ISOLATED")
    assert result["changed"] and result["diff"]["before"]["isolation_mode"] == "OPEN"
    assert uc.bodies[-1] == ("PATCH", PATH + "/lakehouse_dev", {"comment": "governed", "isolation_mode": "ISOLATED"})


def test_absent_needs_force_for_a_catalog_with_schemas(run, uc):
    run()
    uc.schemas["lakehouse_dev.raw"] = {"name": "raw", "catalog_name": "lakehouse_dev"}
    refused = run(state="absent")
    assert refused["failed"] and "is not empty" in refused["msg"] and "lakehouse_dev" in uc.catalogs
    assert run(state="absent", force=True)["changed"] and uc.catalogs == {} and uc.schemas == {}
    assert not run(state="absent")["changed"]
