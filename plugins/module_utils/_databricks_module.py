# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``DatabricksModule``: the base every Databricks module is built on.

A module holds only its resource logic, a runner that returns the result::

    def run(module):
        current = module.request("GET", module.account_path("/credentials/%s" % cid), not_found_ok=True,
                                 action="read credentials")
        created = module.request("POST", module.account_path("/credentials"), body={...}, action="create credentials")
        return module.result(changed=True, diff=delta.diff, credentials=created)

    def main():
        DatabricksModule(argument_spec=dict(name=dict(required=True), ...), api="account").run(run)

What the base owns:

* the shared connection options (``_databricks_connection``) merged into the module's argspec,
  ``supports_check_mode=True`` by default, and the databricks-sdk import check
  (``missing_required_lib``);
* the one exit (``_runner``): ``module.run(runner)`` calls ``runner(module)``, which returns the result
  dict, and exits once with it; ``module.fail(...)`` and ``module.fail_error(...)`` raise
  ``ModuleFailure``, which ``run`` turns into the module's one ``fail_json``;
* clients (``module.account`` / ``module.workspace`` / ``module.workspace_at(host)``), built
  lazily by ``_databricks_client`` and cached; an authentication failure (401/403, token error)
  drops the interpreter's reused sessions of these credentials (``forget_sessions``);
* a new workspace that reports RUNNING but does not serve yet: building its client (discovery)
  and every call to it are retried, like other transient errors, within ``retry_timeout``; when
  that runs out the module fails with ``error_code=WORKSPACE_NOT_READY`` and a message naming
  the workspace URL and saying to re-run;
* ``module.call(fn, ...)`` / ``module.request(method, path, ...)``: every API call goes through
  them. Transient errors (429, 503, 504, connection; ``_databricks_errors``) are retried with
  jittered exponential backoff honouring ``Retry-After`` (``_databricks_retries``) until the
  ``retry_timeout`` option runs out; ``retry_if`` adds a domain retry (e.g. IAM propagation)
  with its own bound. Any remaining error fails the module with
  ``msg="<action>: <ERROR_CODE>: <message> -- <hint>"`` and ``error_code``;
  ``not_found_ok=True`` (or ``get_or_none``) turns "does not exist" into ``None``;
* ``module.wait_for_status(...)``: adaptive, bounded polling (``_databricks_waiter``);
* ``module.result(changed, diff=..., **values)``: the result dict, with ``diff`` only under ``--diff``;
* ``module.run_each(runner, items, key, identity)``: a module that takes a list of objects (grants of many
  securables, many schemas) runs its one-object runner for each, side by side (``_concurrent``), in one
  invocation: one Ansible task and one session instead of a loop of them.

