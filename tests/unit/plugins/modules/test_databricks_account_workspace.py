"""databricks_account_workspace against the fake account API: create and wait, repair, update, refuse, delete."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_workspace as account_workspace,
)
from databricks.sdk import errors as sdk_errors

SPEC = dict(name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1", network_id="n-1",
            storage_customer_managed_key_id="k-1")


@pytest.fixture
def run(run_account_module, fake_databricks):
    """run(args, check_mode=False, diff=False): databricks_account_workspace run with args against fake_databricks."""

    def run_workspace(args, **options):
        return run_account_module(account_workspace.main, args, fake_databricks, **options)

    return run_workspace


def test_create_waits_for_running_and_returns_the_url(run, fake_databricks):
    fake_databricks.provisioning_polls = 3
    result = run(SPEC)
    assert result["changed"] and result["workspace_status"] == "RUNNING"
    assert result["workspace_url"] == "https://%s.cloud.databricks.com" % result["deployment_name"]
    assert result["wait"]["polls"] == 4
    assert [h["status"] for h in result["wait"]["history"]] == ["PROVISIONING", "RUNNING"]
    again = run(SPEC)
    assert not again["changed"] and again["workspace_id"] == result["workspace_id"]
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["POST"]


def test_check_mode_on_an_empty_account(run, fake_databricks):
    result = run(SPEC, check_mode=True, diff=True)
    assert result["changed"] and result["workspace_id"] is None
    assert result["diff"]["after"]["network_id"] == "n-1"
    assert fake_databricks.mutating_calls() == []


def test_failed_workspace_reports_its_message(run, fake_databricks):
    fake_databricks.fail_workspace = "Credential validation failed: role cannot be assumed."
    result = run(SPEC)
    assert result["failed"] and result["error_code"] == "WORKSPACE_FAILED"
    assert "role cannot be assumed" in result["msg"]


def test_failed_workspace_is_repaired_with_patch_on_the_next_run(run, fake_databricks):
    fake_databricks.fail_workspace = "Failed to create the network resources: VPC limit exceeded."
    failed = run(SPEC)
    assert failed["failed"] and "x-ws" in failed["msg"] and "VPC limit exceeded" in failed["msg"]
    assert "run again" in failed["msg"]
    fake_databricks.fail_workspace = None  # the cause is fixed
    plan = run(SPEC, check_mode=True)
    assert plan["changed"] and plan["repaired"] and plan["workspace_id"] == failed["workspace"]["workspace_id"]
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["POST"]
    again = run(SPEC)
    assert again["changed"] and again["repaired"] and again["workspace_status"] == "RUNNING"
    # Repaired in place, as Databricks documents: same workspace, same network, nothing deleted.
    assert again["workspace_id"] == failed["workspace"]["workspace_id"]
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["POST", "PATCH"]
    assert fake_databricks.last_update_mask == "credentials_id,storage_configuration_id"
    third = run(SPEC)
    assert not third["changed"] and not third["repaired"] and third["workspace_id"] == again["workspace_id"]


def test_failed_workspace_is_kept_without_repair_failed(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1",
                           storage_configuration_id="s-1", network_id="n-1", storage_customer_managed_key_id="k-1",
                           workspace_status="FAILED", workspace_status_message="Quota exceeded.")
    result = run(dict(SPEC, repair_failed=False))
    assert result["failed"] and result["error_code"] == "WORKSPACE_FAILED" and "Quota exceeded." in result["msg"]
    assert fake_databricks.mutating_calls() == []


@pytest.mark.parametrize("current, wanted, rule", [
    ({}, {"storage_configuration_id": "s-2"}, "storage_configuration_id cannot change while the workspace is RUNNING"),
    ({}, {"storage_customer_managed_key_id": "k-2"}, "can only be added to a workspace without one"),
    ({"network_id": None}, {}, "Databricks-managed VPC cannot move to a customer-managed VPC"),
])
def test_updates_databricks_refuses_are_refused_before_any_change(run, fake_databricks, current, wanted, rule):
    fields = dict(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1", storage_configuration_id="s-1",
                  network_id="n-1", storage_customer_managed_key_id="k-1")
    fake_databricks.add_ws(**dict(fields, **current))
    for check_mode in (True, False):
        result = run(dict(SPEC, **wanted), check_mode=check_mode)
        assert result["failed"] and result["error_code"] == "UPDATE_NOT_ALLOWED" and rule in result["msg"]
    assert fake_databricks.mutating_calls() == []


def test_storage_key_can_be_added_to_a_running_workspace(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1",
                           storage_configuration_id="s-1", network_id="n-1")
    result = run(SPEC)
    assert result["changed"] and result["updated_fields"] == ["storage_customer_managed_key_id"]


def test_update_refused_while_compute_runs_says_what_to_do(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1",
                           storage_configuration_id="s-1", network_id="n-1",
                           storage_customer_managed_key_id="k-1")
    fake_databricks.refuse_update = sdk_errors.InvalidState(
        "Workspace 1001 has running compute resources (clusters c-1): terminate all cluster instances in the "
        "workspace before updating it.", error_code="INVALID_STATE")
    result = run(dict(SPEC, custom_tags={"team": "data"}))
    assert result["failed"] and result["error_code"] == "WORKSPACE_HAS_RUNNING_COMPUTE"
    assert "custom_tags" in result["msg"] and "sleep.yml" in result["msg"] and "nothing was changed" in result["msg"]
    assert fake_databricks.workspaces[1001].get("custom_tags") is None


def test_timeout_is_reported(run, fake_databricks):
    fake_databricks.provisioning_polls = 10**6
    result = run(dict(SPEC, wait_timeout=0))
    assert result["failed"] and result["error_code"] == "WAIT_TIMEOUT" and "PROVISIONING" in result["msg"]


def test_updatable_fields_are_patched(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="eu-west-1", credentials_id="c-1",
                           storage_configuration_id="s-1", network_id="n-1",
                           storage_customer_managed_key_id="k-1")
    result = run(dict(SPEC, network_id="n-2", custom_tags={"a": "b"}), diff=True)
    assert result["changed"] and result["updated_fields"] == ["custom_tags", "network_id"]
    assert fake_databricks.last_update_mask == "custom_tags,network_id"
    assert result["diff"]["before"]["network_id"] == "n-1" and result["diff"]["after"]["network_id"] == "n-2"


def test_immutable_fields_are_refused(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="us-east-1", credentials_id="c-1",
                           storage_configuration_id="s-1")
    result = run(SPEC)
    assert result["failed"] and result["error_code"] == "IMMUTABLE_FIELD" and "aws_region" in result["msg"]
    assert fake_databricks.mutating_calls() == []


def test_absent_waits_until_the_deletion_has_finished(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws")
    fake_databricks.deletion_polls = 2
    result = run(dict(name="x-ws", state="absent"))
    assert result["changed"] and fake_databricks.workspaces == {}
    assert [h["status"] for h in result["wait"]["history"]] == ["CANCELLING", "DELETED"]
    assert not run(dict(name="x-ws", state="absent"))["changed"]
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["DELETE"]


def test_a_workspace_being_deleted_is_waited_for_then_created_again(run, fake_databricks):
    fake_databricks.add_ws(workspace_name="x-ws", aws_region="eu-west-1", workspace_status="CANCELLING")
    result = run(SPEC)
    assert result["changed"] and result["workspace_status"] == "RUNNING"
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["POST"]


def test_create_needs_the_account_objects(run):
    result = run(dict(name="x-ws"))
    assert result["failed"] and "aws_region" in result["msg"]
