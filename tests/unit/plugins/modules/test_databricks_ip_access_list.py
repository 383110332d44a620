"""databricks_ip_access_list against the fake workspace API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_ip_access_list as ip_access_list

LISTS = "/api/2.0/ip-access-lists"


@pytest.fixture
def ip_list(run_workspace_module, fake_workspace):
    """ip_list(check_mode=False, **args): databricks_ip_access_list office run against fake_workspace (diff on)."""
    return run_workspace_module.bind(ip_access_list.main, fake_workspace, diff=True, label="office")


def test_ip_access_list_created_replaced_and_unchanged_in_any_order(ip_list, fake_workspace):
    planned = ip_list(check_mode=True, ip_addresses=["203.0.113.0/24"])
    assert planned["changed"] and planned["ip_access_list"]["list_id"] is None and fake_workspace.mutating_calls() == []
    created = ip_list(ip_addresses=["203.0.113.0/24", "198.51.100.7"])
    assert created["changed"] and created["ip_access_list"]["list_id"] == "l1"
    assert fake_workspace.lists["l1"]["list_type"] == "ALLOW" and fake_workspace.lists["l1"]["enabled"] is True
    assert not ip_list(ip_addresses=["198.51.100.7", "203.0.113.0/24"])["changed"]
    replaced = ip_list(ip_addresses=["198.51.100.7"], list_type="BLOCK")
    assert replaced["changed"] and replaced["diff"]["before"]["list_type"] == "ALLOW"
    assert fake_workspace.mutating_calls()[-1] == ("PUT", LISTS + "/l1")
    assert fake_workspace.lists["l1"]["list_type"] == "BLOCK"


def test_ip_access_list_absent(ip_list, fake_workspace):
    ip_list(ip_addresses=["203.0.113.0/24"])
    assert ip_list(state="absent", check_mode=True)["changed"] and fake_workspace.lists
    assert ip_list(state="absent")["changed"] and fake_workspace.lists == {}
    assert not ip_list(state="absent")["changed"]


def test_ip_access_list_present_needs_addresses(ip_list, fake_workspace):
    result = ip_list()
    assert result["failed"] and "ip_addresses" in result["msg"] and fake_workspace.calls == []
