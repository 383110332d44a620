# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every Databricks module (pure data, no third-party imports).

Every Databricks module accepts the *same* connection options, account and workspace alike, so
that one ``module_defaults: group/lakehouse.databricks_aws.databricks:`` block can set them for
all modules of a play (an option a module did not declare would make it fail). Each module uses
the options its API needs:

* account API: ``account_host`` + ``account_id`` + OAuth M2M ``client_id``/``client_secret``
  of an account service principal (legacy ``username``/``password`` basic auth only on request);
* workspace API: ``workspace_host`` + a ``token`` (PAT), or OAuth M2M with ``client_id``/
  ``client_secret`` against the workspace (``/oidc/v1/token``).

The matching documentation lives in ``plugins/doc_fragments/databricks.py``; keep them in step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

ACCOUNT_HOST_DEFAULT = "https://accounts.cloud.databricks.com"

# auth_type values; None means "pick from the options that are set" (see resolve_auth_type).
AUTH_OAUTH_M2M = "oauth-m2m"
AUTH_PAT = "pat"
AUTH_BASIC = "basic"
AUTH_TYPES = (AUTH_OAUTH_M2M, AUTH_PAT, AUTH_BASIC)

# Options whose values are secrets: never logged, never returned, never in a diff.
SECRET_OPTIONS = ("client_secret", "token", "password")


def connection_argument_spec():
    """The argument spec of the shared connection options (a fresh dict on each call)."""
    return dict(
        account_host=dict(type="str", fallback=(env_fallback, ["DATABRICKS_ACCOUNT_HOST"]),
                          default=ACCOUNT_HOST_DEFAULT),
        account_id=dict(type="str", fallback=(env_fallback, ["DATABRICKS_ACCOUNT_ID"])),
        client_id=dict(type="str", fallback=(env_fallback, ["DATABRICKS_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["DATABRICKS_CLIENT_SECRET"])),
        workspace_host=dict(type="str", aliases=["host"], fallback=(env_fallback, ["DATABRICKS_HOST"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["DATABRICKS_TOKEN"])),
        username=dict(type="str", fallback=(env_fallback, ["DATABRICKS_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["DATABRICKS_PASSWORD"])),
        auth_type=dict(type="str", choices=list(AUTH_TYPES), fallback=(env_fallback, ["DATABRICKS_AUTH_TYPE"])),
        http_timeout=dict(type="int", default=60),
        retry_timeout=dict(type="int", default=120),
        validate_certs=dict(type="bool", default=True),
    )


def merge_argument_spec(module_spec):
    """The connection options plus the module's own (the module's win on a name clash)."""
    spec = connection_argument_spec()
    spec.update(module_spec or {})
    return spec


def resolve_auth_type(params, api):
    """(auth_type, problem) for api 'account' or 'workspace' from the connection params.

    problem is None when the options are usable, else a message naming what is missing.
    """
    wanted = params.get("auth_type")
    has_m2m = bool(params.get("client_id") and params.get("client_secret"))
    if api == "account":
        if not params.get("account_id"):
            return None, "account_id is required for the Databricks account API (or set DATABRICKS_ACCOUNT_ID)"
        if wanted in (None, AUTH_OAUTH_M2M) and has_m2m:
            return AUTH_OAUTH_M2M, None
        if wanted == AUTH_BASIC or (wanted is None and params.get("username") and params.get("password")):
            if not (params.get("username") and params.get("password")):
                return None, "auth_type=basic needs username and password"
            return AUTH_BASIC, None
        if wanted == AUTH_PAT:
            return None, "auth_type=pat is not accepted by the Databricks account API; use oauth-m2m"
        return None, ("the Databricks account API needs an account service principal: set client_id and "
                      "client_secret (OAuth M2M)")
    if not params.get("workspace_host"):
        return None, "workspace_host is required for the Databricks workspace API (or set DATABRICKS_HOST)"
    if wanted == AUTH_PAT or (wanted is None and params.get("token")):
        if not params.get("token"):
            return None, "auth_type=pat needs token"
        return AUTH_PAT, None
    if wanted in (None, AUTH_OAUTH_M2M) and has_m2m:
        return AUTH_OAUTH_M2M, None
    if wanted == AUTH_BASIC:
        return None, "auth_type=basic is not supported for the workspace API; use a token or oauth-m2m"
    return None, ("the Databricks workspace API needs a token (PAT) or client_id and client_secret "
                  "(OAuth M2M)")
