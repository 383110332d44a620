"""databricks_group_member against the fake workspace SCIM API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_group_member as group_member


@pytest.fixture
def member(run_workspace_module, fake_databricks):
    """member(check_mode=False, **args): databricks_group_member (group admins unless given) run against
    fake_databricks (diff on)."""
    return run_workspace_module.bind(group_member.main, fake_databricks, diff=True, group="admins")


def test_add_then_unchanged_then_remove(member, fake_databricks):
    assert member(service_principal="app-2", check_mode=True)["changed"]
    assert fake_databricks.mutating_calls() == []
    added = member(service_principal="app-2")
    assert added["changed"] and added["member_id"] == "sp-2"
    assert {"value": "sp-2"} in fake_databricks.principals["Groups"]["g-admins"]["members"]
    assert not member(service_principal="app-2")["changed"]
    removed = member(service_principal="app-2", state="absent")
    assert removed["changed"] and removed["diff"]["after"]["members"] == ["sp-admin"]
    assert not member(service_principal="app-2", state="absent")["changed"]


def test_unknown_member_or_group(member, fake_databricks):
    assert member(service_principal="nope")["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert member(service_principal="nope", check_mode=True)["changed"]
    assert member(group="nope", member_id="sp-2")["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_exactly_one_member_option(member, fake_databricks):
    result = member(service_principal="app-2", member_id="sp-2")
    assert result["failed"] and "mutually exclusive" in result["msg"]
