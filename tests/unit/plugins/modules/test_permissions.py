"""permissions on authorization/tokens against the fake permissions API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_permissions as permissions
from test_account_fakes import WS_CONNECTION, FakeDatabricks, run_module

ACL = [{"service_principal_name": "app-2", "permission_level": "CAN_USE"}]


@pytest.fixture
def fake():
    return FakeDatabricks()


def perms(fake, check_mode=False, **args):
    args.setdefault("access_control_list", ACL)
    return run_module(permissions.main, dict(WS_CONNECTION, object_type="authorization", object_id="tokens", **args),
                      fake, check_mode=check_mode, diff=True)


def test_grant_then_unchanged(fake):
    assert perms(fake, check_mode=True)["changed"] and fake.mutating_calls() == []
    granted = perms(fake)
    assert granted["changed"] and granted["grants"] == {"service_principal_name:app-2": ["CAN_USE"]}
    assert fake.mutating_calls() == [("PATCH", "/api/2.0/permissions/authorization/tokens")]
    assert not perms(fake)["changed"]


def test_merge_keeps_other_grants_and_exclusive_replaces_them(fake):
    fake.token_acl[("group_name", "users")] = "CAN_USE"
    merged = perms(fake)
    assert set(merged["grants"]) == {"group_name:users", "service_principal_name:app-2"}
    replaced = perms(fake, exclusive=True)
    assert replaced["changed"] and set(replaced["grants"]) == {"service_principal_name:app-2"}
    assert replaced["diff"]["before"]["grants"]["group_name:users"] == ["CAN_USE"]


def test_entry_needs_one_principal(fake):
    result = perms(fake, access_control_list=[{"permission_level": "CAN_USE"}])
    assert result["failed"] and result["error_code"] == "INVALID_PARAMETER_VALUE"
