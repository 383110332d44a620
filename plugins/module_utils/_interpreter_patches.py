# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every change the collection makes to other libraries in the interpreter its modules run in.

Four patches, each installed by one function of this module, each installed once per interpreter
(a repeated call, as mitogen makes when it imports module_utils again for every task, changes
nothing more):

* ``share_botocore_data()``: botocore sessions share one data loader per data path (start-up time);
* ``defer_databricks_sdk_init()``: ``databricks.sdk`` without its ``__init__`` until a name of it is
  used (start-up time);
* ``retry_oauth_token_requests(oauth, window, delay)``: the Databricks SDK's OAuth token request
  retried on 429 and 5xx (reliability);
* ``skip_host_metadata_without_oauth(config_class)``: no host metadata request for a PAT or basic
  session (one request a session).

One switch turns all four off: ``LAKEHOUSE_INTERPRETER_PATCHES=0`` (also ``false``, ``no``,
``off``) in the environment of the module's interpreter. The functions then change nothing, and
the modules run on botocore and databricks-sdk as shipped: slower start-ups, and one throttled or
failing token request fails a Databricks module. The switch is read at each call: it decides for
an interpreter that has not been patched yet (under mitogen, set it for the whole run, not for one
task, since a host's interpreter keeps what an earlier task patched). docs/performance.md measures
what the two start-up patches save.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import sys
import time

SWITCH = "LAKEHOUSE_INTERPRETER_PATCHES"
OFF = ("0", "false", "no", "off")


def enabled():
    """Whether the patches are on (the default): the switch is unset or not one of OFF."""
    return os.environ.get(SWITCH, "1").strip().lower() not in OFF


# --- botocore: one data loader per data path --------------------------------------------------
def share_botocore_data():
    """Let every botocore session of this interpreter share one data loader per data path.

    Changes ``botocore.session.create_loader`` (the function each new session calls for its data
    loader) into one that returns the loader an earlier session got for the same search path.

    Why: each AWS module makes a new boto3 session, and each session parses botocore's JSON again:
    the endpoints and partitions, then the service model (EC2's is the largest), 50-100 ms a
    client. Under mitogen the interpreter runs all of a host's modules, ours and amazon.aws's, so
    from the first client made here on they reuse what an earlier session parsed. The data is the
    installed botocore's and boto3's, read-only; a different ``AWS_DATA_PATH`` gets a loader of its
    own. Under the linear strategy each module has an interpreter of its own and nothing is shared.
    """
    if not enabled():
        return
    try:
        import botocore.session
    except ImportError:  # the module reports the missing library
        return
    create_loader = botocore.session.create_loader
    if getattr(create_loader, "shares_loaders", False):
        return
    loaders = {}

    def create_shared_loader(search_path_string=None):
        loader = loaders.get(search_path_string)
        if loader is None:
            loader = loaders[search_path_string] = create_loader(search_path_string)
        else:  # each boto3 Session appends its data folder: keep one of each
            unique = []
            for path in loader.search_paths:
                if path not in unique:
                    unique.append(path)
            loader.search_paths[:] = unique
        return loader

    create_shared_loader.shares_loaders = True
    botocore.session.create_loader = create_shared_loader


# --- databricks-sdk: the package without its __init__ ------------------------------------------
SDK_PACKAGE = "databricks.sdk"


def _is_sdk_submodule(name):
    """True when name is a module or package inside the SDK package's folder (the import system loads those)."""
    try:
        return importlib.util.find_spec(SDK_PACKAGE + "." + name) is not None
    except (ImportError, ValueError):
        return False


def defer_databricks_sdk_init():
    """Make ``databricks.sdk`` importable without running its ``__init__`` until a name of it is used.

    Changes ``sys.modules["databricks.sdk"]``: the package is registered from its spec without
    running its ``__init__``, so its submodules (``core``, ``errors``, ``oauth``) import on their
    own. The package gets a module ``__getattr__`` that runs the real ``__init__`` the first time
    anything asks for a name only ``__init__`` defines (``WorkspaceClient``, ``AccountClient``,
    ...): other code in the same interpreter still finds the whole package. Nothing happens when
    the package is already imported or not installed.

    Why: ``databricks/sdk/__init__.py`` imports every service module (jobs, catalog, ml, ... - some
    60) to build ``WorkspaceClient``/``AccountClient``: 0.6 s of the 0.8 s an ``import
    databricks.sdk`` takes. The modules use only ``core`` (``Config``, ``ApiClient``), ``errors`` and
    ``oauth``. That 0.6 s is paid once per interpreter: once per host per run under mitogen, once
    per Databricks task under the linear strategy.
    """
    if not enabled() or SDK_PACKAGE in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(SDK_PACKAGE)
    except ImportError:  # no `databricks` namespace: the import that follows reports it
        return
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)

    def complete_package(name):
        # Asked by the import system for a submodule it is about to load (``from . import oauth``
        # probes with hasattr first): not a package name, let it import the submodule.
        if name.startswith("__") or _is_sdk_submodule(name):
            raise AttributeError(name)
        del package.__dict__["__getattr__"]
        spec.loader.exec_module(package)
        if name not in package.__dict__:
            raise AttributeError("module %r has no attribute %r" % (SDK_PACKAGE, name))
        return package.__dict__[name]

    package.__getattr__ = complete_package
    sys.modules[SDK_PACKAGE] = package
    parent = sys.modules.get("databricks")
    if parent is not None:
        parent.sdk = package


