"""databricks_metastore against the fake account's metastores (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_metastore as metastore

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog


@pytest.fixture
def uc():
    return FakeUnityCatalog()


@pytest.fixture
def run(run_account_module, uc):
    return run_account_module.bind(metastore.main, uc, diff=True, name="lakehouse-eu", region="eu-west-1")


def test_check_mode_predicts_the_creation_then_it_is_created_once(run, uc):
    planned = run(check_mode=True)
    assert planned["changed"] and planned["found_by"] == "created" and uc.mutating_calls() == []
    assert planned["metastore"] == {"name": "lakehouse-eu", "region": "eu-west-1", "metastore_id": None}
    created = run()
    assert created["changed"] and created["found_by"] == "created"
    [held] = uc.metastores.values()
    assert created["metastore"]["metastore_id"] == held["metastore_id"] and held["region"] == "eu-west-1"
    assert uc.bodies[0][2] == {"metastore_info": {"name": "lakehouse-eu", "region": "eu-west-1"}}
    again = run()
    assert not again["changed"] and again["found_by"] == "name" and len(uc.metastores) == 1


def test_the_region_s_metastore_is_used_whatever_its_name(run, uc):
    uc.add_metastore("metastore_aws_eu_west_1", "eu-west-1")
    uc.add_metastore("other", "us-east-1")
    result = run()
    assert not result["changed"] and result["found_by"] == "region"
    assert result["metastore"]["name"] == "metastore_aws_eu_west_1" and uc.mutating_calls() == []


def test_a_name_wins_over_the_region_and_the_owner_is_set(run, uc):
    uc.add_metastore("regional", "eu-west-1")
    named = uc.add_metastore("lakehouse-eu", "eu-west-1")
    planned = run(owner="admins-group", check_mode=True)
    assert planned["changed"] and planned["metastore"]["owner"] == "admins-group" and uc.mutating_calls() == []
    assert planned["diff"]["after"]["owner"] == "admins-group"
    result = run(owner="admins-group")
    assert result["found_by"] == "name" and named["owner"] == "admins-group"
    assert result["metastore"]["metastore_id"] == named["metastore_id"]
    assert not run(owner="admins-group")["changed"]


def test_two_metastores_in_the_region_and_none_named_fails(run, uc):
    uc.add_metastore("a", "eu-west-1")
    uc.add_metastore("b", "eu-west-1")
    result = run()
    assert result["failed"] and "2 metastores in eu-west-1 (a, b)" in result["msg"]


def test_absent_keeps_a_metastore_with_workspaces_and_deletes_it_without(run, uc):
    held = uc.add_metastore("lakehouse-eu", "eu-west-1")
    uc.assignments[1001] = {"workspace_id": 1001, "metastore_id": held["metastore_id"]}
    kept = run(state="absent")
    assert not kept["changed"] and kept["assigned_workspace_ids"] == [1001] and held["metastore_id"] in uc.metastores
    del uc.assignments[1001]
    planned = run(state="absent", check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert run(state="absent")["changed"] and uc.metastores == {}
    assert not run(state="absent")["changed"]


def test_absent_never_deletes_a_metastore_found_by_region_only(run, uc):
    uc.add_metastore("someone-elses", "eu-west-1")
    result = run(state="absent")
    assert not result["changed"] and len(uc.metastores) == 1


def test_a_named_metastore_of_another_region_fails(run, uc):
    uc.add_metastore("lakehouse-eu", "us-east-1")
    result = run()
    assert result["failed"] and "serves us-east-1, not eu-west-1" in result["msg"] and uc.mutating_calls() == []
