"""The command-line launcher: env-var credentials, health, clean SIGTERM exit, no secrets in the log."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from .conftest import ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_launch_health_sigterm(moto_url):
    port = free_port()
    env = dict(os.environ, DATABRICKS_EMULATOR_ACCOUNT_ID=ACCOUNT_ID, DATABRICKS_EMULATOR_CLIENT_ID=CLIENT_ID,
               DATABRICKS_EMULATOR_CLIENT_SECRET=CLIENT_SECRET)
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.databricks_emulator", "--port", str(port),
                             "--aws-endpoint", moto_url, "--provisioning-delay", "0"],
                            cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                assert requests.get(f"{url}/__sandbox/health", timeout=1).json() == {"status": "ok"}
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        token = requests.post(f"{url}/oidc/accounts/{ACCOUNT_ID}/v1/token", auth=(CLIENT_ID, CLIENT_SECRET),
                              data={"grant_type": "client_credentials"}, timeout=5).json()["access_token"]
        assert requests.get(f"{url}/api/2.0/accounts/{ACCOUNT_ID}/workspaces",
                            headers={"Authorization": f"Bearer {token}"}, timeout=5).json() == []
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "/workspaces -> 200" in stderr
    for secret in (CLIENT_SECRET, token):
        assert secret not in stderr


def test_missing_credentials_env_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_EMULATOR_")}
    proc = subprocess.run([sys.executable, "-m", "sandbox.databricks_emulator", "--port", "0"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=20, check=False)
    assert proc.returncode != 0 and "DATABRICKS_EMULATOR_CLIENT_SECRET" in proc.stderr
