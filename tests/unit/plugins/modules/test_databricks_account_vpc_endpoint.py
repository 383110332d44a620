"""databricks_account_vpc_endpoint (a VPC endpoint registered with Databricks) against the fake account API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_vpc_endpoint


@pytest.fixture
def endpoint(run_account_module, fake_databricks):
    """endpoint(check_mode=False, **args): the module run for lh-workspace-vpce against fake_databricks (diff on)."""
    return run_account_module.bind(databricks_account_vpc_endpoint.main, fake_databricks, diff=True,
                                   name="lh-workspace-vpce")


def test_vpc_endpoint_registered_once_and_replaced_when_the_aws_endpoint_changes(endpoint, fake_databricks):
    wanted = dict(aws_vpc_endpoint_id="vpce-1", region="eu-west-1")
    planned = endpoint(check_mode=True, **wanted)
    assert planned["changed"] and planned["vpc_endpoint_id"] is None and fake_databricks.mutating_calls() == []
    first = endpoint(**wanted)
    registered = fake_databricks.account["vpc-endpoints"][first["vpc_endpoint_id"]]
    assert first["changed"] and registered["aws_vpc_endpoint_id"] == "vpce-1"
    assert not endpoint(**wanted)["changed"]
    moved = endpoint(aws_vpc_endpoint_id="vpce-2", region="eu-west-1")
    assert moved["changed"] and moved["replaced"] and moved["vpc_endpoint_id"] != first["vpc_endpoint_id"]
    assert [e["aws_vpc_endpoint_id"] for e in fake_databricks.account["vpc-endpoints"].values()] == ["vpce-2"]
    assert endpoint(state="absent")["changed"] and fake_databricks.account["vpc-endpoints"] == {}


def test_vpc_endpoint_needs_its_aws_endpoint(endpoint, fake_databricks):
    result = endpoint(region="eu-west-1")
    assert result["failed"] and "aws_vpc_endpoint_id" in result["msg"] and fake_databricks.mutating_calls() == []
