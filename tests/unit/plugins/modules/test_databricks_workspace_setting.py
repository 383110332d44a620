"""databricks_workspace_setting (the workspace's settings API) against a fake settings API with etag concurrency,
added to the fake workspace's routes."""

import itertools

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_workspace_setting as workspace_setting,
)
from databricks.sdk import errors as sdk_errors

WS_PATH = "/api/2.0/settings/types/disable_legacy_dbfs/names/default"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class FakeSetting:
    """One boolean setting: a false value is left out of the reply, as Databricks renders it; a stale etag is a 409
    RESOURCE_CONFLICT naming the current one."""

    def __init__(self, name):
        self.name, self.value, self.versions = name, False, itertools.count(1)
        self.etag = "etag-0"
        self.patches = []

    def get(self, query, body):
        return {self.name: {"value": True} if self.value else {}, "etag": self.etag, "setting_name": "default"}

    def patch(self, query, body):
        self.patches.append(body)
        assert body["allow_missing"] is True and body["field_mask"] == "%s.value" % self.name
        if body["setting"].get("etag") != self.etag:
            raise sdk_errors.ResourceConflict("etag mismatch", error_code="RESOURCE_CONFLICT", details=[
                {"@type": ERROR_INFO, "reason": "ETAG_MISMATCH", "metadata": {"etag": self.etag}}])
        self.value = body["setting"][self.name]["value"]
        self.etag = "etag-%d" % next(self.versions)
        return self.get(query, body)


@pytest.fixture
def ws_setting(fake_workspace, monkeypatch):
    setting = FakeSetting("disable_legacy_dbfs")
    routes = fake_workspace._routes
    monkeypatch.setattr(fake_workspace, "_routes", lambda: [
        *routes(), (WS_PATH, "GET", setting.get), (WS_PATH, "PATCH", setting.patch)])
    return setting


@pytest.fixture
def run_ws(run_workspace_module, fake_workspace, ws_setting):
    return run_workspace_module.bind(workspace_setting.main, fake_workspace, diff=True, setting="disable_legacy_dbfs")


def test_check_mode_predicts_then_the_update_is_sent_with_the_etag_and_is_idempotent(
        run_ws, ws_setting, fake_workspace):
    planned = run_ws(value=True, check_mode=True)
    assert planned["changed"] and planned["value"] is True and fake_workspace.mutating_calls() == []
    assert planned["diff"] == {"before": {"disable_legacy_dbfs": False}, "after": {"disable_legacy_dbfs": True}}
    applied = run_ws(value=True)
    assert applied["changed"] and ws_setting.value is True and applied["etag"] == ws_setting.etag
    assert ws_setting.patches[0]["setting"]["etag"] == "etag-0"
    assert fake_workspace.mutating_calls() == [("PATCH", WS_PATH)]
    again = run_ws(value="yes")  # a boolean given as a string is the same value
    assert not again["changed"] and len(fake_workspace.mutating_calls()) == 1


def test_an_unset_boolean_reads_as_false(run_ws, fake_workspace):
    result = run_ws(value=False)
    assert not result["changed"] and result["value"] is False and fake_workspace.mutating_calls() == []


def test_a_conflict_is_retried_once_with_the_etag_it_names(run_ws, ws_setting, fake_workspace):
    original_get = ws_setting.get
    reads = []

    def stale_first_read(query, body):  # someone else writes between our read and our update
        reply = original_get(query, body)
        if not reads:
            ws_setting.etag = "etag-changed"
        reads.append(reply)
        return reply

    ws_setting.get = stale_first_read
    result = run_ws(value=True)
    assert result["changed"] and ws_setting.value is True
    assert [p["setting"]["etag"] for p in ws_setting.patches] == ["etag-0", "etag-changed"]


def test_a_second_conflict_fails_the_module(run_ws, ws_setting, fake_workspace):
    conflict = sdk_errors.ResourceConflict("etag mismatch", error_code="RESOURCE_CONFLICT", details=[
        {"@type": ERROR_INFO, "metadata": {"etag": "etag-x"}}])
    fake_workspace.fault("PATCH", "disable_legacy_dbfs", conflict, count=2)
    result = run_ws(value=True)
    assert result["failed"] and result["error_code"] == "RESOURCE_CONFLICT" and ws_setting.value is False


def test_an_unknown_setting_fails_before_any_change(run_workspace_module, fake_workspace, ws_setting):
    result = run_workspace_module(workspace_setting.main, dict(setting="no_such_setting", value=True), fake_workspace)
    assert result["failed"] and "does not know the setting no_such_setting" in result["msg"]
    assert fake_workspace.mutating_calls() == []


def test_a_never_set_setting_answering_404_with_an_etag_is_created_with_it(run_ws, ws_setting, fake_workspace):
    fake_workspace.fault("GET", "disable_legacy_dbfs", sdk_errors.NotFound(
        "not set", error_code="NOT_FOUND", details=[{"@type": ERROR_INFO, "metadata": {"etag": "etag-0"}}]))
    result = run_ws(value=True)
    assert result["changed"] and ws_setting.value is True
