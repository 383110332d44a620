# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-ahead of a run's Databricks reads: the GETs a deployment's last run made, sent side by side when a session
is first used, so that a run's reads wait about one call's latency per round instead of one per task.

Each module task reads what it converges, one task after another; on a real API every read costs its round trip
(about 150 ms), and a no-op converge is mostly those waits. What a run reads depends on the deployment, not on the
run, so the last run's reads foretell this one's. The read plan (the file named by ``LAKEHOUSE_DATABRICKS_READ_PLAN``,
one per deployment; site.yml sets it) holds, for each session, the path and query of each GET it made: no header,
body or reply, and a session is named by a digest of its key (``_databricks_client.session_key``), never by a
credential. The reads are written at the end of each module invocation (``task_ended``), when it added any.

When a session sends its first GET in an interpreter, the plan's GETs of that session are sent too, at most
``_concurrent.MAX_IN_FLIGHT`` at a time, in the background. A task's GET then takes the prefetched outcome - the
reply, or the error the read met, which its retries and error mapping treat as their own - or, when there is none,
reads as before. A prefetched outcome serves each task's first read of its path and query, and only while it is
fresh:

* any other request (a write) through any session of the interpreter drops every outcome, so a read never returns
  what the run changed since;
* a read sent by a task that took the outcome already (a retry, a poll) goes to the API, and the outcome is dropped:
  no later read of that request gets an answer older than one the run has seen;
* an outcome older than ``MAX_AGE`` seconds is not used;
* an error that is not the API's (``_databricks_errors.API_ERRORS``) is not used: the read is sent again. The
  reads sent ahead may still run when the task that sent them has ended, while the strategy changes the process
  environment for the next task, and requests iterates that environment at each request.

It works only where the interpreter outlives the task (the mitogen strategy): a new process per task (``linear``)
would send the whole plan for every module, so there nothing is read ahead or recorded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import MAX_IN_FLIGHT
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import API_ERRORS
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._interpreter_store import interpreter_store

PLAN_ENV = "LAKEHOUSE_DATABRICKS_READ_PLAN"
PLAN_VERSION = 1
MAX_AGE = 60  # seconds a prefetched outcome may be used
# A later page's token is good for one listing only: those reads are not kept for the next run.
PAGE_TOKENS = ('"page_token"', '"next_page_token"')
STORE_MODULE = "_lakehouse_databricks_aws_read_ahead"


def interpreter_outlives_the_task():
    """True under the mitogen strategy: its interpreter runs the host's tasks one after another."""
    return "mitogen.core" in sys.modules


def session_label(key):
    """The name of a session in the plan: a digest of its key (which holds secrets only as digests)."""
    return hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:16]


def _store():
    """The interpreter's read-ahead state (``_interpreter_store``)."""
    return interpreter_store(STORE_MODULE, "Databricks reads sent ahead, and the reads of this run", lambda: {
        "path": None,
        "plan": None,  # label -> [[path, query], ...] of the last run, loaded once
        "recorded": {},  # label -> the same, this run's
        "unsaved": False,  # this run's reads have grown since the plan was written
        "started": set(),  # labels whose plan was sent
        "slots": {},  # (label, path, query) -> {"future", "at", "taken_by": the last task that took it}
        "task": 0,  # the module invocation running (an interpreter runs one at a time)
        "pool": None,
    })


def task_ended():
    """At the end of each module invocation (``DatabricksModule``): write this run's reads to the plan when a read
    was added since the last write (once per task, not at every read), and let the next task take the outcomes."""
    store = sys.modules.get(STORE_MODULE)
    if store is None:
        return
    with store.lock:
        store.task += 1
        if store.unsaved and store.path:
            _save(store.path, store.recorded)
            store.unsaved = False


def _canonical(query):
    return json.dumps(query, sort_keys=True) if query else ""


def _load(path):
    try:
        with open(path) as plan_file:
            plan = json.load(plan_file)
    except (OSError, ValueError):
        return {}
    if not isinstance(plan, dict) or plan.get("version") != PLAN_VERSION or not isinstance(plan.get("sessions"), dict):
        return {}
    return plan["sessions"]


def _save(path, recorded):
    """Write the plan atomically (a parallel run of another deployment writes a file of its own). A read plan
    that cannot be written only means no read-ahead next time; its temporary file is not left behind."""
    temporary = None
    try:
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".read-plan-", dir=folder)
        with os.fdopen(handle, "w") as plan_file:
            json.dump({"version": PLAN_VERSION, "sessions": recorded}, plan_file, indent=0, sort_keys=True)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


class ReadAheadApiClient:
    """The SDK's ApiClient of one session, its GETs served from the read-ahead when it has them."""

    def __init__(self, api_client, key):
        self._api = api_client
        self._label = session_label(key)

    def __getattr__(self, name):
        return getattr(self._api, name)

    def do(self, method, path=None, query=None, body=None, **kwargs):
        plan_path = os.environ.get(PLAN_ENV)
        if not plan_path or not interpreter_outlives_the_task():
            return self._api.do(method, path, query=query, body=body, **kwargs)
        store = _store()
        if method != "GET" or body is not None or any(kwargs.values()) or not path:  # headers, raw, url, ...
            if method != "GET":
                _invalidate(store)
            return self._api.do(method, path, query=query, body=body, **kwargs)
        slot = self._take(store, plan_path, path, _canonical(query))
        if slot is None:
            return self._api.do(method, path, query=query)
        outcome = slot["future"]
        error = outcome.exception()
        if error is not None and not isinstance(error, API_ERRORS):
            # Not the API's answer: e.g. the thread read os.environ while the strategy changed it between two
            # tasks (requests looks up proxies there). The task reads for itself.
            return self._api.do(method, path, query=query)
        return outcome.result()  # the reply, or the read's error raised here as the task's own

    def _take(self, store, plan_path, path, query):
        with store.lock:
            if store.plan is None or store.path != plan_path:
                if store.unsaved and store.path:
                    _save(store.path, store.recorded)  # the reads of the deployment read before
                store.path, store.plan, store.recorded, store.started = plan_path, _load(plan_path), {}, set()
                store.unsaved = False
            if self._label not in store.started:
                store.started.add(self._label)
                self._send_ahead(store)
            key = (self._label, path, query)
            slot = store.slots.get(key)
            if slot is not None and (slot["taken_by"] == store.task or time.time() - slot["at"] > MAX_AGE):
                del store.slots[key]  # the API answers this read and every later one
                slot = None
            if slot is not None:
                slot["taken_by"] = store.task
            reads = store.recorded.setdefault(self._label, [])
            if [path, query] not in reads and not any(name in query for name in PAGE_TOKENS):
                reads.append([path, query])
                store.unsaved = True
        return slot

    def _send_ahead(self, store):
        """Send this session's reads of the last run (store.lock held)."""
        reads = [read for read in store.plan.get(self._label) or [] if isinstance(read, list) and len(read) == 2]
        if not reads:
            return
        if store.pool is None:
            store.pool = ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT, thread_name_prefix="databricks-read-ahead")
        for path, query in reads:
            arguments = json.loads(query) if query else None
            store.slots[(self._label, path, query)] = {
                "future": store.pool.submit(self._api.do, "GET", path, query=arguments),
                "at": time.time(),
                "taken_by": None,
            }


def _invalidate(store):
    """A write: no outcome read before it may serve a read after it."""
    with store.lock:
        store.slots.clear()
