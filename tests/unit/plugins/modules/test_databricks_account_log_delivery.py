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
