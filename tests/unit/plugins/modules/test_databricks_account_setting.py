"""databricks_account_setting (the account's settings API) against the fake setting of
test_databricks_workspace_setting, added to the fake account's routes."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_setting as account_setting
from databricks.sdk import errors as sdk_errors

A = "/api/2.0/accounts/acc-1"  # the fake account (conftest ACCOUNT)
ACCOUNT_PATH = A + "/settings/types/disable_legacy_features/names/default"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class FakeSetting:
    """One boolean account setting: false is left out of the reply; a stale etag is a 409 naming the current one."""

    def __init__(self, name):
        self.name, self.value, self.version = name, False, 0
        self.etag = "etag-0"

    def get(self, query, body):
        return {self.name: {"value": True} if self.value else {}, "etag": self.etag, "setting_name": "default"}

    def patch(self, query, body):
        assert body["allow_missing"] is True and body["field_mask"] == "%s.value" % self.name
        if body["setting"].get("etag") != self.etag:
            raise sdk_errors.ResourceConflict("etag mismatch", error_code="RESOURCE_CONFLICT", details=[
                {"@type": ERROR_INFO, "metadata": {"etag": self.etag}}])
        self.value = body["setting"][self.name]["value"]
        self.version += 1
        self.etag = "etag-%d" % self.version
        return self.get(query, body)


@pytest.fixture
def setting(fake_databricks, monkeypatch):
    fake = FakeSetting("disable_legacy_features")
    routes = fake_databricks._routes
    monkeypatch.setattr(fake_databricks, "_routes", lambda: [
        *routes(), (ACCOUNT_PATH, "GET", fake.get), (ACCOUNT_PATH, "PATCH", fake.patch)])
    return fake


@pytest.fixture
def run(run_account_module, fake_databricks, setting):
    return run_account_module.bind(account_setting.main, fake_databricks, diff=True, setting="disable_legacy_features")


def test_account_setting_is_planned_set_on_the_account_path_and_idempotent(run, setting, fake_databricks):
    planned = run(value=True, check_mode=True)
    assert planned["changed"] and planned["value"] is True and fake_databricks.mutating_calls() == []
    assert planned["diff"]["before"] == {"disable_legacy_features": False}
    first = run(value=True)
    assert first["changed"] and setting.value is True and first["etag"] == setting.etag
    assert not run(value=True)["changed"]
    assert fake_databricks.mutating_calls() == [("PATCH", ACCOUNT_PATH)]


def test_a_workspace_setting_name_is_unknown_to_the_account(run, fake_databricks):
    result = run(setting="disable_legacy_dbfs", value=True)
    assert result["failed"] and "the account does not know the setting disable_legacy_dbfs" in result["msg"]
    assert fake_databricks.mutating_calls() == []
