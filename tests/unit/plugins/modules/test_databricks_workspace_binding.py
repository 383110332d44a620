"""databricks_workspace_binding against the fake workspace's Unity Catalog bindings (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_workspace_binding as workspace_binding,
)

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

PATH = "/api/2.1/unity-catalog/bindings/catalog/lakehouse_dev"
RW, RO = "BINDING_TYPE_READ_WRITE", "BINDING_TYPE_READ_ONLY"


@pytest.fixture
def uc():
    return FakeUnityCatalog()


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(workspace_binding.main, uc, diff=True, securable_name="lakehouse_dev")


def test_the_exact_set_in_one_patch(run, uc):
    uc.bindings[("catalog", "lakehouse_dev")] = {1: RW, 2: RW, 3: RW}
    planned = run(workspace_ids=[1, 4], check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["bindings"] == [{"workspace_id": 1, "binding_type": RW}, {"workspace_id": 4, "binding_type": RW}]
    assert [b["workspace_id"] for b in planned["diff"]["before"]["bindings"]] == [1, 2, 3]
    result = run(workspace_ids=[1, 4])
    assert result["changed"] and uc.bindings[("catalog", "lakehouse_dev")] == {1: RW, 4: RW}
    assert uc.bodies == [("PATCH", PATH, {"add": [{"workspace_id": 4, "binding_type": RW}], "remove": [
        {"workspace_id": 2, "binding_type": RW}, {"workspace_id": 3, "binding_type": RW}]})]
    assert not run(workspace_ids=[4, 1])["changed"]


def test_binding_type_change_and_other_securable_types(run, uc):
    uc.bindings[("external_location", "raw")] = {7: RW}
    result = run(securable_type="external_location", securable_name="raw", workspace_ids=[7], binding_type=RO)
    assert result["changed"] and uc.bindings[("external_location", "raw")] == {7: RO}
    assert uc.bodies[0][2] == {"add": [{"workspace_id": 7, "binding_type": RO}]}


def test_absent_unbinds_only_the_listed_workspaces(run, uc):
    uc.bindings[("catalog", "lakehouse_dev")] = {1: RW, 2: RO}
    planned = run(workspace_ids=[2, 9], state="absent", check_mode=True)
    assert planned["changed"] and planned["bindings"] == [{"workspace_id": 1, "binding_type": RW}]
    assert uc.mutating_calls() == []
    assert run(workspace_ids=[2, 9], state="absent")["changed"] and uc.bindings[("catalog", "lakehouse_dev")] == {1: RW}
    assert uc.bodies == [("PATCH", PATH, {"remove": [{"workspace_id": 2, "binding_type": RO}]})]
    assert not run(workspace_ids=[2], state="absent")["changed"]
