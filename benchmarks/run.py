"""`make bench`: time the playbooks on the local sandbox and count what they cost.

    .venv/bin/python benchmarks/run.py            # what `make bench` runs
    .venv/bin/python benchmarks/run.py --markdown [results.json]   # its table as markdown

For each strategy (ansible's default `linear`, and `mitogen_linear_unpinned` when mitogen is installed) and
each repetition, on a sandbox reset to empty, with the sandbox's short delays (workspace provisioning and
settling, IAM propagation, workspace deletion, cluster start: sandbox/delays.py) or, with
BENCH_DELAYS=realistic, the realistic ones scaled by BENCH_DELAY_SCALE:

    full          site.yml on an empty sandbox
    noop          site.yml again (nothing to do)
    noop-latency  the no-op again, every AWS call answered BENCH_AWS_LATENCY s late and every Databricks call
                  BENCH_DATABRICKS_LATENCY s late (the sandbox's latency faults, armed for this run only)
    check         site.yml --check on the converged estate
    reset_tokens  site.yml --tags reset_tokens
    sleep         playbooks/sleep.yml
    wake          playbooks/wake.yml
    full-latency  site.yml on an empty sandbox with the same latencies
    full-delays   site.yml on an empty sandbox with the realistic delays (NAT gateway pending, IAM propagation,
                  workspace provisioning and settling, cluster start) times BENCH_DELAY_SCALE, against its
                  critical path (critical_path_waits below); first repetition only
    floor         a generated playbook of N no-op tasks (ansible.builtin.ping) on the same inventory,
                  strategy and settings (N = the no-op converge's task count), and the same play with
                  no task at all (ansible-playbook start-up)

then 1 vs 4 deployments: the 4-host inventory of benchmarks/inventories/parallel, full and no-op converge.
Per run: wall time, tasks, module invocations, changed, AWS calls (moto's counter) and Databricks calls
(the emulator's log), and the AWS read floor: the fewest AWS reads a no-op needs for the managed resources
counted in the sandbox after the full converge (AWS_READ_FLOOR, see docs/performance.md). Prints a table,
writes benchmarks/results.json, and exits 1 when a run failed (BENCH_STRICT=1: also when a target is
missed). A scenario whose playbook or tag does not exist yet is reported as "not available".

Settings (environment):
    BENCH_REPEAT=3               repetitions of every scenario and the floor (the medians are reported)
    BENCH_STRATEGIES=linear,mitogen
    BENCH_SCENARIOS=full,noop,check,noop-latency,reset_tokens,sleep,wake,full-latency,full-delays
    BENCH_PARALLEL_HOSTS=4       deployments of the parallel run (0: no parallel run)
    BENCH_PARALLEL_REPEAT=1      repetitions of the parallel run (each: full + no-op converge)
    BENCH_FLOOR_TASKS=0          no-op tasks of the floor playbook (0: the no-op converge's task count)
    BENCH_DELAYS=short           short | realistic: the sandbox's delays (sandbox/delays.py)
    BENCH_DELAY_SCALE=1          factor on the realistic delays (BENCH_DELAYS=realistic, and full-delays;
                                 e.g. 0.1 for a shorter run: the waits shrink, the fixed work does not)
    BENCH_AWS_LATENCY=0.05       seconds added to every AWS call of the latency scenarios
    BENCH_DATABRICKS_LATENCY=0.15  seconds added to every Databricks call of the latency scenarios
    BENCH_RUN_TIMEOUT=1800       seconds before a playbook run is stopped and counted as failed
    BENCH_OUTPUT=benchmarks/results.json
    BENCH_KEEP_LOGS=0            1: keep the run logs (kept anyway when a run failed)
    BENCH_STRICT=0               1: exit 1 when a target is missed
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(REPO))

from sandbox import EMULATOR_USER_AGENT  # noqa: E402 - needs the repository on sys.path
from sandbox.delays import AWS_DELAYS, DELAYS, aws_delay_config, delay_config  # noqa: E402
from tests.sandbox_harness import Sandbox  # noqa: E402

# The order they run in. --check and the no-op run before the latency runs: a run that follows a latency run was
# measured 15-25 % slower than the same run minutes later (on this 2-core machine, whatever it runs).
ALL_SCENARIOS = ("full", "noop", "check", "noop-latency", "reset_tokens", "sleep", "wake", "full-latency",
                 "full-delays")
LATENCY_SCENARIOS = ("noop-latency", "full-latency")
FRESH_SCENARIOS = ("full", "full-latency", "full-delays")  # each starts on an emptied sandbox
# Latency faults armed for a whole run: more uses than any run makes.
LATENCY_FAULT_COUNT = 10**9
# The emulator's own reads of moto (validating account objects) carry its User-Agent: on AWS they are Databricks'
# server-side calls, whose time is part of the Databricks call's latency, so the AWS latency spares them.
NOT_THE_EMULATOR = f"^(?!.*{re.escape(EMULATOR_USER_AGENT)})"
# The network egress polls DescribeNatGateways every 5 s (as amazon.aws's NatGatewayAvailable waiter does): a
# gateway still pending when it starts costs the rest of its delay rounded up to 5 s.
NAT_WAITER_POLL_S = 5.0

# The waits of a full converge (docs/performance.md, "Critical path"): the network role creates the NAT gateway
# without waiting and site.yml waits for it (network egress) after databricks_provisioning, so its wait runs during
# the workspace's; databricks_provisioning waits for the workspace (PROVISIONING, then the first workspace call
# retries while it settles); databricks_management waits for the cluster to start; unity_catalog's external
# locations retry while IAM propagates the role's new trust. The credentials' IAM propagation is not on either
# chain: the role is created by the iam role before the storage and account work that precedes the credentials, and
# that work (tens of seconds of AWS writes) runs while IAM propagates.


def critical_path_waits(delays: dict) -> dict:
    """The waits of a full converge as the code runs them (as_run) and as they could run at best (overlapped).

    The workspace needs the network configuration, not an available NAT gateway (only the cluster's start needs
    egress), so the NAT wait hides behind the workspace's: both chains start with max(NAT, provisioning +
    settling). The cluster start and Unity Catalog's propagation retry both need only the running workspace, so at
    best they overlap too: max(cluster start, propagation); the code waits for them one after the other."""
    nat = delays.get("nat_gateway_pending_seconds", 0.0)
    workspace = delays.get("provisioning_delay", 0.0) + delays.get("workspace_settle_seconds", 0.0)
    cluster, iam = delays.get("cluster_start_seconds", 0.0), delays.get("iam_propagation_seconds", 0.0)
    return {"as_run_s": round(max(nat, workspace) + cluster + iam, 3),
            "overlapped_s": round(max(nat, workspace) + max(cluster, iam), 3)}


# The fewest AWS reads a no-op converge needs to know that nothing differs, per managed resource type (counted
# after the full converge, so it follows the deployment): one read per independently readable setting.
# EC2 returns every object of a type in one Describe* call filtered by the VPC, tags included.
AWS_READ_FLOOR = {
    # type: (reads per object, reads per type when any exists, what they are)
    "ec2_vpc": (2, 1, "DescribeVpcs; DescribeVpcAttribute for DNS support and DNS hostnames (one attribute a call)"),
    "ec2_subnet": (0, 1, "DescribeSubnets"),
    "ec2_route_table": (0, 1, "DescribeRouteTables (routes, associations)"),
    "ec2_internet_gateway": (0, 1, "DescribeInternetGateways"),
    "ec2_nat_gateway": (0, 1, "DescribeNatGateways"),
    "ec2_elastic_ip": (0, 1, "DescribeAddresses"),
    "ec2_vpc_endpoint": (0, 1, "DescribeVpcEndpoints (policies, route tables)"),
    "ec2_security_group": (0, 1, "DescribeSecurityGroups (rules)"),
    "ec2_flow_log": (0, 1, "DescribeFlowLogs"),
    "s3_bucket": (8, 0, "per bucket: encryption, public access block, ownership, versioning, lifecycle, logging, "
                        "policy, tags (a missing bucket answers NoSuchBucket: no ListBuckets)"),
    "kms_key": (4, 0, "per key: DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags"),
    "kms_alias": (0, 1, "ListAliases (every alias with its target key)"),
    "iam_role": (2, 0, "per role: GetRole (trust, tags), ListAttachedRolePolicies"),
    "iam_inline_policy": (1, 0, "GetRolePolicy"),
    "iam_managed_policy": (2, 0, "GetPolicy, GetPolicyVersion (the document)"),
    "iam_instance_profile": (1, 0, "GetInstanceProfile (its role)"),
    "secretsmanager_secret": (2, 0, "DescribeSecret (tags, key), GetSecretValue (the value, to compare)"),
}
AWS_READ_FLOOR_FIXED = (1, "sts GetCallerIdentity (the account, for ARNs and policies)")


def aws_read_floor(by_type: dict) -> dict:
    """The AWS read floor of a deployment from its managed resources by type: total and per type."""
    per_type = {}
    for kind, (per_object, per_kind, _what) in AWS_READ_FLOOR.items():
        count = by_type.get(kind, 0) or 0
        reads = per_object * count + (per_kind if count else 0)
        if reads:
            per_type[kind] = reads
    return {"total": sum(per_type.values()) + AWS_READ_FLOOR_FIXED[0], "by_type": per_type,
            "fixed": AWS_READ_FLOOR_FIXED[0]}
PARALLEL_SCENARIOS = ("full", "noop")
LOCAL_INVENTORY = "inventories/local"
PARALLEL_INVENTORY = "benchmarks/inventories/parallel"
FALLBACK_FLOOR_TASKS = 30
AWS_REGION = "eu-west-1"
TARGETS_DOC = "docs/performance.md"
ID_IN_PATH = re.compile(r"(?<=/)(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/|$)")


# --- settings ---------------------------------------------------------------------------------
def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


@dataclass
class Settings:
    repeat: int = int(os.environ.get("BENCH_REPEAT", "3"))
    strategies: list = field(default_factory=lambda: _env_list("BENCH_STRATEGIES", "linear,mitogen"))
    scenarios: list = field(default_factory=lambda: _env_list("BENCH_SCENARIOS", ",".join(ALL_SCENARIOS)))
    parallel_hosts: int = int(os.environ.get("BENCH_PARALLEL_HOSTS", "4"))
    parallel_repeat: int = int(os.environ.get("BENCH_PARALLEL_REPEAT", "1"))
    floor_tasks: int = int(os.environ.get("BENCH_FLOOR_TASKS", "0"))
    delays: str = os.environ.get("BENCH_DELAYS", "short")
    delay_scale: float = float(os.environ.get("BENCH_DELAY_SCALE", "1"))
    aws_latency: float = float(os.environ.get("BENCH_AWS_LATENCY", "0.05"))
    databricks_latency: float = float(os.environ.get("BENCH_DATABRICKS_LATENCY", "0.15"))
    run_timeout: float = float(os.environ.get("BENCH_RUN_TIMEOUT", "1800"))
    output: Path = Path(os.environ.get("BENCH_OUTPUT", str(BENCH / "results.json")))
    keep_logs: bool = os.environ.get("BENCH_KEEP_LOGS", "0") == "1"
    strict: bool = os.environ.get("BENCH_STRICT", "0") == "1"

    def public(self) -> dict:
        return {key: str(value) if isinstance(value, Path) else value for key, value in vars(self).items()}


def mitogen_strategy_dir() -> str | None:
    """The project's strategy_plugins (mitogen_linear without CPU pinning), when mitogen is installed."""
    try:
        import ansible_mitogen  # noqa: F401 - optional
    except ImportError:
        return None
    path = REPO / "strategy_plugins"
    return str(path) if (path / "mitogen_linear_unpinned.py").is_file() else None


