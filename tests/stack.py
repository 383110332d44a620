"""A whole deployment on a sandbox of its own: run playbooks in a copy of the repository, read its state.

Shared by the end-to-end tests that drive the full stack (lifecycle, faults, interrupted runs, secret
hygiene, security posture). The "fresh clone" is the repository's tracked and untracked-but-not-ignored
files copied to a temporary folder (what `git clone` gives once committed), with the toolchain's .venv
linked in. LIFECYCLE_SITE=<path> replaces the clone's site.yml (to try a site.yml not in the repository yet).
"""

import base64
import contextlib
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


class Stack:
    """Playbook runs in a clone against one sandbox, and readers of what they left in it."""

    def __init__(self, box, clone):
        self.box = box
        self.clone = clone
        self.env = dict(box.env, ANSIBLE_CONFIG=os.path.join(clone, "ansible.cfg"))
        self.times = []

    @classmethod
    @contextlib.contextmanager
    def started(cls, root):
        """A sandbox of its own (root/sandbox) and a fresh clone (root/clone); at the end the step times are
        printed and the sandbox stopped."""
        box = Sandbox(os.path.join(root, "sandbox")).up()
        try:
            stack = cls(box, fresh_clone(os.path.join(root, "clone")))
            try:
                yield stack
            finally:
                stack.report()
        finally:
            box.down()

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

    def log_deliveries(self):
        """Every log delivery configuration of the account (the list is paged)."""
        found, token = [], ""
        while True:
            query = "?" + urllib.parse.urlencode({"page_token": token}) if token else ""
            page = self.account_api("log-delivery" + query)
            found += page.get("log_delivery_configurations", [])
            token = page.get("next_page_token")
            if not token:
                return found

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
            workspaces=self.box.emulator("/__sandbox/workspaces"),
        )
        for path in ("credentials", "storage-configurations", "networks", "customer-managed-keys", "workspaces"):
            found["databricks " + path] = self.account_api(path)
        deliveries = self.log_deliveries()
        found["enabled log deliveries"] = [d["config_name"] for d in deliveries if d["status"] != "DISABLED"]
        service_principals = self.account_api("scim/v2/ServicePrincipals").get("Resources", [])
        found["account service principals (but the sandbox's own)"] = [
            s["displayName"] for s in service_principals if s.get("applicationId") != self.box.endpoints["client_id"]]
        found["databricks metastores"] = self.account_api("metastores").get("metastores", [])
        found["account groups"] = [g["displayName"] for g in self.account_api("scim/v2/Groups").get("Resources", [])]
        return {kind: items for kind, items in found.items() if items}

    def report(self):
        lines = ["", "step times:"]
        lines += [f"  {step:<40} {seconds:7.1f} s" for step, seconds in self.times]
        lines.append(f"  {'total':<40} {sum(seconds for _step, seconds in self.times):7.1f} s")
        print("\n".join(lines))
