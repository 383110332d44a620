"""databricks_account_customer_managed_key against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_customer_managed_key as account_customer_managed_key,
)

from tests.unit.plugins.modules.conftest import ACCOUNT


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


STORAGE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/k-3"
SERVICES_KEY = "arn:aws:kms:eu-west-1:123456789012:key/k-4"


def test_keys_in_one_run_listed_once(run_account_module, fake_databricks):
    def run(keys, check_mode=False, **args):
        return run_account_module(account_customer_managed_key.main, dict(configurations=keys, **args), fake_databricks,
                                  check_mode=check_mode, diff=True)

    keys = [{"key_arn": STORAGE_KEY, "use_cases": ["STORAGE"], "name": "storage"}, {"key_arn": SERVICES_KEY}]
    planned = run(keys, check_mode=True, use_cases=["MANAGED_SERVICES"])  # the module's use cases: the default
    assert planned["changed"] and fake_databricks.mutating_calls() == []
    assert [(k["key_arn"], k["use_cases"], k["changed"]) for k in planned["configurations"]] == [
        (STORAGE_KEY, ["STORAGE"], True), (SERVICES_KEY, ["MANAGED_SERVICES"], True)]
    created = run(keys, use_cases=["MANAGED_SERVICES"])
    assert [k["customer_managed_key"]["use_cases"] for k in created["configurations"]] == [
        ["STORAGE"], ["MANAGED_SERVICES"]]
    assert [k.get("name") for k in created["configurations"]] == ["storage", None]
    assert "%s ['STORAGE']" % STORAGE_KEY in created["diff"]["after"]
    fake_databricks.calls.clear()
    again = run(keys, use_cases=["MANAGED_SERVICES"])
    assert not again["changed"] and [k["customer_managed_key_id"] for k in again["configurations"]] == [
        k["customer_managed_key_id"] for k in created["configurations"]]
    assert [(m, p) for _l, m, p in fake_databricks.calls] == [
        ("GET", "/api/2.0/accounts/%s/customer-managed-keys" % ACCOUNT)]
    # One key, once per use case: two registrations; the same use case twice fails before any call.
    both = run([{"key_arn": STORAGE_KEY, "use_cases": ["STORAGE"]}, {"key_arn": STORAGE_KEY,
                                                                     "use_cases": ["MANAGED_SERVICES"]}])
    assert both["changed"] and [k["changed"] for k in both["configurations"]] == [False, True]
    fake_databricks.calls.clear()
    for overlapping in ([{"key_arn": STORAGE_KEY, "use_cases": ["STORAGE"]},
                         {"key_arn": STORAGE_KEY, "use_cases": ["STORAGE", "MANAGED_SERVICES"]}],
                        [{"key_arn": STORAGE_KEY, "use_cases": ["STORAGE"]}, {"key_arn": STORAGE_KEY}]):
        refused = run(overlapping)
        assert refused["failed"] and refused["error_code"] == "INVALID_PARAMETER" and STORAGE_KEY in refused["msg"]
    assert fake_databricks.calls == []
    removed = run(keys, state="absent", use_cases=["MANAGED_SERVICES"])
    assert [k["changed"] for k in removed["configurations"]] == [True, True]
    exclusive = run(keys, key_arn=STORAGE_KEY)
    assert exclusive["failed"] and "mutually exclusive" in exclusive["msg"]