def strategy_env(strategy: str) -> dict:
    """Both named explicitly: ansible.cfg may set either as the default."""
    if strategy == "mitogen":
        return {"ANSIBLE_STRATEGY_PLUGINS": mitogen_strategy_dir() or "", "ANSIBLE_STRATEGY": "mitogen_linear_unpinned"}
    return {"ANSIBLE_STRATEGY": "linear"}


def configured(option: str, fallback: str) -> str:
    """An option of ansible.cfg's [defaults] (what a plain `ansible-playbook` run uses)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    with contextlib.suppress(configparser.Error, OSError):
        parser.read(REPO / "ansible.cfg", encoding="utf-8")
    return parser.get("defaults", option, fallback=fallback)


def configured_strategy() -> str:
    return configured("strategy", "linear")


def callbacks_enabled() -> str:
    """ansible.cfg's callbacks and the bench's counter: a measured run runs the callbacks a user's run does."""
    return ",".join([name.strip() for name in configured("callbacks_enabled", "").split(",") if name.strip()]
                    + ["bench_counter"])


# --- availability -----------------------------------------------------------------------------
def _mentions(pattern: str, paths) -> bool:
    for path in paths:
        with contextlib.suppress(OSError):
            if re.search(pattern, path.read_text(encoding="utf-8")):
                return True
    return False


