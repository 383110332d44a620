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
* never reads a token or secret from anywhere but the options (explicit ``auth_type``).

``AccountClient``/``WorkspaceClient`` take no ``retry_timeout_seconds`` keyword: the Config is
passed with ``config=``. The workspace URL is whatever the caller passes; nothing here derives
it from the account (``AccountClient.get_workspace_client`` would build a cloud URL).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_connection import (
    AUTH_BASIC,
    AUTH_OAUTH_M2M,
    AUTH_PAT,
    resolve_auth_type,
)

DATABRICKS_SDK_IMPORT_ERROR = None
try:
    from databricks.sdk import AccountClient, WorkspaceClient
    from databricks.sdk.core import Config
except ImportError:
    AccountClient = WorkspaceClient = Config = None
    DATABRICKS_SDK_IMPORT_ERROR = traceback.format_exc()

HAS_DATABRICKS_SDK = DATABRICKS_SDK_IMPORT_ERROR is None

PRODUCT = "lakehouse-databricks-aws"
PRODUCT_VERSION = "0.1.0"
SDK_RETRY_WINDOW = 10  # seconds; discovery and the SDK's own retries of one request


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
