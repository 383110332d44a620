# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that builds databricks-sdk clients from the shared connection options.

``build_config(params, api)`` returns a ``databricks.sdk.core.Config``;
``account_client(params)`` / ``workspace_client(params)`` wrap it. Every client:

* gets a short ``retry_timeout_seconds`` (``SDK_RETRY_WINDOW``): the SDK uses it both for the
  ``/.well-known/databricks-config`` discovery in ``Config()`` (an unreachable host fails fast
  instead of blocking five minutes) and for its own 429/503 retries, which the base module's
  jittered, bounded retry loop (``retry_timeout`` option) continues;
* sends a ``User-Agent`` naming this collection;
* retries the OAuth token request (``/oidc/.../v1/token``) on 429 and 5xx with jittered backoff
  honouring ``Retry-After``, within ``retry_timeout``: the SDK sends it once and turns any error
  reply into ``ValueError("unknown: unknown")``, so one throttled token request failed the module;
* never reads a token or secret from anywhere but the options (explicit ``auth_type``).

``AccountClient``/``WorkspaceClient`` take no ``retry_timeout_seconds`` keyword: the Config is
passed with ``config=``. The workspace URL is whatever the caller passes; nothing here derives
it from the account (``AccountClient.get_workspace_client`` would build a cloud URL).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import traceback

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_connection import (
    AUTH_BASIC,
    AUTH_OAUTH_M2M,
    AUTH_PAT,
    resolve_auth_type,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import backoff_delay

DATABRICKS_SDK_IMPORT_ERROR = None
try:
    from databricks.sdk import AccountClient, WorkspaceClient
    from databricks.sdk import oauth as sdk_oauth
    from databricks.sdk.core import Config
except ImportError:
    AccountClient = WorkspaceClient = Config = sdk_oauth = None
    DATABRICKS_SDK_IMPORT_ERROR = traceback.format_exc()

HAS_DATABRICKS_SDK = DATABRICKS_SDK_IMPORT_ERROR is None

PRODUCT = "lakehouse-databricks-aws"
PRODUCT_VERSION = "0.1.0"
SDK_RETRY_WINDOW = 10  # seconds; discovery and the SDK's own retries of one request


TOKEN_RETRY_STATUSES = (429, 500, 502, 503, 504)


def _retry_after(reply):
    try:
        return float(reply.headers.get("Retry-After"))
    except (TypeError, ValueError):  # absent, or an HTTP date
        return None


class RetryingTokenRequests:
    """``requests`` as ``databricks.sdk.oauth`` sees it: ``post`` (the token request) retried on
    429/5xx until ``window`` seconds pass; a reply still failing then raises ``requests.HTTPError``
    (status and URL in the message). Everything else is the real module."""

    def __init__(self, inner, window=SDK_RETRY_WINDOW, sleep=None, clock=None):
        self.inner = inner
        self.window = window
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def post(self, *args, **kwargs):
        deadline = self.clock() + self.window
        attempt = 0
        while True:
            reply = self.inner.post(*args, **kwargs)
            if reply.status_code not in TOKEN_RETRY_STATUSES:
                return reply
            delay = backoff_delay(attempt, retry_after=_retry_after(reply))
            if self.clock() + delay > deadline:
                reply.raise_for_status()
            self.sleep(delay)
            attempt += 1


def retry_token_requests(window):
    """Install RetryingTokenRequests in the SDK's oauth module (once per interpreter) with this window."""
    if sdk_oauth is None or not hasattr(sdk_oauth, "requests"):
        return
    if not isinstance(sdk_oauth.requests, RetryingTokenRequests):
        sdk_oauth.requests = RetryingTokenRequests(sdk_oauth.requests)
    sdk_oauth.requests.window = window


class DatabricksConfigurationError(ValueError):
    """The connection options cannot make a client (missing host, credentials, ...)."""


def build_config(params, api, host=None):
    """A databricks-sdk Config for api 'account' or 'workspace' from the connection params.

    host overrides the workspace host (workspace API only). Raises DatabricksConfigurationError
    with a message naming the missing option, or ValueError from the SDK (bad discovery reply).
    """
    if api == "workspace" and host:
        params = dict(params, workspace_host=host)
    auth_type, problem = resolve_auth_type(params, api)
    if problem:
        raise DatabricksConfigurationError(problem)
    if auth_type == AUTH_OAUTH_M2M:
        retry_token_requests(max(1, int(params.get("retry_timeout") or SDK_RETRY_WINDOW)))
    kwargs = dict(
        auth_type=auth_type,
        retry_timeout_seconds=min(SDK_RETRY_WINDOW, max(1, int(params.get("retry_timeout") or SDK_RETRY_WINDOW))),
        http_timeout_seconds=int(params.get("http_timeout") or 60),
        insecure=not params.get("validate_certs", True),
        product=PRODUCT,
        product_version=PRODUCT_VERSION,
    )
    if api == "account":
        kwargs.update(host=params["account_host"].rstrip("/"), account_id=params["account_id"])
    else:
        kwargs["host"] = params["workspace_host"].rstrip("/")
    if auth_type == AUTH_OAUTH_M2M:
        kwargs.update(client_id=params["client_id"], client_secret=params["client_secret"])
    elif auth_type == AUTH_PAT:
        kwargs["token"] = params["token"]
    elif auth_type == AUTH_BASIC:
        kwargs.update(username=params["username"], password=params["password"])
    return Config(**kwargs)


def account_client(params):
    """An AccountClient for the connection params (see build_config)."""
    return AccountClient(config=build_config(params, "account"))


def workspace_client(params, host=None):
    """A WorkspaceClient for the connection params, optionally for another workspace host."""
    return WorkspaceClient(config=build_config(params, "workspace", host=host))
