"""databricks_token (the caller's own token): keep a valid token, create a missing one, rotate near expiry,
revoke, and revoke the unstored ones (exclusive)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_token as token

DAY = 86400


@pytest.fixture
def pat(run_workspace_module, fake_databricks):
    """pat(check_mode=False, **args): databricks_token (comment automation, six days) run against fake_databricks
    (diff on)."""
    return run_workspace_module.bind(token.main, fake_databricks, diff=True, comment="automation",
                                     lifetime_seconds=6 * DAY)


def test_pat_created_then_kept(pat, fake_databricks):
    first = pat()
    assert first["changed"] and first["action"] == "create" and first["token_value"].startswith("dapi")
    assert first["token_value"] not in repr(first["diff"])
    second = pat(token_id=first["token_id"])
    assert not second["changed"] and second["action"] == "keep" and second["token_value"] is None
    assert len(fake_databricks.tokens) == 1


def test_pat_near_expiry_is_rotated_without_revoking_the_old_one(pat, fake_databricks):
    _token, held = fake_databricks.add_token("sp-admin", lifetime_seconds=3600)
    result = pat(token_id=held["token_id"], rotate_before_seconds=DAY)
    assert result["changed"] and result["action"] == "rotate" and result["previous_token_id"] == held["token_id"]
    assert held["token_id"] in fake_databricks.tokens and len(fake_databricks.tokens) == 2


def test_forced_rotation_and_revocation(pat, run_workspace_module, fake_databricks):
    _token, held = fake_databricks.add_token("sp-admin", lifetime_seconds=6 * DAY)
    result = pat(token_id=held["token_id"], force_rotate=True)
    assert result["action"] == "rotate"
    revoked = run_workspace_module(token.main, dict(token_id=held["token_id"], state="absent"), fake_databricks)
    assert revoked["changed"] and held["token_id"] not in fake_databricks.tokens
    again = run_workspace_module(token.main, dict(token_id=held["token_id"], state="absent"), fake_databricks)
    assert not again["changed"]


def test_vanished_token_is_replaced(pat, fake_databricks):
    result = pat(token_id="gone")
    assert result["changed"] and result["action"] == "create" and result["previous_token_id"] is None


def test_check_mode_creates_nothing(pat, fake_databricks):
    result = pat(check_mode=True)
    assert result["changed"] and result["token_id"] is None and fake_databricks.mutating_calls() == []


def test_connection_token_is_masked(run_workspace_module, fake_databricks):
    args = dict(token="dapi-connection-secret")
    result = run_workspace_module(token.main, args, fake_databricks)
    assert "dapi-connection-secret" not in repr(result)


def test_exclusive_pat_revokes_the_unstored_tokens_with_its_comment(pat, fake_databricks):
    _v, held = fake_databricks.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="automation")
    _v, unstored = fake_databricks.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="automation")
    _v, other = fake_databricks.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="someone else's")
    plan = pat(check_mode=True, token_id=held["token_id"], exclusive=True)
    assert plan["changed"] and plan["revoked_token_ids"] == [unstored["token_id"]]
    assert fake_databricks.mutating_calls() == []
    kept = pat(token_id=held["token_id"], exclusive=True)
    assert kept["changed"] and kept["action"] == "keep" and kept["revoked_token_ids"] == [unstored["token_id"]]
    assert sorted(fake_databricks.tokens) == sorted([held["token_id"], other["token_id"]])
    again = pat(token_id=held["token_id"], exclusive=True)
    assert not again["changed"] and again["revoked_token_ids"] == []
    # no token held (an interrupted first run): every token with the comment goes, a new one is created
    created = pat(exclusive=True)
    assert created["action"] == "create" and created["revoked_token_ids"] == [held["token_id"]]
    assert sorted(fake_databricks.tokens) == sorted([created["token_id"], other["token_id"]])