def availability() -> dict:
    """scenario -> None when it can run, else why not."""
    site = REPO / "site.yml"
    task_files = [site, *REPO.glob("roles/*/tasks/**/*.yml"), *REPO.glob("playbooks/*.yml")]
    missing = {}
    if not site.exists():
        for name in ("full", "noop", "noop-latency", "check", "reset_tokens", "full-latency", "full-delays"):
            missing[name] = "site.yml missing"
    elif not _mentions(r"\breset_tokens\b", task_files):
        missing["reset_tokens"] = "no task tagged reset_tokens"
    if not (REPO / "playbooks/sleep.yml").exists():
        missing["sleep"] = "playbooks/sleep.yml missing"
    if not (REPO / "playbooks/wake.yml").exists():
        missing["wake"] = "playbooks/wake.yml missing"
    elif "sleep" in missing:
        missing["wake"] = "needs playbooks/sleep.yml (wake runs on a sleeping estate)"
    return missing


SCENARIO_COMMAND = {
    "full": ("site.yml", []),
    "noop": ("site.yml", []),
    "noop-latency": ("site.yml", []),
    "full-latency": ("site.yml", []),
    "full-delays": ("site.yml", []),
    "check": ("site.yml", ["--check"]),
    "reset_tokens": ("site.yml", ["--tags", "reset_tokens"]),
    "sleep": ("playbooks/sleep.yml", []),
    "wake": ("playbooks/wake.yml", []),
}


# --- HTTP -------------------------------------------------------------------------------------
def http(url: str, method: str = "GET", body=None, headers=None, form=None, timeout: float = 30):
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        raw = reply.read()
    return json.loads(raw) if raw else {}


