"""databricks_account_log_delivery: create, enable/disable, replace by disabling, never delete."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_log_delivery as account_log_delivery,
)

AUDIT = dict(name="lh-audit-logs", log_type="AUDIT_LOGS", credentials_id="cred-1", storage_configuration_id="st-1",
             delivery_path_prefix="audit-logs")


@pytest.fixture
def ld(run_account_module, fake_databricks):
    """ld(check_mode=False, **args): databricks_account_log_delivery with AUDIT updated by args, run against
    fake_databricks (diff on)."""
    return run_account_module.bind(account_log_delivery.main, fake_databricks, diff=True, **AUDIT)


def statuses(fake):
    return sorted((c["config_id"], c["status"]) for c in fake.log_delivery.values())


def test_created_then_unchanged(ld, fake_databricks):
    first = ld()
    assert first["changed"] and first["config_id"] and not first["replaced"]
    conf = fake_databricks.log_delivery[first["config_id"]]
    assert conf["output_format"] == "JSON" and conf["status"] == "ENABLED" and conf["config_name"] == "lh-audit-logs"
    second = ld()
    assert not second["changed"] and second["config_id"] == first["config_id"]


def test_found_on_a_later_page_of_the_list(ld, fake_databricks):
    fake_databricks.log_delivery_page_size = 2
    for i in range(5):  # disabled configurations of earlier deployments stay in the account
        fake_databricks.add_log_delivery(**dict(AUDIT, config_name="old-%d" % i, status="DISABLED"))
    mine = fake_databricks.add_log_delivery(**dict(AUDIT, config_name="lh-audit-logs", output_format="JSON"))
    del mine["name"]
    result = ld()
    assert not result["changed"] and result["config_id"] == mine["config_id"]
    assert fake_databricks.mutating_calls() == []


def test_check_mode(ld, fake_databricks):
    result = ld(check_mode=True)
    assert result["changed"] and result["config_id"] is None and fake_databricks.mutating_calls() == []
    assert result["diff"]["after"]["status"] == "ENABLED"


def test_check_mode_with_unknown_inputs_warns(ld, fake_databricks):
    result = ld(check_mode=True, credentials_id=None)
    # (the warning itself is deduplicated process-wide by ansible, so it is not asserted here)
    assert result["changed"] and result["config_id"] is None and fake_databricks.mutating_calls() == []


def test_disable_and_enable_again(ld, fake_databricks):
    first = ld()
    off = ld(state="disabled")
    assert off["changed"] and off["disabled_ids"] == [first["config_id"]]
    assert off["diff"]["after"]["status"] == "DISABLED"
    assert not ld(state="disabled")["changed"]
    on = ld()
    assert on["changed"] and on["config_id"] == first["config_id"] and len(fake_databricks.log_delivery) == 1
    assert fake_databricks.log_delivery[first["config_id"]]["status"] == "ENABLED"
    assert not any(method == "DELETE" for method, _path in fake_databricks.mutating_calls())


def test_changed_settings_replace_by_disabling(ld, fake_databricks):
    first = ld()
    result = ld(delivery_path_prefix="audit")
    assert result["changed"] and result["replaced"] and result["disabled_ids"] == [first["config_id"]]
    assert fake_databricks.log_delivery[first["config_id"]]["status"] == "DISABLED"
    assert fake_databricks.log_delivery[result["config_id"]]["delivery_path_prefix"] == "audit"
    assert not ld(delivery_path_prefix="audit")["changed"]
    # going back re-enables the old configuration instead of creating a third
    back = ld()
    assert back["config_id"] == first["config_id"] and len(fake_databricks.log_delivery) == 2
    assert statuses(fake_databricks) == sorted([(first["config_id"], "ENABLED"), (result["config_id"], "DISABLED")])


def test_create_needs_inputs(ld, fake_databricks):
    result = ld(storage_configuration_id=None)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER"


BOTH = [{"name": "lh-billable-usage", "log_type": "BILLABLE_USAGE", "delivery_path_prefix": "billable-usage",
         "storage_configuration_id": "st-usage"},
        {"name": "lh-audit-logs", "log_type": "AUDIT_LOGS", "delivery_path_prefix": "audit-logs"}]


def test_configurations_in_one_run_share_one_listing_and_the_module_options(run_account_module, fake_databricks):
    fake_databricks.log_delivery_page_size = 2
    for i in range(3):  # disabled configurations of earlier deployments: the list has two pages
        fake_databricks.add_log_delivery(**dict(AUDIT, config_name="old-%d" % i, status="DISABLED"))
    run = run_account_module.bind(account_log_delivery.main, fake_databricks, diff=True, credentials_id="cred-1",
                                  storage_configuration_id="st-1", configurations=BOTH)
    fake_databricks.calls.clear()
    planned = run(check_mode=True)
    assert planned["changed"] and fake_databricks.mutating_calls() == []
    assert set(planned["diff"]["after"]) == {"lh-billable-usage", "lh-audit-logs"}
    assert len([call for call in fake_databricks.calls if call[1] == "GET"]) == 2  # the two pages, once

    created = run()
    by_name = {entry["name"]: entry for entry in created["configurations"]}
    usage = fake_databricks.log_delivery[by_name["lh-billable-usage"]["config_id"]]
    audit = fake_databricks.log_delivery[by_name["lh-audit-logs"]["config_id"]]
    assert (usage["output_format"], usage["storage_configuration_id"], usage["credentials_id"]) == (
        "CSV", "st-usage", "cred-1")
    assert (audit["output_format"], audit["storage_configuration_id"]) == ("JSON", "st-1")  # the module's

    fake_databricks.calls.clear()
    again = run()
    assert not again["changed"] and fake_databricks.mutating_calls() == []
    assert len(fake_databricks.calls) == 3  # five configurations, two a page: the three pages, once

    disabled = run(state="disabled")
    assert [entry["changed"] for entry in disabled["configurations"]] == [True, True]
    assert usage["status"] == audit["status"] == "DISABLED"


def test_configurations_and_name_are_exclusive(run_account_module, fake_databricks):
    result = run_account_module(account_log_delivery.main, dict(AUDIT, configurations=BOTH), fake_databricks)
    assert result["failed"] and "mutually exclusive" in result["msg"] and fake_databricks.calls == []
