"""Helpers shared by the end-to-end tests: run the sandbox and ansible-playbook, read counters."""

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)"
                        r"\s+unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)"
                        r"\s+ignored=(?P<ignored>\d+)", re.MULTILINE)
MUTATING = ("POST", "PUT", "PATCH", "DELETE")  # every POST of the Databricks APIs the roles use mutates


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PlaybookRun:
    returncode: int
    stdout: str
    stderr: str
    recap: dict = field(default_factory=dict)

    def changed(self, host="sandbox"):
        return self.recap[host]["changed"]

    def failed(self, host="sandbox"):
        return self.recap[host]["failed"]


class Sandbox:
    """A sandbox (moto + emulator) in its own folder and ports, driven through `python -m sandbox`."""

    def __init__(self, directory, services=None):
        self.env = dict(os.environ)
        self.env.update(
            SANDBOX_DIR=str(directory),
            SANDBOX_AWS_PORT=str(free_port()),
            SANDBOX_DATABRICKS_PORT=str(free_port()),
            SANDBOX_SERVICES=services or os.environ.get("SANDBOX_SERVICES", "aws,databricks"),
            SANDBOX_PROVISIONING_DELAY=os.environ.get("SANDBOX_PROVISIONING_DELAY", "1"),
            ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_NOCOLOR="1",
            PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
        )
        self.directory = str(directory)
        self.endpoints = {}

    def up(self):
        self._launcher("up")
        with open(os.path.join(self.directory, "endpoints.json"), encoding="utf-8") as handle:
            self.endpoints = json.load(handle)
        return self

    def down(self):
        self._launcher("down")

    def _launcher(self, action):
        process = subprocess.run([sys.executable, "-m", "sandbox", action], cwd=REPO, env=self.env,
                                 capture_output=True, text=True, check=False)
        if process.returncode:
            raise RuntimeError(f"sandbox {action} failed:\n{process.stdout}{process.stderr}")

    # --- the sandbox's own routes (/__sandbox/...) on both sides --------------------------------------
    def moto(self, path, method="GET", body=None):
        """A route of moto's wrapper: /__sandbox/requests (the AWS request log), /__sandbox/faults."""
        return _call(self.endpoints["aws"] + path, method, body)

    def emulator(self, path, method="GET", body=None):
        """A route of the emulator's account listener: /__sandbox/requests, faults, config, workspaces, tokens."""
        return _call(self.endpoints["databricks_account"] + path, method, body)

    # --- AWS side -------------------------------------------------------------------------
    def aws_client(self, service, region="eu-west-1"):
        import boto3

        return boto3.client(service, endpoint_url=self.endpoints["aws"], region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def aws_requests(self):
        return self.moto("/__sandbox/requests")

    def aws_mutating_requests(self):
        return [request for request in self.aws_requests() if request["mutating"]]

    def clear_aws_requests(self):
        self.moto("/__sandbox/requests", method="DELETE")

    # --- Databricks side ------------------------------------------------------------------
    def databricks_mutations(self):
        """Mutating Databricks requests, without the OAuth token exchanges (authentication, not changes)."""
        return [request for request in self.emulator("/__sandbox/requests")
                if request["method"] in MUTATING and "/oidc/" not in request["path"]]

    def clear_requests(self):
        """Empty the request logs of both sides."""
        self.emulator("/__sandbox/requests", method="DELETE")
        self.clear_aws_requests()

    # --- ansible --------------------------------------------------------------------------
    def playbook(self, playbook, *args, inventory="inventories/local", env=None):
        command = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, playbook, *args]
        run_env = dict(self.env, **(env or {}))
        process = subprocess.run(command, cwd=REPO, env=run_env, capture_output=True, text=True, check=False)
        recap = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
                 for m in RECAP_LINE.finditer(process.stdout)}
        return PlaybookRun(process.returncode, process.stdout, process.stderr, recap)


def _call(url, method="GET", body=None):
    """One call to a sandbox route: the body sent as JSON, the reply read as JSON (None when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        raw = reply.read()
    return json.loads(raw) if raw else None
