"""databricks_storage_credential against the fake workspace's Unity Catalog (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_storage_credential as storage_credential,
)

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

ROLE = "arn:aws:iam::123456789012:role/lakehouse-dev-uc-storage-role"
PATH = "/api/2.1/unity-catalog/storage-credentials"


@pytest.fixture
def uc():
    fake = FakeUnityCatalog()
    mid = fake.add_metastore("lakehouse-eu", "eu-west-1")["metastore_id"]
    fake.assignments[fake.workspace_id] = {"workspace_id": fake.workspace_id, "metastore_id": mid}
    return fake


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(storage_credential.main, uc, diff=True, name="lakehouse-dev-credential",
                                     role_arn=ROLE)


def test_check_mode_then_create_returns_the_external_id_and_a_rerun_changes_nothing(run, uc):
    planned = run(check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["storage_credential"]["aws_iam_role"] == {"role_arn": ROLE}
    assert planned["diff"]["after"]["role_arn"] == ROLE and planned["diff"]["before"] == {}
    created = run()
    held = uc.credentials["lakehouse-dev-credential"]
    assert created["changed"] and created["storage_credential"]["aws_iam_role"] == held["aws_iam_role"]
    assert created["storage_credential"]["aws_iam_role"]["external_id"]
    assert uc.bodies == [("POST", PATH, {"name": "lakehouse-dev-credential", "aws_iam_role": {"role_arn": ROLE},
                                         "read_only": False})]
    again = run()
    assert not again["changed"] and len(uc.bodies) == 1


def test_owner_is_set_after_creation_and_updates_send_only_the_changes(run, uc):
    run(owner="sp-app-id", skip_validation=True)
    assert uc.credentials["lakehouse-dev-credential"]["owner"] == "sp-app-id"
    assert uc.bodies[0][2]["skip_validation"] is True and "owner" not in uc.bodies[0][2]
    assert uc.bodies[1] == ("PATCH", PATH + "/lakehouse-dev-credential", {"owner": "sp-app-id"})
    result = run(owner="sp-app-id", comment="UC role", read_only=True)
    assert result["changed"] and set(result["diff"]["after"]) >= {"comment", "read_only"}
    assert uc.bodies[2] == ("PATCH", PATH + "/lakehouse-dev-credential", {"comment": "UC role", "read_only": True})
    held = uc.credentials["lakehouse-dev-credential"]
    assert held["read_only"] is True and held["aws_iam_role"]["external_id"]  # the external id stays


def test_absent_refuses_dependents_without_force(run, uc):
    run()
    uc.locations["raw"] = {"name": "raw", "url": "s3://raw", "credential_name": "lakehouse-dev-credential"}
    refused = run(state="absent")
    assert refused["failed"] and "dependent external locations" in refused["msg"]
    planned = run(state="absent", force=True, check_mode=True)
    assert planned["changed"] and "lakehouse-dev-credential" in uc.credentials
    assert run(state="absent", force=True)["changed"] and uc.credentials == {}
    assert not run(state="absent")["changed"]


def test_without_a_metastore_the_error_is_databricks_own(run, uc):
    uc.assignments.clear()
    result = run()
    assert result["failed"] and result["error_code"] == "METASTORE_DOES_NOT_EXIST"


def test_force_goes_with_an_update(run, uc):
    run()
    result = run(role_arn=ROLE + "-2", force=True)
    assert result["changed"] and uc.credentials["lakehouse-dev-credential"]["aws_iam_role"]["role_arn"] == ROLE + "-2"
    assert uc.bodies[-1] == ("PATCH", PATH + "/lakehouse-dev-credential",
                             {"aws_iam_role": {"role_arn": ROLE + "-2"}, "force": True})
