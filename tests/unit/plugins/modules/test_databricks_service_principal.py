"""databricks_service_principal against the fake workspace SCIM API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_service_principal as service_principal,
)


@pytest.fixture
def sp(run_workspace_module, fake_databricks):
    """sp(check_mode=False, **args): databricks_service_principal "Service Principal" run against fake_databricks
    (diff on)."""
    return run_workspace_module.bind(service_principal.main, fake_databricks, diff=True,
                                     display_name="Service Principal")


def test_created_then_unchanged(sp, fake_databricks):
    first = sp(entitlements=["allow-cluster-create"])
    assert first["changed"] and first["application_id"] and first["id"]
    second = sp(entitlements=["allow-cluster-create"])
    assert not second["changed"] and second["id"] == first["id"]


def test_entitlements_are_exact(sp, fake_databricks):
    sp(entitlements=["allow-cluster-create", "databricks-sql-access"])
    result = sp(entitlements=["allow-cluster-create"])
    assert result["changed"]
    assert result["service_principal"]["entitlements"] == [{"value": "allow-cluster-create"}]
    assert result["diff"]["before"]["entitlements"] == ["allow-cluster-create", "databricks-sql-access"]


def test_check_mode(sp, fake_databricks):
    result = sp(check_mode=True, entitlements=["allow-cluster-create"])
    assert result["changed"] and result["id"] is None and fake_databricks.mutating_calls() == []


def test_ambiguous_display_name_fails(sp, fake_databricks):
    for rid in ("a", "b"):
        fake_databricks.principals["ServicePrincipals"][rid] = {"id": rid, "applicationId": rid,
                                                                "displayName": "Service Principal"}
    result = sp()
    assert result["failed"] and result["error_code"] == "AMBIGUOUS_MATCH"


def test_absent(sp, fake_databricks):
    sp()
    assert sp(state="absent")["changed"]
    assert not sp(state="absent")["changed"]


def test_duplicates_on_a_later_scim_page_are_found(sp, fake_databricks):
    """Databricks caps SCIM list pages: the module reads every page before deciding."""
    fake_databricks.scim_page_limit = 1
    for rid in ("a", "b"):
        fake_databricks.principals["ServicePrincipals"][rid] = {"id": rid, "applicationId": rid,
                                                                "displayName": "Service Principal"}
    result = sp()
    assert result["failed"] and result["error_code"] == "AMBIGUOUS_MATCH" and "a, b" in result["msg"]
