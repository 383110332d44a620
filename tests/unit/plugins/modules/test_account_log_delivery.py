"""account_log_delivery: create, enable/disable, replace by disabling, never delete."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_log_delivery as account_log_delivery,
)
from test_account_fakes import CONNECTION, run_module
from test_cluster_fakes import FakeWorkspace

AUDIT = dict(name="lh-audit-logs", log_type="AUDIT_LOGS", credentials_id="cred-1", storage_configuration_id="st-1",
             delivery_path_prefix="audit-logs")


@pytest.fixture
def fake():
    return FakeWorkspace()


def ld(fake, check_mode=False, **args):
    return run_module(account_log_delivery.main, dict(CONNECTION, **dict(AUDIT, **args)), fake,
                      check_mode=check_mode, diff=True)


def statuses(fake):
    return sorted((c["config_id"], c["status"]) for c in fake.log_delivery.values())


def test_created_then_unchanged(fake):
    first = ld(fake)
    assert first["changed"] and first["config_id"] and not first["replaced"]
    conf = fake.log_delivery[first["config_id"]]
    assert conf["output_format"] == "JSON" and conf["status"] == "ENABLED" and conf["config_name"] == "lh-audit-logs"
    second = ld(fake)
    assert not second["changed"] and second["config_id"] == first["config_id"]


def test_found_on_a_later_page_of_the_list(fake):
    fake.log_delivery_page_size = 2
    for i in range(5):  # disabled configurations of earlier deployments stay in the account
        fake.add_log_delivery(**dict(AUDIT, config_name="old-%d" % i, status="DISABLED"))
    mine = fake.add_log_delivery(**dict(AUDIT, config_name="lh-audit-logs", output_format="JSON"))
    del mine["name"]
    result = ld(fake)
    assert not result["changed"] and result["config_id"] == mine["config_id"]
    assert fake.mutating_calls() == []


def test_check_mode(fake):
    result = ld(fake, check_mode=True)
    assert result["changed"] and result["config_id"] is None and fake.mutating_calls() == []
    assert result["diff"]["after"]["status"] == "ENABLED"


def test_check_mode_with_unknown_inputs_warns(fake):
    result = ld(fake, check_mode=True, credentials_id=None)
    # (the warning itself is deduplicated process-wide by ansible, so it is not asserted here)
    assert result["changed"] and result["config_id"] is None and fake.mutating_calls() == []


def test_disable_and_enable_again(fake):
    first = ld(fake)
    off = ld(fake, state="disabled")
    assert off["changed"] and off["disabled_ids"] == [first["config_id"]]
    assert off["diff"]["after"]["status"] == "DISABLED"
    assert not ld(fake, state="disabled")["changed"]
    on = ld(fake)
    assert on["changed"] and on["config_id"] == first["config_id"] and len(fake.log_delivery) == 1
    assert fake.log_delivery[first["config_id"]]["status"] == "ENABLED"
    assert not any(method == "DELETE" for method, _path in fake.mutating_calls())


def test_changed_settings_replace_by_disabling(fake):
    first = ld(fake)
    result = ld(fake, delivery_path_prefix="audit")
    assert result["changed"] and result["replaced"] and result["disabled_ids"] == [first["config_id"]]
    assert fake.log_delivery[first["config_id"]]["status"] == "DISABLED"
    assert fake.log_delivery[result["config_id"]]["delivery_path_prefix"] == "audit"
    assert not ld(fake, delivery_path_prefix="audit")["changed"]
    # going back re-enables the old configuration instead of creating a third
    back = ld(fake)
    assert back["config_id"] == first["config_id"] and len(fake.log_delivery) == 2
    assert statuses(fake) == sorted([(first["config_id"], "ENABLED"), (result["config_id"], "DISABLED")])


def test_create_needs_inputs(fake):
    result = ld(fake, storage_configuration_id=None)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER"
