"""Start, stop and describe the local sandbox: moto (AWS) and the Databricks emulator.

    python -m sandbox up      # start both (or reuse the running ones), write endpoints.json
    python -m sandbox down    # stop exactly the processes `up` started; safe to repeat
    python -m sandbox status  # print endpoints.json and whether each process is alive

Settings come from the environment:
    SANDBOX_DIR              state folder (default: <repo>/.sandbox)
    SANDBOX_AWS_PORT         moto port (default 4566)
    SANDBOX_DATABRICKS_PORT  emulator account port (default 4580)
    SANDBOX_SERVICES         comma list of services to start (default "aws,databricks")
    SANDBOX_PROVISIONING_DELAY  seconds a new workspace stays PROVISIONING (default 2)
    SANDBOX_WORKSPACE_SETTLE_SECONDS  seconds a new workspace's API refuses requests after it
                             turns RUNNING, as Databricks' does (default 2; 0 turns it off)
    SANDBOX_NAT_GATEWAY_PENDING_SECONDS  seconds a new NAT gateway stays pending (default 1)
    SANDBOX_DELAYS, SANDBOX_DELAY_SCALE  short (default) or realistic delays, and a factor on the
                             realistic ones (sandbox/delays.py lists every delay)

The Databricks sandbox credentials (account id, client id, client secret) are made once per
state folder and kept in ``endpoints.json`` (mode 0600); the emulator receives them through
its environment, never on its command line.
"""

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from . import delays

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTUP_TIMEOUT = 60


class Service:
    def __init__(self, name, port, module, extra_args=()):
        self.name = name
        self.port = port
        self.module = module
        self.extra_args = list(extra_args)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        return [sys.executable, "-m", self.module, "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]


def sandbox_dir():
    return os.path.abspath(os.environ.get("SANDBOX_DIR") or os.path.join(REPO, ".sandbox"))


def services():
    aws_port = int(os.environ.get("SANDBOX_AWS_PORT", "4566"))
    databricks_port = int(os.environ.get("SANDBOX_DATABRICKS_PORT", "4580"))
    wanted = os.environ.get("SANDBOX_SERVICES", "aws,databricks").split(",")
    known = [
        Service("aws", aws_port, "sandbox.aws_server", delays.command_line(delays.aws_delay_config())),
        Service(
            "databricks",
            databricks_port,
            "sandbox.databricks_emulator",
            ["--aws-endpoint", f"http://127.0.0.1:{aws_port}", *delays.command_line(delays.delay_config())],
        ),
    ]
    return [service for service in known if service.name in wanted]


def healthy(service, timeout=1.0):
    try:
        with urllib.request.urlopen(f"{service.url}/__sandbox/health", timeout=timeout) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


def pid_file(service):
    return os.path.join(sandbox_dir(), f"{service.name}.pid")


def read_pid(service):
    try:
        with open(pid_file(service), encoding="utf-8") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def is_our_process(pid, service):
    """True when pid is alive and still runs the service's module (pids get reused)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return service.module.encode() in handle.read()
    except OSError:
        return False


def process_running(pid):
    """True until the process has exited: gone, or a zombie waiting to be reaped. (Its cmdline
    empties as it starts exiting, before it is done; the state field tells the rest.)"""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def credentials():
    """Sandbox Databricks credentials, made once per state folder."""
    path = os.path.join(sandbox_dir(), "credentials.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    creds = {
        "databricks_account_id": str(uuid.uuid4()),
        "client_id": str(uuid.uuid4()),
        "client_secret": "dose" + secrets.token_hex(32),
    }
    write_private_json(path, creds)
    return creds


def write_private_json(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def start(service, creds):
    pid = read_pid(service)
    if pid and is_our_process(pid, service) and healthy(service):
        print(f"{service.name}: reusing the running sandbox at {service.url} (pid {pid})")
        return
    if healthy(service):
        sys.exit(f"{service.name}: port {service.port} already serves another sandbox (not started from "
                 f"{sandbox_dir()}); stop it or choose another port SANDBOX_AWS_PORT / SANDBOX_DATABRICKS_PORT)")
    env = dict(os.environ)
    env.update(
        DATABRICKS_EMULATOR_ACCOUNT_ID=creds["databricks_account_id"],
        DATABRICKS_EMULATOR_CLIENT_ID=creds["client_id"],
        DATABRICKS_EMULATOR_CLIENT_SECRET=creds["client_secret"],
        PYTHONPATH=REPO + os.pathsep + env.get("PYTHONPATH", ""),
    )
    log = open(os.path.join(sandbox_dir(), f"{service.name}.log"), "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        service.command(), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    with open(pid_file(service), "w", encoding="utf-8") as handle:
        handle.write(str(process.pid))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    # Healthy alone is not enough: the answer must come from the process just started.
    while not healthy(service) or process.poll() is not None:
        if process.poll() is not None or time.monotonic() > deadline:
            stop(service)
            sys.exit(f"{service.name}: failed to start on {service.url}; see {sandbox_dir()}/{service.name}.log")
        time.sleep(0.2)
    print(f"{service.name}: started at {service.url} (pid {process.pid})")


def stop(service):
    pid = read_pid(service)
    if pid and is_our_process(pid, service):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while process_running(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # reap when we are its parent (tests)
            time.sleep(0.1)
        if process_running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        print(f"{service.name}: stopped (pid {pid})")
    with contextlib.suppress(FileNotFoundError):
        os.remove(pid_file(service))


def up():
    os.makedirs(sandbox_dir(), mode=0o700, exist_ok=True)
    creds = credentials()
    endpoints = {}
    for service in services():
        start(service, creds)
        endpoints["databricks_account" if service.name == "databricks" else service.name] = service.url
    endpoints.update(creds)
    write_private_json(os.path.join(sandbox_dir(), "endpoints.json"), endpoints)
    print(f"endpoints written to {sandbox_dir()}/endpoints.json")


def down():
    for service in services():
        stop(service)


def status():
    for service in services():
        pid = read_pid(service)
        alive = bool(pid and is_our_process(pid, service))
        print(f"{service.name}: {'running' if alive else 'stopped'} {service.url}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    actions = {"up": up, "down": down, "status": status}
    if len(argv) != 1 or argv[0] not in actions:
        sys.exit("usage: python -m sandbox {up|down|status}")
    actions[argv[0]]()


if __name__ == "__main__":
    main()
