"""_databricks_settings with a dotted field: the default namespace setting (default_namespace_ws), whose value sits
at namespace.value of the setting message (databricks-sdk service/settings.py DefaultNamespaceSetting), run at the
module_utils seam with a module whose request() lands in a fake settings API."""

import copy

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_settings import (
    SettingsApi,
    run_setting,
)
from databricks.sdk import errors as sdk_errors

PATH = "/api/2.0/settings/types/default_namespace_ws/names/default"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class FakeDefaultNamespace:
    """Never set: a read answers 404 with the etag to create it with, as Databricks does."""

    def __init__(self):
        self.value, self.etag, self.patches = None, "etag-0", []

    def get(self):
        if self.value is None:
            raise sdk_errors.NotFound("not set", error_code="NOT_FOUND", details=[
                {"@type": ERROR_INFO, "metadata": {"etag": self.etag}}])
        return {"namespace": {"value": self.value}, "etag": self.etag, "setting_name": "default"}

    def patch(self, body):
        self.patches.append(copy.deepcopy(body))
        assert body["field_mask"] == "namespace.value" and body["setting"]["etag"] == self.etag
        self.value = body["setting"]["namespace"]["value"]
        self.etag = "etag-%d" % len(self.patches)
        return {"namespace": {"value": self.value}, "etag": self.etag}


class Module:
    """What run_setting uses of a DatabricksModule: params, api, check_mode, request() and result()."""

    api = "workspace"

    def __init__(self, fake, value, field="namespace.value", check_mode=False):
        self.fake, self.check_mode = fake, check_mode
        self.params = dict(setting="default_namespace_ws", field=field, value=value)

    def request(self, method, path, body=None, action=None, fail=True):
        assert path == PATH
        return self.fake.get() if method == "GET" else self.fake.patch(body)

    @staticmethod
    def result(changed=False, diff=None, **values):
        return dict(values, changed=changed, diff=diff)


@pytest.fixture
def fake():
    return FakeDefaultNamespace()


def test_the_default_catalog_is_set_at_the_dotted_path_and_a_rerun_changes_nothing(fake):
    planned = run_setting(Module(fake, "lakehouse_dev", check_mode=True), "/api/2.0")
    assert planned["changed"] and planned["value"] == "lakehouse_dev" and fake.patches == []
    applied = run_setting(Module(fake, "lakehouse_dev"), "/api/2.0")
    assert applied["changed"] and fake.value == "lakehouse_dev" and applied["etag"] == "etag-1"
    assert fake.patches == [{"allow_missing": True, "field_mask": "namespace.value", "setting": {
        "namespace": {"value": "lakehouse_dev"}, "etag": "etag-0", "setting_name": "default"}}]
    assert not run_setting(Module(fake, "lakehouse_dev"), "/api/2.0")["changed"] and len(fake.patches) == 1
    changed = run_setting(Module(fake, "other"), "/api/2.0")
    assert changed["changed"] and changed["diff"] == {"before": {"default_namespace_ws": "lakehouse_dev"},
                                                      "after": {"default_namespace_ws": "other"}}


def test_an_undotted_field_stays_under_the_member_named_after_the_setting(fake):
    module = Module(fake, True, field="value")
    module.params["setting"] = "disable_legacy_dbfs"
    api = SettingsApi(module, "/api/2.0")
    assert api.field_mask == "disable_legacy_dbfs.value"
    assert api.message(True) == {"disable_legacy_dbfs": {"value": True}}
    dotted = SettingsApi(Module(fake, "x"), "/api/2.0")
    assert dotted.field_mask == "namespace.value" and dotted.message("x") == {"namespace": {"value": "x"}}
