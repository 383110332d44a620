# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded retries of Databricks calls: jittered exponential backoff honouring ``Retry-After``.

* ``backoff_delay(attempt, ...)``: the seconds to wait before a retry;
* ``call_with_retries(fn, retry_timeout, retry_if=None, ...)``: fn() retried on the transient
  errors ``_databricks_errors.is_transient`` names (and on those a ``retry_if`` predicate accepts,
  e.g. IAM propagation) until the deadline; ``RetryState`` records what happened.

Which errors are transient, and how an error reads, is ``_databricks_errors``; waiting for a status
is ``_databricks_waiter``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    describe_error,
    is_transient,
)


def backoff_delay(attempt, base=1.0, cap=20.0, retry_after=None, rand=random.uniform):
    """Seconds to wait before retry number attempt (0-based): jittered exponential, >= Retry-After."""
    ceiling = min(cap, base * (2 ** attempt))
    delay = rand(ceiling / 2.0, ceiling)
    if retry_after:
        delay = max(delay, float(retry_after))
    return delay


class RetryState:
    """What happened during call_with_retries (for results and warnings)."""

    def __init__(self):
        self.attempts = 0
        self.waited = 0.0
        self.last_error = None


def call_with_retries(fn, retry_timeout, retry_if=None, base=1.0, cap=20.0, sleep=None, clock=None, state=None):
    """fn() retried on transient errors (and on errors retry_if(exc) accepts) until retry_timeout.

    The last error is re-raised when the deadline would pass before the next attempt.
    sleep and clock default to time.sleep and time.monotonic (looked up at call time, so tests
    can patch them).
    """
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    state = state if state is not None else RetryState()
    deadline = clock() + max(0, retry_timeout)
    attempt = 0
    while True:
        state.attempts += 1
        try:
            return fn()
        except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
            retryable = is_transient(exc) or (retry_if is not None and retry_if(exc))
            if not retryable:
                raise
            delay = backoff_delay(attempt, base=base, cap=cap, retry_after=describe_error(exc).retry_after)
            if clock() + delay > deadline:
                raise
            state.last_error = exc
            state.waited += delay
            sleep(delay)
            attempt += 1
