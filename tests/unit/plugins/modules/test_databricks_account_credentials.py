"""databricks_account_credentials against the fake account API: create or adopt, replace, refuse, delete, retry."""

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_credentials as account_credentials,
)
from databricks.sdk import errors as sdk_errors

ROLE = "arn:aws:iam::123456789012:role/x-cross-account"


@pytest.fixture
def creds(run_account_module, fake_databricks):
    """creds(check_mode=False, diff=False, **args): databricks_account_credentials x-creds run against
    fake_databricks."""
    return run_account_module.bind(account_credentials.main, fake_databricks, name="x-creds")


def test_credentials_created_then_adopted(creds, fake_databricks):
    first = creds(role_arn=ROLE)
    assert first["changed"] and first["credentials_id"]
    second = creds(role_arn=ROLE)
    assert not second["changed"] and second["credentials_id"] == first["credentials_id"]
    assert fake_databricks.mutating_calls() == [("POST", "/api/2.0/accounts/acc-1/credentials")]


def test_check_mode_predicts_creation_without_calling(creds, fake_databricks):
    result = creds(role_arn=ROLE, check_mode=True, diff=True)
    assert result["changed"] and result["credentials_id"] is None
    assert result["diff"] == {"before": {}, "after": {"role_arn": ROLE}}
    assert fake_databricks.mutating_calls() == []


def test_client_secret_never_in_the_result(creds, fake_databricks):
    result = creds(role_arn=ROLE, diff=True)
    assert "client-secret-value" not in repr(result)


def test_iam_propagation_error_is_retried(creds, fake_databricks):
    exc = sdk_errors.BadRequest("Failed credential validation checks: role cannot be assumed",
                                error_code="MALFORMED_REQUEST")
    fake_databricks.fault("POST", "/credentials$", exc, count=3)
    result = creds(role_arn=ROLE)
    assert result["changed"] and result["credentials_id"]
    assert fake_databricks.mutating_calls().count(("POST", "/api/2.0/accounts/acc-1/credentials")) == 4


def test_iam_propagation_retries_are_bounded(creds, fake_databricks):
    exc = sdk_errors.BadRequest("Failed credential validation checks", error_code="MALFORMED_REQUEST")
    fake_databricks.fault("POST", "/credentials$", exc, count=1000)
    result = creds(role_arn=ROLE, propagation_timeout=5, retry_timeout=1)
    assert result["failed"] and result["error_code"] == "MALFORMED_REQUEST"
    assert "create credential configuration x-creds: MALFORMED_REQUEST" in result["msg"]


def test_other_errors_fail_with_their_code(creds, fake_databricks):
    fake_databricks.fault("POST", "/credentials$", sdk_errors.PermissionDenied("not an account admin",
                                                                               error_code="PERMISSION_DENIED"))
    result = creds(role_arn=ROLE)
    assert result["failed"] and result["error_code"] == "PERMISSION_DENIED"
    assert fake_databricks.mutating_calls() == [("POST", "/api/2.0/accounts/acc-1/credentials")]


def test_throttling_is_retried(creds, fake_databricks):
    throttled = sdk_errors.TooManyRequests("slow", error_code="REQUEST_LIMIT_EXCEEDED")
    fake_databricks.fault("GET", "/credentials$", throttled, 2)
    assert creds(role_arn=ROLE)["changed"]


def test_changed_spec_replaces_an_unused_object(creds, fake_databricks):
    old = fake_databricks.add("credentials", credentials_name="x-creds",
                              aws_credentials={"sts_role": {"role_arn": ROLE + "-old"}})
    result = creds(role_arn=ROLE, diff=True)
    assert result["changed"] and result["replaced"] and result["credentials_id"] != old["credentials_id"]
    assert result["diff"]["before"]["role_arn"] == ROLE + "-old"
    assert [m for m, dummy in fake_databricks.mutating_calls()] == ["DELETE", "POST"]


def test_changed_spec_of_an_object_in_use_is_refused(creds, fake_databricks):
    old = fake_databricks.add("credentials", credentials_name="x-creds",
                              aws_credentials={"sts_role": {"role_arn": ROLE + "-old"}})
    fake_databricks.add_ws(workspace_name="ws", credentials_id=old["credentials_id"])
    result = creds(role_arn=ROLE)
    assert result["failed"] and result["error_code"] == "OBJECT_IN_USE"
    assert "used by workspace ws" in result["msg"]
    assert fake_databricks.mutating_calls() == []


def test_absent_deletes_and_is_idempotent(creds, fake_databricks):
    fake_databricks.add("credentials", credentials_name="x-creds", aws_credentials={"sts_role": {"role_arn": ROLE}})
    assert creds(state="absent", check_mode=True)["changed"]
    assert fake_databricks.mutating_calls() == []
    assert creds(state="absent")["changed"]
    assert not creds(state="absent")["changed"]


def test_missing_account_id_is_a_clear_error(run_main, account_connection, monkeypatch):
    monkeypatch.delenv("DATABRICKS_ACCOUNT_ID", raising=False)
    monkeypatch.setattr(DatabricksModule, "account_client_factory",
                        staticmethod(DatabricksModule.account_client_factory))
    args = dict(account_connection, name="x-creds", role_arn=ROLE)
    args.pop("account_id")
    with patch_module_args(args):
        result = run_main(account_credentials.main)
    assert result["error_code"] == "CONFIGURATION_ERROR" and "account_id is required" in result["msg"]
