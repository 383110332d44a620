"""Discovery documents (``/.well-known/...``) and OAuth M2M token endpoints, on both kinds of host."""

import base64
import binascii

from ..core import Reply, route
from ..models.auth import OAUTH_LIFETIME_S


def _oauth_metadata(issuer: str) -> dict:
    return {"issuer": issuer, "authorization_endpoint": f"{issuer}/v1/authorize",
            "token_endpoint": f"{issuer}/v1/token", "jwks_uri": f"{issuer}/v1/keys",
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
            "response_types_supported": ["code"], "scopes_supported": ["all-apis", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}


def _oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def _client_credentials(req) -> tuple[str, str] | Reply:
    """client_id/secret from HTTP Basic auth or the form (client_secret_post)."""
    if req.form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    header = req.headers.get("Authorization") or ""
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header.split(None, 1)[1]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        return client_id, secret
    return req.form.get("client_id", ""), req.form.get("client_secret", "")


def _token_reply(value: str) -> dict:
    return {"access_token": value, "token_type": "Bearer", "expires_in": OAUTH_LIFETIME_S, "scope": "all-apis"}


# --- account host --------------------------------------------------------------------------
@route("account", "GET", "/.well-known/databricks-config", auth=False)
def account_host_metadata(req):
    return {"oidc_endpoint": f"{req.base_url}/oidc/accounts/{{account_id}}", "cloud": "aws"}


@route("account", "GET", "/oidc/accounts/{account_id}/.well-known/oauth-authorization-server", auth=False)
def account_oauth_metadata(req):
    return _oauth_metadata(f"{req.base_url}/oidc/accounts/{req.params['account_id']}")


@route("account", "POST", "/oidc/accounts/{account_id}/v1/token", auth=False)
def account_token(req):
    creds = _client_credentials(req)
    if isinstance(creds, Reply):
        return creds
    account = req.state.account
    sp = account.check_client_secret(*creds)
    if sp is None or req.params["account_id"] != account.account_id:
        return _oauth_error(401, "invalid_client", "Client authentication failed.")
    value, _ = req.state.tokens.issue("oauth", None, sp["id"], OAUTH_LIFETIME_S)
    return _token_reply(value)


# --- workspace host --------------------------------------------------------------------------
@route("workspace", "GET", "/.well-known/databricks-config", auth=False)
def workspace_host_metadata(req):
    return {"oidc_endpoint": f"{req.base_url}/oidc", "workspace_id": str(req.workspace_id),
            "account_id": req.state.account_id, "cloud": "aws"}


@route("workspace", "GET", "/oidc/.well-known/oauth-authorization-server", auth=False)
def workspace_oauth_metadata(req):
    return _oauth_metadata(f"{req.base_url}/oidc")


@route("workspace", "POST", "/oidc/v1/token", auth=False)
def workspace_token(req):
    """Account service principals (by client id + an account OAuth secret) present in the workspace."""
    creds = _client_credentials(req)
    if isinstance(creds, Reply):
        return creds
    if req.state.account.check_client_secret(*creds) is None:
        return _oauth_error(401, "invalid_client", "Client authentication failed.")
    local = req.backend.principal_by_application_id(creds[0])
    if local is None:
        return _oauth_error(401, "invalid_client", "The service principal is not assigned to this workspace.")
    value, _ = req.state.tokens.issue("oauth", req.workspace_id, local["id"], OAUTH_LIFETIME_S)
    return _token_reply(value)
