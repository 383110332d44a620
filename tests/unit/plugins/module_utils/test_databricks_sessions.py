"""Databricks SDK Configs reused within the interpreter (_databricks_client's session cache).

Under the mitogen strategy one interpreter runs every task of a host, so equal connection options
reuse one Config (host discovery, OIDC endpoints, OAuth token source). Different credentials, hosts
or settings get their own; an authentication failure in the base module drops the sessions of those
credentials; the cache is bounded; it survives mitogen's removal of module_utils from sys.modules.
"""

import hashlib
import importlib
import json
import sys

import pytest
import requests
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_connection as conn
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _interpreter_patches as patches
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure
from databricks.sdk import errors as sdk_errors
from databricks.sdk import oauth as sdk_oauth

SECRET = "client-secret-value-0123"
TOKEN = "dapi-token-value-4567"


def params(**overrides):
    base = {name: spec.get("default") for name, spec in conn.connection_argument_spec().items()}
    base.update(account_host="https://accounts.example", account_id="acc-1", client_id="cid",
                client_secret=SECRET, workspace_host="https://dbc-1.example", retry_timeout=30)
    base.update(overrides)
    return base


class Built:
    """Stands in for databricks.sdk Config: counts constructions, keeps the keyword arguments."""

    def __init__(self):
        self.configs = []

    def __call__(self, **kwargs):
        config = type("FakeConfig", (), {})()
        config.kwargs = kwargs
        self.configs.append(config)
        return config


@pytest.fixture
def built(monkeypatch):
    monkeypatch.setattr(sdk_oauth, "requests", requests)
    fake = Built()
    monkeypatch.setattr(client_utils, "Config", fake)
    return fake


def test_equal_options_reuse_one_config(built):
    first = client_utils.build_config(params(), "account")
    again = client_utils.build_config(params(), "account")
    assert again is first and len(built.configs) == 1
    assert first.kwargs["client_secret"] == SECRET  # the SDK still gets the secret itself


def test_workspace_sessions_are_reused_per_host(built):
    one = client_utils.build_config(params(token=TOKEN), "workspace")
    other = client_utils.build_config(params(token=TOKEN), "workspace", host="https://dbc-2.example")
    assert client_utils.build_config(params(token=TOKEN), "workspace") is one
    assert client_utils.build_config(params(token=TOKEN), "workspace", host="https://dbc-2.example/") is other
    assert one is not other and len(built.configs) == 2


@pytest.mark.parametrize("api, change", [
    ("account", dict(client_secret="another-secret")),
    ("account", dict(client_id="another-client")),
    ("account", dict(account_host="https://accounts.other")),
    ("account", dict(account_id="acc-2")),
    ("account", dict(http_timeout=5)),
    ("account", dict(validate_certs=False)),
    ("account", dict(retry_timeout=5)),  # the SDK's own retry window (at most SDK_RETRY_WINDOW) differs
    ("account", dict(auth_type="basic", username="u", password="p")),
    ("workspace", dict(token="dapi-another-token")),
    ("workspace", dict(workspace_host="https://dbc-9.example")),
])
def test_a_different_credential_host_or_setting_is_another_session(built, api, change):
    base = params(token=TOKEN) if api == "workspace" else params()
    first = client_utils.build_config(base, api)
    other = client_utils.build_config(dict(base, **change), api)
    assert other is not first and len(built.configs) == 2
    assert client_utils.build_config(base, api) is first  # the first session is still there


@pytest.mark.parametrize("api", ["account", "workspace"])
def test_a_longer_module_retry_timeout_shares_the_session(built, api, monkeypatch, interpreter_patches_on):
    # The preflight reads with retry_timeout 30, the roles with 120: one discovery and one token for both
    # (OAuth M2M on either API, the case with a token request to retry).
    base = params()
    first = client_utils.build_config(dict(base, retry_timeout=30), api)
    later = client_utils.build_config(dict(base, retry_timeout=120), api)
    assert later is first and len(built.configs) == 1
    assert first.kwargs["retry_timeout_seconds"] == client_utils.SDK_RETRY_WINDOW
    # The token requests' retry window follows the module that asks, not the one that built the session.
    assert sdk_oauth.requests.window == 120
    client_utils.build_config(dict(base, retry_timeout=30), api)
    assert sdk_oauth.requests.window == 30


def test_account_and_workspace_sessions_are_apart(built):
    account = client_utils.build_config(params(workspace_host="https://accounts.example"), "account")
    workspace = client_utils.build_config(params(workspace_host="https://accounts.example"), "workspace")
    assert account is not workspace and len(built.configs) == 2


