"""databricks_account_private_access_settings against the fake account API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_private_access_settings as account_private_access_settings,
)


@pytest.fixture
def settings(run_account_module, fake_databricks):
    """settings(check_mode=False, **args): databricks_account_private_access_settings lh-pas run against fake_databricks
    (diff on)."""

    def run(check_mode=False, **args):
        return run_account_module(account_private_access_settings.main, dict(name="lh-pas", **args), fake_databricks,
                                  check_mode=check_mode, diff=True)

    return run


def test_private_access_settings_created_updated_in_place_and_idempotent(settings, fake_databricks):
    wanted = dict(region="eu-west-1", private_access_level="ENDPOINT", allowed_vpc_endpoint_ids=["e-1", "e-2"])
    planned = settings(check_mode=True, **wanted)
    assert planned["changed"] and planned["private_access_settings"]["public_access_enabled"] is False
    assert fake_databricks.mutating_calls() == []
    first = settings(**wanted)
    pid = first["private_access_settings_id"]
    assert first["changed"]
    assert fake_databricks.account["private-access-settings"][pid]["private_access_level"] == "ENDPOINT"
    assert not settings(region="eu-west-1", private_access_level="ENDPOINT",
                        allowed_vpc_endpoint_ids=["e-2", "e-1"])["changed"]
    opened = settings(public_access_enabled=True, **wanted)
    assert opened["changed"] and opened["private_access_settings_id"] == pid  # PUT, same id
    assert opened["diff"]["before"]["public_access_enabled"] is False
    assert fake_databricks.mutating_calls()[-1] == ("PUT", "/api/2.0/accounts/acc-1/private-access-settings/" + pid)
    assert settings(state="absent")["changed"] and fake_databricks.account["private-access-settings"] == {}
    assert not settings(state="absent")["changed"]
