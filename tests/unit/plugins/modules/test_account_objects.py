"""account_credentials, account_storage_configuration, account_network, account_customer_managed_key."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_credentials as account_credentials,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_customer_managed_key as account_customer_managed_key,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_network as account_network,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_storage_configuration as account_storage_configuration,
)
from databricks.sdk import errors as sdk_errors
from test_account_fakes import CONNECTION, FakeDatabricks, run_module
from test_module_exit import run_main

ROLE = "arn:aws:iam::123456789012:role/x-cross-account"


@pytest.fixture
def fake():
    return FakeDatabricks()


def creds(fake, check_mode=False, diff=False, **args):
    return run_module(account_credentials.main, dict(CONNECTION, name="x-creds", **args), fake,
                      check_mode=check_mode, diff=diff)


def test_credentials_created_then_adopted(fake):
    first = creds(fake, role_arn=ROLE)
    assert first["changed"] and first["credentials_id"]
    second = creds(fake, role_arn=ROLE)
    assert not second["changed"] and second["credentials_id"] == first["credentials_id"]
    assert fake.mutating_calls() == [("POST", "/api/2.0/accounts/acc-1/credentials")]


def test_check_mode_predicts_creation_without_calling(fake):
    result = creds(fake, role_arn=ROLE, check_mode=True, diff=True)
    assert result["changed"] and result["credentials_id"] is None
    assert result["diff"] == {"before": {}, "after": {"role_arn": ROLE}}
    assert fake.mutating_calls() == []


def test_client_secret_never_in_the_result(fake):
    result = creds(fake, role_arn=ROLE, diff=True)
    assert "client-secret-value" not in repr(result)


def test_iam_propagation_error_is_retried(fake):
    exc = sdk_errors.BadRequest("Failed credential validation checks: role cannot be assumed",
                                error_code="MALFORMED_REQUEST")
    fake.fault("POST", "/credentials$", exc, count=3)
    result = creds(fake, role_arn=ROLE)
    assert result["changed"] and result["credentials_id"]
    assert fake.mutating_calls().count(("POST", "/api/2.0/accounts/acc-1/credentials")) == 4


def test_iam_propagation_retries_are_bounded(fake):
    exc = sdk_errors.BadRequest("Failed credential validation checks", error_code="MALFORMED_REQUEST")
    fake.fault("POST", "/credentials$", exc, count=1000)
    result = creds(fake, role_arn=ROLE, propagation_timeout=5, retry_timeout=1)
    assert result["failed"] and result["error_code"] == "MALFORMED_REQUEST"
    assert "create credential configuration x-creds: MALFORMED_REQUEST" in result["msg"]


def test_other_errors_fail_with_their_code(fake):
    fake.fault("POST", "/credentials$", sdk_errors.PermissionDenied("not an account admin",
                                                                    error_code="PERMISSION_DENIED"))
    result = creds(fake, role_arn=ROLE)
    assert result["failed"] and result["error_code"] == "PERMISSION_DENIED"
    assert fake.mutating_calls() == [("POST", "/api/2.0/accounts/acc-1/credentials")]


def test_throttling_is_retried(fake):
    fake.fault("GET", "/credentials$", sdk_errors.TooManyRequests("slow", error_code="REQUEST_LIMIT_EXCEEDED"), 2)
    assert creds(fake, role_arn=ROLE)["changed"]


def test_changed_spec_replaces_an_unused_object(fake):
    old = fake.add("credentials", credentials_name="x-creds",
                   aws_credentials={"sts_role": {"role_arn": ROLE + "-old"}})
    result = creds(fake, role_arn=ROLE, diff=True)
    assert result["changed"] and result["replaced"] and result["credentials_id"] != old["credentials_id"]
    assert result["diff"]["before"]["role_arn"] == ROLE + "-old"
    assert [m for m, dummy in fake.mutating_calls()] == ["DELETE", "POST"]


def test_changed_spec_of_an_object_in_use_is_refused(fake):
    old = fake.add("credentials", credentials_name="x-creds",
                   aws_credentials={"sts_role": {"role_arn": ROLE + "-old"}})
    fake.add_ws(workspace_name="ws", credentials_id=old["credentials_id"])
    result = creds(fake, role_arn=ROLE)
    assert result["failed"] and result["error_code"] == "OBJECT_IN_USE"
    assert "used by workspace ws" in result["msg"]
    assert fake.mutating_calls() == []


def test_absent_deletes_and_is_idempotent(fake):
    fake.add("credentials", credentials_name="x-creds", aws_credentials={"sts_role": {"role_arn": ROLE}})
    assert creds(fake, state="absent", check_mode=True)["changed"]
    assert fake.mutating_calls() == []
    assert creds(fake, state="absent")["changed"]
    assert not creds(fake, state="absent")["changed"]


def test_storage_configuration(fake):
    args = dict(CONNECTION, name="x-storage", bucket_name="x-rootbucket")
    first = run_module(account_storage_configuration.main, args, fake)
    assert first["changed"] and first["storage_configuration"]["root_bucket_info"]["bucket_name"] == "x-rootbucket"
    assert not run_module(account_storage_configuration.main, args, fake)["changed"]


def test_network_subnet_order_does_not_matter(fake):
    args = dict(CONNECTION, name="x-net", vpc_id="vpc-1", subnet_ids=["s-1", "s-2"], security_group_ids=["sg-1"])
    first = run_module(account_network.main, args, fake)
    assert first["changed"]
    args["subnet_ids"] = ["s-2", "s-1"]
    assert not run_module(account_network.main, args, fake)["changed"]
    args["subnet_ids"] = ["s-2", "s-3"]
    changed = run_module(account_network.main, args, fake, check_mode=True)
    assert changed["changed"] and changed["replaced"]


def test_network_requires_its_spec_except_in_check_mode(fake):
    result = run_module(account_network.main, dict(CONNECTION, name="x-net"), fake)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER" and "vpc_id" in result["msg"]
    planned = run_module(account_network.main, dict(CONNECTION, name="x-net"), fake, check_mode=True)
    assert planned["changed"] and fake.mutating_calls() == []


def test_customer_managed_key_found_by_arn(fake):
    key = "arn:aws:kms:eu-west-1:123456789012:key/k-1"
    args = dict(CONNECTION, key_arn=key, use_cases=["STORAGE"])
    first = run_module(account_customer_managed_key.main, args, fake)
    assert first["changed"] and first["customer_managed_key"]["aws_key_info"]["key_arn"] == key
    assert not run_module(account_customer_managed_key.main, args, fake)["changed"]
    fake.add_ws(workspace_name="ws", storage_customer_managed_key_id=first["customer_managed_key_id"])
    args["use_cases"] = ["STORAGE", "MANAGED_SERVICES"]
    refused = run_module(account_customer_managed_key.main, args, fake)
    assert refused["failed"] and refused["error_code"] == "OBJECT_IN_USE"


def test_missing_account_id_is_a_clear_error(fake, monkeypatch):
    from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

    monkeypatch.delenv("DATABRICKS_ACCOUNT_ID", raising=False)
    monkeypatch.setattr(DatabricksModule, "account_client_factory",
                        staticmethod(DatabricksModule.account_client_factory))
    args = dict(CONNECTION, name="x-creds", role_arn=ROLE)
    args.pop("account_id")
    from ansible.module_utils.testing import patch_module_args
    with patch_module_args(args):
        result = run_main(account_credentials.main)
    assert result["error_code"] == "CONFIGURATION_ERROR" and "account_id is required" in result["msg"]


def test_a_key_registered_apart_for_managed_services_leaves_its_storage_configuration_alone(fake):
    key = "arn:aws:kms:eu-west-1:123456789012:key/k-2"
    storage = run_module(account_customer_managed_key.main, dict(CONNECTION, key_arn=key, use_cases=["STORAGE"]),
                         fake)
    fake.add_ws(workspace_name="ws", storage_customer_managed_key_id=storage["customer_managed_key_id"])
    services_args = dict(CONNECTION, key_arn=key, use_cases=["MANAGED_SERVICES"])
    services = run_module(account_customer_managed_key.main, services_args, fake)
    assert services["changed"] and services["customer_managed_key_id"] != storage["customer_managed_key_id"]
    assert not run_module(account_customer_managed_key.main, services_args, fake)["changed"]
    again = run_module(account_customer_managed_key.main, dict(CONNECTION, key_arn=key, use_cases=["STORAGE"]),
                       fake)
    assert not again["changed"] and again["customer_managed_key_id"] == storage["customer_managed_key_id"]
    assert [m for m, p in fake.mutating_calls() if "customer-managed-keys" in p] == ["POST", "POST"]
