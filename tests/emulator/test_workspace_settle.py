"""A new workspace is not reachable the moment it reports RUNNING.

Databricks answers a new workspace's requests with "... does not have any associated worker
environments" for a while after RUNNING (the Terraform provider probes the workspace after RUNNING,
mws/resource_mws_workspaces.go verifyWorkspaceReachable; both SDKs retry that message). The emulator
refuses every path of the workspace listener for ``workspace_settle_seconds`` (emulator clock) after
the workspace turned RUNNING, discovery and OAuth included, then serves it.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    WorkspaceNotReady,
    describe_error,
)
from databricks.sdk._base_client import _BaseClient
from databricks.sdk.errors import InvalidParameterValue
from databricks.sdk.errors.parser import _Parser

from sandbox import launcher

from .conftest import ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, account_client, m2m_client, pat_client, provision, wait_for
from .test_main import REPO, free_port

WORKER_ENV = "does not have any associated worker environments"
PATHS = (("GET", "/.well-known/databricks-config"), ("GET", "/oidc/.well-known/oauth-authorization-server"),
         ("POST", "/oidc/v1/token"), ("GET", "/api/2.0/preview/scim/v2/Me"), ("GET", "/api/2.1/clusters/list"),
         ("GET", "/api/2.0/no/such/route"))


def admin(emulator, path, body=None):
    reply = requests.post(f"{emulator.url}/__sandbox/{path}", json=body or {}, timeout=10)
    reply.raise_for_status()
    return reply.json()


def running_but_settling(emulator, estate, settle=600.0):
    """A workspace that has just turned RUNNING, with a settle period of settle emulator seconds."""
    admin(emulator, "config", {"workspace_settle_seconds": settle})
    a = account_client(emulator)
    ws, url = provision(a, estate, wait=False)
    ws = wait_for(lambda: a.workspaces.get(ws.workspace_id), lambda w: w.workspace_status.value == "RUNNING")
    assert ws.workspace_status.value == "RUNNING"
    return a, ws, url


def test_every_path_is_refused_while_the_workspace_settles(emulator, estate):
    a, ws, url = running_but_settling(emulator, estate)
    for method, path in PATHS:
        reply = requests.request(method, url + path, timeout=10)
        assert reply.status_code == 400, (path, reply.text)
        assert reply.json() == {"error_code": "INVALID_PARAMETER_VALUE",
                                "message": f"Current organization {ws.workspace_id} {WORKER_ENV}"}
    # The account API meanwhile reports the workspace RUNNING.
    assert a.workspaces.get(ws.workspace_id).workspace_status.value == "RUNNING"


def test_the_sdk_parses_the_reply_as_one_it_retries(emulator, estate):
    _, _, url = running_but_settling(emulator, estate)
    error = _Parser().get_api_error(requests.get(url + "/api/2.0/preview/scim/v2/Me", timeout=10))
    assert isinstance(error, InvalidParameterValue) and error.error_code == "INVALID_PARAMETER_VALUE"
    assert _BaseClient._is_retryable(error) == f"matched {WORKER_ENV}"
    # A call keeps being refused until the SDK's own retry window closes ...
    started = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        pat_client(url, "dapi-any", retry_timeout=2).current_user.me()
    assert isinstance(caught.value.__cause__, InvalidParameterValue) and time.monotonic() - started >= 1
    # ... and an OAuth client cannot even be built: the host and OIDC discovery are refused too.
    with pytest.raises(ValueError):
        m2m_client(url, retry_timeout=1)


def test_the_collection_tells_a_settling_workspace_from_a_broken_one(emulator, estate):
    """The real SDK's Config() against the settling workspace: the collection's client factory reports
    WorkspaceNotReady (retried by its modules), with the workspace URL and the reply in the message."""
    _, _, url = running_but_settling(emulator, estate)
    options = dict(workspace_host=url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, retry_timeout=1,
                   http_timeout=10, validate_certs=True)
    with pytest.raises(WorkspaceNotReady) as caught:
        client_utils.build_config(options, "workspace")
    info = describe_error(caught.value, "connect to the Databricks workspace API")
    assert info.error_code == "WORKSPACE_NOT_READY" and url in info.message and WORKER_ENV in info.message
    admin(emulator, "clock/advance", {"seconds": 600})
    assert client_utils.build_config(options, "workspace").host == url  # served now


def test_refused_then_served_counted_from_running(emulator, estate):
    admin(emulator, "config", {"provisioning_delay": 100, "workspace_settle_seconds": 50})
    a = account_client(emulator)
    ws, url = provision(a, estate, wait=False)
    assert requests.get(url + "/.well-known/databricks-config", timeout=10).status_code == 503  # PROVISIONING
    admin(emulator, "clock/advance", {"seconds": 100})
    assert a.workspaces.get(ws.workspace_id).workspace_status.value == "RUNNING"
    refused = requests.get(url + "/.well-known/databricks-config", timeout=10)
    assert refused.status_code == 400 and WORKER_ENV in refused.text  # the window starts at RUNNING
    admin(emulator, "clock/advance", {"seconds": 49})
    assert WORKER_ENV in requests.get(url + "/.well-known/databricks-config", timeout=10).text
    admin(emulator, "clock/advance", {"seconds": 1})
    assert requests.get(url + "/.well-known/databricks-config", timeout=10).status_code == 200
    me = m2m_client(url).current_user.me()  # discovery, OAuth token and the API all served now
    assert me.id
    log = requests.get(f"{emulator.url}/__sandbox/requests", timeout=10).json()
    statuses = [e["status"] for e in log if e["listener"] == ws.workspace_id]
    assert statuses[:3] == [503, 400, 400] and statuses[-1] == 200


def test_settle_period_is_taken_at_creation_and_can_be_off(emulator, estate):
    admin(emulator, "config", {"workspace_settle_seconds": 0})
    a = account_client(emulator)
    ws, url = provision(a, estate, wait=False)
    wait_for(lambda: a.workspaces.get(ws.workspace_id), lambda w: w.workspace_status.value == "RUNNING")
    admin(emulator, "config", {"workspace_settle_seconds": 600})  # later workspaces only
    assert requests.get(url + "/.well-known/databricks-config", timeout=10).status_code == 200
    assert requests.get(f"{emulator.url}/__sandbox/config", timeout=10).json()["workspace_settle_seconds"] == 600
    bad = requests.post(f"{emulator.url}/__sandbox/config", json={"workspace_settle_seconds": "soon"}, timeout=10)
    assert bad.status_code == 400


def test_launcher_and_command_line_set_the_settle_period(moto_url, monkeypatch):
    monkeypatch.setenv("SANDBOX_WORKSPACE_SETTLE_SECONDS", "7")
    emulator_service = next(s for s in launcher.services() if s.name == "databricks")
    command = emulator_service.command()
    assert command[command.index("--workspace-settle-seconds") + 1] == "7.0"
    monkeypatch.delenv("SANDBOX_WORKSPACE_SETTLE_SECONDS")
    default = next(s for s in launcher.services() if s.name == "databricks").command()
    assert float(default[default.index("--workspace-settle-seconds") + 1]) > 0  # strict by default
    port = free_port()
    env = dict(os.environ, DATABRICKS_EMULATOR_ACCOUNT_ID=ACCOUNT_ID, DATABRICKS_EMULATOR_CLIENT_ID=CLIENT_ID,
               DATABRICKS_EMULATOR_CLIENT_SECRET=CLIENT_SECRET)
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.databricks_emulator", "--port", str(port),
                             "--aws-endpoint", moto_url, "--workspace-settle-seconds", "7"],
                            cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                config = requests.get(f"http://127.0.0.1:{port}/__sandbox/config", timeout=1).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert config["workspace_settle_seconds"] == 7
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
