# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that builds databricks-sdk clients from the shared connection options.

``build_config(params, api)`` returns a ``databricks.sdk.core.Config``;
``account_client(params)`` / ``workspace_client(params)`` wrap it in an ``SdkClient``: the Config
and the SDK's ``ApiClient`` on it, which is all the modules use of ``AccountClient`` /
``WorkspaceClient`` (those two would import every typed service API, see ``_interpreter_patches``).
Every client:

* gets a short ``retry_timeout_seconds`` (``SDK_RETRY_WINDOW``): the SDK uses it both for the
  ``/.well-known/databricks-config`` discovery in ``Config()`` (an unreachable host fails fast
  instead of blocking five minutes) and for its own 429/503 retries, which the base module's
  jittered, bounded retry loop (``retry_timeout`` option) continues;
* sends a ``User-Agent`` naming this collection;
* retries the OAuth token request (``/oidc/.../v1/token``) on 429 and 5xx with jittered backoff
  honouring ``Retry-After``, within ``retry_timeout``: the SDK sends it once and turns any error
  reply into ``ValueError("unknown: unknown")``, so one throttled token request failed the module
  (``_interpreter_patches.retry_oauth_token_requests``, off with LAKEHOUSE_INTERPRETER_PATCHES=0);
* never reads a token or secret from anywhere but the options (explicit ``auth_type``);
* is built on a Config reused within the interpreter (``cached_config``): under the mitogen
  strategy the interpreter outlives the task, so the host discovery, the OIDC discovery and the
  OAuth token (refreshed by the SDK's token source when it expires) are paid once per session,
  not once per module invocation. ``forget_sessions(params)`` drops the sessions of these
  credentials; the base module calls it on an authentication failure.

A new workspace does not serve its API the moment it reports RUNNING (its URL may not resolve yet
and it answers "... does not have any associated worker environments" for a while). ``Config()``
of a workspace client then fails (for OAuth M2M it needs the host and OIDC discovery); when it
does, one probe of the host's discovery endpoint tells "not ready yet" (``WorkspaceNotReady``,
which the base module retries within ``retry_timeout``) from other configuration errors.

