"""databricks_account_storage_configuration against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_storage_configuration as account_storage_configuration,
)


def test_storage_configuration(run_account_module, fake_databricks):
    args = dict(name="x-storage", bucket_name="x-rootbucket")
    first = run_account_module(account_storage_configuration.main, args, fake_databricks)
    assert first["changed"] and first["storage_configuration"]["root_bucket_info"]["bucket_name"] == "x-rootbucket"
    assert not run_account_module(account_storage_configuration.main, args, fake_databricks)["changed"]


LOG_STORAGES = [{"name": "x-log-delivery-storage", "bucket_name": "x-databricks-logging"},
                {"name": "x-audit-log-storage", "bucket_name": "x-audit-logs"}]


def lists(fake):
    return [call for call in fake.calls if call[1] == "GET" and call[2].endswith("/storage-configurations")]


def test_configurations_in_one_run_list_the_account_once(run_account_module, fake_databricks):
    run = run_account_module.bind(account_storage_configuration.main, fake_databricks, configurations=LOG_STORAGES)
    planned = run(check_mode=True, diff=True)
    assert planned["changed"] and fake_databricks.mutating_calls() == [] and len(lists(fake_databricks)) == 1
    assert [entry["name"] for entry in planned["configurations"]] == ["x-log-delivery-storage", "x-audit-log-storage"]
    assert set(planned["diff"]["after"]) == {"x-log-delivery-storage", "x-audit-log-storage"}

    created = run()
    assert created["changed"] and len(fake_databricks.mutating_calls()) == 2
    ids = [entry["storage_configuration_id"] for entry in created["configurations"]]
    assert all(ids) and len(set(ids)) == 2
    assert created["configurations"][1]["storage_configuration"]["root_bucket_info"] == {"bucket_name": "x-audit-logs"}

    fake_databricks.calls.clear()
    again = run()
    assert not again["changed"] and [entry["storage_configuration_id"] for entry in again["configurations"]] == ids
    assert fake_databricks.calls == lists(fake_databricks) and len(fake_databricks.calls) == 1  # one list, no write

    # one entry's bucket changed: only that configuration is replaced (no workspace uses it)
    moved = run(configurations=[LOG_STORAGES[0], dict(LOG_STORAGES[1], bucket_name="x-audit-logs-2")])
    assert [entry["changed"] for entry in moved["configurations"]] == [False, True]
    assert moved["configurations"][1]["replaced"] is True

    gone = run(state="absent")
    assert gone["changed"] and fake_databricks.account["storage-configurations"] == {}


def test_configurations_refuse_a_name_given_twice_before_any_call(run_account_module, fake_databricks):
    result = run_account_module(account_storage_configuration.main,
                                {"configurations": [LOG_STORAGES[0], dict(LOG_STORAGES[0], bucket_name="other")]},
                                fake_databricks)
    assert result["failed"] and "repeated: x-log-delivery-storage" in result["msg"], result
    assert fake_databricks.calls == []


def test_configurations_and_name_are_exclusive(run_account_module, fake_databricks):
    result = run_account_module(account_storage_configuration.main,
                                {"name": "x", "bucket_name": "b", "configurations": LOG_STORAGES}, fake_databricks)
    assert result["failed"] and "mutually exclusive" in result["msg"] and fake_databricks.calls == []
