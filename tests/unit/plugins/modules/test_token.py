"""token and obo_token: keep a valid token, create a missing one, rotate near expiry, revoke."""

import time

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_tokens as lifecycle
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_obo_token as obo_token
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_token as token

DAY = 86400


@pytest.fixture
def fake(fake_databricks):
    """fake_databricks at the present time (the modules compare expiry times with the clock) and with a second
    service principal, sp-2 (application app-2)."""
    fake_databricks.now_ms = int(time.time() * 1000)
    fake_databricks.principals["ServicePrincipals"]["sp-2"] = {"id": "sp-2", "applicationId": "app-2",
                                                               "displayName": "SP"}
    return fake_databricks


@pytest.fixture
def pat(run_workspace_module, fake):
    """pat(check_mode=False, **args): databricks_token (comment automation, six days) run against fake (diff on)."""

    def run(check_mode=False, **args):
        return run_workspace_module(token.main, dict(comment="automation", lifetime_seconds=6 * DAY, **args), fake,
                                    check_mode=check_mode, diff=True)

    return run


def test_decide():
    now = 1_000_000
    assert lifecycle.decide(None, now, 60)[0] == lifecycle.CREATE
    assert lifecycle.decide({"expiry_time": -1}, now, 60)[0] == lifecycle.KEEP
    assert lifecycle.decide({"expiry_time": now + 120_000}, now, 60)[0] == lifecycle.KEEP
    assert lifecycle.decide({"expiry_time": now + 30_000}, now, 60)[0] == lifecycle.ROTATE
    assert lifecycle.decide({"expiry_time": now + 120_000}, now, 60, force=True)[0] == lifecycle.ROTATE


def test_pat_created_then_kept(pat, fake):
    first = pat()
    assert first["changed"] and first["action"] == "create" and first["token_value"].startswith("dapi")
    assert first["token_value"] not in repr(first["diff"])
    second = pat(token_id=first["token_id"])
    assert not second["changed"] and second["action"] == "keep" and second["token_value"] is None
    assert len(fake.tokens) == 1


def test_pat_near_expiry_is_rotated_without_revoking_the_old_one(pat, fake):
    _token, held = fake.add_token("sp-admin", lifetime_seconds=3600)
    result = pat(token_id=held["token_id"], rotate_before_seconds=DAY)
    assert result["changed"] and result["action"] == "rotate" and result["previous_token_id"] == held["token_id"]
    assert held["token_id"] in fake.tokens and len(fake.tokens) == 2


def test_forced_rotation_and_revocation(pat, run_workspace_module, fake):
    _token, held = fake.add_token("sp-admin", lifetime_seconds=6 * DAY)
    result = pat(token_id=held["token_id"], force_rotate=True)
    assert result["action"] == "rotate"
    revoked = run_workspace_module(token.main, dict(token_id=held["token_id"], state="absent"), fake)
    assert revoked["changed"] and held["token_id"] not in fake.tokens
    again = run_workspace_module(token.main, dict(token_id=held["token_id"], state="absent"), fake)
    assert not again["changed"]


def test_vanished_token_is_replaced(pat, fake):
    result = pat(token_id="gone")
    assert result["changed"] and result["action"] == "create" and result["previous_token_id"] is None


def test_check_mode_creates_nothing(pat, fake):
    result = pat(check_mode=True)
    assert result["changed"] and result["token_id"] is None and fake.mutating_calls() == []


def test_connection_token_is_masked(run_workspace_module, fake):
    args = dict(token="dapi-connection-secret")
    result = run_workspace_module(token.main, args, fake)
    assert "dapi-connection-secret" not in repr(result)


@pytest.fixture
def obo(run_workspace_module, fake):
    """obo(check_mode=False, **args): databricks_obo_token for app-2 (six days) run against fake."""

    def run(check_mode=False, **args):
        return run_workspace_module(obo_token.main, dict(application_id="app-2", lifetime_seconds=6 * DAY, **args),
                                    fake, check_mode=check_mode)

    return run


def test_obo_token_lifecycle(obo, run_workspace_module, fake):
    first = obo()
    assert first["changed"] and first["token_value"] and first["token_info"]["owner_id"] == "sp-2"
    kept = obo(token_id=first["token_id"])
    assert not kept["changed"] and kept["token_value"] is None
    rotated = obo(token_id=first["token_id"], force_rotate=True)
    assert rotated["changed"] and rotated["previous_token_id"] == first["token_id"]
    revoked = run_workspace_module(obo_token.main, dict(token_id=first["token_id"], state="absent"), fake)
    assert revoked["changed"] and list(fake.tokens) == [rotated["token_id"]]
    assert ("DELETE", "/api/2.0/token-management/tokens/%s" % first["token_id"]) in fake.mutating_calls()


def test_obo_needs_an_application_id(run_workspace_module, fake):
    result = run_workspace_module(obo_token.main, {}, fake)
    assert result["failed"] and "application_id" in result["msg"]


def test_exclusive_pat_revokes_the_unstored_tokens_with_its_comment(pat, fake):
    _v, held = fake.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="automation")
    _v, unstored = fake.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="automation")
    _v, other = fake.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="someone else's")
    plan = pat(check_mode=True, token_id=held["token_id"], exclusive=True)
    assert plan["changed"] and plan["revoked_token_ids"] == [unstored["token_id"]] and fake.mutating_calls() == []
    kept = pat(token_id=held["token_id"], exclusive=True)
    assert kept["changed"] and kept["action"] == "keep" and kept["revoked_token_ids"] == [unstored["token_id"]]
    assert sorted(fake.tokens) == sorted([held["token_id"], other["token_id"]])
    again = pat(token_id=held["token_id"], exclusive=True)
    assert not again["changed"] and again["revoked_token_ids"] == []
    # no token held (an interrupted first run): every token with the comment goes, a new one is created
    created = pat(exclusive=True)
    assert created["action"] == "create" and created["revoked_token_ids"] == [held["token_id"]]
    assert sorted(fake.tokens) == sorted([created["token_id"], other["token_id"]])


def test_exclusive_obo_revokes_only_the_service_principal_tokens_with_its_comment(obo, fake):
    _v, held = fake.add_token("sp-2", lifetime_seconds=6 * DAY, comment="sp token", created_by="sp-admin")
    _v, unstored = fake.add_token("sp-2", lifetime_seconds=6 * DAY, comment="sp token", created_by="sp-admin")
    _v, admins = fake.add_token("sp-admin", lifetime_seconds=6 * DAY, comment="sp token")
    rotated = obo(token_id=held["token_id"], comment="sp token", force_rotate=True, exclusive=True)
    assert rotated["action"] == "rotate" and rotated["previous_token_id"] == held["token_id"]
    assert rotated["revoked_token_ids"] == [unstored["token_id"]]
    assert sorted(fake.tokens) == sorted([held["token_id"], admins["token_id"], rotated["token_id"]])