The workspace URL is whatever the caller passes; nothing here derives it from the account
(``AccountClient.get_workspace_client`` would build a cloud URL).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import traceback
from collections import OrderedDict

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._collection import (
    COLLECTION_VERSION,
    USER_AGENT_PRODUCT,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_connection import (
    AUTH_BASIC,
    AUTH_OAUTH_M2M,
    AUTH_PAT,
    resolve_auth_type,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    WORKSPACE_SETTLING_PHRASES,
    WorkspaceNotReady,
    error_code_of,
    unwrap,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_read_ahead import ReadAheadApiClient
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_retries import backoff_delay
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_patches import (
    defer_databricks_sdk_init,
    retry_oauth_token_requests,
    skip_host_metadata_without_oauth,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_store import interpreter_store

DATABRICKS_SDK_IMPORT_ERROR = None
defer_databricks_sdk_init()  # databricks.sdk without its service APIs (see _interpreter_patches)
try:
    import databricks.sdk.oauth as sdk_oauth
    from databricks.sdk.core import ApiClient, Config
    from databricks.sdk.errors import PermissionDenied, Unauthenticated
except ImportError:
    ApiClient = Config = sdk_oauth = None
    PermissionDenied = Unauthenticated = ()
    DATABRICKS_SDK_IMPORT_ERROR = traceback.format_exc()

try:
    import requests
    from requests.exceptions import HTTPError, RequestException
except ImportError:
    requests = None
    HTTPError = RequestException = ()

HAS_DATABRICKS_SDK = DATABRICKS_SDK_IMPORT_ERROR is None
skip_host_metadata_without_oauth(Config)  # one request fewer a PAT session (see _interpreter_patches)

SDK_RETRY_WINDOW = 10  # seconds; discovery and the SDK's own retries of one request


# --- sessions reused within the interpreter ---------------------------------------------------
SESSION_CACHE_SIZE = 32  # Configs kept; least recently used dropped first
SESSION_CACHE_MODULE = "_lakehouse_databricks_aws_sessions"


def _session_store():
    """The interpreter's session store (``_interpreter_store``): a session outlives its task under mitogen."""
    return interpreter_store(SESSION_CACHE_MODULE, "Databricks SDK Configs by session key",
                             lambda: {"configs": OrderedDict()})


def _digest(*values):
    """SHA-256 of the values: what the cache key holds instead of a secret."""
    return hashlib.sha256("\0".join("" if v is None else str(v) for v in values).encode("utf-8")).hexdigest()


def _credentials(params, auth_type):
    """(identity, SHA-256 of the secret) of the credentials used for auth_type."""
    if auth_type == AUTH_OAUTH_M2M:
        return params.get("client_id"), _digest(params.get("client_secret"))
    if auth_type == AUTH_PAT:
        return None, _digest(params.get("token"))
    return params.get("username"), _digest(params.get("password"))


def session_key(api, kwargs, params):
    """Everything that defines a session, secrets only as SHA-256 digests.

    The module's ``retry_timeout`` is not part of it: the Config holds only ``retry_timeout_seconds``
    (at most SDK_RETRY_WINDOW), and the token requests' retry window is the interpreter's, set again
    by every build_config. A preflight with a shorter retry_timeout and the roles after it therefore
    share one session (one discovery and one OAuth token per identity and host per run).
    """
    identity, secret_digest = _credentials(params, kwargs["auth_type"])
    return (api, kwargs["host"], kwargs.get("account_id"), kwargs["auth_type"], identity, secret_digest,
            kwargs["http_timeout_seconds"], kwargs["insecure"], kwargs["retry_timeout_seconds"])


def cached_config(key, build):
    """The Config cached under key, else build() stored under it (bounded, least recently used out)."""
    store = _session_store()
    with store.lock:
        config = store.configs.get(key)
        if config is not None:
            store.configs.move_to_end(key)
            return config
    config = build()  # outside the lock: discovery makes HTTP requests
    with store.lock:
        store.configs[key] = config
        store.configs.move_to_end(key)
        while len(store.configs) > SESSION_CACHE_SIZE:
            store.configs.popitem(last=False)
    return config


def forget_sessions(params):
    """Drop every cached session authenticated with these params' credentials (any API, any host)."""
    wanted = set(_credentials(params, auth) for auth in (AUTH_OAUTH_M2M, AUTH_PAT, AUTH_BASIC))
    store = _session_store()
    with store.lock:
        for key in [k for k in store.configs if (k[4], k[5]) in wanted]:
            del store.configs[key]


def is_auth_failure(exc):
    """401/403 from the API, or an error while getting the OAuth token: the session may be stale."""
    inner = unwrap(exc)
    if isinstance(inner, WorkspaceNotReady):
        return False
    if isinstance(inner, (Unauthenticated, PermissionDenied)):
        return True
    if error_code_of(inner) in ("UNAUTHENTICATED", "PERMISSION_DENIED", "AUTHENTICATION_ERROR"):
        return True
    if isinstance(inner, HTTPError):  # the token request still failing at the end of its retries
        return True
    # The SDK's token request raises a bare ValueError ("invalid_client: ...", "unknown: unknown").
    return isinstance(inner, ValueError) and not isinstance(inner, DatabricksConfigurationError)


class DatabricksConfigurationError(ValueError):
    """The connection options cannot make a client (missing host, credentials, ...)."""


def build_config(params, api, host=None):
    """A databricks-sdk Config for api 'account' or 'workspace' from the connection params.

    host overrides the workspace host (workspace API only). Raises DatabricksConfigurationError
    with a message naming the missing option, or ValueError from the SDK (bad discovery reply).
    """
    return _session(params, api, host)[1]


def _session(params, api, host=None):
    """(session key, Config) for the connection params (see build_config)."""
    if api == "workspace" and host:
        params = dict(params, workspace_host=host)
    auth_type, problem = resolve_auth_type(params, api)
    if problem:
        raise DatabricksConfigurationError(problem)
    if auth_type == AUTH_OAUTH_M2M:
        retry_oauth_token_requests(sdk_oauth, max(1, int(params.get("retry_timeout") or SDK_RETRY_WINDOW)),
                                   backoff_delay)
    kwargs = dict(
        auth_type=auth_type,
        retry_timeout_seconds=min(SDK_RETRY_WINDOW, max(1, int(params.get("retry_timeout") or SDK_RETRY_WINDOW))),
        http_timeout_seconds=int(params.get("http_timeout") or 60),
        insecure=not params.get("validate_certs", True),
        product=USER_AGENT_PRODUCT,
        product_version=COLLECTION_VERSION,
    )
    if api == "account":
        kwargs.update(host=params["account_host"].rstrip("/"), account_id=params["account_id"])
    else:
        kwargs["host"] = params["workspace_host"].rstrip("/")
    key = session_key(api, kwargs, params)
    if auth_type == AUTH_OAUTH_M2M:
        kwargs.update(client_id=params["client_id"], client_secret=params["client_secret"])
    elif auth_type == AUTH_PAT:
        kwargs["token"] = params["token"]
    elif auth_type == AUTH_BASIC:
        kwargs.update(username=params["username"], password=params["password"])
    return key, cached_config(key, lambda: _new_config(api, kwargs))


# Replies of a host that is not serving yet (a new workspace settling, a gateway in front of it).
NOT_READY_STATUSES = (429, 502, 503, 504)


def probe_workspace(host, timeout=10, verify=True):
    """(serving, reason): whether the workspace at host answers its discovery now (HTTP 200), and why
    it does not serve yet (None when that is not the reason it failed).

    One unauthenticated GET of its discovery endpoint, no retries: a connection failure (the new
    workspace's DNS name does not resolve yet), a settling reply (WORKSPACE_SETTLING_PHRASES) or a
    429/5xx gateway reply is a reason; any other reply is not.
    """
    if requests is None:
        return False, None
    try:
        reply = requests.get(host + "/.well-known/databricks-config", timeout=timeout, verify=verify)
    except RequestException as exc:  # pylint: disable=catching-non-exception
        text = str(exc)
        return False, "cannot connect: %s" % (text if len(text) <= 200 else text[:200] + "...")
    text = reply.text or ""
    if reply.status_code in NOT_READY_STATUSES or any(phrase in text for phrase in WORKSPACE_SETTLING_PHRASES):
        try:
            body = reply.json()
            detail = "%s %s" % (body.get("error_code") or "", body.get("message") or "")
        except (ValueError, AttributeError):
            detail = text
        detail = " ".join(detail.split())[:300]
        return False, "HTTP %s from %s/.well-known/databricks-config: %s" % (reply.status_code, host, detail)
    return reply.status_code == 200, None


def _new_config(api, kwargs):
    """Config(**kwargs); for a workspace host that does not serve yet, WorkspaceNotReady instead of
    the SDK's ValueError (its host discovery fell back after its own retries, then the OAuth
    discovery failed on a URL of None). A host that serves its discovery by the time of the probe
    may have stopped settling a moment ago: Config() is tried once more then."""
    try:
        return Config(**kwargs)
    except ValueError as exc:
        if api != "workspace":
            raise
        serving, reason = probe_workspace(kwargs["host"], timeout=min(10, kwargs["http_timeout_seconds"]),
                                          verify=not kwargs["insecure"])
        if serving:
            return Config(**kwargs)
        if reason is None:
            raise
        raise WorkspaceNotReady(kwargs["host"], reason) from exc


class SdkClient:
    """An account or workspace client: the SDK Config and the SDK's ApiClient (``api_client.do``), whose reads
    the read-ahead may serve (``_databricks_read_ahead``)."""

    def __init__(self, config, key=None):
        self.config = config
        self.api_client = ApiClient(config) if key is None else ReadAheadApiClient(ApiClient(config), key)


def account_client(params):
    """The account API client for the connection params (see build_config)."""
    key, config = _session(params, "account")
    return SdkClient(config, key)


def workspace_client(params, host=None):
    """The workspace API client for the connection params, optionally for another workspace host."""
    key, config = _session(params, "workspace", host=host)
    return SdkClient(config, key)
