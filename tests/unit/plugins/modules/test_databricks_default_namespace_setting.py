"""databricks_workspace_setting with a dotted field: the default namespace setting (default_namespace_ws), whose
value sits at namespace.value of the setting message (databricks-sdk service/settings.py DefaultNamespaceSetting)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_workspace_setting as workspace_setting,
)
from databricks.sdk import errors as sdk_errors

PATH = "/api/2.0/settings/types/default_namespace_ws/names/default"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class FakeDefaultNamespace:
    """Never set: a read answers 404 with the etag to create it with, as Databricks does."""

    def __init__(self):
        self.value, self.etag, self.patches = None, "etag-0", []

    def get(self, query, body):
        if self.value is None:
            raise sdk_errors.NotFound("not set", error_code="NOT_FOUND", details=[
                {"@type": ERROR_INFO, "metadata": {"etag": self.etag}}])
        return {"namespace": {"value": self.value}, "etag": self.etag, "setting_name": "default"}

    def patch(self, query, body):
        self.patches.append(body)
        assert body["field_mask"] == "namespace.value" and body["setting"]["etag"] == self.etag
        self.value = body["setting"]["namespace"]["value"]
        self.etag = "etag-%d" % len(self.patches)
        return {"namespace": {"value": self.value}, "etag": self.etag}


@pytest.fixture
def setting(fake_workspace, monkeypatch):
    fake = FakeDefaultNamespace()
    routes = fake_workspace._routes
    monkeypatch.setattr(fake_workspace, "_routes", lambda: [*routes(), (PATH, "GET", fake.get),
                                                            (PATH, "PATCH", fake.patch)])
    return fake


@pytest.fixture
def run(run_workspace_module, fake_workspace, setting):
    return run_workspace_module.bind(workspace_setting.main, fake_workspace, diff=True,
                                     setting="default_namespace_ws", field="namespace.value")


def test_the_default_catalog_is_set_at_the_dotted_path_and_a_rerun_changes_nothing(run, setting, fake_workspace):
    planned = run(value="lakehouse_dev", check_mode=True)
    assert planned["changed"] and planned["value"] == "lakehouse_dev" and fake_workspace.mutating_calls() == []
    applied = run(value="lakehouse_dev")
    assert applied["changed"] and setting.value == "lakehouse_dev"
    assert setting.patches == [{"allow_missing": True, "field_mask": "namespace.value", "setting": {
        "namespace": {"value": "lakehouse_dev"}, "etag": "etag-0", "setting_name": "default"}}]
    assert not run(value="lakehouse_dev")["changed"] and len(setting.patches) == 1
    changed = run(value="other")
    assert changed["changed"] and changed["diff"]["before"] == {"default_namespace_ws": "lakehouse_dev"}