# --- databricks-sdk: the OAuth token request retried -------------------------------------------
TOKEN_RETRY_STATUSES = (429, 500, 502, 503, 504)


def _retry_after(reply):
    try:
        return float(reply.headers.get("Retry-After"))
    except (TypeError, ValueError):  # absent, or an HTTP date
        return None


class RetryingTokenRequests:
    """``requests`` as ``databricks.sdk.oauth`` sees it: ``post`` (the token request) retried on
    429/5xx until ``window`` seconds pass, waiting ``delay(attempt, retry_after=...)`` seconds
    between tries; a reply still failing then raises ``requests.HTTPError`` (status and URL in
    the message). Everything else is the real module."""

    def __init__(self, inner, window, delay, sleep=None, clock=None):
        self.inner = inner
        self.window = window
        self.delay = delay
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
            delay = self.delay(attempt, retry_after=_retry_after(reply))
            if self.clock() + delay > deadline:
                reply.raise_for_status()
            self.sleep(delay)
            attempt += 1


def retry_oauth_token_requests(oauth, window, delay):
    """Retry the OAuth token requests of the SDK's oauth module within window seconds.

    Changes ``oauth.requests`` (``databricks.sdk.oauth``'s name for the requests library) into a
    ``RetryingTokenRequests`` around it, once per interpreter; a later call sets its window (and
    its delay function, ``_databricks_retries.backoff_delay`` for the modules).

    Why: the SDK sends the token request (``/oidc/.../v1/token``) once and turns any error reply
    into ``ValueError("unknown: unknown")``, so one throttled token request failed the module.
    """
    if not enabled() or oauth is None or not hasattr(oauth, "requests"):
        return
    current = oauth.requests
    if not isinstance(current, RetryingTokenRequests):
        # A shim left by an earlier import of this file (mitogen re-imports module_utils for every
        # task while databricks.sdk stays imported) is another class: replace it, never wrap it.
        while type(current).__name__ == RetryingTokenRequests.__name__ and hasattr(current, "inner"):
            current = current.inner
        oauth.requests = RetryingTokenRequests(current, window, delay)
    oauth.requests.window = window
    oauth.requests.delay = delay


# --- databricks-sdk: no host metadata request without OAuth ------------------------------------
def skip_host_metadata_without_oauth(config_class):
    """Let ``Config()`` skip the host metadata request for PAT and basic credentials.

    Changes ``config_class._resolve_host_metadata`` (the SDK's ``Config``) into one that returns at
    once when the Config's ``auth_type`` is ``pat`` or ``basic``, once per interpreter.

    Why: ``Config()`` fetches the host's ``/.well-known/databricks-config`` (best effort) for the
    account id, workspace id, OIDC endpoint and cloud it fills in. OAuth needs them; a PAT, basic
    credentials and the ``ApiClient`` use none of them, so the request cost a round trip a session.
    """
    if not enabled() or not isinstance(config_class, type):
        return
    resolve = getattr(config_class, "_resolve_host_metadata", None)
    if resolve is None or getattr(resolve, "skips_without_oauth", False):
        return

    def resolve_host_metadata(self):
        if self.auth_type in ("pat", "basic"):
            return None
        return resolve(self)

    resolve_host_metadata.skips_without_oauth = True
    config_class._resolve_host_metadata = resolve_host_metadata
