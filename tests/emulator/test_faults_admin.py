"""Admin endpoints (/__sandbox/) and every fault kind, on the account and workspace listeners."""

import time

import pytest
import requests
from databricks.sdk.errors import InternalError, TemporarilyUnavailable, TooManyRequests
from databricks.sdk.errors.parser import _Parser

from .conftest import ACCOUNT_ID, account_client, m2m_client, provision


def admin(emulator, method, path, **kw):
    reply = requests.request(method, f"{emulator.url}/__sandbox/{path}", timeout=10, **kw)
    reply.raise_for_status()
    return reply.json()


def fault(emulator, **body):
    return admin(emulator, "POST", "faults", json=body)


def sdk_error(reply):
    """The exception the SDK raises for this reply."""
    return _Parser().get_api_error(reply)


def test_health_and_config(emulator):
    assert admin(emulator, "GET", "health") == {"status": "ok"}
    conf = admin(emulator, "POST", "config", json={"provisioning_delay": 5, "iam_propagation_seconds": 10})
    assert conf["provisioning_delay"] == 5 and conf["iam_propagation_seconds"] == 10
    assert admin(emulator, "GET", "config")["provisioning_delay"] == 5
    bad = requests.post(f"{emulator.url}/__sandbox/config", json={"nope": 1}, timeout=5)
    assert bad.status_code == 400


def test_request_log_and_counts(emulator):
    a = account_client(emulator)
    admin(emulator, "DELETE", "requests")
    a.workspaces.list()
    a.workspaces.list()
    counts = admin(emulator, "GET", "counts")
    assert counts[f"GET /api/2.0/accounts/{ACCOUNT_ID}/workspaces"] == 2
    log = admin(emulator, "GET", "requests")
    assert {e["listener"] for e in log} == {"account"}
    assert all(set(e) == {"listener", "method", "path", "status", "ts"} for e in log)
    assert not any(e["path"].startswith("/__sandbox") for e in log)
    admin(emulator, "DELETE", "requests")
    assert admin(emulator, "GET", "requests") == []


def test_reset_forgets_everything(emulator, estate):
    a = account_client(emulator)
    provision(a, estate, wait=False)
    admin(emulator, "POST", "reset")
    assert admin(emulator, "GET", "workspaces") == []
    assert account_client(emulator).workspaces.list() == []


def test_429_with_retry_after_is_retried_by_the_sdk(emulator):
    a = account_client(emulator)
    url = f"{emulator.url}/api/2.0/accounts/{ACCOUNT_ID}/credentials"
    fault(emulator, route="/credentials$", method="GET", status=429, count=1, retry_after=1)
    raw = requests.get(url, headers=a.config.authenticate(), timeout=5)
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "1"
    assert isinstance(sdk_error(raw), TooManyRequests)
    fault(emulator, route="/credentials$", status=429, count=1, retry_after=0)
    start = time.monotonic()
    assert a.credentials.list() == []  # the SDK retried once and succeeded
    assert time.monotonic() - start < 3


def test_503_burst_exhausts_a_short_retry_budget(emulator):
    a = account_client(emulator, retry_timeout=1)
    fault(emulator, route="/workspaces$", status=503, count=100, retry_after=0)
    with pytest.raises(TimeoutError) as err:
        a.workspaces.list()
    assert isinstance(err.value.__cause__, TemporarilyUnavailable)
    admin(emulator, "DELETE", "faults")
    assert a.workspaces.list() == []


def test_500_is_not_retried(emulator):
    a = account_client(emulator)
    fault(emulator, route="/networks", status=500, count=1)
    with pytest.raises(InternalError):
        a.networks.list()
    assert a.networks.list() == []


def test_latency_fault_and_workspace_listener_faults(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    w = m2m_client(url)
    fault(emulator, route="/api/2.0/token/list", latency=0.5, count=1)
    start = time.monotonic()
    w.tokens.list()
    assert time.monotonic() - start >= 0.5
    fault(emulator, route="/api/2.0/token/list", status=500, count=1)
    with pytest.raises(InternalError):
        w.tokens.list()
    log = admin(emulator, "GET", "requests")
    assert any(e["listener"] != "account" and e["status"] == 500 for e in log)
    bad = requests.post(f"{emulator.url}/__sandbox/faults", json={"route": "x", "status": 418}, timeout=5)
    assert bad.status_code == 400


def test_clock_advance(emulator):
    before = admin(emulator, "POST", "clock/advance", json={"seconds": 0})["now"]
    after = admin(emulator, "POST", "clock/advance", json={"seconds": 3600})["now"]
    assert after - before >= 3600


def test_armed_faults_are_listed_until_used_up(emulator):
    admin(emulator, "DELETE", "faults")
    route = rf"^/api/2\.0/accounts/{ACCOUNT_ID}/workspaces$"
    fault(emulator, route=route, method="GET", latency=0.2, count=2)
    assert admin(emulator, "GET", "faults") == [{"route": route, "method": "GET", "status": None, "latency": 0.2,
                                                 "count": 2}]
    a = account_client(emulator)
    started = time.monotonic()
    a.workspaces.list()
    assert time.monotonic() - started >= 0.2
    assert admin(emulator, "GET", "faults")[0]["count"] == 1
    a.workspaces.list()
    assert admin(emulator, "GET", "faults") == []
