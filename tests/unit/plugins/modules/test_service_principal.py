"""service_principal against the fake workspace SCIM API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_service_principal as service_principal,
)
from test_account_fakes import WS_CONNECTION, FakeDatabricks, run_module


@pytest.fixture
def fake():
    return FakeDatabricks()


def sp(fake, check_mode=False, **args):
    return run_module(service_principal.main, dict(WS_CONNECTION, display_name="Service Principal", **args), fake,
                      check_mode=check_mode, diff=True)


def test_created_then_unchanged(fake):
    first = sp(fake, entitlements=["allow-cluster-create"])
    assert first["changed"] and first["application_id"] and first["id"]
    second = sp(fake, entitlements=["allow-cluster-create"])
    assert not second["changed"] and second["id"] == first["id"]


def test_entitlements_are_exact(fake):
    sp(fake, entitlements=["allow-cluster-create", "databricks-sql-access"])
    result = sp(fake, entitlements=["allow-cluster-create"])
    assert result["changed"]
    assert result["service_principal"]["entitlements"] == [{"value": "allow-cluster-create"}]
    assert result["diff"]["before"]["entitlements"] == ["allow-cluster-create", "databricks-sql-access"]


def test_check_mode(fake):
    result = sp(fake, check_mode=True, entitlements=["allow-cluster-create"])
    assert result["changed"] and result["id"] is None and fake.mutating_calls() == []


def test_ambiguous_display_name_fails(fake):
    for rid in ("a", "b"):
        fake.principals["ServicePrincipals"][rid] = {"id": rid, "applicationId": rid,
                                                     "displayName": "Service Principal"}
    result = sp(fake)
    assert result["failed"] and result["error_code"] == "AMBIGUOUS_MATCH"


def test_absent(fake):
    sp(fake)
    assert sp(fake, state="absent")["changed"]
    assert not sp(fake, state="absent")["changed"]


def test_duplicates_on_a_later_scim_page_are_found(fake):
    """Databricks caps SCIM list pages: the module reads every page before deciding."""
    fake.scim_page_limit = 1
    for rid in ("a", "b"):
        fake.principals["ServicePrincipals"][rid] = {"id": rid, "applicationId": rid,
                                                     "displayName": "Service Principal"}
    result = sp(fake)
    assert result["failed"] and result["error_code"] == "AMBIGUOUS_MATCH" and "a, b" in result["msg"]
