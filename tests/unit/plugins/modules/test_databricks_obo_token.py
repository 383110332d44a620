"""databricks_obo_token (a token on behalf of a service principal): keep, create, rotate, revoke, and revoke the
service principal's unstored tokens (exclusive)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_obo_token as obo_token

DAY = 86400


@pytest.fixture
def obo(run_workspace_module, fake_databricks):
    """obo(check_mode=False, **args): databricks_obo_token for app-2 (six days) run against fake_databricks."""
    return run_workspace_module.bind(obo_token.main, fake_databricks, application_id="app-2", lifetime_seconds=6 * DAY)


def test_obo_token_lifecycle(obo, run_workspace_module, fake_databricks):
    first = obo()
    assert first["changed"] and first["token_value"] and first["token_info"]["owner_id"] == "sp-2"
    kept = obo(token_id=first["token_id"])
    assert not kept["changed"] and kept["token_value"] is None
    rotated = obo(token_id=first["token_id"], force_rotate=True)
    assert rotated["changed"] and rotated["previous_token_id"] == first["token_id"]
    revoked = run_workspace_module(obo_token.main, dict(token_id=first["token_id"], state="absent"), fake_databricks)
    assert revoked["changed"] and list(fake_databricks.tokens) == [rotated["token_id"]]
    assert ("DELETE", "/api/2.0/token-management/tokens/%s" % first["token_id"]) in fake_databricks.mutating_calls()


def test_obo_needs_an_application_id(run_workspace_module, fake_databricks):
    result = run_workspace_module(obo_token.main, {}, fake_databricks)
    assert result["failed"] and "application_id" in result["msg"]


def test_exclusive_obo_revokes_only_the_service_principal_tokens_with_its_comment(obo, fake_databricks):
    _v, held = fake_databricks.add_token("sp-2", lifetime_seconds=6 * DAY, comment="sp token", created_by="sp-admin")
    _v, unstored = fake_databricks.add_token("sp-2", lifetime_seconds=6 * DAY, comment="sp token",
                                             created_by="sp-admin")
    _v, admins = fake_databricks.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="sp token")
    rotated = obo(token_id=held["token_id"], comment="sp token", force_rotate=True, exclusive=True)
    assert rotated["action"] == "rotate" and rotated["previous_token_id"] == held["token_id"]
    assert rotated["revoked_token_ids"] == [unstored["token_id"]]
    assert sorted(fake_databricks.tokens) == sorted([held["token_id"], admins["token_id"], rotated["token_id"]])


def test_exclusive_obo_finds_the_held_token_in_the_one_listing(obo, fake_databricks):
    _v, held = fake_databricks.add_token("sp-2", lifetime_seconds=6 * DAY, comment="sp token", created_by="sp-admin")
    fake_databricks.calls.clear()
    kept = obo(token_id=held["token_id"], comment="sp token", exclusive=True)
    assert not kept["changed"] and kept["action"] == "keep" and kept["token_info"]["token_id"] == held["token_id"]
    assert [(method, path) for _listener, method, path in fake_databricks.calls] == [
        ("GET", "/api/2.0/token-management/tokens")]
    gone = obo(token_id="no-such-token", comment="sp token", exclusive=True, check_mode=True)
    assert gone["changed"] and gone["action"] == "create"
