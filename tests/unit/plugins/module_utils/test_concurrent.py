"""in_parallel: the estate modules' concurrent reads (order kept, bound respected, errors as a sequential read)."""

import threading
import time

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _concurrent
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel


def client_error(code):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, "GetSomething")


def after(seconds, value):
    def read():
        time.sleep(seconds)
        return value
    return read


def test_results_keep_the_order_given_not_the_order_the_reads_end_in():
    reads = [after(0.3, "first"), after(0.0, "second"), after(0.15, "third")]
    assert in_parallel(reads) == ["first", "second", "third"]


@pytest.mark.parametrize("max_in_flight", [1, 3, 8])
def test_the_same_results_as_one_read_after_the_other(max_in_flight):
    reads = [after(0.01 * (number % 3), {"n": number}) for number in range(12)]
    assert in_parallel(reads, max_in_flight) == [read() for read in reads]


def test_nothing_to_read():
    assert in_parallel([]) == []


def test_the_reads_are_in_flight_together():
    barrier = threading.Barrier(4, timeout=10)  # broken, and every read failing, unless all four run at once

    def read():
        return barrier.wait()
    assert sorted(in_parallel([read] * 4)) == [0, 1, 2, 3]


def test_no_more_in_flight_than_the_bound(monkeypatch):
    monkeypatch.setattr(_concurrent, "MAX_IN_FLIGHT", 3)
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def read():
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
    in_parallel([read] * 10)
    assert state["most"] == 3


def test_the_first_failure_in_the_given_order_is_raised():
    def fails(code, seconds):
        def read():
            time.sleep(seconds)
            raise client_error(code)
        return read
    # The second read fails last, the third first: the second's error is the one a sequential read meets.
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        in_parallel([after(0.0, "ok"), fails("AccessDenied", 0.2), fails("Throttling", 0.0)])
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def recorded_reads(count, failing, started, seconds=0.0):
    """count reads that record their number in started when they start; read number failing raises."""
    def read(number):
        def run():
            started.append(number)
            if number == failing:
                raise client_error("AccessDenied")
            time.sleep(seconds)
            return number
        return run
    return [read(number) for number in range(count)]


def test_after_a_failure_the_reads_not_started_are_not_started():
    started = []
    with pytest.raises(botocore.exceptions.ClientError):
        in_parallel(recorded_reads(20, 0, started, seconds=0.1), max_in_flight=2)
    assert 0 in started and len(started) < 20


def test_a_sequential_bound_stops_at_the_first_failure():
    started = []
    with pytest.raises(botocore.exceptions.ClientError):
        in_parallel(recorded_reads(4, 1, started), max_in_flight=1)
    assert started == [0, 1]
