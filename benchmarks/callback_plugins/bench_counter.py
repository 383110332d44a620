# Benchmark counters: tasks run and module invocations per host, time per task.
# Enabled by benchmarks/run.py only (ANSIBLE_CALLBACK_PLUGINS + ANSIBLE_CALLBACKS_ENABLED);
# writes one JSON document to the file named by BENCH_COUNTER_FILE when the playbook ends.
from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_counter
type: aggregate
short_description: count tasks, module invocations and time per task for benchmarks/run.py
description:
  - Counts, per host, the task results (ok, changed, failed, skipped, unreachable) and the module
    invocations (one per task, or one per loop item; controller-only actions such as set_fact, debug,
    assert and include_* run no module and are not counted), and the wall time of every task.
  - Writes them as JSON to the file named by the environment variable BENCH_COUNTER_FILE.
requirements:
  - enabled in callbacks_enabled
"""

# Actions that the controller runs itself: no module is shipped or started for them.
CONTROLLER_ONLY = frozenset({
    "add_host", "assert", "debug", "end_play", "fail", "group_by", "import_playbook", "import_role",
    "import_tasks", "include", "include_role", "include_tasks", "include_vars", "meta", "pause",
    "set_fact", "set_stats", "validate_argument_spec",
})


def _short(action: str) -> str:
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        if action.startswith(prefix):
            return action[len(prefix):]
    return action


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_counter"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()
        self.tasks_started = 0
        self.task_started_at = {}
        self.task_seconds = defaultdict(float)
        self.task_names = {}
        self.hosts = defaultdict(Counter)
        self.modules = Counter()

    # --- tasks ----------------------------------------------------------------------------
    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks_started += 1
        self.task_started_at[task._uuid] = time.monotonic()
        self.task_names[task._uuid] = task.get_name()

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def _done(self, result, status):
        task = result._task
        host = result._host.get_name()
        counters = self.hosts[host]
        counters["tasks"] += 1
        counters[status] += 1
        start = self.task_started_at.get(task._uuid)
        if start is not None:
            self.task_seconds[task._uuid] = max(self.task_seconds[task._uuid], time.monotonic() - start)
        if status == "skipped":
            return
        if status == "ok" and result._result.get("changed"):
            counters["changed"] += 1
        action = _short(getattr(task, "resolved_action", None) or task.action or "")
        if action in CONTROLLER_ONLY:
            return
        items = result._result.get("results")
        if isinstance(items, list):
            invocations = sum(1 for item in items if isinstance(item, dict) and not item.get("skipped"))
        else:
            invocations = 1
        counters["module_invocations"] += invocations
        self.modules[action] += invocations

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._done(result, "unreachable")

    # --- output ---------------------------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_COUNTER_FILE")
        if not path:
            return
        slowest = sorted(self.task_seconds.items(), key=lambda kv: kv[1], reverse=True)[:15]
        document = {
            "wall_seconds": round(time.monotonic() - self.started, 3),
            "tasks_started": self.tasks_started,
            "hosts": {host: dict(counters) for host, counters in self.hosts.items()},
            "modules": dict(self.modules.most_common()),
            "slowest_tasks": [{"task": self.task_names[uuid], "seconds": round(sec, 3)} for uuid, sec in slowest],
        }
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
