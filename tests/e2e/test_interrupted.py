"""Interrupted runs: an ansible-playbook run killed (SIGKILL, its whole process group) at any point is resumed by
running it again - the estate converges, with no duplicate object, no orphan Elastic IP or NAT gateway and no live
token that is not stored.

One estate, on a sandbox of its own, killed at four points, each detected from the state the run left (never a
sleep): site.yml from empty once the credential configuration exists -> site.yml during the workspace wait ->
site.yml converges (it resumes the wait) -> site.yml changes nothing -> `--tags reset_tokens` once both new
tokens exist but the secret still holds the old ones -> reset_tokens converges -> destroy once the workspace and
part of the AWS estate are gone (the NAT gateway's deletion in flight) -> destroy converges -> destroy changes
nothing -> nothing is left.
After every step: one account object per name, exactly the expected NAT gateways and Elastic IPs; after every
converged run: the workspace's live tokens are exactly the two stored in Secrets Manager, and both work.
"""

import collections
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.e2e.conftest import ok, run_report
from tests.sandbox_harness import RECAP_LINE, PlaybookRun
from tests.stack import PREFIX, WORKSPACE, Stack

PAT_COMMENT = PREFIX + " automation PAT"
OBO_COMMENT = PREFIX + " service principal token"
ACCOUNT_OBJECTS = {"credentials": "credentials_name", "storage-configurations": "storage_configuration_name",
                   "networks": "network_name", "workspaces": "workspace_name"}