# --- the sandbox ------------------------------------------------------------------------------
class BenchSandbox:
    """A Sandbox (tests/sandbox_harness.py) on free ports, emptied before each full converge."""

    def __init__(self, directory: Path, settings: Settings):
        self.settings = settings
        self.sandbox = Sandbox(directory)
        self.endpoints: dict = {}

    def up(self):
        self.sandbox.up()
        self.endpoints = self.sandbox.endpoints
        self.configure()

    def down(self):
        self.sandbox.down()

    @property
    def aws(self) -> str:
        return self.endpoints["aws"]

    @property
    def databricks(self) -> str:
        return self.endpoints["databricks_account"]

    def delays(self, realistic: bool = False) -> dict:
        """The delays in effect: the chosen profile's, or the realistic ones times the scale (full-delays)."""
        profile = "realistic" if realistic else self.settings.delays
        return {**delay_config(profile, self.settings.delay_scale, environ={}),
                **aws_delay_config(profile, self.settings.delay_scale, environ={})}

    def configure(self, realistic: bool = False):
        """The delays of the chosen profile (or the realistic ones) on both sides; room for the log deliveries of
        several deployments."""
        config = self.delays(realistic)
        emulator = {key: value for key, value in config.items() if key in DELAYS}
        http(self.databricks + "/__sandbox/config", "POST", dict(emulator, log_delivery_enabled_limit=100))
        http(self.aws + "/__sandbox/config", "POST", {key: value for key, value in config.items() if key in AWS_DELAYS})

    def reset(self, realistic: bool = False):
        """Empty both sides: the emulator first (its reset stops the workspace listeners), then moto."""
        http(self.databricks + "/__sandbox/reset", "POST", {})
        http(self.aws + "/moto-api/reset", "POST", {})
        self.set_latency(False)
        self.configure(realistic)
        self.clear_counters()

    def set_latency(self, on: bool):
        """Arm (or disarm) a latency on every call: AWS (the emulator's own reads spared) and Databricks."""
        http(self.aws + "/__sandbox/faults", "DELETE")
        http(self.databricks + "/__sandbox/faults", "DELETE")
        if on and self.settings.aws_latency > 0:
            http(self.aws + "/__sandbox/faults", "POST", {"service": ".*", "latency": self.settings.aws_latency,
                                                          "count": LATENCY_FAULT_COUNT, "user_agent": NOT_THE_EMULATOR})
        if on and self.settings.databricks_latency > 0:
            http(self.databricks + "/__sandbox/faults", "POST",
                 {"route": ".", "latency": self.settings.databricks_latency, "count": LATENCY_FAULT_COUNT})

    def clear_counters(self):
        http(self.aws + "/__sandbox/requests", "DELETE")
        http(self.databricks + "/__sandbox/requests", "DELETE")

    def counters(self) -> dict:
        # The emulator's own reads (validating account objects) are Databricks' calls on real AWS, not ours.
        logged = http(self.aws + "/__sandbox/requests")
        aws = [request for request in logged if not request.get("by_emulator")]
        databricks = http(self.databricks + "/__sandbox/requests")
        by_service: dict = {}
        by_action: dict = {}
        for request in aws:
            by_service[request["service"]] = by_service.get(request["service"], 0) + 1
            action = f"{request['service']}:{request['action']}"
            by_action[action] = by_action.get(action, 0) + 1
        by_route: dict = {}
        for entry in databricks:
            route = f"{entry['method']} {ID_IN_PATH.sub('{id}', entry['path'])}"
            by_route[route] = by_route.get(route, 0) + 1
        return {
            "aws_calls": len(aws),
            "aws_calls_by_emulator": len(logged) - len(aws),
            "aws_mutating": sum(1 for request in aws if request["mutating"]),
            "aws_by_service": dict(sorted(by_service.items(), key=lambda kv: -kv[1])),
            "databricks_calls": len(databricks),
            "databricks_account_calls": sum(1 for entry in databricks if entry["listener"] == "account"),
            "databricks_mutating": sum(1 for entry in databricks if entry["method"] != "GET"),
            "aws_top_actions": dict(sorted(by_action.items(), key=lambda kv: -kv[1])[:20]),
            "databricks_top_routes": dict(sorted(by_route.items(), key=lambda kv: -kv[1])),
        }

    # --- managed resources ----------------------------------------------------------------
    def aws_client(self, service: str):
        return self.sandbox.aws_client(service, region=AWS_REGION)

    def count_resources(self, prefix: str) -> dict:
        """The AWS and Databricks objects of one deployment (by its deployment_prefix), by type."""
        counts: dict = {}
        errors: dict = {}
        for name, counter in (("aws", self._count_aws), ("databricks", self._count_databricks)):
            try:
                counter(prefix, counts)
            except Exception as exc:  # a side that fails to count is reported, not fatal
                errors[name] = f"{type(exc).__name__}: {exc}"
        return {"total": sum(counts.values()), "by_type": counts, "errors": errors}

    def _count_aws(self, prefix: str, counts: dict):
        ec2 = self.aws_client("ec2")
        named = [{"Name": "tag:Name", "Values": [f"{prefix}-*"]}]
        vpc_ids = [vpc["VpcId"] for vpc in ec2.describe_vpcs(Filters=named)["Vpcs"]]
        counts["ec2_vpc"] = len(vpc_ids)
        if vpc_ids:
            in_vpc = [{"Name": "vpc-id", "Values": vpc_ids}]
            counts["ec2_subnet"] = len(ec2.describe_subnets(Filters=in_vpc)["Subnets"])
            counts["ec2_route_table"] = sum(
                1 for table in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]
                if any(tag["Key"] == "Name" and tag["Value"].startswith(prefix) for tag in table.get("Tags", [])))
            counts["ec2_internet_gateway"] = len(ec2.describe_internet_gateways(
                Filters=[{"Name": "attachment.vpc-id", "Values": vpc_ids}])["InternetGateways"])
            counts["ec2_nat_gateway"] = sum(
                1 for nat in ec2.describe_nat_gateways(Filters=in_vpc)["NatGateways"]
                if nat["State"] in ("pending", "available"))
            counts["ec2_vpc_endpoint"] = sum(
                1 for endpoint in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]
                if endpoint["State"].lower() not in ("deleted", "deleting"))
            counts["ec2_security_group"] = len(ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"])
            counts["ec2_flow_log"] = len(ec2.describe_flow_logs(
                Filters=[{"Name": "resource-id", "Values": vpc_ids}])["FlowLogs"])
        counts["ec2_elastic_ip"] = len(ec2.describe_addresses(Filters=named)["Addresses"])

        kms = self.aws_client("kms")
        aliases = [alias for page in kms.get_paginator("list_aliases").paginate() for alias in page["Aliases"]
                   if alias["AliasName"].startswith(f"alias/{prefix}")]
        counts["kms_alias"] = len(aliases)
        counts["kms_key"] = len({alias["TargetKeyId"] for alias in aliases if alias.get("TargetKeyId")})

        s3 = self.aws_client("s3")
        counts["s3_bucket"] = sum(1 for bucket in s3.list_buckets()["Buckets"] if bucket["Name"].startswith(prefix))

        iam = self.aws_client("iam")
        roles = [role["RoleName"] for page in iam.get_paginator("list_roles").paginate()
                 for role in page["Roles"] if role["RoleName"].startswith(prefix)]
        counts["iam_role"] = len(roles)
        counts["iam_inline_policy"] = sum(len(iam.list_role_policies(RoleName=role)["PolicyNames"]) for role in roles)
        counts["iam_managed_policy"] = sum(
            1 for page in iam.get_paginator("list_policies").paginate(Scope="Local")
            for policy in page["Policies"] if policy["PolicyName"].startswith(prefix))
        counts["iam_instance_profile"] = sum(
            1 for page in iam.get_paginator("list_instance_profiles").paginate()
            for profile in page["InstanceProfiles"] if profile["InstanceProfileName"].startswith(prefix))

        secrets = self.aws_client("secretsmanager")
        counts["secretsmanager_secret"] = sum(
            1 for page in secrets.get_paginator("list_secrets").paginate()
            for secret in page["SecretList"] if secret["Name"].startswith(prefix))

    def _oauth(self, token_url: str) -> dict:
        basic = b64encode(f"{self.endpoints['client_id']}:{self.endpoints['client_secret']}".encode()).decode()
        token = http(token_url, "POST", form={"grant_type": "client_credentials", "scope": "all-apis"},
                     headers={"Authorization": f"Basic {basic}"})["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def _count_databricks(self, prefix: str, counts: dict):
        account_id = self.endpoints["databricks_account_id"]
        api = f"{self.databricks}/api/2.0/accounts/{account_id}"
        auth = self._oauth(f"{self.databricks}/oidc/accounts/{account_id}/v1/token")

        def listing(path: str) -> list:
            """Every item of a list route, following next_page_token where the route pages (log delivery)."""
            items, token = [], ""
            while True:
                query = "?" + urllib.parse.urlencode({"page_token": token}) if token else ""
                reply = http(api + path + query, headers=auth)
                if isinstance(reply, list):
                    return reply
                items += next((v for v in reply.values() if isinstance(v, list)), [])
                token = reply.get("next_page_token")
                if not token:
                    return items

        ours = {
            "credentials": ("credentials_name", "/credentials"),
            "storage_configuration": ("storage_configuration_name", "/storage-configurations"),
            "network": ("network_name", "/networks"),
            "workspace": ("workspace_name", "/workspaces"),
        }
        found = {}
        for kind, (name_key, path) in ours.items():
            found[kind] = [item for item in listing(path) if str(item.get(name_key, "")).startswith(prefix)]
            counts[f"databricks_{kind}"] = len(found[kind])
        # Log deliveries: named by the deployment, or recognised by our credentials / storage configuration.
        credential_ids = {item.get("credentials_id") for item in found["credentials"]}
        storage_ids = {item.get("storage_configuration_id") for item in found["storage_configuration"]}
        counts["databricks_log_delivery"] = sum(
            1 for item in listing("/log-delivery")
            if str(item.get("config_name", "")).startswith(prefix) or item.get("credentials_id") in credential_ids
            or item.get("storage_configuration_id") in storage_ids)
        workspace_keys = {item.get(key) for item in found["workspace"]
                          for key in ("storage_customer_managed_key_id", "managed_services_customer_managed_key_id")}
        counts["databricks_customer_managed_key"] = sum(
            1 for key in listing("/customer-managed-keys")
            if key.get("customer_managed_key_id") in workspace_keys
            or str(key.get("aws_key_info", {}).get("key_alias", "")).startswith(f"alias/{prefix}"))

        urls = {ws["deployment_name"]: ws["url"] for ws in http(self.databricks + "/__sandbox/workspaces")}
        for workspace in found["workspace"]:
            url = urls.get(workspace.get("deployment_name"))
            if url:
                self._count_workspace(url, counts)

    def _count_workspace(self, url: str, counts: dict):
        auth = self._oauth(f"{url}/oidc/v1/token")

        def get(path: str, key: str) -> list:
            try:
                return http(url + path, headers=auth).get(key) or []
            except urllib.error.HTTPError:
                return []

        def add(kind: str, number: int):
            counts[kind] = counts.get(kind, 0) + number

        add("databricks_token", len(get("/api/2.0/token-management/tokens", "token_infos")))
        add("databricks_service_principal", sum(
            1 for sp in get("/api/2.0/preview/scim/v2/ServicePrincipals", "Resources")
            if sp.get("applicationId") != self.endpoints["client_id"]))
        add("databricks_group", sum(1 for group in get("/api/2.0/preview/scim/v2/Groups", "Resources")
                                    if group.get("displayName") not in ("admins", "users")))
        add("databricks_instance_profile", len(get("/api/2.0/instance-profiles/list", "instance_profiles")))
        add("databricks_global_init_script", len(get("/api/2.0/global-init-scripts", "scripts")))
        add("databricks_cluster", len(get("/api/2.1/clusters/list", "clusters")))
        add("databricks_dbfs_file", self._count_dbfs(url, auth, "/", depth=4))

    def _count_dbfs(self, url: str, auth: dict, path: str, depth: int) -> int:
        try:
            files = http(f"{url}/api/2.0/dbfs/list?" + urllib.parse.urlencode({"path": path}), headers=auth)
        except urllib.error.HTTPError:
            return 0
        total = 0
        for item in files.get("files") or []:
            if item.get("is_dir"):
                total += self._count_dbfs(url, auth, item["path"], depth - 1) if depth > 0 else 0
            else:
                total += 1
        return total


# --- running playbooks ------------------------------------------------------------------------
@dataclass
class Run:
    strategy: str
    scenario: str
    rep: int
    hosts: int
    returncode: int
    wall_s: float
    log: str
    tasks: int | None = None
    tasks_started: int | None = None
    module_invocations: int | None = None
    changed: int | None = None
    failed: int | None = None
    counters: dict = field(default_factory=dict)
    resources: int | None = None
    aws_read_floor: int | None = None
    delays: dict = field(default_factory=dict)
    slowest_tasks: list = field(default_factory=list)
    modules: dict = field(default_factory=dict)

    @property
    def api_calls(self) -> int | None:
        if not self.counters:
            return None
        return self.counters["aws_calls"] + self.counters["databricks_calls"]

    @property
    def aws_reads(self) -> int | None:
        if not self.counters:
            return None
        return self.counters["aws_calls"] - self.counters["aws_mutating"]

    @property
    def aws_reads_per_floor(self) -> float | None:
        if self.aws_reads is None or not self.aws_read_floor:
            return None
        return round(self.aws_reads / self.aws_read_floor, 3)

    def record(self) -> dict:
        data = dict(vars(self))
        data["api_calls"] = self.api_calls
        data["aws_reads"] = self.aws_reads
        data["aws_reads_per_floor"] = self.aws_reads_per_floor
        return data


class Bench:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.workdir = Path(tempfile.mkdtemp(prefix="lakehouse-bench-"))
        self.sandbox = BenchSandbox(self.workdir / "sandbox", settings)
        self.runs: list[Run] = []
        self.floors: list[dict] = []
        self.resources: dict = {}
        self.errors: list[str] = []
        self.missing = availability()
        self.floor_tasks = settings.floor_tasks or 0

    # --- one playbook run -----------------------------------------------------------------
    def playbook(self, strategy: str, scenario: str, rep: int, playbook: str, args: list,
                 inventory: list[str], hosts: int) -> Run:
        label = f"{strategy}-{scenario}-{hosts}h-{rep}"
        log = self.workdir / f"{label}.log"
        counter_file = self.workdir / f"{label}.counter.json"
        env = dict(self.sandbox.sandbox.env)
        env.update(strategy_env(strategy))
        env.update(ANSIBLE_CALLBACK_PLUGINS=str(BENCH / "callback_plugins"),
                   ANSIBLE_CALLBACKS_ENABLED=callbacks_enabled(), BENCH_COUNTER_FILE=str(counter_file))
        command = [str(Path(sys.executable).parent / "ansible-playbook"), *inventory, playbook, *args]
        self.sandbox.clear_counters()
        started = time.monotonic()
        with open(log, "w", encoding="utf-8") as handle:
            handle.write("$ " + " ".join(command) + "\n")
            handle.flush()
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                returncode = process.wait(timeout=self.settings.run_timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                process.wait()
                returncode = -1
                handle.write(f"\nbenchmarks/run.py: stopped after {self.settings.run_timeout} s\n")
        wall = time.monotonic() - started
        run = Run(strategy, scenario, rep, hosts, returncode, round(wall, 3), str(log))
        with contextlib.suppress(OSError, ValueError):
            counted = json.loads(counter_file.read_text(encoding="utf-8"))
            per_host = counted["hosts"].values()
            run.tasks = max((host.get("tasks", 0) for host in per_host), default=0)
            run.tasks_started = counted["tasks_started"]
            run.module_invocations = sum(host.get("module_invocations", 0) for host in per_host)
            run.changed = sum(host.get("changed", 0) for host in per_host)
            run.failed = sum(host.get("failed", 0) + host.get("unreachable", 0) for host in per_host)
            run.slowest_tasks = counted["slowest_tasks"][:10]
            run.modules = counted["modules"]
        with contextlib.suppress(OSError, ValueError):
            run.counters = self.sandbox.counters()
        self.runs.append(run)
        status = "ok" if returncode == 0 else f"FAILED (rc={returncode}, log {log})"
        print(f"  {label:<34} {wall:7.1f} s  tasks={run.tasks} modules={run.module_invocations} "
              f"changed={run.changed} api={run.api_calls}  {status}", flush=True)
        if returncode != 0:
            self.errors.append(f"{label}: rc={returncode}, log {log}")
        return run

    # --- the scenarios --------------------------------------------------------------------
    def scenarios(self, strategy: str, rep: int):
        wanted = [name for name in ALL_SCENARIOS if name in self.settings.scenarios]
        if rep > 1 and "full-delays" in wanted:
            wanted.remove("full-delays")  # minutes of waits: once per strategy
        if "full" not in wanted:
            wanted.insert(0, "full")  # the others need its estate, its resources (read floor) or its time
        resources = floor = None
        for name in wanted:
            if name in self.missing:
                continue
            realistic = name == "full-delays"
            if name in FRESH_SCENARIOS:
                self.sandbox.reset(realistic=realistic)
            playbook, args = SCENARIO_COMMAND[name]
            self.sandbox.set_latency(name in LATENCY_SCENARIOS)
            try:
                run = self.playbook(strategy, name, rep, playbook, args, ["-i", LOCAL_INVENTORY], hosts=1)
            finally:
                self.sandbox.set_latency(False)
                if realistic:
                    self.sandbox.configure()
            run.delays = self.sandbox.delays(realistic)
            if name == "full":
                if run.returncode != 0:
                    print("  full converge failed: the other scenarios of this repetition are skipped")
                    return
                count = self.sandbox.count_resources(self.local_prefix())
                self.resources.setdefault("single", []).append(count)
                resources = count["total"]
                floor = aws_read_floor(count["by_type"])["total"]
            run.resources = resources
            run.aws_read_floor = floor

    def floor(self, strategy: str, rep: int):
        tasks = self.floor_tasks or self.noop_tasks(strategy) or FALLBACK_FLOOR_TASKS
        for count in (tasks, 0):
            playbook = self.workdir / f"noop_tasks_{count}.yml"
            write_noop_playbook(playbook, count)
            run = self.playbook(strategy, f"floor{count}", rep, str(playbook), [], ["-i", LOCAL_INVENTORY], hosts=1)
            self.floors.append({"strategy": strategy, "rep": rep, "tasks": count, "wall_s": run.wall_s,
                                "returncode": run.returncode})

    def noop_tasks(self, strategy: str) -> int | None:
        counts = [run.tasks for run in self.runs if run.strategy == strategy and run.scenario == "noop"
                  and run.hosts == 1 and run.returncode == 0 and run.tasks]
        return counts[-1] if counts else None  # this repetition's (roles may change between runs)

    def parallel(self, strategy: str, rep: int):
        hosts = self.settings.parallel_hosts
        self.sandbox.reset()
        names = ",".join(f"bench-{index}" for index in range(1, hosts + 1))
        inventory = ["-i", LOCAL_INVENTORY, "-i", PARALLEL_INVENTORY, "--limit", names]
        total = None
        for name in PARALLEL_SCENARIOS:
            if name in self.missing:
                continue
            playbook, args = SCENARIO_COMMAND[name]
            run = self.playbook(strategy, name, rep, playbook, args, inventory, hosts=hosts)
            if name == "full":
                if run.returncode != 0:
                    return
                counts = [self.sandbox.count_resources(f"lh-bench-{index}") for index in range(1, hosts + 1)]
                self.resources.setdefault("parallel", []).append(counts)
                total = sum(count["total"] for count in counts)
            run.resources = total

    def local_prefix(self) -> str:
        try:
            reply = subprocess.run([str(Path(sys.executable).parent / "ansible-inventory"), "-i", LOCAL_INVENTORY,
                                    "--host", "sandbox"], cwd=REPO, env=self.sandbox.sandbox.env, capture_output=True,
                                   text=True, check=True, timeout=120)
            prefix = json.loads(reply.stdout).get("deployment_prefix", "")
        except (subprocess.SubprocessError, ValueError):
            prefix = ""
        return prefix if prefix and "{" not in prefix else "lh-sandbox"

    # --- the whole benchmark --------------------------------------------------------------
    def main(self) -> int:
        started = time.monotonic()
        meta = machine()
        strategies = []
        for strategy in self.settings.strategies:
            if strategy == "mitogen" and not mitogen_strategy_dir():
                self.missing[f"strategy:{strategy}"] = "mitogen is not installed (pip install mitogen==0.3.54)"
            elif strategy not in ("linear", "mitogen"):
                self.errors.append(f"unknown strategy {strategy!r} in BENCH_STRATEGIES")
            else:
                strategies.append(strategy)
        for name, reason in sorted(self.missing.items()):
            print(f"not available: {name}: {reason}")
        print(f"work folder: {self.workdir}")
        self.sandbox.up()
        try:
            for rep in range(1, self.settings.repeat + 1):
                for strategy in strategies:
                    print(f"[{strategy} {rep}/{self.settings.repeat}]", flush=True)
                    self.scenarios(strategy, rep)
                    self.floor(strategy, rep)
            if self.settings.parallel_hosts > 0 and "full" not in self.missing:
                for rep in range(1, self.settings.parallel_repeat + 1):
                    for strategy in strategies:
                        print(f"[{strategy} parallel x{self.settings.parallel_hosts} "
                              f"{rep}/{self.settings.parallel_repeat}]", flush=True)
                        self.parallel(strategy, rep)
        finally:
            self.sandbox.down()
        meta["load_average_end"] = os.getloadavg()
        meta["bench_wall_s"] = round(time.monotonic() - started, 1)
        results = self.summarise(strategies, meta)
        self.settings.output.parent.mkdir(parents=True, exist_ok=True)
        self.settings.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print_table(results)
        print(f"\nresults: {self.settings.output}")
        missed = [target for target in results["targets"] if target["met"] is False]
        if self.errors:
            print("\nFAILED runs (logs kept in " + str(self.workdir) + "):\n  " + "\n  ".join(self.errors))
            return 1
        if not self.settings.keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.settings.strict and missed:
            print(f"\n{len(missed)} target(s) missed (BENCH_STRICT=1)")
            return 1
        return 0

    # --- summary --------------------------------------------------------------------------
    def summarise(self, strategies: list[str], meta: dict) -> dict:
        results = {"meta": meta, "settings": self.settings.public(),
                   "not_available": dict(sorted(self.missing.items())), "errors": self.errors,
                   "managed_resources": self.resources_summary(), "strategies": {}, "targets": [],
                   "runs": [run.record() for run in self.runs]}
        for strategy in strategies:
            section = {"scenarios": {}, "parallel": {}, "floor": self.floor_summary(strategy)}
            for name in ALL_SCENARIOS:
                if name in self.missing:
                    section["scenarios"][name] = {"available": False, "reason": self.missing[name]}
                elif name in self.settings.scenarios or name == "full":
                    section["scenarios"][name] = summarise_runs(self.runs_of(strategy, name, 1))
            hosts = self.settings.parallel_hosts
            if hosts > 0:
                for name in PARALLEL_SCENARIOS:
                    many = summarise_runs(self.runs_of(strategy, name, hosts))
                    one = section["scenarios"].get(name, {})
                    ratio = (round(many["median"]["wall_s"] / one["median"]["wall_s"], 2)
                             if many.get("median") and one.get("median") else None)
                    section["parallel"][name] = {"hosts": hosts, **many, "ratio_to_one": ratio}
            section["critical_path"] = critical_path(section["scenarios"])
            section["latency_s"] = {"aws": self.settings.aws_latency, "databricks": self.settings.databricks_latency}
            results["strategies"][strategy] = section
            results["targets"].extend(targets(strategy, section))
        return results

    def runs_of(self, strategy: str, scenario: str, hosts: int) -> list[Run]:
        return [run for run in self.runs if run.strategy == strategy and run.scenario == scenario
                and run.hosts == hosts]

    def floor_summary(self, strategy: str) -> dict:
        mine = [floor for floor in self.floors if floor["strategy"] == strategy and floor["returncode"] == 0]
        with_tasks = [floor for floor in mine if floor["tasks"] > 0]
        empty = [floor["wall_s"] for floor in mine if floor["tasks"] == 0]
        if not with_tasks:
            return {}
        tasks = with_tasks[-1]["tasks"]
        wall = statistics.median(floor["wall_s"] for floor in with_tasks)
        per_task = statistics.median(floor["wall_s"] / floor["tasks"] for floor in with_tasks)
        startup = statistics.median(empty) if empty else None
        marginal = (statistics.median((floor["wall_s"] - startup) / floor["tasks"] for floor in with_tasks)
                    if startup is not None else None)
        return {
            "tasks": tasks, "module": "ansible.builtin.ping",
            "runs": [{"tasks": floor["tasks"], "wall_s": floor["wall_s"]} for floor in with_tasks],
            "median_s": round(wall, 3), "per_task_s": round(per_task, 4),
            "startup_s": round(startup, 3) if startup is not None else None,
            "marginal_per_task_s": round(marginal, 4) if marginal is not None else None,
        }

    def resources_summary(self) -> dict:
        single = self.resources.get("single") or []
        summary = {"definition": f"see {TARGETS_DOC}#managed-resources"}
        if single:
            summary["single"] = single[-1]
            summary["aws_read_floor"] = aws_read_floor(single[-1]["by_type"])
            summary["single_totals_per_repetition"] = [count["total"] for count in single]
        parallel = self.resources.get("parallel") or []
        if parallel:
            summary["parallel"] = [count["total"] for count in parallel[-1]]
        return summary


def summarise_runs(runs: list[Run]) -> dict:
    if not runs:
        return {"available": True, "runs": 0}
    good = [run for run in runs if run.returncode == 0]
    summary: dict = {"available": True, "runs": len(runs), "failed_runs": len(runs) - len(good),
                     "wall_s": [run.wall_s for run in runs]}
    if good:
        def median(values):
            values = [value for value in values if value is not None]
            return round(statistics.median(values), 3) if values else None

        summary["median"] = {
            "wall_s": median(run.wall_s for run in good),
            "min_s": min(run.wall_s for run in good),
            "max_s": max(run.wall_s for run in good),
            "tasks": median(run.tasks for run in good),
            "module_invocations": median(run.module_invocations for run in good),
            "changed": median(run.changed for run in good),
            "aws_calls": median(run.counters.get("aws_calls") for run in good),
            "aws_mutating": median(run.counters.get("aws_mutating") for run in good),
            "databricks_calls": median(run.counters.get("databricks_calls") for run in good),
            "api_calls": median(run.api_calls for run in good),
            "resources": median(run.resources for run in good),
            "aws_reads": median(run.aws_reads for run in good),
            "aws_read_floor": median(run.aws_read_floor for run in good),
            "aws_reads_per_floor": median(run.aws_reads_per_floor for run in good),
        }
        middle = sorted(good, key=lambda run: run.wall_s)[len(good) // 2]
        summary["slowest_tasks_of_median_run"] = middle.slowest_tasks
        summary["modules_of_median_run"] = middle.modules
        summary["aws_actions_of_median_run"] = middle.counters.get("aws_top_actions", {})
        summary["databricks_routes_of_median_run"] = middle.counters.get("databricks_top_routes", {})
        summary["delays"] = middle.delays
    return summary


def waited(delays: dict) -> dict:
    """The delays as the code waits them: the NAT gateway's rounded up to the egress wait's 5 s poll."""
    nat = delays.get("nat_gateway_pending_seconds", 0.0)
    return dict(delays, nat_gateway_pending_seconds=math.ceil(nat / NAT_WAITER_POLL_S) * NAT_WAITER_POLL_S)


def critical_path(scenarios: dict) -> dict:
    """full-delays against its critical path: the overlapped waits of its (scaled) delays plus the fixed work.

    The fixed work (tasks, API calls, start-up) is measured: the `full` converge's wall time less the waits of its
    own (short) delays as the code runs them. The same fixed work plus the waits of the realistic delays as the code
    runs them is what it can reach at best."""
    delayed, full = scenarios.get("full-delays") or {}, scenarios.get("full") or {}
    if not delayed.get("median") or not full.get("median"):
        return {}
    fixed = round(full["median"]["wall_s"] - critical_path_waits(waited(full.get("delays") or {}))["as_run_s"], 3)
    waits = critical_path_waits(delayed.get("delays") or {})
    today = critical_path_waits(waited(delayed.get("delays") or {}))["as_run_s"]
    wall = delayed["median"]["wall_s"]
    path, as_run = round(fixed + waits["overlapped_s"], 3), round(fixed + today, 3)
    return {"wall_s": wall, "fixed_s": fixed, "waits_overlapped_s": waits["overlapped_s"],
            "waits_as_run_s": today, "critical_path_s": path, "as_run_path_s": as_run,
            "ratio": round(wall / path, 3) if path > 0 else None,
            "ratio_to_as_run_path": round(wall / as_run, 3) if as_run > 0 else None,
            "delays": delayed.get("delays")}


def targets(strategy: str, section: dict) -> list[dict]:
    """The issue's targets, as ratios from this run."""
    scenarios = section["scenarios"]
    floor = section["floor"]

    def med(name: str, key: str):
        return (scenarios.get(name) or {}).get("median", {}).get(key)

    out = []

    def target(name: str, value, limit, detail: str):
        met = None if value is None or limit is None else value <= limit
        out.append({"strategy": strategy, "target": name, "value": value, "limit": limit, "met": met,
                    "detail": detail})

    noop, tasks = med("noop", "wall_s"), med("noop", "tasks")
    budget = round(1.5 * tasks * floor["per_task_s"], 2) if tasks and floor.get("per_task_s") else None
    target("noop converge <= 1.5 x tasks x per-task floor (s)", noop, budget,
           f"{tasks} tasks x {floor.get('per_task_s')} s floor x 1.5" if budget else "no floor or no no-op run")
    latency = med("noop-latency", "wall_s")
    # What the latencies add when every call waits for the one before (the no-op's calls times their latency).
    lat = section.get("latency_s") or {}
    summed = (round((med("noop-latency", "aws_calls") or 0) * lat.get("aws", 0)
                    + (med("noop-latency", "databricks_calls") or 0) * lat.get("databricks", 0), 1)
              if latency else None)
    target("noop converge with latency / without", round(latency / noop, 3) if latency and noop else None, 1.3,
           f"{latency} s / {noop} s; the calls' latencies add up to {summed} s")
    target("Databricks calls, no-op converge", med("noop", "databricks_calls"), 25, "emulator request log")
    target("no-op AWS reads / AWS read floor", med("noop", "aws_reads_per_floor"), 1.1,
           f"{med('noop', 'aws_reads')} reads / floor {med('noop', 'aws_read_floor')}")
    path = section.get("critical_path") or {}
    target("full converge with realistic delays / critical path", path.get("ratio"), 1.15,
           f"{path.get('wall_s')} s / ({path.get('fixed_s')} s fixed + {path.get('waits_overlapped_s')} s overlapped "
           f"waits); waits as run: {path.get('as_run_path_s')} s" if path else "no full-delays run")
    target("--check on a converged estate <= no-op converge (s)", med("check", "wall_s"), noop, "medians")
    for name, data in section["parallel"].items():
        target(f"{data['hosts']} deployments in parallel <= 2.5 x one ({name})", data.get("ratio_to_one"), 2.5,
               "ratio of medians")
    target("orientation: no-op converge < 20 s", noop, 20, "2-core machine")
    return out


# --- output -----------------------------------------------------------------------------------
def write_noop_playbook(path: Path, tasks: int):
    lines = [
        "---",
        f"# Generated by benchmarks/run.py: {tasks} no-op tasks, the per-task floor of ansible on this inventory.",
        "- name: Per-task floor",
        "  hosts: databricks_deployments",
        "  gather_facts: false",
        '  environment: "{{ deployment_environment | default({}) }}"',
        "  tasks:" if tasks else "  tasks: []",
    ]
    for index in range(1, tasks + 1):
        lines += [f"    - name: No-op {index}", "      ansible.builtin.ping:"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if not value.is_integer() or digits else str(int(value))
    return str(value)


def print_table(results: dict):
    header = (f"{'strategy':<8} {'scenario':<13} {'hosts':>5} {'median s':>9} {'min-max s':>13} {'tasks':>6} "
              f"{'modules':>7} {'changed':>7} {'AWS':>5} {'DBX':>5} {'res':>4} {'reads/floor':>11}")
    print("\n" + header + "\n" + "-" * len(header))
    for strategy, section in results["strategies"].items():
        rows = [(name, data, 1) for name, data in section["scenarios"].items()]
        rows += [(name, data, data["hosts"]) for name, data in section["parallel"].items()]
        for name, data, hosts in rows:
            if not data.get("available", True):
                print(f"{strategy:<8} {name:<13} {hosts:>5} not available: {data['reason']}")
                continue
            median = data.get("median")
            if not median:
                print(f"{strategy:<8} {name:<13} {hosts:>5} no successful run ({data.get('runs', 0)} run(s))")
                continue
            spread = f"{median['min_s']:.1f}-{median['max_s']:.1f}"
            print(f"{strategy:<8} {name:<13} {hosts:>5} {median['wall_s']:>9.1f} {spread:>13} "
                  f"{_fmt(median['tasks'], 0):>6} {_fmt(median['module_invocations'], 0):>7} "
                  f"{_fmt(median['changed'], 0):>7} {_fmt(median['aws_calls'], 0):>5} "
                  f"{_fmt(median['databricks_calls'], 0):>5} {_fmt(median['resources'], 0):>4} "
                  f"{_fmt(median['aws_reads_per_floor'], 2):>11}"
                  + (f"   x{data['ratio_to_one']} of 1 host" if data.get("ratio_to_one") else ""))
        floor = section["floor"]
        if floor:
            print(f"{strategy:<8} {'floor':<13} {1:>5} {floor['median_s']:>9.1f}   {floor['tasks']} ping tasks: "
                  f"{floor['per_task_s']:.3f} s/task; start-up {_fmt(floor['startup_s'], 1)} s, "
                  f"marginal {_fmt(floor['marginal_per_task_s'], 3)} s/task")
        path = section.get("critical_path")
        if path:
            print(f"{strategy:<8} {'critical path':<13} {1:>5} {path['critical_path_s']:>9.1f}   "
                  f"fixed {path['fixed_s']:.1f} s + overlapped waits {path['waits_overlapped_s']:.1f} s "
                  f"(waits as run: {path['as_run_path_s']:.1f} s); full-delays {path['wall_s']:.1f} s")
    print("\nTargets")
    for target in results["targets"]:
        mark = {True: "met   ", False: "MISSED", None: "n/a   "}[target["met"]]
        print(f"  [{mark}] {target['strategy']:<8} {target['target']}: {_fmt(target['value'], 2)} "
              f"(limit {_fmt(target['limit'], 2)}; {target['detail']})")


# --- the machine ------------------------------------------------------------------------------
def machine() -> dict:
    def version(package: str):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    memory = ""
    with contextlib.suppress(OSError):
        memory = next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")), "")

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    status = git("status", "--porcelain")
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory, "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in ("ansible-core", "ansible", "mitogen", "moto", "boto3",
                                                      "databricks-sdk")},
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty_files": len(status.splitlines()) if status else 0,
        "roles": sorted(path.name for path in (REPO / "roles").iterdir() if path.is_dir()),
        "playbooks": sorted(path.name for path in (REPO / "playbooks").glob("*.yml")),
        "load_average_start": os.getloadavg(),
        "ansible_cfg_strategy": configured_strategy(),
    }


def markdown(results: dict) -> str:
    """The table of a results.json as markdown (for docs/performance.md)."""
    lines = ["| strategy | scenario | hosts | median s (min-max) | tasks | modules | changed | AWS calls | "
             "Databricks calls | resources | AWS reads / floor |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for strategy, section in results["strategies"].items():
        rows = [(name, data, 1) for name, data in section["scenarios"].items()]
        rows += [(name, data, data["hosts"]) for name, data in section["parallel"].items()]
        for name, data, hosts in rows:
            median = data.get("median")
            if not median:
                why = data.get("reason") or "failed"
                lines.append(f"| {strategy} | {name} | {hosts} | {why} |  |  |  |  |  |  |  |")
                continue
            ratio = f" (x{data['ratio_to_one']} of 1 host)" if data.get("ratio_to_one") else ""
            spread = f"{median['wall_s']:.1f} ({median['min_s']:.1f}-{median['max_s']:.1f}){ratio}"
            cells = [strategy, name, hosts, spread,
                     *(_fmt(median[key], 0) for key in ("tasks", "module_invocations", "changed", "aws_calls",
                                                        "databricks_calls", "resources")),
                     (f"{_fmt(median['aws_reads'], 0)} / {_fmt(median['aws_read_floor'], 0)}"
                      if median.get("aws_read_floor") else "-")]
            lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
        floor = section["floor"]
        if floor:
            lines.append(f"| {strategy} | floor: {floor['tasks']} x ping | 1 | {floor['median_s']:.1f} | "
                         f"{floor['tasks']} | {floor['tasks']} | 0 | 0 | 0 | | {floor['per_task_s']:.3f} s/task "
                         f"(start-up {_fmt(floor['startup_s'], 1)} s) |")
        path = section.get("critical_path")
        if path:
            lines.append(f"| {strategy} | critical path of full-delays | 1 | {path['critical_path_s']:.1f} "
                         "| | | | | | | "
                         f"fixed {path['fixed_s']:.1f} s + waits {path['waits_overlapped_s']:.1f} s (as run "
                         f"{path['as_run_path_s']:.1f} s) |")
    lines += ["", "| strategy | target | value | limit | met |", "|---|---|---|---|---|"]
    for target in results["targets"]:
        met = {True: "yes", False: "**no**", None: "n/a"}[target["met"]]
        lines.append(f"| {target['strategy']} | {target['target']} | {_fmt(target['value'], 2)} | "
                     f"{_fmt(target['limit'], 2)} | {met} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--markdown"]:  # re-print a results.json as markdown, run nothing
        path = Path(argv[1]) if len(argv) > 1 else Settings().output
        print(markdown(json.loads(path.read_text(encoding="utf-8"))))
        return 0
    return Bench(Settings()).main()


if __name__ == "__main__":
    sys.exit(main())
