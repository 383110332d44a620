"""A new workspace that reports RUNNING but does not serve yet: the first workspace call of a module
(client construction with the SDK's discovery, then the first request) is retried within the
retry_timeout option; when that runs out, the module fails naming the workspace URL.

Faked at the module_utils seam: DatabricksModule's workspace_client_factory, the SDK Config in
_databricks_client, requests.get for the discovery probe, and the clock/sleep of the retry loop.
"""

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_connection as conn
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_errors as err
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_retries as retries
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure
from databricks.sdk import errors as sdk_errors
from databricks.sdk._base_client import _BaseClient

HOST = "https://dbc-new-ws.cloud.databricks.com"
SETTLING = "Current organization 1234 does not have any associated worker environments"


def params(**overrides):
    base = {name: spec.get("default") for name, spec in conn.connection_argument_spec().items()}
    base.update(workspace_host=HOST, client_id="cid", client_secret="secret-value-1", retry_timeout=60)
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def fake_time(monkeypatch, fake_clock):
    fake = fake_clock
    monkeypatch.setattr(retries.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(retries.time, "sleep", fake.sleep)
    return fake


def settling_error():
    """What the SDK raises after its own retry window: TimeoutError from the settling reply."""
    try:
        raise TimeoutError("Timed out after 0:00:10") from sdk_errors.InvalidParameterValue(SETTLING)
    except TimeoutError as exc:
        return exc


class FakeClient:
    def __init__(self, replies):
        self.config = type("FakeConfig", (), {"host": HOST})()
        self.api_client = self
        self.replies = list(replies)
        self.calls = 0

    def do(self, method, path, query=None, body=None):
        self.calls += 1
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply


def run(monkeypatch, factory, use, **options):
    """use(module) on a workspace DatabricksModule built with this client factory: (its return value,
    None), or (None, the module's failure: msg, failed and the other keys of its result)."""
    monkeypatch.setattr(DatabricksModule, "workspace_client_factory", staticmethod(factory))
    with patch_module_args(params(**options)):
        module = DatabricksModule(argument_spec={}, api="workspace")
        try:
            return use(module), None
        except ModuleFailure as failure:
            return None, dict(failure.result, msg=failure.msg, failed=True)


def test_the_phrases_are_the_ones_the_sdk_retries():
    error = sdk_errors.InvalidParameterValue(SETTLING)
    assert _BaseClient._is_retryable(error) and err.is_transient(error) and err.is_workspace_settling(error)
    assert err.is_transient(settling_error())
    for phrase in err.WORKSPACE_SETTLING_PHRASES:
        assert _BaseClient._is_retryable(sdk_errors.BadRequest("x %s y" % phrase))
    assert not err.is_transient(sdk_errors.InvalidParameterValue("Invalid node type"))


def test_construction_then_first_request_are_retried_until_the_workspace_serves(monkeypatch, fake_time):
    client = FakeClient([settling_error(), settling_error(), {"id": "42"}])
    built = []

    def factory(options, host=None):
        built.append(fake_time.now)
        if len(built) < 3:
            raise err.WorkspaceNotReady(HOST, "HTTP 400 from %s/.well-known/databricks-config: %s" % (HOST, SETTLING))
        return client

    reply, failed = run(monkeypatch, factory,
                        lambda m: m.request("GET", "/api/2.0/preview/scim/v2/Me", action="read the caller"))
    assert failed is None and reply == {"id": "42"}
    assert len(built) == 3 and client.calls == 3
    assert len(fake_time.sleeps) == 4 and fake_time.now < 60  # backoff between tries, within retry_timeout


def test_when_the_bound_runs_out_the_message_names_the_workspace_and_says_to_rerun(monkeypatch, fake_time):
    def factory(options, host=None):
        raise err.WorkspaceNotReady(HOST, "HTTP 400 from %s/.well-known/databricks-config: %s" % (HOST, SETTLING))

    result = run(monkeypatch, factory, lambda m: m.request("GET", "/api/2.0/preview/scim/v2/Me"),
                 retry_timeout=30)[1]
    assert result["failed"] and result["error_code"] == "WORKSPACE_NOT_READY"
    assert "connect to the Databricks workspace API" in result["msg"]
    assert HOST in result["msg"] and "not reachable yet" in result["msg"] and "re-run" in result["msg"]
    assert SETTLING in result["msg"]
    assert fake_time.now <= 30 and len(fake_time.sleeps) >= 3  # retried, and stopped at the bound
    assert "secret-value-1" not in json.dumps(result)


def test_a_settling_first_request_fails_with_the_same_message(monkeypatch, fake_time):
    client = FakeClient([settling_error()] * 50)
    result = run(monkeypatch, lambda options, host=None: client,
                 lambda m: m.request("POST", "/api/2.0/token/create", body={}, action="create the automation token"),
                 retry_timeout=20)[1]
    assert result["error_code"] == "WORKSPACE_NOT_READY" and client.calls > 1
    assert result["msg"].startswith("create the automation token: WORKSPACE_NOT_READY: the Databricks workspace "
                                    + HOST + " is not reachable yet")


def test_other_construction_errors_are_not_retried(monkeypatch, fake_time):
    calls = []

    def factory(options, host=None):
        calls.append(1)
        raise client_utils.DatabricksConfigurationError("workspace_host is required")

    result = run(monkeypatch, factory, lambda m: m.workspace)[1]
    assert len(calls) == 1 and fake_time.sleeps == [] and result["error_code"] == "CONFIGURATION_ERROR"


# --- build_config: the SDK's Config() failing on a workspace that does not serve yet ----------------
class Reply:
    def __init__(self, status, body):
        self.status_code = status
        self.body = body
        self.text = json.dumps(body)

    def json(self):
        return self.body


@pytest.fixture
def failing_config(monkeypatch):
    def config(**kwargs):
        raise ValueError("default auth: oauth-m2m: Invalid URL 'None': No scheme supplied")

    monkeypatch.setattr(client_utils, "Config", config)


def test_config_failure_on_a_settling_workspace_becomes_workspace_not_ready(monkeypatch, failing_config):
    probed = []

    def get(url, **kwargs):
        probed.append(url)
        return Reply(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": SETTLING})

    monkeypatch.setattr(client_utils.requests, "get", get)
    with pytest.raises(err.WorkspaceNotReady) as caught:
        client_utils.build_config(params(), "workspace")
    assert probed == [HOST + "/.well-known/databricks-config"]
    assert caught.value.host == HOST and SETTLING in caught.value.reason
    assert err.is_transient(caught.value) and not client_utils.is_auth_failure(caught.value)
    assert client_utils._session_store().configs == {}  # nothing cached


def test_an_unresolvable_new_workspace_host_is_not_ready_too(monkeypatch, failing_config):
    def get(url, **kwargs):
        raise client_utils.requests.ConnectionError("Failed to resolve 'dbc-new-ws.cloud.databricks.com'")

    monkeypatch.setattr(client_utils.requests, "get", get)
    with pytest.raises(err.WorkspaceNotReady, match="cannot connect"):
        client_utils.build_config(params(), "workspace")


def test_a_workspace_serving_by_the_time_of_the_probe_gets_config_again(monkeypatch):
    built = []

    def config(**kwargs):
        built.append(kwargs)
        if len(built) == 1:  # discovery refused until a moment ago
            raise ValueError("default auth: oauth-m2m: Invalid URL 'None': No scheme supplied")
        return type("FakeConfig", (), {"host": kwargs["host"]})()

    monkeypatch.setattr(client_utils, "Config", config)
    monkeypatch.setattr(client_utils.requests, "get", lambda url, **kwargs: Reply(200, {"oidc_endpoint": "x"}))
    assert client_utils.build_config(params(), "workspace").host == HOST and len(built) == 2


def test_other_config_failures_keep_the_sdk_error(monkeypatch, failing_config):
    monkeypatch.setattr(client_utils.requests, "get", lambda url, **kwargs: Reply(404, {"error": "not found"}))
    with pytest.raises(ValueError, match="Invalid URL") as caught:
        client_utils.build_config(params(), "workspace")
    assert not isinstance(caught.value, err.WorkspaceNotReady)
    probed = []
    monkeypatch.setattr(client_utils.requests, "get", lambda url, **kwargs: probed.append(url))
    with pytest.raises(ValueError, match="Invalid URL"):  # the account API is not probed
        client_utils.build_config(params(account_id="acc"), "account")
    assert probed == []
