"""The OAuth token request is retried on 429/5xx (the SDK sends it once): _interpreter_patches.RetryingTokenRequests,
installed by _databricks_client.build_config."""

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _interpreter_patches as patches
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_retries import backoff_delay
from databricks.sdk import oauth as sdk_oauth


class Clock:
    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def reply(status, retry_after=None):
    response = requests.models.Response()
    response.status_code = status
    response.url = "https://accounts.example/oidc/accounts/a/v1/token"
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    response._content = b'{"access_token": "t", "token_type": "Bearer", "expires_in": 3600}' if status == 200 else b"{}"
    return response


class Replies:
    def __init__(self, *statuses):
        self.replies = [reply(*s) if isinstance(s, tuple) else reply(s) for s in statuses]
        self.calls = 0

    def post(self, *args, **kwargs):
        self.calls += 1
        return self.replies.pop(0)


def test_throttled_token_requests_are_retried_honouring_retry_after():
    clock = Clock()
    inner = Replies((429, 3), 503, 200)
    shim = patches.RetryingTokenRequests(inner, 30, backoff_delay, sleep=clock.sleep, clock=clock.time)
    assert shim.post("url", {}).status_code == 200
    assert inner.calls == 3 and clock.sleeps[0] >= 3 and len(clock.sleeps) == 2


def test_other_errors_are_returned_at_once():
    inner = Replies(401)
    shim = patches.RetryingTokenRequests(inner, 30, backoff_delay, sleep=pytest.fail)
    assert shim.post("url", {}).status_code == 401 and inner.calls == 1


def test_retries_stop_at_the_window_with_the_status_in_the_error():
    clock = Clock()
    shim = patches.RetryingTokenRequests(Replies(*[503] * 50), 10, backoff_delay, sleep=clock.sleep, clock=clock.time)
    with pytest.raises(requests.HTTPError, match=r"503 .*v1/token"):
        shim.post("url", {})
    assert clock.now <= 10


def test_build_config_installs_the_shim_once_with_the_retry_timeout(monkeypatch, interpreter_patches_on):
    monkeypatch.setattr(sdk_oauth, "requests", requests)
    monkeypatch.setattr(client_utils, "Config", lambda **kwargs: kwargs)
    options = dict(account_host="https://accounts.example", account_id="a", client_id="c", client_secret="s",
                   retry_timeout=45, http_timeout=60, validate_certs=True, auth_type=None)
    client_utils.build_config(options, "account")
    client_utils.build_config(dict(options, retry_timeout=30), "account")
    assert isinstance(sdk_oauth.requests, patches.RetryingTokenRequests)
    assert sdk_oauth.requests.inner is requests and sdk_oauth.requests.window == 30
    assert sdk_oauth.requests.Session is requests.Session  # the rest of requests is untouched
