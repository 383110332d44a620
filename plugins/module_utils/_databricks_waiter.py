# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded waiting with adaptive polling (workspace RUNNING, cluster started, ...).

    result = wait_for_status(fetch=lambda: get_workspace(wid), status_of=lambda w: w["workspace_status"],
                             ready=("RUNNING",), failed=("FAILED", "BANNED"), timeout=1200)
    result.value, result.status, result.elapsed, result.polls, result.history, result.outcome

The poll interval starts at ``initial`` seconds and grows with the time already waited
(``fraction`` of it, capped at ``maximum``): a fast operation is seen quickly, a slow one is
not polled a hundred times. ``history`` lists each status change with the elapsed second it
was seen, so a module can return what happened during a long wait. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from collections import namedtuple

WaitResult = namedtuple("WaitResult", ["value", "status", "outcome", "elapsed", "polls", "history"])

READY, FAILED, TIMED_OUT = "ready", "failed", "timeout"


def next_interval(elapsed, initial=1.0, maximum=15.0, fraction=0.2):
    return min(maximum, max(initial, elapsed * fraction))


def wait_for_status(fetch, status_of, ready, failed=(), timeout=1200, initial=1.0, maximum=15.0, fraction=0.2,
                    sleep=None, clock=None):
    """Poll fetch() until status_of(value) is in ready (or failed) or timeout seconds pass."""
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    start = clock()
    polls = 0
    history = []
    while True:
        value = fetch()
        polls += 1
        status = status_of(value)
        elapsed = clock() - start
        if not history or history[-1]["status"] != status:
            history.append({"status": status, "elapsed": round(elapsed, 1)})
        if status in ready:
            return WaitResult(value, status, READY, round(elapsed, 1), polls, history)
        if status in failed:
            return WaitResult(value, status, FAILED, round(elapsed, 1), polls, history)
        remaining = timeout - elapsed
        if remaining <= 0:
            return WaitResult(value, status, TIMED_OUT, round(elapsed, 1), polls, history)
        sleep(min(remaining, next_interval(elapsed, initial, maximum, fraction)))