def test_keys_hold_digests_never_secrets(built):
    client_utils.build_config(params(), "account")
    client_utils.build_config(params(token=TOKEN), "workspace")
    client_utils.build_config(params(auth_type="basic", username="admin", password="pass-word-89"), "account")
    keys = repr(list(client_utils._session_store().configs))
    for secret in (SECRET, TOKEN, "pass-word-89"):
        assert secret not in keys
    assert hashlib.sha256(SECRET.encode()).hexdigest() in keys
    assert hashlib.sha256(TOKEN.encode()).hexdigest() in keys


def test_the_cache_is_bounded_least_recently_used_out(built):
    size = client_utils.SESSION_CACHE_SIZE
    first = client_utils.build_config(params(account_host="https://h0.example"), "account")
    for index in range(1, size + 5):
        client_utils.build_config(params(account_host="https://h%d.example" % index), "account")
        client_utils.build_config(params(account_host="https://h0.example"), "account")  # kept in use
    assert len(client_utils._session_store().configs) == size
    assert client_utils.build_config(params(account_host="https://h0.example"), "account") is first
    built_before = len(built.configs)
    client_utils.build_config(params(account_host="https://h1.example"), "account")  # dropped long ago
    assert len(built.configs) == built_before + 1


def test_the_cache_survives_module_utils_being_unimported(built, monkeypatch, interpreter_patches_on):
    """mitogen pops the collection's module_utils from sys.modules after each task; databricks.sdk stays."""
    first = client_utils.build_config(params(), "account")
    for module in (client_utils, patches):
        monkeypatch.delitem(sys.modules, module.__name__)
    fresh = importlib.import_module(client_utils.__name__)
    fresh_patches = importlib.import_module(patches.__name__)
    assert fresh is not client_utils and fresh_patches is not patches
    monkeypatch.setattr(fresh, "Config", built)
    assert fresh.build_config(params(), "account") is first and len(built.configs) == 1
    # the token-retry shim of the earlier import is replaced, not wrapped once more per task
    assert isinstance(sdk_oauth.requests, fresh_patches.RetryingTokenRequests)
    assert sdk_oauth.requests.inner is requests


@pytest.mark.parametrize("error, auth", [
    (sdk_errors.Unauthenticated("Invalid access token."), True),
    (sdk_errors.PermissionDenied("Invalid access token."), True),
    (ValueError("invalid_client: Client authentication failed"), True),  # the SDK's token request
    (requests.HTTPError("503 Server Error for url: https://accounts.example/oidc/accounts/a/v1/token"), True),
    (sdk_errors.NotFound("no such workspace"), False),
    (sdk_errors.TemporarilyUnavailable("try later"), False),
    (client_utils.DatabricksConfigurationError("account_id is required"), False),
])
def test_auth_failures_are_told_apart(error, auth):
    assert client_utils.is_auth_failure(error) is auth


def run_call(error, **call_kwargs):
    """DatabricksModule.call on a function raising error: the module's failure (msg, failed and the other keys
    of its result), or None when the call returned."""
    args = {name: value for name, value in params(token=TOKEN).items() if value is not None}
    with patch_module_args(args):
        module = DatabricksModule(argument_spec={}, api="account")

        def fail():
            raise error

        try:
            module.call(fail, action="read x", retry_timeout=0, **call_kwargs)
        except ModuleFailure as failure:
            return dict(failure.result, msg=failure.msg, failed=True)
    return None


@pytest.mark.parametrize("error", [
    sdk_errors.Unauthenticated("Invalid access token."),
    sdk_errors.PermissionDenied("Invalid access token."),
    ValueError("invalid_client: Client authentication failed"),
])
def test_an_auth_failure_drops_the_sessions_of_those_credentials(built, error):
    account = client_utils.build_config(params(), "account")
    workspace = client_utils.build_config(params(token=TOKEN), "workspace")
    others = client_utils.build_config(params(client_secret="other-secret"), "account")
    result = run_call(error)
    assert result["failed"] and "read x" in result["msg"]
    assert SECRET not in json.dumps(result) and TOKEN not in json.dumps(result)
    assert client_utils.build_config(params(), "account") is not account  # authenticates afresh
    assert client_utils.build_config(params(token=TOKEN), "workspace") is not workspace
    assert client_utils.build_config(params(client_secret="other-secret"), "account") is others


def test_a_handled_auth_failure_still_drops_the_session(built):
    account = client_utils.build_config(params(), "account")
    with pytest.raises(sdk_errors.Unauthenticated):
        run_call(sdk_errors.Unauthenticated("Invalid access token."), fail=False)
    assert client_utils.build_config(params(), "account") is not account


@pytest.mark.parametrize("error, call_kwargs", [
    (sdk_errors.NotFound("no such credentials"), dict(not_found_ok=True)),
    (sdk_errors.ResourceConflict("in use"), {}),
])
def test_other_errors_keep_the_session(built, error, call_kwargs):
    account = client_utils.build_config(params(), "account")
    run_call(error, **call_kwargs)
    assert client_utils.build_config(params(), "account") is account and len(built.configs) == 1
