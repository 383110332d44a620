"""databricks_account_private_access_settings against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_private_access_settings


def test_private_access_settings_created_updated_in_place_and_idempotent(run_account_module, fake_databricks):
    settings = run_account_module.bind(databricks_account_private_access_settings.main, fake_databricks, diff=True,
                                       name="lh-pas")
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