Secrets: connection secrets are ``no_log`` options. A module that returns a secret (a new token
value) documents it and the calling task must use ``no_log: true``; diffs go through
``_databricks_diff`` which masks the keys listed as secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import threading
import traceback
from functools import partial

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel, pairs
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_client import (
    DATABRICKS_SDK_IMPORT_ERROR,
    HAS_DATABRICKS_SDK,
    account_client,
    forget_sessions,
    is_auth_failure,
    workspace_client,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_connection import (
    merge_argument_spec,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    describe_error,
    is_not_found,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_read_ahead import task_ended
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_retries import (
    RetryState,
    call_with_retries,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_waiter import wait_for_status
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module


def as_dict(obj):
    """A plain dict for an SDK dataclass (``.as_dict()``), a dict, or None."""
    if obj is None:
        return None
    if hasattr(obj, "as_dict"):
        return obj.as_dict()
    return dict(obj)


class ItemView:
    """The module as one item of a list option sees it: the module's params overridden by those the item sets
    (not None), everything else (clients, calls, check mode, result) the module's own."""

    def __init__(self, module, item):
        self._module = module
        self.params = dict(module.params, **dict((k, v) for k, v in item.items() if v is not None))

    def __getattr__(self, name):
        return getattr(self._module, name)


class DatabricksModule:
    """AnsibleModule plus Databricks clients, error mapping, retries and waiters.

    api is "account" or "workspace": which client ``module.client`` returns and which
    connection options are checked first. Other AnsibleModule keyword arguments
    (mutually_exclusive, required_if, ...) pass through.
    """

    # Factories, replaceable in unit tests (the module_utils seam).
    account_client_factory = staticmethod(account_client)
    workspace_client_factory = staticmethod(workspace_client)

    def __init__(self, argument_spec=None, api="account", supports_check_mode=True, **kwargs):
        self.module = AnsibleModule(argument_spec=merge_argument_spec(argument_spec),
                                    supports_check_mode=supports_check_mode, **kwargs)
        self.api = api
        self._clients = {}
        self._clients_lock = threading.Lock()
        self._shared_reads = None  # run_each's: {key: {"lock", "value"}}
        self._shared_reads_lock = threading.Lock()
        self.retry_state = RetryState()

    # --- AnsibleModule pass-throughs -------------------------------------------------------
    @property
    def params(self):
        return self.module.params

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return bool(self.module._diff)

    def warn(self, message):
        self.module.warn(message)

    # --- the one exit ----------------------------------------------------------------------
    def run(self, runner):
        """Exit once: with the dict runner(self) returns, or failed for the ModuleFailure it raises (_runner)."""
        run_module(self.module, lambda _ansible_module: self._result_of(runner))

    def _result_of(self, runner):
        if not HAS_DATABRICKS_SDK:
            raise ModuleFailure(missing_required_lib("databricks-sdk"), exception=DATABRICKS_SDK_IMPORT_ERROR)
        try:
            return runner(self)
        finally:
            task_ended()  # the reads this invocation added go to the run's read plan

    def fail(self, msg, error_code=None, **extra):
        """Raise the module's failure (ModuleFailure): msg, error_code and extra are its result."""
        if error_code is not None:
            extra["error_code"] = error_code
        raise ModuleFailure(msg, **extra)

    def fail_error(self, exc, action=None, host=None, **extra):
        """Raise the module's failure for an API error: specific message and the Databricks error code.
        host: the workspace URL the failed call went to (default: the workspace_host option of a
        workspace module), named when the workspace is not reachable yet."""
        if host is None and self.api == "workspace":
            host = self.params.get("workspace_host")
        info = describe_error(exc, action, host=host)
        raise ModuleFailure(info.message, error_code=info.error_code, exception=traceback.format_exc(), **extra)

    def result(self, changed=False, diff=None, **values):
        """The module's result: changed, the values, and diff only under --diff."""
        if diff is not None and self.diff_mode:
            values["diff"] = diff
        return dict(changed=changed, **values)

    def run_each(self, runner, items, key, identity):
        """runner(view) for each item (a dict of the runner's params), side by side; one result for all.

        The result has changed (any item changed), key (one entry per item, in the order given: the item's
        identity fields and its runner's result without diff) and, under --diff, a diff whose before and after
        name each item by its identity. The threads share the module's clients; the first item to fail (in the
        order given) fails the module, once the items already running have ended."""
        names = [" ".join(str(item[field]) for field in identity) for item in items]
        repeated = sorted(set(name for name in names if names.count(name) > 1))
        if repeated:
            self.fail("%s: each entry once; repeated: %s" % (key, ", ".join(repeated)), error_code="INVALID_PARAMETER")
        self._shared_reads = {}
        try:
            results = in_parallel([partial(runner, ItemView(self, item)) for item in items])
        finally:
            self._shared_reads = None
        entries, before, after = [], {}, {}
        for index, (item, result) in enumerate(pairs(items, results)):
            name = names[index]
            diff = result.pop("diff", None) or {}
            before[name], after[name] = diff.get("before"), diff.get("after")
            entries.append(dict(((field, item[field]) for field in identity), **result))
        return self.result(changed=any(entry["changed"] for entry in entries),
                           diff={"before": before, "after": after}, **{key: entries})

    def shared_read(self, key, read):
        """read()'s reply, read once for all the entries of run_each that ask for the same key (the collection
        they each list to find their object) and copied to each; outside run_each every call reads. An entry never
        sees the writes of another through it: the entries converge different objects (run_each refuses repeats)."""
        if self._shared_reads is None:
            return read()
        with self._shared_reads_lock:
            slot = self._shared_reads.setdefault(key, {"lock": threading.Lock()})
        with slot["lock"]:  # the first entry reads, the others wait for its reply (a failed read is not kept)
            if "value" not in slot:
                slot["value"] = read()
        return copy.deepcopy(slot["value"])

    # --- clients -----------------------------------------------------------------------------
    @property
    def account_id(self):
        return self.params.get("account_id")

    def account_path(self, suffix=""):
        """'/api/2.0/accounts/<account_id><suffix>'."""
        return "/api/2.0/accounts/%s%s" % (self.account_id, suffix)

    @property
    def account(self):
        """The account API client (built on first use; a connection problem fails the module)."""
        return self._client("account", None)

    @property
    def workspace(self):
        """The workspace API client for the workspace_host option."""
        return self._client("workspace", None)

    def workspace_at(self, host):
        """A workspace API client for another workspace host, with the same credentials."""
        return self._client("workspace", host)

    @property
    def client(self):
        return self.account if self.api == "account" else self.workspace

    def _client(self, api, host):
        """The client, built on first use. Building a workspace client runs the SDK's discovery
        requests: a workspace not serving yet (WorkspaceNotReady, transient) is retried within the
        retry_timeout option; any other error fails the module."""
        key = (api, host)
        with self._clients_lock:  # the entries of run_each ask for clients from their threads
            if key not in self._clients:
                if api == "account":
                    def build():
                        return self.account_client_factory(self.params)
                else:
                    def build():
                        return self.workspace_client_factory(self.params, host=host)
                try:
                    self._clients[key] = call_with_retries(build, self.params.get("retry_timeout") or 0,
                                                           state=self.retry_state)
                except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
                    self.fail_error(exc, action="connect to the Databricks %s API" % api,
                                    host=host or (self.params.get("workspace_host") if api == "workspace" else None))
            return self._clients[key]

    # --- calls -------------------------------------------------------------------------------
    def call(self, fn, *args, **kwargs):
        """fn(*args, **kwargs) with retries; API errors fail the module (see the module docstring).

        Keyword-only controls (removed before calling fn):
        action: what the call does, for messages ("create credentials lh-creds");
        retry_if: predicate(exc) -> True to also retry that error (domain retries);
        retry_timeout: seconds to keep retrying (default: the retry_timeout option);
        not_found_ok: return None instead of failing when the object does not exist;
        fail: False to re-raise the error instead of failing the module;
        target_host: the workspace URL called (for the message when it is not reachable yet).
        """
        action = kwargs.pop("action", None)
        target_host = kwargs.pop("target_host", None)
        retry_if = kwargs.pop("retry_if", None)
        retry_timeout = kwargs.pop("retry_timeout", None)
        not_found_ok = kwargs.pop("not_found_ok", False)
        fail = kwargs.pop("fail", True)
        if retry_timeout is None:
            retry_timeout = self.params.get("retry_timeout") or 0
        try:
            return call_with_retries(lambda: fn(*args, **kwargs), retry_timeout, retry_if=retry_if,
                                     state=self.retry_state)
        except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
            if is_auth_failure(exc):  # a revoked or rotated credential: the next invocation authenticates afresh
                forget_sessions(self.params)
            if not_found_ok and is_not_found(exc):
                return None
            if not fail:
                raise
            self.fail_error(exc, action=action, host=target_host)

    def get_or_none(self, fn, *args, **kwargs):
        kwargs["not_found_ok"] = True
        return self.call(fn, *args, **kwargs)

    def request(self, method, path, body=None, query=None, client=None, **call_kwargs):
        """A raw REST call through the SDK's ApiClient (auth, SDK error classes) with the
        base's retries and error mapping. Returns the decoded JSON (dict or list; {} when empty).
        client defaults to ``module.client``; pass ``module.account`` or ``module.workspace_at(url)``
        to reach another API."""
        client = client if client is not None else self.client
        call_kwargs.setdefault("action", "%s %s" % (method, path))
        call_kwargs.setdefault("target_host", getattr(getattr(client, "config", None), "host", None))
        reply = self.call(client.api_client.do, method, path, query=query, body=body, **call_kwargs)
        return reply if reply is not None else ({} if not call_kwargs.get("not_found_ok") else None)

    def list_pages(self, path, key, action, client=None):
        """Every item of a token-paged list (clusters/list in 2.1, log delivery): the items under key on each
        page, following next_page_token until a page has none."""
        items, query = [], None
        while True:
            reply = self.request("GET", path, query=query, client=client, action=action)
            items.extend(reply.get(key) or [])
            if not reply.get("next_page_token"):
                return items
            query = {"page_token": reply["next_page_token"]}

    # --- waiting -----------------------------------------------------------------------------
    def wait_for_status(self, fetch, status_of, ready, failed=(), timeout=1200, **kwargs):
        """Adaptive, bounded polling; see _databricks_waiter.wait_for_status."""
        return wait_for_status(fetch, status_of, ready, failed=failed, timeout=timeout, **kwargs)
