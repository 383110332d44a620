"""account_vpc_endpoint and account_private_access_settings against the fake account API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_private_access_settings as account_private_access_settings,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_vpc_endpoint as account_vpc_endpoint,
)
from test_account_fakes import CONNECTION, FakeDatabricks, run_module


@pytest.fixture
def fake():
    return FakeDatabricks()


def endpoint(fake, check_mode=False, **args):
    return run_module(account_vpc_endpoint.main, dict(CONNECTION, name="lh-workspace-vpce", **args), fake,
                      check_mode=check_mode, diff=True)


def settings(fake, check_mode=False, **args):
    return run_module(account_private_access_settings.main, dict(CONNECTION, name="lh-pas", **args), fake,
                      check_mode=check_mode, diff=True)


def test_vpc_endpoint_registered_once_and_replaced_when_the_aws_endpoint_changes(fake):
    wanted = dict(aws_vpc_endpoint_id="vpce-1", region="eu-west-1")
    planned = endpoint(fake, check_mode=True, **wanted)
    assert planned["changed"] and planned["vpc_endpoint_id"] is None and fake.mutating_calls() == []
    first = endpoint(fake, **wanted)
    registered = fake.account["vpc-endpoints"][first["vpc_endpoint_id"]]
    assert first["changed"] and registered["aws_vpc_endpoint_id"] == "vpce-1"
    assert not endpoint(fake, **wanted)["changed"]
    moved = endpoint(fake, aws_vpc_endpoint_id="vpce-2", region="eu-west-1")
    assert moved["changed"] and moved["replaced"] and moved["vpc_endpoint_id"] != first["vpc_endpoint_id"]
    assert [e["aws_vpc_endpoint_id"] for e in fake.account["vpc-endpoints"].values()] == ["vpce-2"]
    assert endpoint(fake, state="absent")["changed"] and fake.account["vpc-endpoints"] == {}


def test_vpc_endpoint_needs_its_aws_endpoint(fake):
    result = endpoint(fake, region="eu-west-1")
    assert result["failed"] and "aws_vpc_endpoint_id" in result["msg"] and fake.mutating_calls() == []


def test_private_access_settings_created_updated_in_place_and_idempotent(fake):
    wanted = dict(region="eu-west-1", private_access_level="ENDPOINT", allowed_vpc_endpoint_ids=["e-1", "e-2"])
    planned = settings(fake, check_mode=True, **wanted)
    assert planned["changed"] and planned["private_access_settings"]["public_access_enabled"] is False
    assert fake.mutating_calls() == []
    first = settings(fake, **wanted)
    pid = first["private_access_settings_id"]
    assert first["changed"] and fake.account["private-access-settings"][pid]["private_access_level"] == "ENDPOINT"
    assert not settings(fake, region="eu-west-1", private_access_level="ENDPOINT",
                        allowed_vpc_endpoint_ids=["e-2", "e-1"])["changed"]
    opened = settings(fake, public_access_enabled=True, **wanted)
    assert opened["changed"] and opened["private_access_settings_id"] == pid  # PUT, same id
    assert opened["diff"]["before"]["public_access_enabled"] is False
    assert fake.mutating_calls()[-1] == ("PUT", "/api/2.0/accounts/acc-1/private-access-settings/" + pid)
    assert settings(fake, state="absent")["changed"] and fake.account["private-access-settings"] == {}
    assert not settings(fake, state="absent")["changed"]
