"""databricks_metastore_assignment against the fake account (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_metastore_assignment as assignment,
)

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog


@pytest.fixture
def uc():
    fake = FakeUnityCatalog()
    fake.mine = fake.add_metastore("lakehouse-eu", "eu-west-1")["metastore_id"]
    fake.other = fake.add_metastore("other", "us-east-1")["metastore_id"]
    return fake


@pytest.fixture
def run(run_account_module, uc):
    return run_account_module.bind(assignment.main, uc, diff=True, workspace_id=1001, metastore_id=uc.mine)


def test_check_mode_then_assign_then_nothing_to_do(run, uc):
    planned = run(check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["assignment"] == {"workspace_id": 1001, "metastore_id": uc.mine}
    result = run()
    assert result["changed"] and uc.assignments[1001]["metastore_id"] == uc.mine
    assert result["assignment"]["metastore_id"] == uc.mine
    assert uc.bodies == [("POST", "/api/2.0/accounts/acc-1/workspaces/1001/metastores/%s" % uc.mine,
                          {"metastore_assignment": {"workspace_id": 1001, "metastore_id": uc.mine}})]
    assert not run()["changed"] and len(uc.bodies) == 1


def test_the_default_catalog_name_is_updated_in_place(run, uc):
    run()
    result = run(default_catalog_name="lakehouse_dev")
    assert result["changed"] and uc.assignments[1001]["default_catalog_name"] == "lakehouse_dev"
    assert uc.bodies[-1][0] == "PUT"


def test_another_metastore_is_never_replaced_silently(run, uc):
    uc.assignments[1001] = {"workspace_id": 1001, "metastore_id": uc.other}
    result = run()
    assert result["failed"] and result["error_code"] == "INVALID_STATE"
    assert uc.other in result["msg"] and uc.mine in result["msg"] and uc.mutating_calls() == []


def test_absent_removes_only_this_metastore_s_assignment(run, uc):
    uc.assignments[1001] = {"workspace_id": 1001, "metastore_id": uc.other}
    assert not run(state="absent")["changed"] and uc.assignments[1001]["metastore_id"] == uc.other
    uc.assignments[1001] = {"workspace_id": 1001, "metastore_id": uc.mine}
    assert run(state="absent", check_mode=True)["changed"] and 1001 in uc.assignments
    assert run(state="absent")["changed"] and 1001 not in uc.assignments
    assert not run(state="absent")["changed"]