DESTROY = ("playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
PROVISIONING_DELAY = 600  # emulator seconds; the test advances the emulator's clock instead of waiting


# --- processes ------------------------------------------------------------------------------------------
def processes():
    """{pid: (ppid, pgid, state)} of every process (from /proc)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def descendants(pid):
    table = processes()
    children = collections.defaultdict(list)
    for child, (parent, _pgid, _state) in table.items():
        children[parent].append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids, pgid, marker):
    """Processes still running (zombies are dead) among pids, in the process group pgid, or whose environment
    holds marker (every process a run starts inherits it, also one that left the group)."""
    found = []
    for pid, (_ppid, group, state) in processes().items():
        if state == "Z" or pid == os.getpid():
            continue
        if pid in pids or group == pgid:
            found.append(pid)
            continue
        try:
            with open("/proc/%d/environ" % pid, "rb") as handle:
                if marker in handle.read().split(b"\0"):
                    found.append(pid)
        except OSError:  # gone, or not ours to read
            continue
    return sorted(found)


class Interrupted(Stack):
    """The Stack, plus runs in the background that are killed when the state shows a given point."""

    def __init__(self, box, clone):
        super().__init__(box, clone)
        self.kills = []

    def start(self, step, playbook, *args):
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "inventories/local",
                   playbook, *args]
        logs = os.path.join(os.path.dirname(self.clone), "logs")
        os.makedirs(logs, exist_ok=True)
        log = open(os.path.join(logs, "%02d %s.log" % (len(self.times) + 1, step[:60])), "w+",  # noqa: SIM115
                   encoding="utf-8")  # closed by finish()
        process = subprocess.Popen(command, cwd=self.clone, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True)  # its own process group, mitogen's included
        process.step, process.log, process.started = step, log, time.monotonic()
        return process

    def finish(self, process, timeout=600):
        process.wait(timeout=timeout)
        self.times.append((process.step, time.monotonic() - process.started))
        process.log.seek(0)
        output = process.log.read()
        process.log.close()
        recap = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
                 for m in RECAP_LINE.finditer(output)}
        return PlaybookRun(process.returncode, output, "", recap)

    def kill_when(self, process, point, reached, timeout=240):
        """SIGKILL the run's process group as soon as reached() is true; check that none of its processes lives."""
        deadline = time.monotonic() + timeout
        while not reached():
            if process.poll() is not None:
                raise AssertionError("%s ended (rc=%s) before %s:\n%s" % (
                    process.step, process.returncode, point, self.finish(process).stdout[-6000:]))
            assert time.monotonic() < deadline, "%s did not reach %s within %s s" % (process.step, point, timeout)
            time.sleep(0.1)
        spawned = descendants(process.pid)
        marker = ("ANSIBLE_CONFIG=" + self.env["ANSIBLE_CONFIG"]).encode()
        os.killpg(process.pid, signal.SIGKILL)
        run = self.finish(process)
        lingering = alive(spawned, process.pid, marker)  # not yet reaped, or left the group (mitogen's setsid)
        deadline = time.monotonic() + 10
        while alive(spawned, process.pid, marker) and time.monotonic() < deadline:
            for pid in alive(spawned, process.pid, marker):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        assert run.returncode == -signal.SIGKILL and run.recap == {}, run_report(run, process.step)
        assert alive(spawned, process.pid, marker) == [], "processes of %s survived the kill" % process.step
        self.kills.append((point, process.step, len(spawned), lingering))
        return run

    def report(self):
        super().report()
        for point, step, spawned, lingering in self.kills:
            print("  killed at %-22s (%s): %d processes, %d still there after the group kill, killed by pid"
                  % (point, step, spawned, len(lingering)))

    # --- the sandbox's controls --------------------------------------------------------------------------
    def databricks_control(self, path, body):
        return self.box.emulator("/__sandbox/" + path, "POST", body)

    def aws_control(self, path, body):
        return self.box.moto("/__sandbox/" + path, "POST", body)

    def requests_to(self, method, suffix, since=0.0):
        return [r for r in self.box.emulator("/__sandbox/requests")
                if r["method"] == method and r["path"].endswith(suffix) and r["ts"] >= since]

    # --- state ----------------------------------------------------------------------------------------------
    def named(self, kind):
        return [o[ACCOUNT_OBJECTS[kind]] for o in self.account_api(kind)]

    def workspace(self):
        return next((w for w in self.account_api("workspaces") if w["workspace_name"] == WORKSPACE), None)

    def call_with(self, token, path):
        request = urllib.request.Request(self.tokens()["workspace_url"] + path,
                                         headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as error:
            return error.code, None

    def live_tokens(self):
        """token_id -> comment of every live token in the workspace (token management, with the stored PAT)."""
        status, reply = self.call_with(self.tokens()["pat"]["token_value"], "/api/2.0/token-management/tokens")
        assert status == 200, status
        return {t["token_id"]: t["comment"] for t in reply.get("token_infos", [])}

    def assert_no_duplicates(self, when, nat_gateways, eips=None):
        """One account object per name; exactly nat_gateways NAT gateways and eips (default: as many) Elastic IPs,
        by tag and overall."""
        for kind in ACCOUNT_OBJECTS:
            names = collections.Counter(self.named(kind))
            assert all(count == 1 for count in names.values()), "%s: duplicate %s %s" % (when, kind, names)
        # one configuration per key and use (the workspace storage and managed services keys, one use each)
        keys = collections.Counter((k["aws_key_info"]["key_arn"], tuple(sorted(k["use_cases"])))
                                   for k in self.account_api("customer-managed-keys"))
        assert all(count == 1 for count in keys.values()), "%s: duplicate customer-managed keys %s" % (when, keys)
        assert len(self.requests_to("POST", "/workspaces")) <= 1, "%s: the workspace was created twice" % when
        ec2 = self.aws("ec2")
        nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted", "deleting")]
        tagged_nats = [n for n in nats if any(t["Key"] == "Name" and t["Value"].startswith(PREFIX + "-nat-")
                                              for t in n.get("Tags", []))]
        addresses = ec2.describe_addresses()["Addresses"]
        tagged_eips = [a for a in addresses if any(t["Key"] == "Name" and t["Value"].startswith(PREFIX + "-nat-eip-")
                                              for t in a.get("Tags", []))]
        counts = {"nat": len(nats), "tagged nat": len(tagged_nats), "eip": len(addresses),
                  "tagged eip": len(tagged_eips)}
        expected = dict.fromkeys(("nat", "tagged nat"), nat_gateways)
        expected.update(dict.fromkeys(("eip", "tagged eip"), nat_gateways if eips is None else eips))
        assert counts == expected, "%s: %s, expected %s" % (when, counts, expected)

    def assert_tokens_converged(self, when):
        """The workspace's live tokens are exactly the stored PAT and on-behalf-of token, and both work."""
        stored = self.tokens()
        expected = {stored["pat"]["token_id"]: PAT_COMMENT, stored["obo"]["token_id"]: OBO_COMMENT}
        assert self.live_tokens() == expected, "%s: live tokens %s, stored %s" % (when, self.live_tokens(), expected)
        for kind in ("pat", "obo"):
            status, _me = self.call_with(stored[kind]["token_value"], "/api/2.0/preview/scim/v2/Me")
            assert status == 200, "%s: the stored %s token is refused (%s)" % (when, kind, status)
        return stored


def test_killed_runs_resume_cleanly(tmp_path):
    with Interrupted.started(tmp_path) as stack:
        box = stack.box
        venv = stack.timed("make venv (toolchain, collection link)", ["make", "venv"])
        ok(venv, "make venv")

        # 1. site.yml from empty, killed as soon as the credential configuration exists
        run = stack.start("site.yml (killed after the credentials)", "site.yml")
        stack.kill_when(run, "credentials created", lambda: PREFIX + "-credentials" in stack.named("credentials"))
        assert stack.named("credentials") == [PREFIX + "-credentials"] and stack.account_api("workspaces") == []
        stack.assert_no_duplicates("after kill 1", nat_gateways=1)

        # 2. site.yml again, killed while it waits for the new workspace (PROVISIONING for 600 emulator seconds)
        stack.databricks_control("config", {"provisioning_delay": PROVISIONING_DELAY})
        run = stack.start("site.yml (killed in the workspace wait)", "site.yml")
        stack.kill_when(run, "workspace wait", lambda: in_the_wait(stack))
        stack.databricks_control("config", {"provisioning_delay": 1})
        workspace_id = stack.workspace()["workspace_id"]
        assert stack.workspace()["workspace_status"] == "PROVISIONING"
        stack.assert_no_duplicates("after kill 2", nat_gateways=1)

        # 3. site.yml converges: it finds the workspace by name and resumes the wait (the clock is advanced once
        #    it polls the workspace), creates the tokens, stores them
        resumed_at = time.time()
        run = stack.start("site.yml (resumes the wait)", "site.yml")
        deadline = time.monotonic() + 240
        while not stack.requests_to("GET", "/workspaces/%s" % workspace_id, since=resumed_at):
            assert run.poll() is None and time.monotonic() < deadline, "the re-run did not wait for the workspace"
            time.sleep(0.2)
        stack.databricks_control("clock/advance", {"seconds": PROVISIONING_DELAY})
        converged = stack.finish(run)
        ok(converged, "site after the kills")
        assert stack.workspace()["workspace_id"] == workspace_id and stack.workspace()["workspace_status"] == "RUNNING"
        assert not stack.requests_to("POST", "/workspaces", since=resumed_at), "a second workspace was requested"
        waited = re.search(r"Workspace %s: RUNNING \(waited [\d.]+ s, (\d+) polls\)" % WORKSPACE, converged.stdout)
        assert waited and int(waited.group(1)) > 0, "the re-run did not report its wait"
        stack.assert_no_duplicates("site converged", nat_gateways=1)
        stored = stack.assert_tokens_converged("site converged")

        # 4. and nothing is left to do
        again = stack.playbook("site.yml (changes nothing)", "site.yml")
        assert again.returncode == 0 and again.changed() == 0, run_report(again, "site again")
        assert stack.assert_tokens_converged("site again") == stored

        # 5. reset_tokens, killed once both new tokens exist but the secret still holds the old ones (its update is
        #    in flight: slow, then refused, so it never lands): two live tokens nobody stored
        rotate_at = time.time()
        stack.aws_control("faults", {"service": "secretsmanager", "action": "UpdateSecret", "latency": 5,
                                     "status": 503})
        run = stack.start("reset_tokens (killed before the store)", "site.yml", "--tags", "reset_tokens")
        stack.kill_when(run, "tokens not stored", lambda: any(
            r["action"] == "UpdateSecret" and r["ts"] >= rotate_at for r in box.aws_requests()))
        orphans = {t: c for t, c in stack.live_tokens().items() if t not in stored_ids(stored)}
        assert sorted(orphans.values()) == [PAT_COMMENT, OBO_COMMENT], orphans
        assert stack.tokens() == stored
        stack.assert_no_duplicates("after kill 3", nat_gateways=1)

        # 6. reset_tokens converges: new tokens stored, the old and the orphaned ones revoked
        rotate = stack.playbook("reset_tokens (converges)", "site.yml", "--tags", "reset_tokens")
        ok(rotate, "reset_tokens after the kill")
        rotated = stack.assert_tokens_converged("reset_tokens converged")
        assert not set(stored_ids(rotated)) & (set(stored_ids(stored)) | set(orphans)), (stored, rotated, orphans)
        for token_id in orphans:
            assert token_id in rotate.stdout, "the revoked orphan %s is not reported" % token_id
        stack.assert_no_duplicates("reset_tokens converged", nat_gateways=1)

        # 7. destroy, killed once the workspace and part of the AWS estate are gone, the NAT gateway's deletion in
        #    flight: its Elastic IP, route tables, subnets, internet gateway and VPC are left
        destroy_at = time.time()
        stack.aws_control("faults", {"service": "ec2", "action": "DeleteNatGateway", "latency": 4})
        run = stack.start("destroy (killed mid-way)", *DESTROY)
        stack.kill_when(run, "NAT gateway deletion", lambda: any(
            r["action"] == "DeleteNatGateway" and r["ts"] >= destroy_at for r in box.aws_requests()))
        assert stack.account_api("workspaces") == [] and stack.box.emulator("/__sandbox/workspaces") == []
        deadline = time.monotonic() + 15
        while stack.live_network()["nat_gateways"] and time.monotonic() < deadline:
            time.sleep(0.2)
        half = stack.leftovers()
        assert len(half.get("eips", [])) == 1 and half.get("vpcs") and half.get("subnets"), half
        assert not {"iam_roles", "buckets", "secrets", "databricks workspaces"} & set(half), half
        stack.assert_no_duplicates("after kill 4", nat_gateways=0, eips=1)

        # 8. destroy converges, and a second one changes nothing
        destroy = stack.playbook("destroy (converges)", *DESTROY)
        ok(destroy, "destroy after the kill")
        assert stack.leftovers() == {}
        destroy2 = stack.playbook("destroy (changes nothing)", *DESTROY)
        assert destroy2.returncode == 0 and destroy2.changed() == 0, run_report(destroy2, "destroy again")
        assert stack.leftovers() == {}
        stack.assert_no_duplicates("destroyed", nat_gateways=0)


def in_the_wait(stack):
    """The workspace is PROVISIONING and the run polls it (GET by id, after the create)."""
    workspace = stack.workspace() or {}
    return (workspace.get("workspace_status") == "PROVISIONING"
            and stack.requests_to("GET", "/workspaces/%s" % workspace["workspace_id"]) != [])


def stored_ids(stored):
    return [stored["pat"]["token_id"], stored["obo"]["token_id"]]
