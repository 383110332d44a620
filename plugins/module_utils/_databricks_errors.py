# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Databricks errors: readable messages with the Databricks error code, and which errors to retry.

* ``describe_error(exc)`` -> ``ErrorInfo(message, error_code, retry_after)`` for any error a
  databricks-sdk call raises (API errors, the SDK's retry ``TimeoutError``, connection errors,
  configuration errors), with a hint for the codes users hit most.
* ``is_transient(exc)``: throttling (429 / REQUEST_LIMIT_EXCEEDED), unavailable (503), 504,
  connection errors, a workspace still settling after RUNNING -- the only errors retried by default.
* ``is_workspace_settling(exc)`` / ``WorkspaceNotReady``: a new workspace that reports RUNNING but
  does not serve its API yet ("... does not have any associated worker environments"); when the
  retries run out, ``describe_error`` names the workspace URL and says to re-run.
* ``is_not_found(exc)``, ``has_error_code(exc, *codes)``, ``message_contains(exc, text)``:
  small predicates so resource logic reads as get -> compare -> act.

The retry loop that uses ``is_transient`` is ``_databricks_retries``; waiting for a status is
``_databricks_waiter``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_patches import (
    defer_databricks_sdk_init,
)

defer_databricks_sdk_init()  # databricks.sdk without its service APIs (see _interpreter_patches)

try:
    from databricks.sdk.errors import (
        DatabricksError,
        DeadlineExceeded,
        NotFound,
        TemporarilyUnavailable,
        TooManyRequests,
    )
except ImportError:  # reported by the base module with missing_required_lib
    class DatabricksError(Exception):
        error_code = None
        retry_after_secs = None

    DeadlineExceeded = NotFound = TemporarilyUnavailable = TooManyRequests = DatabricksError

try:
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import RequestException
    from requests.exceptions import Timeout as RequestsTimeout
except ImportError:
    class RequestException(Exception):
        pass

    RequestsConnectionError = RequestsTimeout = RequestException

# Errors a Databricks call may raise that the base module turns into fail_json. Anything else is
# a bug and keeps its traceback.
API_ERRORS = (DatabricksError, TimeoutError, RequestException, ValueError)

ErrorInfo = namedtuple("ErrorInfo", ["message", "error_code", "retry_after"])

# What Databricks answers, for a while after a new workspace reports RUNNING, to every request to
# that workspace (its worker environment is not associated yet): the phrases databricks-sdk retries
# itself (_base_client.py, _BaseClient._is_retryable) and so does databricks-sdk-go
# (apierr/error_overrides.go, allTransientErrors). The Terraform provider also waits for a new
# workspace's URL to resolve after RUNNING (mws/resource_mws_workspaces.go, verifyWorkspaceReachable).
WORKSPACE_SETTLING_PHRASES = (
    "com.databricks.backend.manager.util.UnknownWorkerEnvironmentException",
    "does not have any associated worker environments",
    "There is no worker environment with id",
    "Unknown worker environment",
)
WORKSPACE_NOT_READY = "WORKSPACE_NOT_READY"


class WorkspaceNotReady(ValueError):
    """Building a workspace client failed because the workspace does not serve yet (its discovery
    endpoint is refused as settling, or its host cannot be reached); host is the workspace URL."""

    def __init__(self, host, reason):
        super(WorkspaceNotReady, self).__init__("the workspace %s does not answer yet: %s" % (host, reason))
        self.host = host
        self.reason = reason


# What the SDK's OAuth M2M provider raises when the host's OIDC discovery failed (no token endpoint).
_NO_OAUTH_ENDPOINT = "Invalid URL 'None'"

# Error codes by SDK exception class, for errors whose body carried no error_code.
_CODES_BY_CLASS = {
    "BadRequest": "BAD_REQUEST", "Unauthenticated": "UNAUTHENTICATED", "PermissionDenied": "PERMISSION_DENIED",
    "NotFound": "NOT_FOUND", "ResourceConflict": "RESOURCE_CONFLICT", "TooManyRequests": "REQUEST_LIMIT_EXCEEDED",
    "InternalError": "INTERNAL_ERROR", "TemporarilyUnavailable": "TEMPORARILY_UNAVAILABLE",
    "DeadlineExceeded": "DEADLINE_EXCEEDED", "InvalidParameterValue": "INVALID_PARAMETER_VALUE",
    "InvalidState": "INVALID_STATE", "ResourceDoesNotExist": "RESOURCE_DOES_NOT_EXIST",
    "ResourceAlreadyExists": "RESOURCE_ALREADY_EXISTS", "NotImplemented": "NOT_IMPLEMENTED",
}

HINTS = {
    "UNAUTHENTICATED": "check client_id/client_secret (an account service principal for the account API) "
                       "or the token, and that they belong to this account/workspace",
    "PERMISSION_DENIED": "the principal is authenticated but lacks the permission for this call "
                         "(account admin for account objects, workspace admin for workspace objects)",
    "REQUEST_LIMIT_EXCEEDED": "Databricks kept throttling the requests; raise retry_timeout or run fewer forks",
    "TEMPORARILY_UNAVAILABLE": "Databricks stayed unavailable for retry_timeout seconds; try again later",
    "CONNECTION_ERROR": "check the host option and that the host is reachable from the controller",
    "CONFIGURATION_ERROR": "check the Databricks connection options",
    "AUTHENTICATION_ERROR": "the SDK could not obtain credentials; check client_id/client_secret or token",
}


