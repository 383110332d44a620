"""Auth as Databricks does it: discovery, OAuth M2M, PAT/OBO expiry and revocation, 401/403."""

import pytest
import requests
from databricks.sdk.errors import PermissionDenied, Unauthenticated

from .conftest import ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, account_client, m2m_client, pat_client, provision


def advance(emulator, seconds):
    requests.post(f"{emulator.url}/__sandbox/clock/advance", json={"seconds": seconds}, timeout=5).raise_for_status()


def account_token(emulator, secret=CLIENT_SECRET):
    return requests.post(f"{emulator.url}/oidc/accounts/{ACCOUNT_ID}/v1/token", auth=(CLIENT_ID, secret),
                         data={"grant_type": "client_credentials", "scope": "all-apis"}, timeout=5)


def test_discovery_documents(emulator, estate):
    meta = requests.get(f"{emulator.url}/.well-known/databricks-config", timeout=5).json()
    assert meta["oidc_endpoint"].endswith("/oidc/accounts/{account_id}") and "workspace_id" not in meta
    oidc = meta["oidc_endpoint"].replace("{account_id}", ACCOUNT_ID)
    doc = requests.get(f"{oidc}/.well-known/oauth-authorization-server", timeout=5).json()
    assert doc["token_endpoint"] == f"{oidc}/v1/token"
    _, url = provision(account_client(emulator), estate)
    ws_meta = requests.get(f"{url}/.well-known/databricks-config", timeout=5).json()
    assert ws_meta["oidc_endpoint"] == f"{url}/oidc" and ws_meta["workspace_id"]
    assert requests.get(f"{url}/oidc/.well-known/oauth-authorization-server", timeout=5).json()[
        "token_endpoint"] == f"{url}/oidc/v1/token"


def test_oauth_m2m_account_token(emulator):
    reply = account_token(emulator)
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and "refresh_token" not in body
    bad = account_token(emulator, secret="wrong")
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    # The SDK surfaces the token endpoint's refusal on the first call.
    with pytest.raises(ValueError, match="invalid_client"):
        account_client(emulator, secret="wrong").workspaces.list()


def test_account_token_expires_after_one_hour(emulator):
    token = account_token(emulator).json()["access_token"]
    url = f"{emulator.url}/api/2.0/accounts/{ACCOUNT_ID}/workspaces"
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    advance(emulator, 3601)
    reply = requests.get(url, headers=headers, timeout=5)
    assert reply.status_code == 401 and reply.json()["error_code"] == "UNAUTHENTICATED"


def test_missing_or_foreign_credentials(emulator, estate):
    a = account_client(emulator)
    _, url = provision(a, estate)
    pat = m2m_client(url).tokens.create(lifetime_seconds=600).token_value
    # No token at all.
    assert requests.get(f"{url}/api/2.0/token/list", timeout=5).status_code == 401
    # A workspace PAT on the account API, and an account token on a workspace.
    with pytest.raises(Unauthenticated):
        requests_do(f"{emulator.url}/api/2.0/accounts/{ACCOUNT_ID}/workspaces", pat)
    account_bearer = account_token(emulator).json()["access_token"]
    with pytest.raises(Unauthenticated):
        pat_client(url, account_bearer).tokens.list()
    # Another account id in the path.
    reply = requests.get(f"{emulator.url}/api/2.0/accounts/other/workspaces",
                         headers={"Authorization": f"Bearer {account_bearer}"}, timeout=5)
    assert reply.status_code == 403


def requests_do(url, token):
    """GET through the SDK's error parser, so the SDK's exception class is what we assert on."""
    from databricks.sdk.errors.parser import _Parser

    reply = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    error = _Parser().get_api_error(reply)
    if error:
        raise error
    return reply.json()


def test_pat_expires_with_the_clock_and_revocation_is_immediate(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    w = m2m_client(url)
    short = w.tokens.create(comment="short", lifetime_seconds=120)
    other = w.tokens.create(comment="other", lifetime_seconds=3600)
    assert pat_client(url, short.token_value).tokens.list()
    advance(emulator, 121)
    with pytest.raises(PermissionDenied, match="Invalid access token"):
        pat_client(url, short.token_value).tokens.list()
    assert [t.comment for t in w.tokens.list()] == ["other"]  # expired tokens drop out of the list
    w_other = pat_client(url, other.token_value)
    w_other.tokens.list()
    w.tokens.delete(other.token_info.token_id)
    with pytest.raises(PermissionDenied):
        w_other.tokens.list()


def test_obo_token_lifetime_and_revocation(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    w = m2m_client(url)
    sp = w.service_principals.create(display_name="sp")
    # Without CAN_USE on tokens the service principal can't get a token.
    with pytest.raises(PermissionDenied, match="CAN_USE"):
        w.token_management.create_obo_token(sp.application_id, lifetime_seconds=60)
    from databricks.sdk.service.settings import TokenAccessControlRequest, TokenPermissionLevel

    w.token_management.update_permissions(access_control_list=[TokenAccessControlRequest(
        service_principal_name=sp.application_id, permission_level=TokenPermissionLevel.CAN_USE)])
    obo = w.token_management.create_obo_token(sp.application_id, lifetime_seconds=60)
    assert obo.token_info.expiry_time - obo.token_info.creation_time == 60_000
    w_sp = pat_client(url, obo.token_value)
    assert w_sp.current_user.me().user_name == sp.application_id
    # A non-admin caller gets 403 on admin APIs.
    with pytest.raises(PermissionDenied):
        w_sp.token_management.list()
    with pytest.raises(PermissionDenied):
        w_sp.workspace_conf.get_status("maxTokenLifetimeDays")
    w.token_management.delete(obo.token_info.token_id)
    with pytest.raises(PermissionDenied):
        w_sp.current_user.me()


def test_token_lifetime_limits(emulator, estate):
    from databricks.sdk.errors import InvalidParameterValue

    _, url = provision(account_client(emulator), estate)
    w = m2m_client(url)
    with pytest.raises(InvalidParameterValue, match="730"):
        w.tokens.create(lifetime_seconds=731 * 86400)
    w.workspace_conf.set_status({"maxTokenLifetimeDays": "7"})
    with pytest.raises(InvalidParameterValue):
        w.tokens.create(lifetime_seconds=8 * 86400)
    capped = w.tokens.create(comment="no lifetime")
    assert capped.token_info.expiry_time - capped.token_info.creation_time == 7 * 86400 * 1000


def test_oauth_workspace_token_for_unassigned_sp_is_refused(emulator, estate):
    a = account_client(emulator)
    _, url = provision(a, estate)
    sp = a.service_principals.create(display_name="outsider")
    secret = a.service_principal_secrets.create(sp.id).secret
    reply = requests.post(f"{url}/oidc/v1/token", auth=(sp.application_id, secret),
                          data={"grant_type": "client_credentials", "scope": "all-apis"}, timeout=5)
    assert reply.status_code == 401
    # A non-admin account SP can authenticate to the account but not use the account API.
    token = requests.post(f"{emulator.url}/oidc/accounts/{ACCOUNT_ID}/v1/token", auth=(sp.application_id, secret),
                          data={"grant_type": "client_credentials"}, timeout=5).json()["access_token"]
    with pytest.raises(PermissionDenied):
        requests_do(f"{emulator.url}/api/2.0/accounts/{ACCOUNT_ID}/workspaces", token)
