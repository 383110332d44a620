"""databricks_account_customer_managed_key against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_customer_managed_key as account_customer_managed_key,
)


def test_customer_managed_key_found_by_arn(run_account_module, fake_databricks):
    key = "arn:aws:kms:eu-west-1:123456789012:key/k-1"
    args = dict(key_arn=key, use_cases=["STORAGE"])
    first = run_account_module(account_customer_managed_key.main, args, fake_databricks)
    assert first["changed"] and first["customer_managed_key"]["aws_key_info"]["key_arn"] == key
    assert not run_account_module(account_customer_managed_key.main, args, fake_databricks)["changed"]
    fake_databricks.add_ws(workspace_name="ws", storage_customer_managed_key_id=first["customer_managed_key_id"])
    args["use_cases"] = ["STORAGE", "MANAGED_SERVICES"]
    refused = run_account_module(account_customer_managed_key.main, args, fake_databricks)
    assert refused["failed"] and refused["error_code"] == "OBJECT_IN_USE"


def test_a_key_registered_apart_for_managed_services_leaves_its_storage_configuration_alone(
        run_account_module, fake_databricks):
    key = "arn:aws:kms:eu-west-1:123456789012:key/k-2"
    storage = run_account_module(account_customer_managed_key.main, dict(key_arn=key, use_cases=["STORAGE"]),
                                 fake_databricks)
    fake_databricks.add_ws(workspace_name="ws", storage_customer_managed_key_id=storage["customer_managed_key_id"])
    services_args = dict(key_arn=key, use_cases=["MANAGED_SERVICES"])
    services = run_account_module(account_customer_managed_key.main, services_args, fake_databricks)
    assert services["changed"] and services["customer_managed_key_id"] != storage["customer_managed_key_id"]
    assert not run_account_module(account_customer_managed_key.main, services_args, fake_databricks)["changed"]
    again = run_account_module(account_customer_managed_key.main, dict(key_arn=key, use_cases=["STORAGE"]),
                               fake_databricks)
    assert not again["changed"] and again["customer_managed_key_id"] == storage["customer_managed_key_id"]
    assert [m for m, p in fake_databricks.mutating_calls() if "customer-managed-keys" in p] == ["POST", "POST"]
