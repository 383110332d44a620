"""account_workspace and workspace_info against the fake account API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_workspace as account_workspace,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_workspace_info as workspace_info
from databricks.sdk import errors as sdk_errors
from test_account_fakes import CONNECTION, FakeDatabricks, run_module

SPEC = dict(CONNECTION, name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
            network_id="n-1", storage_customer_managed_key_id="k-1")


@pytest.fixture
def fake():
    return FakeDatabricks()


def test_create_waits_for_running_and_returns_the_url(fake):
    fake.provisioning_polls = 3
    result = run_module(account_workspace.main, SPEC, fake)
    assert result["changed"] and result["workspace_status"] == "RUNNING"
    assert result["workspace_url"] == "https://%s.cloud.databricks.com" % result["deployment_name"]
    assert result["wait"]["polls"] == 4
    assert [h["status"] for h in result["wait"]["history"]] == ["PROVISIONING", "RUNNING"]
    again = run_module(account_workspace.main, SPEC, fake)
    assert not again["changed"] and again["workspace_id"] == result["workspace_id"]
    assert [m for m, dummy in fake.mutating_calls()] == ["POST"]


def test_check_mode_on_an_empty_account(fake):
    result = run_module(account_workspace.main, SPEC, fake, check_mode=True, diff=True)
    assert result["changed"] and result["workspace_id"] is None
    assert result["diff"]["after"]["network_id"] == "n-1"
    assert fake.mutating_calls() == []


def test_failed_workspace_reports_its_message(fake):
    fake.fail_workspace = "Credential validation failed: role cannot be assumed."
    result = run_module(account_workspace.main, SPEC, fake)
    assert result["failed"] and result["error_code"] == "WORKSPACE_FAILED"
    assert "role cannot be assumed" in result["msg"]


def test_failed_workspace_is_repaired_with_patch_on_the_next_run(fake):
    fake.fail_workspace = "Failed to create the network resources: VPC limit exceeded."
    failed = run_module(account_workspace.main, SPEC, fake)
    assert failed["failed"] and "x-ws" in failed["msg"] and "VPC limit exceeded" in failed["msg"]
    assert "run again" in failed["msg"]
    fake.fail_workspace = None  # the cause is fixed
    plan = run_module(account_workspace.main, SPEC, fake, check_mode=True)
    assert plan["changed"] and plan["repaired"] and plan["workspace_id"] == failed["workspace"]["workspace_id"]
    assert [m for m, dummy in fake.mutating_calls()] == ["POST"]
    again = run_module(account_workspace.main, SPEC, fake)
    assert again["changed"] and again["repaired"] and again["workspace_status"] == "RUNNING"
    # Repaired in place, as Databricks documents: same workspace, same network, nothing deleted.
    assert again["workspace_id"] == failed["workspace"]["workspace_id"]
    assert [m for m, dummy in fake.mutating_calls()] == ["POST", "PATCH"]
    assert fake.last_update_mask == "credentials_id,storage_configuration_id"
    third = run_module(account_workspace.main, SPEC, fake)
    assert not third["changed"] and not third["repaired"] and third["workspace_id"] == again["workspace_id"]


def test_failed_workspace_is_kept_without_repair_failed(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                network_id="n-1", storage_customer_managed_key_id="k-1", workspace_status="FAILED",
                workspace_status_message="Quota exceeded.")
    result = run_module(account_workspace.main, dict(SPEC, repair_failed=False), fake)
    assert result["failed"] and result["error_code"] == "WORKSPACE_FAILED" and "Quota exceeded." in result["msg"]
    assert fake.mutating_calls() == []


@pytest.mark.parametrize("current, wanted, rule", [
    ({}, {"storage_configuration_id": "s-2"}, "storage_configuration_id cannot change while the workspace is RUNNING"),
    ({}, {"storage_customer_managed_key_id": "k-2"}, "can only be added to a workspace without one"),
    ({"network_id": None}, {}, "Databricks-managed VPC cannot move to a customer-managed VPC"),
])
def test_updates_databricks_refuses_are_refused_before_any_change(fake, current, wanted, rule):
    fields = dict(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                  network_id="n-1", storage_customer_managed_key_id="k-1")
    fake.add_ws(**dict(fields, **current))
    for check_mode in (True, False):
        result = run_module(account_workspace.main, dict(SPEC, **wanted), fake, check_mode=check_mode)
        assert result["failed"] and result["error_code"] == "UPDATE_NOT_ALLOWED" and rule in result["msg"]
    assert fake.mutating_calls() == []


def test_storage_key_can_be_added_to_a_running_workspace(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                network_id="n-1")
    result = run_module(account_workspace.main, SPEC, fake)
    assert result["changed"] and result["updated_fields"] == ["storage_customer_managed_key_id"]


def test_update_refused_while_compute_runs_says_what_to_do(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                network_id="n-1", storage_customer_managed_key_id="k-1")
    fake.refuse_update = sdk_errors.InvalidState(
        "Workspace 1001 has running compute resources (clusters c-1): terminate all cluster instances in the "
        "workspace before updating it.", error_code="INVALID_STATE")
    result = run_module(account_workspace.main, dict(SPEC, custom_tags={"team": "data"}), fake)
    assert result["failed"] and result["error_code"] == "WORKSPACE_HAS_RUNNING_COMPUTE"
    assert "custom_tags" in result["msg"] and "sleep.yml" in result["msg"] and "nothing was changed" in result["msg"]
    assert fake.workspaces[1001].get("custom_tags") is None


def test_timeout_is_reported(fake):
    fake.provisioning_polls = 10**6
    result = run_module(account_workspace.main, dict(SPEC, wait_timeout=0), fake)
    assert result["failed"] and result["error_code"] == "WAIT_TIMEOUT" and "PROVISIONING" in result["msg"]


def test_updatable_fields_are_patched(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                network_id="n-1", storage_customer_managed_key_id="k-1")
    result = run_module(account_workspace.main, dict(SPEC, network_id="n-2", custom_tags={"a": "b"}), fake,
                        diff=True)
    assert result["changed"] and result["updated_fields"] == ["custom_tags", "network_id"]
    assert fake.last_update_mask == "custom_tags,network_id"
    assert result["diff"]["before"]["network_id"] == "n-1" and result["diff"]["after"]["network_id"] == "n-2"


def test_immutable_fields_are_refused(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="us-east-1", credentials_id="c-1", storage_configuration_id="s-1")
    result = run_module(account_workspace.main, SPEC, fake)
    assert result["failed"] and result["error_code"] == "IMMUTABLE_FIELD" and "aws_region" in result["msg"]
    assert fake.mutating_calls() == []


def test_absent_waits_until_the_deletion_has_finished(fake):
    fake.add_ws(workspace_name="x-ws")
    fake.deletion_polls = 2
    result = run_module(account_workspace.main, dict(CONNECTION, name="x-ws", state="absent"), fake)
    assert result["changed"] and fake.workspaces == {}
    assert [h["status"] for h in result["wait"]["history"]] == ["CANCELLING", "DELETED"]
    assert not run_module(account_workspace.main, dict(CONNECTION, name="x-ws", state="absent"), fake)["changed"]
    assert [m for m, dummy in fake.mutating_calls()] == ["DELETE"]


def test_a_workspace_being_deleted_is_waited_for_then_created_again(fake):
    fake.add_ws(workspace_name="x-ws", aws_region="eu-west-1", workspace_status="CANCELLING")
    result = run_module(account_workspace.main, SPEC, fake)
    assert result["changed"] and result["workspace_status"] == "RUNNING"
    assert [m for m, dummy in fake.mutating_calls()] == ["POST"]


def test_create_needs_the_account_objects(fake):
    result = run_module(account_workspace.main, dict(CONNECTION, name="x-ws"), fake)
    assert result["failed"] and "aws_region" in result["msg"]


def test_workspace_info_filters_by_name(fake):
    fake.add_ws(workspace_name="a", deployment_name="dbc-a")
    fake.add_ws(workspace_name="b", deployment_name="dbc-b")
    result = run_module(workspace_info.main, dict(CONNECTION, name="b"), fake, check_mode=True)
    assert not result["changed"]
    assert [(w["workspace_name"], w["workspace_url"]) for w in result["workspaces"]] == \
        [("b", "https://dbc-b.cloud.databricks.com")]
