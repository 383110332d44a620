"""The product's lifecycle, end to end, on a sandbox of its own (one ordered test, one sandbox).

make demo on a fresh clone -> site again (changed=0) -> --check --diff after a variable change (a diff, no
mutation) -> reset_tokens -> sleep (NAT, EIPs and endpoints gone, a cluster start fails for lack of egress)
-> sleep again (changed=0) -> wake (a cluster start works) -> site (changed=0) -> destroy refused without
confirmation -> destroy (moto and the emulator hold nothing of the deployment but the disabled log-delivery
configurations) -> destroy again (changed=0).

Every ansible-playbook run of the full stack costs tens of seconds, so this is the only test that runs them;
the per-step times are printed at the end (pytest -s). The "fresh clone" is the repository's tracked and
untracked-but-not-ignored files copied to a temporary folder (what `git clone` gives once committed), with
the toolchain's .venv linked in; everything runs there, against a sandbox this test starts (not the session
one, so the end-state check sees only this deployment).
LIFECYCLE_SITE=<path> replaces the clone's site.yml (to try a site.yml that is not in the repository yet).
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from tests.sandbox_harness import RECAP_LINE, REPO, PlaybookRun, Sandbox

PREFIX = "lh-sandbox"
WORKSPACE = PREFIX + "-workspace"
CLUSTER = PREFIX + "-High-Concurrency"
SECRET = PREFIX + "/databricks/tokens"
SLEEP_AWS_ACTIONS = {"DeleteVpcEndpoints", "DeleteNatGateway", "ReleaseAddress", "DisassociateAddress"}


# --- the fresh clone --------------------------------------------------------------------------------
def fresh_clone(target):
    """Copy what a clone holds (tracked + untracked-not-ignored files, mtimes kept) and link the toolchain."""
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, check=False)
    if listing.returncode:  # not a git checkout: the tree without what .gitignore leaves out
        ignored = shutil.ignore_patterns(".git", ".venv", ".sandbox", ".ansible", "build", "artifacts", "__pycache__",
                                         ".pytest_cache", ".ruff_cache", "output", ".cache")
        shutil.copytree(REPO, target, ignore=ignored, symlinks=True)
        files = []
    else:
        files = listing.stdout.decode().split("\0")
    for name in filter(None, files):
        source = os.path.join(REPO, name)
        if not os.path.isfile(source):  # deleted in the working tree
            continue
        os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
        shutil.copy2(source, os.path.join(target, name), follow_symlinks=False)
    os.symlink(os.path.join(REPO, ".venv"), os.path.join(target, ".venv"))
    if os.environ.get("LIFECYCLE_SITE"):
        shutil.copy(os.environ["LIFECYCLE_SITE"], os.path.join(target, "site.yml"))
    return target


class Lifecycle:
    def __init__(self, box, clone):
        self.box = box
        self.clone = clone
        self.env = dict(box.env, ANSIBLE_CONFIG=os.path.join(clone, "ansible.cfg"))
        self.times = []

    # --- running -----------------------------------------------------------------------------------
    def timed(self, step, command):
        started = time.monotonic()
        process = subprocess.run(command, cwd=self.clone, env=self.env, capture_output=True, text=True, check=False)
        self.times.append((step, time.monotonic() - started))
        logs = os.path.join(os.path.dirname(self.clone), "logs")  # one file per step, to read after a failure
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, "%02d %s.log" % (len(self.times), step.replace("/", "_")[:60])), "w",
                  encoding="utf-8") as handle:
            handle.write(process.stdout + process.stderr)
        recap = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
                 for m in RECAP_LINE.finditer(process.stdout)}
        return PlaybookRun(process.returncode, process.stdout, process.stderr, recap)

    def playbook(self, step, playbook, *args):
        bin_dir = os.path.dirname(sys.executable)
        return self.timed(step, [os.path.join(bin_dir, "ansible-playbook"), "-i", "inventories/local", playbook, *args])

    # --- AWS -----------------------------------------------------------------------------------------
    def aws(self, service):
        return self.box.aws_client(service)

    # --- Databricks ------------------------------------------------------------------------------------
    def emulator(self, path, method="GET"):
        request = urllib.request.Request(self.box.endpoints["databricks_account"] + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as reply:
            raw = reply.read()
        return json.loads(raw) if raw else None

    def databricks_mutations(self):
        return [r for r in self.emulator("/__sandbox/requests")
                if r["method"] in ("POST", "PUT", "PATCH", "DELETE") and "/oidc/" not in r["path"]]

    def clear_logs(self):
        self.emulator("/__sandbox/requests", method="DELETE")
        self.box.clear_aws_requests()

    def account_api(self, path):
        endpoints = self.box.endpoints
        account = endpoints["databricks_account_id"]
        if not hasattr(self, "_account_token"):
            basic = base64.b64encode(f"{endpoints['client_id']}:{endpoints['client_secret']}".encode()).decode()
            request = urllib.request.Request(
                f"{endpoints['databricks_account']}/oidc/accounts/{account}/v1/token",
                data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "all-apis"}).encode(),
                headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
            with urllib.request.urlopen(request, timeout=10) as reply:
                self._account_token = json.load(reply)["access_token"]
        request = urllib.request.Request(f"{endpoints['databricks_account']}/api/2.0/accounts/{account}/{path}",
                                         headers={"Authorization": "Bearer " + self._account_token})
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)

    def tokens(self):
        return json.loads(self.aws("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])

    def workspace_api(self, path, body=None):
        stored = self.tokens()
        request = urllib.request.Request(stored["workspace_url"] + path,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         method="POST" if body is not None else "GET",
                                         headers={"Authorization": "Bearer " + stored["pat"]["token_value"],
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            raw = reply.read()
        return json.loads(raw) if raw else {}

    def cluster(self):
        clusters = self.workspace_api("/api/2.1/clusters/list").get("clusters", [])
        return next(c for c in clusters if c["cluster_name"] == CLUSTER)

    def start_cluster(self, timeout=60):
        """Start the (terminated) cluster through the API and return it once it left PENDING."""
        cluster_id = self.cluster()["cluster_id"]
        self.workspace_api("/api/2.1/clusters/start", {"cluster_id": cluster_id})
        deadline = time.monotonic() + timeout
        while True:
            cluster = self.workspace_api("/api/2.1/clusters/get?cluster_id=" + cluster_id)
            if cluster["state"] not in ("PENDING", "RESTARTING") or time.monotonic() > deadline:
                return cluster
            time.sleep(0.5)

    # --- state checks ------------------------------------------------------------------------------------
    def live_network(self):
        ec2 = self.aws("ec2")
        return {
            "nat_gateways": [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]
                             if n["State"] not in ("deleted", "deleting")],
            "eips": [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]],
            "vpc_endpoints": [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
                              if e["State"].lower() not in ("deleted", "deleting")],
        }

    def leftovers(self):
        """Everything of the deployment still in moto and the emulator (an empty list each when destroyed)."""
        ec2, iam, kms = self.aws("ec2"), self.aws("iam"), self.aws("kms")
        default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")}
        found = dict(self.live_network())
        found.update(
            vpcs=[v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in default_vpcs],
            subnets=[s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] not in default_vpcs],
            route_tables=[r["RouteTableId"] for r in ec2.describe_route_tables()["RouteTables"]
                          if r["VpcId"] not in default_vpcs],
            internet_gateways=[i["InternetGatewayId"] for i in ec2.describe_internet_gateways()["InternetGateways"]
                               if not {a["VpcId"] for a in i.get("Attachments", [])} & default_vpcs],
            flow_logs=[f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]],
            iam_roles=[r["RoleName"] for r in iam.list_roles()["Roles"]
                       if not r["Path"].startswith("/aws-service-role/")],
            instance_profiles=[p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]],
            buckets=[b["Name"] for b in self.aws("s3").list_buckets()["Buckets"]],
            kms_keys_not_pending_deletion=[k["KeyId"] for k in kms.list_keys()["Keys"]
                                           if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
                                           != "PendingDeletion"],
            secrets=[s["Name"] for s in self.aws("secretsmanager").list_secrets()["SecretList"]],
            workspaces=self.emulator("/__sandbox/workspaces"),
        )
        for path in ("credentials", "storage-configurations", "networks", "customer-managed-keys", "workspaces"):
            found["databricks " + path] = self.account_api(path)
        deliveries = self.account_api("log-delivery").get("log_delivery_configurations", [])
        found["enabled log deliveries"] = [d["config_name"] for d in deliveries if d["status"] != "DISABLED"]
        service_principals = self.account_api("scim/v2/ServicePrincipals").get("Resources", [])
        found["account service principals (but the sandbox's own)"] = [
            s["displayName"] for s in service_principals if s.get("applicationId") != self.box.endpoints["client_id"]]
        return {kind: items for kind, items in found.items() if items}

    def report(self):
        lines = ["", "lifecycle step times:"]
        lines += [f"  {step:<40} {seconds:7.1f} s" for step, seconds in self.times]
        lines.append(f"  {'total':<40} {sum(s for _, s in self.times):7.1f} s")
        print("\n".join(lines))


def ok(run, what):
    return f"{what}: rc={run.returncode}\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"


def test_lifecycle(tmp_path):
    box = Sandbox(tmp_path / "sandbox").up()
    life = Lifecycle(box, fresh_clone(str(tmp_path / "clone")))
    try:
        # 1. make demo on the fresh clone: toolchain (linked), sandbox (reused), site.yml, summary
        demo = life.timed("make demo (site.yml, first run)", ["make", "demo"])
        assert demo.returncode == 0, ok(demo, "make demo")
        assert "==== make demo" in demo.stdout and "confirm_destroy=" + WORKSPACE in demo.stdout, demo.stdout[-3000:]
        stored = life.tokens()
        assert stored["workspace_url"] in demo.stdout
        with open(os.path.join(life.clone, "artifacts", "sandbox", "outputs.json"), encoding="utf-8") as handle:
            outputs_text = handle.read()
        outputs = json.loads(outputs_text)
        assert outputs["databricks_provisioning_outputs"]["workspace_url"] == stored["workspace_url"]
        assert outputs["databricks_management_outputs"]["cluster_name"] == CLUSTER
        secrets = (stored["pat"]["token_value"], stored["obo"]["token_value"], box.endpoints["client_secret"])
        for secret in secrets:
            assert secret not in outputs_text and secret not in demo.stdout
        assert life.cluster()["state"] == "RUNNING"

        # 2. a second run changes nothing
        again = life.playbook("site.yml (second run)", "site.yml")
        assert again.returncode == 0 and again.changed() == 0, ok(again, "second site")

        # 3. a plan after a variable change: the right diff, no mutating call anywhere
        life.clear_logs()
        plan = life.playbook("site.yml --check --diff (variable change)", "site.yml", "--check", "--diff", "-e",
                             json.dumps({"network_tags": {"CostCenter": "cc-4242"},
                                         "databricks_management_cluster_autotermination_minutes": 45}))
        assert plan.returncode == 0 and plan.changed() > 0, ok(plan, "check --diff")
        diff_lines = [line.strip() for line in plan.stdout.splitlines()]
        assert "+ CostCenter: cc-4242".replace(" ", "") in [line.replace(" ", "") for line in diff_lines]
        assert "-    autotermination_minutes: 30" in plan.stdout and "+    autotermination_minutes: 45" in plan.stdout
        assert box.aws_mutating_requests() == []
        assert life.databricks_mutations() == []

        # 4. token rotation
        rotate = life.playbook("site.yml --tags reset_tokens", "site.yml", "--tags", "reset_tokens")
        assert rotate.returncode == 0, ok(rotate, "reset_tokens")
        rotated = life.tokens()
        assert rotated["pat"]["token_id"] != stored["pat"]["token_id"]
        assert rotated["obo"]["token_id"] != stored["obo"]["token_id"]

        # 5. sleep: cluster terminated, NAT + EIPs + endpoints gone, nothing else touched; no egress any more
        life.clear_logs()
        sleep = life.playbook("sleep.yml", "playbooks/sleep.yml")
        assert sleep.returncode == 0 and sleep.changed() > 0, ok(sleep, "sleep")
        assert "Hourly cost stopped: 0.119 USD/h" in sleep.stdout, sleep.stdout[-3000:]
        assert life.live_network() == {"nat_gateways": [], "eips": [], "vpc_endpoints": []}
        assert {r["action"] for r in box.aws_mutating_requests()} <= SLEEP_AWS_ACTIONS
        assert {r["path"].rsplit("/", 1)[-1] for r in life.databricks_mutations()} == {"delete"}  # terminate
        cluster = life.start_cluster()
        assert cluster["state"] == "TERMINATED", cluster
        assert cluster["termination_reason"]["code"] == "NETWORK_CONFIGURATION_FAILURE", cluster
        assert "no egress" in cluster["state_message"], cluster

        # 6. sleep again: nothing to do
        sleep2 = life.playbook("sleep.yml (again)", "playbooks/sleep.yml")
        assert sleep2.returncode == 0 and sleep2.changed() == 0, ok(sleep2, "second sleep")

        # 7. wake: the network is back, the workspace usable, a cluster start works
        wake = life.playbook("wake.yml", "playbooks/wake.yml")
        assert wake.returncode == 0, ok(wake, "wake")
        assert "is usable: RUNNING" in wake.stdout
        network = life.live_network()
        assert len(network["nat_gateways"]) == 1 and len(network["eips"]) == 1 and len(network["vpc_endpoints"]) == 3
        assert life.start_cluster()["state"] == "RUNNING"

        # 8. site after wake changes nothing
        site3 = life.playbook("site.yml (after wake)", "site.yml")
        assert site3.returncode == 0 and site3.changed() == 0, ok(site3, "site after wake")

        # 9. destroy refuses without the workspace name and touches nothing
        life.clear_logs()
        refused = life.playbook("destroy.yml (unconfirmed)", "playbooks/destroy.yml")
        assert refused.returncode != 0 and "confirm_destroy=" + WORKSPACE in refused.stdout, ok(refused, "refusal")
        assert box.aws_mutating_requests() == [] and life.databricks_mutations() == []

        # 10. destroy: nothing of the deployment is left but the disabled log-delivery configurations
        destroy = life.playbook("destroy.yml", "playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
        assert destroy.returncode == 0, ok(destroy, "destroy")
        assert life.leftovers() == {}
        deliveries = life.account_api("log-delivery")["log_delivery_configurations"]
        assert sorted(d["config_name"] for d in deliveries) == [PREFIX + "-audit-logs", PREFIX + "-billable-usage"]

        # 11. destroy again: a no-op
        destroy2 = life.playbook("destroy.yml (again)", "playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
        assert destroy2.returncode == 0 and destroy2.changed() == 0, ok(destroy2, "second destroy")
    finally:
        life.report()
        box.down()
