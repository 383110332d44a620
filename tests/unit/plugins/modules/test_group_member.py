"""group_member against the fake workspace SCIM API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_group_member as group_member
from test_account_fakes import WS_CONNECTION, FakeDatabricks, run_module


@pytest.fixture
def fake():
    box = FakeDatabricks()
    box.principals["ServicePrincipals"]["sp-2"] = {"id": "sp-2", "applicationId": "app-2", "displayName": "SP"}
    return box


def member(fake, check_mode=False, **args):
    args.setdefault("group", "admins")
    return run_module(group_member.main, dict(WS_CONNECTION, **args), fake,
                      check_mode=check_mode, diff=True)


def test_add_then_unchanged_then_remove(fake):
    assert member(fake, service_principal="app-2", check_mode=True)["changed"]
    assert fake.mutating_calls() == []
    added = member(fake, service_principal="app-2")
    assert added["changed"] and added["member_id"] == "sp-2"
    assert {"value": "sp-2"} in fake.principals["Groups"]["g-admins"]["members"]
    assert not member(fake, service_principal="app-2")["changed"]
    removed = member(fake, service_principal="app-2", state="absent")
    assert removed["changed"] and removed["diff"]["after"]["members"] == ["sp-admin"]
    assert not member(fake, service_principal="app-2", state="absent")["changed"]


def test_unknown_member_or_group(fake):
    assert member(fake, service_principal="nope")["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert member(fake, service_principal="nope", check_mode=True)["changed"]
    assert member(fake, group="nope", member_id="sp-2")["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_exactly_one_member_option(fake):
    result = member(fake, service_principal="app-2", member_id="sp-2")
    assert result["failed"] and "mutually exclusive" in result["msg"]
