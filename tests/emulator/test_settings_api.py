"""The settings API (workspace and account): etag concurrency, unknown settings, validation, admin only; and the
workspace-conf key enforceUserIsolation refusing "No isolation shared" clusters."""

import pytest
import requests
from databricks.sdk.errors import InvalidParameterValue, NotFound, PermissionDenied, ResourceConflict
from databricks.sdk.service import compute, settings

from .conftest import account_client, m2m_client, pat_client, provision

DBFS = "/api/2.0/settings/types/disable_legacy_dbfs/names/default"


@pytest.fixture
def w(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    return m2m_client(url)


def _patch(client, path, value, etag=None, **overrides):
    setting = {path.split("/")[-3]: {"value": value}}
    if etag is not None:
        setting["etag"] = etag
    body = dict({"allow_missing": True, "field_mask": f"{path.split('/')[-3]}.value", "setting": setting}, **overrides)
    return client.api_client.do("PATCH", path, body=body)


def test_never_set_setting_reads_its_default_with_an_etag(w):
    raw = w.api_client.do("GET", DBFS)
    assert raw["disable_legacy_dbfs"] == {} and raw["etag"] and raw["setting_name"] == "default"  # false: left out


def test_a_stale_etag_is_a_conflict_naming_the_current_one(w):
    first = w.settings.disable_legacy_dbfs.get().etag
    updated = _patch(w, DBFS, True, etag=first)
    assert updated["disable_legacy_dbfs"] == {"value": True} and updated["etag"] != first
    with pytest.raises(ResourceConflict) as conflict:
        _patch(w, DBFS, False, etag=first)
    info = conflict.value.get_error_details().error_info
    assert info.metadata["etag"] == updated["etag"]
    with pytest.raises(ResourceConflict):  # once written, an update without an etag is refused too
        _patch(w, DBFS, False)
    assert w.settings.disable_legacy_dbfs.get().disable_legacy_dbfs.value is True  # nothing changed
    _patch(w, DBFS, False, etag=info.metadata["etag"])  # the etag the conflict named is accepted
    with pytest.raises(ResourceConflict):
        w.settings.disable_legacy_dbfs.delete(etag=updated["etag"])


def test_unknown_setting_type_is_404(w):
    with pytest.raises(NotFound):
        w.api_client.do("GET", "/api/2.0/settings/types/no_such_setting/names/default")
    with pytest.raises(NotFound):
        w.api_client.do("PATCH", "/api/2.0/settings/types/no_such_setting/names/default", body={})


@pytest.mark.parametrize("overrides, message", [
    ({"allow_missing": False}, "allow_missing"),
    ({"field_mask": ""}, "field_mask"),
    ({"field_mask": "disable_legacy_dbfs.other"}, "field mask"),
    ({"setting": {"disable_legacy_dbfs": {}}}, "value"),
    ({"setting": {"disable_legacy_dbfs": {"value": "true"}}}, "boolean"),
])
def test_update_validation(w, overrides, message):
    with pytest.raises(InvalidParameterValue, match=message):
        _patch(w, DBFS, True, **overrides)
    assert not w.settings.disable_legacy_dbfs.get().disable_legacy_dbfs.value


def test_workspace_settings_are_admin_only(w):
    sp = w.service_principals.create(display_name="plain")
    w.token_management.set_permissions(access_control_list=[settings.TokenAccessControlRequest(
        group_name="users", permission_level=settings.TokenPermissionLevel.CAN_USE)])
    plain = pat_client(w.config.host, w.token_management.create_obo_token(sp.application_id).token_value)
    with pytest.raises(PermissionDenied):
        plain.settings.disable_legacy_dbfs.get()


def test_account_setting_etag_and_raw_error_body(emulator):
    a = account_client(emulator)
    path = f"/api/2.0/accounts/{a.config.account_id}/settings/types/disable_legacy_features/names/default"
    etag = a.settings.disable_legacy_features.get().etag
    _patch(a, path, True, etag=etag)
    raw = requests.patch(f"{a.config.host}{path}", headers=a.config.authenticate(), timeout=5, json={
        "allow_missing": True, "field_mask": "disable_legacy_features.value",
        "setting": {"disable_legacy_features": {"value": False}, "etag": etag}})
    assert raw.status_code == 409
    body = raw.json()
    assert body["error_code"] == "RESOURCE_CONFLICT"
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert body["details"][0]["metadata"]["etag"] == a.settings.disable_legacy_features.get().etag


def test_enforce_user_isolation_refuses_no_isolation_clusters(w):
    spec = {"spark_version": "16.4.x-scala2.12", "node_type_id": "r5.large", "num_workers": 0}
    legacy = w.clusters.create(**spec).cluster_id  # created before the key is set
    w.workspace_conf.set_status({"enforceUserIsolation": "true"})
    with pytest.raises(InvalidParameterValue, match="enforceUserIsolation"):
        w.clusters.create(**spec)
    with pytest.raises(InvalidParameterValue, match="enforceUserIsolation"):
        w.clusters.create(**spec, data_security_mode=compute.DataSecurityMode.NONE)
    w.clusters.create(**spec, data_security_mode=compute.DataSecurityMode.USER_ISOLATION)
    w.clusters.delete(legacy).result()
    with pytest.raises(InvalidParameterValue, match="enforceUserIsolation"):
        w.clusters.start(legacy)