def unwrap(exc):
    """The underlying error of the SDK's 'Timed out after ...' retry TimeoutError, else exc."""
    seen = 0
    while isinstance(exc, TimeoutError) and exc.__cause__ is not None and seen < 5:
        exc = exc.__cause__
        seen += 1
    return exc


def error_code_of(exc):
    """The Databricks error code of exc (e.g. RESOURCE_DOES_NOT_EXIST), or a code naming its kind."""
    exc = unwrap(exc)
    if isinstance(exc, DatabricksError):
        code = getattr(exc, "error_code", None)
        if code:
            return str(code)
        for klass in type(exc).__mro__:
            if klass.__name__ in _CODES_BY_CLASS:
                return _CODES_BY_CLASS[klass.__name__]
        return "UNKNOWN"
    if isinstance(exc, (RequestsConnectionError, RequestsTimeout)):
        return "CONNECTION_ERROR"
    if isinstance(exc, RequestException):
        return "HTTP_ERROR"
    if isinstance(exc, TimeoutError):
        return "TIMEOUT"
    if type(exc).__name__ == "DatabricksConfigurationError":
        return "CONFIGURATION_ERROR"
    if isinstance(exc, ValueError) and _NO_OAUTH_ENDPOINT in str(exc):
        return "CONNECTION_ERROR"
    if isinstance(exc, ValueError):  # the SDK raises ValueError for configuration and auth failures
        return "AUTHENTICATION_ERROR" if "auth" in str(exc).lower() else "SDK_ERROR"
    return "UNKNOWN"


def is_workspace_settling(exc):
    """A workspace reporting RUNNING that does not serve its API yet: WorkspaceNotReady, or a reply
    carrying one of WORKSPACE_SETTLING_PHRASES (looked for along the chain of causes)."""
    seen = 0
    while exc is not None and seen < 6:
        if isinstance(exc, WorkspaceNotReady):
            return True
        text = str(exc)
        if any(phrase in text for phrase in WORKSPACE_SETTLING_PHRASES):
            return True
        exc = exc.__cause__
        seen += 1
    return False


def describe_not_ready(exc, action=None, host=None):
    """ErrorInfo for a workspace that stayed unreachable/settling for the whole retry window."""
    inner = unwrap(exc)
    host = getattr(inner, "host", None) or host or "(workspace_host)"
    reason = getattr(inner, "reason", None) or _short(str(inner) or type(inner).__name__)
    message = ("%s: the Databricks workspace %s is not reachable yet: it is still settling after it turned "
               "RUNNING (%s) -- a new workspace answers its API only some minutes after it reports RUNNING; "
               "re-run the play in a few minutes, or raise retry_timeout" % (WORKSPACE_NOT_READY, host, reason))
    if action:
        message = "%s: %s" % (action, message)
    return ErrorInfo(message, WORKSPACE_NOT_READY, None)


def describe_error(exc, action=None, host=None):
    """ErrorInfo for exc: 'action: CODE: message (hint)'. host: the workspace URL the call went to,
    named when the workspace is not reachable yet."""
    if is_workspace_settling(exc):
        return describe_not_ready(exc, action, host)
    inner = unwrap(exc)
    code = error_code_of(inner)
    text = str(inner) or type(inner).__name__
    if isinstance(inner, (RequestsConnectionError, RequestsTimeout)):
        text = "cannot reach Databricks: %s" % _short(text)
    elif code == "CONNECTION_ERROR":  # OAuth discovery got no reply: the SDK's text names a 'None' URL
        text = ("cannot reach Databricks: the host gave no OAuth endpoints (unreachable, or not a Databricks "
                "account host) - %s" % _short(text.split(". Config:", 1)[0]))
    message = "%s: %s" % (code, text)
    if action:
        message = "%s: %s" % (action, message)
    if inner is not exc and isinstance(exc, TimeoutError):
        message += " (still failing when the retry window closed)"
    if code in HINTS:
        message += " -- %s" % HINTS[code]
    return ErrorInfo(message, code, getattr(inner, "retry_after_secs", None))


def _short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


def is_transient(exc):
    """Throttling, unavailable, gateway timeout, connection trouble, a workspace still settling after
    RUNNING: worth retrying."""
    if is_workspace_settling(exc):
        return True
    inner = unwrap(exc)
    if isinstance(inner, (TooManyRequests, TemporarilyUnavailable, DeadlineExceeded)):
        return True
    if isinstance(inner, DatabricksError):
        return error_code_of(inner) in ("REQUEST_LIMIT_EXCEEDED", "TEMPORARILY_UNAVAILABLE", "RESOURCE_EXHAUSTED")
    return isinstance(inner, (RequestsConnectionError, RequestsTimeout))


def is_not_found(exc):
    inner = unwrap(exc)
    return isinstance(inner, NotFound) or error_code_of(inner) in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND",
                                                                   "SCIM_404")


def has_error_code(exc, *codes):
    return error_code_of(exc) in codes


def message_contains(exc, text):
    return text.lower() in str(unwrap(exc)).lower()
