"""databricks_permissions on authorization/tokens against the fake permissions API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_permissions as permissions

ACL = [{"service_principal_name": "app-2", "permission_level": "CAN_USE"}]


@pytest.fixture
def perms(run_workspace_module, fake_databricks):
    """perms(check_mode=False, **args): databricks_permissions on authorization/tokens (ACL unless given) run against
    fake_databricks (diff on)."""
    return run_workspace_module.bind(permissions.main, fake_databricks, diff=True, object_type="authorization",
                                     object_id="tokens", access_control_list=ACL)


def test_grant_then_unchanged(perms, fake_databricks):
    assert perms(check_mode=True)["changed"] and fake_databricks.mutating_calls() == []
    granted = perms()
    assert granted["changed"] and granted["grants"] == {"service_principal_name:app-2": ["CAN_USE"]}
    assert fake_databricks.mutating_calls() == [("PATCH", "/api/2.0/permissions/authorization/tokens")]
    assert not perms()["changed"]


def test_merge_keeps_other_grants_and_exclusive_replaces_them(perms, fake_databricks):
    fake_databricks.token_acl[("group_name", "users")] = "CAN_USE"
    merged = perms()
    assert set(merged["grants"]) == {"group_name:users", "service_principal_name:app-2"}
    replaced = perms(exclusive=True)
    assert replaced["changed"] and set(replaced["grants"]) == {"service_principal_name:app-2"}
    assert replaced["diff"]["before"]["grants"]["group_name:users"] == ["CAN_USE"]


def test_entry_needs_one_principal(perms, fake_databricks):
    result = perms(access_control_list=[{"permission_level": "CAN_USE"}])
    assert result["failed"] and result["error_code"] == "INVALID_PARAMETER_VALUE"
