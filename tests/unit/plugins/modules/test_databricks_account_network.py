"""databricks_account_network against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_network as account_network,
)


def test_network_subnet_order_does_not_matter(run_account_module, fake_databricks):
    args = dict(name="x-net", vpc_id="vpc-1", subnet_ids=["s-1", "s-2"], security_group_ids=["sg-1"])
    first = run_account_module(account_network.main, args, fake_databricks)
    assert first["changed"]
    args["subnet_ids"] = ["s-2", "s-1"]
    assert not run_account_module(account_network.main, args, fake_databricks)["changed"]
    args["subnet_ids"] = ["s-2", "s-3"]
    changed = run_account_module(account_network.main, args, fake_databricks, check_mode=True)
    assert changed["changed"] and changed["replaced"]


def test_network_requires_its_spec_except_in_check_mode(run_account_module, fake_databricks):
    result = run_account_module(account_network.main, dict(name="x-net"), fake_databricks)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER" and "vpc_id" in result["msg"]
    planned = run_account_module(account_network.main, dict(name="x-net"), fake_databricks, check_mode=True)
    assert planned["changed"] and fake_databricks.mutating_calls() == []
