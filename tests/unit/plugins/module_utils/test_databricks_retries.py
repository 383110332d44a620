"""_databricks_retries: jittered, bounded backoff and the retry loop over _databricks_errors' transient errors."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_errors as err
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_retries as retries
from databricks.sdk import errors as sdk_errors


def test_backoff_is_jittered_bounded_and_honours_retry_after():
    delays = [retries.backoff_delay(n, base=1, cap=8) for n in range(6)]
    assert all(0.5 <= d <= 8 for d in delays)
    assert retries.backoff_delay(0, retry_after=5) >= 5
    assert retries.backoff_delay(10, cap=4, rand=lambda low, high: high) == 4


def test_transient_errors_are_retried_until_success(fake_clock):
    clock = fake_clock
    replies = [sdk_errors.TemporarilyUnavailable("503"), sdk_errors.TooManyRequests("429"), "ok"]

    def call():
        reply = replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    state = retries.RetryState()
    assert retries.call_with_retries(call, 60, sleep=clock.sleep, clock=clock.time, state=state) == "ok"
    assert state.attempts == 3 and len(clock.sleeps) == 2


def test_retries_stop_at_the_deadline_and_reraise(fake_clock):
    clock = fake_clock

    def call():
        raise sdk_errors.TooManyRequests("429")

    with pytest.raises(sdk_errors.TooManyRequests):
        retries.call_with_retries(call, 10, sleep=clock.sleep, clock=clock.time)
    assert clock.now <= 10


def test_other_errors_are_not_retried_unless_retry_if_says_so(fake_clock):
    clock = fake_clock
    calls = []

    def call():
        calls.append(1)
        if len(calls) < 3:
            raise sdk_errors.BadRequest("MALFORMED_REQUEST: Failed credential validation checks",
                                        error_code="MALFORMED_REQUEST")
        return "created"

    with pytest.raises(sdk_errors.BadRequest):
        retries.call_with_retries(call, 60, sleep=clock.sleep, clock=clock.time)
    calls.clear()
    result = retries.call_with_retries(call, 60, sleep=clock.sleep, clock=clock.time,
                                       retry_if=lambda exc: err.message_contains(exc, "credential validation"))
    assert result == "created" and len(calls) == 3
