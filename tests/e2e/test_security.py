"""Secret hygiene of every playbook and the security posture of the deployed estate (one sandbox).

One module-scoped deployment in a fresh clone (tests/stack.py) on a sandbox of its own:

* ``converged``: site.yml (VPC endpoint policies on, as by default) and, right after it, a
  snapshot of the estate read with boto3 (key policies, buckets, roles, endpoints, security group) that
  the posture tests check.
* ``hygiene``: the rest of the life of the deployment, every run at -vvv with --diff, ANSIBLE_LOG_PATH,
  ANSIBLE_LOCAL_TEMP / ANSIBLE_REMOTE_TEMP / TMPDIR in folders of the test: an AWS module failing on an
  invalid value (network role), a Databricks module failing on an injected 500 (cluster route, results
  as JSON through ansible.posix.json), a token creation failing on an injected 500 in the middle of a
  rotation, a successful rotation, sleep, wake and destroy. While a run is going a thread polls
  /proc/<pid>/cmdline and /proc/<pid>/environ of this test's descendants and reads the temp folders.

Secrets: the sandbox client secret and every token value the emulator issued (GET /__sandbox/tokens:
OAuth access tokens, PATs, on-behalf-of tokens, revoked and orphaned ones included); each must not
occur, as is or base64-encoded at any alignment, in any output, file, command line or environment.
"""

import base64
import contextlib
import json
import os
import re
import threading
import time

import pytest

from sandbox.databricks_emulator.aws import iam_policy
from sandbox.databricks_emulator.aws.iam_policy import endpoint_policy_allows
from tests.e2e.conftest import as_list, failed_results, ok, run_report, statements
from tests.stack import PREFIX, SECRET, WORKSPACE, Stack

VERBOSE = ("-vvv", "--diff")
ENDPOINT_POLICIES_ON = ("-e", "network_vpc_endpoint_policies_enabled=true")
BUCKETS = {logical: f"{PREFIX}-{suffix}" for logical, suffix in (
    ("root", "rootbucket"), ("raw", "raw"), ("prepared", "prepared"), ("trusted", "trusted"),
    ("s3_logging", "s3-logging"), ("databricks_logging", "databricks-logging"), ("audit_logs", "audit-logs"),
    ("catalog", "catalog"))}
# The KMS keys (storage_encryption_separate_keys: true), by use, and the key of each bucket (the others: logging).
KEY_SUFFIXES = {"workspace_storage": "workspace-storage", "managed_services": "managed-services",
                "datalake": "datalake", "tokens": "tokens", "logging": "logging"}
BUCKET_KEYS = {"root": "workspace_storage", "raw": "datalake", "prepared": "datalake", "trusted": "datalake",
               "catalog": "datalake"}
# The design: clients must ask for SSE-KMS on the datalake buckets, Unity Catalog's catalog bucket included (not on
# DBFS root, not on log buckets).
SSE_ENFORCED = {"raw", "prepared", "trusted", "catalog"}
DATABRICKS_AWS_ACCOUNT = "414351767826"
WRITE_ACTION = re.compile(r"(^\*$|:\*$|:(Put|Delete|Create|Update|Write|Restore|Replicate|Abort|Batch(Create|Delete)))")
# Files that hold the sandbox credentials by design (mode 0600): the secret's home, not a leak.
CREDENTIAL_FILES = {"endpoints.json", "credentials.json"}


# --- watching processes and temp folders during a run -----------------------------------------------
class Watcher(threading.Thread):
    """Polls this process's descendants (cmdline, environ) and the temp folders while a run goes on."""

    def __init__(self, folders, interval=0.03):
        super().__init__(daemon=True)
        self.folders, self.interval = folders, interval
        self.root = os.getpid()
        self.blobs = {}  # (kind, pid, text) -> first seen; unique cmdlines and environments
        self.files = {}  # (path, size, mtime) -> content read while the run was going on
        self.polls = 0
        self._active = threading.Event()
        self._halt = threading.Event()

    def descendants(self):
        parents = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as handle:
                        parents[int(name)] = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, frontier = set(), {self.root}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def poll(self):
        for pid in self.descendants():
            for kind in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{pid}/{kind}", "rb") as handle:
                        text = handle.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if text:
                    self.blobs.setdefault((kind, pid, text), time.monotonic())
        if self.polls % 8 == 0:
            for path, data in walk(self.folders):
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                self.files.setdefault((path, stat.st_size, stat.st_mtime_ns), data)
        self.polls += 1

    def run(self):
        while not self._halt.is_set():
            if self._active.wait(0.2):
                self.poll()
                time.sleep(self.interval)

    def active(self, on):
        (self._active.set if on else self._active.clear)()

    def stop(self):
        self._halt.set()
        self.active(True)
        self.join(5)


def walk(folders, skip=()):
    """(path, text) of every regular file under the folders (symlinks not followed)."""
    for folder in folders:
        for directory, subdirs, names in os.walk(folder):
            subdirs[:] = [d for d in subdirs if not os.path.islink(os.path.join(directory, d))]
            for name in names:
                path = os.path.join(directory, name)
                if os.path.islink(path) or not os.path.isfile(path) or name in skip:
                    continue
                try:
                    with open(path, "rb") as handle:
                        yield path, handle.read().decode(errors="replace")
                except OSError:
                    continue


# --- secrets and the search for them -----------------------------------------------------------------
def needles(secret):
    """The secret and its base64 forms at the three alignments it can take inside a longer blob."""
    forms = {secret}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        # Drop the characters shared with the neighbouring bytes: what remains depends on the secret only.
        head = 4 if offset else 0
        tail = 4 if len(b"\0" * offset + raw) % 3 else 0
        inner = encoded[head:len(encoded) - tail]
        forms.add(inner)
        forms.add(inner.replace("+", "-").replace("/", "_"))  # base64url
    return forms


RUN = re.compile(r"[A-Za-z0-9+/=_:\-]{16,}")  # every secret and every base64 form of one is made of these
ANCHOR = 16


class Scan:
    """Searches texts for every form of every secret: the runs of secret-like characters of each text are
    compared with the secrets' 16-character prefixes, so hundreds of secrets cost one pass per text."""

    def __init__(self, secrets):
        self.secrets = secrets  # label -> value
        self.anchors = {}
        for label, value in secrets.items():
            assert len(value) >= 24, f"{label} is too short to search for"
            for form in needles(value):
                self.anchors.setdefault(form[:ANCHOR], []).append((label, form))
        self.counts = {}
        self.hits = []

    def found(self, text):
        for run in set(RUN.findall(text)):
            for start in range(len(run) - ANCHOR + 1):
                for label, form in self.anchors.get(run[start:start + ANCHOR], ()):
                    if run.startswith(form, start):
                        yield label, form

    def text(self, category, where, text):
        self.counts[category] = self.counts.get(category, 0) + 1
        for label, form in set(self.found(text)):
            index = text.index(form)
            kind = "plain" if form == self.secrets[label] else "base64"
            self.hits.append(f"{category}: {where}: {label} ({kind}) after {text[max(0, index - 120):index]!r}")

    def report(self):
        return "scanned " + ", ".join(f"{n} {c}" for c, n in sorted(self.counts.items())) + f"; {len(self.hits)} hits"


# --- the deployment ---------------------------------------------------------------------------------------
class Deployment:
    def __init__(self, tmp, stack):
        self.tmp = tmp
        self.stack, self.box = stack, stack.box
        self.scratch = {name: os.path.join(tmp, "scan", name) for name in ("local_tmp", "remote_tmp", "tmp", "logs")}
        for folder in self.scratch.values():
            os.makedirs(folder)
        self.watcher = Watcher([self.scratch["local_tmp"], self.scratch["remote_tmp"], self.scratch["tmp"],
                                os.path.expanduser("~/.ansible/tmp")])
        self.watcher.start()
        self.runs = []  # (step, PlaybookRun, log path)
        self.stored = []  # (after step, Secrets Manager document)
        self.issued = []
        self.posture = None

    def run(self, step, playbook, *args, env=None):
        log = os.path.join(self.scratch["logs"], "%02d.log" % len(self.runs))
        base = self.stack.env
        self.stack.env = dict(base, ANSIBLE_LOG_PATH=log, ANSIBLE_LOCAL_TEMP=self.scratch["local_tmp"],
                              ANSIBLE_REMOTE_TEMP=self.scratch["remote_tmp"], TMPDIR=self.scratch["tmp"], **(env or {}))
        self.watcher.active(True)
        try:
            result = self.stack.playbook(step, playbook, *VERBOSE, *args)
        finally:
            self.watcher.active(False)
            self.stack.env = base
        self.runs.append((step, result, log))
        self.snapshot_secret(step)
        return result

    def snapshot_secret(self, step):
        client = self.stack.aws("secretsmanager")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):  # after destroy
            self.stored.append((step, json.loads(client.get_secret_value(SecretId=SECRET)["SecretString"])))

    def fault(self, **body):
        self.box.emulator("/__sandbox/faults", "POST", body)

    def clear_faults(self):
        self.box.emulator("/__sandbox/faults", method="DELETE")

    def secrets(self):
        endpoints = self.box.endpoints
        found = {"sandbox client secret": endpoints["client_secret"],
                 "basic auth client_id:client_secret": f"{endpoints['client_id']}:{endpoints['client_secret']}"}
        for token in self.issued:
            found[f"{token['kind']} token {token['token_id'] or '(oauth)'} #{len(found)}"] = token["token_value"]
        for step, document in self.stored:
            for kind in ("pat", "obo"):
                value = (document.get(kind) or {}).get("token_value")
                if value and value not in found.values():
                    found[f"stored {kind} token after {step}"] = value
        return found


def read_posture(stack, endpoints):
    """What the posture tests check, read with boto3 right after site.yml."""
    kms, s3, iam, ec2 = stack.aws("kms"), stack.aws("s3"), stack.aws("iam"), stack.aws("ec2")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    keys = {alias: json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
            for alias, key_id in aliases.items() if alias.startswith(f"alias/{PREFIX}-")}
    key_arns = {alias: kms.describe_key(KeyId=aliases[alias])["KeyMetadata"]["Arn"] for alias in keys}
    buckets = {}
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        buckets[name] = {
            "public_access": s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
            "policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]),
            "encryption": s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
            "access_logging": s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"),
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
        }
        if name == f"{PREFIX}-audit-logs":
            buckets[name]["object_lock"] = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        if not name.startswith(PREFIX):
            continue
        inline = {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                  for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}
        attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
        roles[name] = {"trust": role["AssumeRolePolicyDocument"], "inline": inline, "attached": attached}
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    vpc_ids = [v["VpcId"] for v in vpcs]
    endpoints_ = [e for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": vpc_ids}])["VpcEndpoints"]
                  if e["State"].lower() not in ("deleted", "deleting")]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": vpc_ids}, {
        "Name": "group-name", "Values": ["default", f"{PREFIX}-workspace-sg"]}])["SecurityGroups"]
    s3_prefix_list = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [
        f"com.amazonaws.{ec2.meta.region_name}.s3"]}])["PrefixLists"][0]["PrefixListId"]
    token_secret = stack.aws("secretsmanager").describe_secret(SecretId=SECRET)
    return {"keys": keys, "key_arns": key_arns, "buckets": buckets, "roles": roles, "vpc_ids": vpc_ids,
            "vpc_endpoints": endpoints_, "default_groups": [g for g in groups if g["GroupName"] == "default"],
            "workspace_groups": [g for g in groups if g["GroupName"] != "default"], "s3_prefix_list": s3_prefix_list,
            "token_secret_key": token_secret.get("KmsKeyId"),
            "databricks_account_id": endpoints["databricks_account_id"],
            "account": stack.aws("sts").get_caller_identity()["Account"],
            "workspace_ids": [w["workspace_id"] for w in stack.box.emulator("/__sandbox/workspaces")]}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("security"))
    with Stack.started(tmp) as stack:
        dep = Deployment(tmp, stack)
        try:
            ok(stack.timed("make venv", ["make", "venv"]), "make venv")
            site = dep.run("site.yml", "site.yml", *ENDPOINT_POLICIES_ON)
            assert site.returncode == 0 and site.failed() == 0, run_report(site, "site.yml")
            dep.posture = read_posture(stack, dep.box.endpoints)
            with open(os.path.join(tmp, "posture.json"), "w", encoding="utf-8") as handle:  # to read after a failure
                json.dump(dep.posture, handle, indent=1, default=str)
            yield dep
        finally:
            dep.watcher.stop()
            commands = sorted({text[:300] for kind, _, text in dep.watcher.blobs if kind == "cmdline"})
            with open(os.path.join(tmp, "command_lines.txt"), "w", encoding="utf-8") as handle:
                handle.write("\n".join(commands))


@pytest.fixture(scope="module")
def hygiene(deployment):
    """Every other playbook, failures included; then the secrets that existed and everything to scan."""
    dep = deployment
    outcome = {}

    # An AWS module fails on an invalid value (a CIDR AWS rejects) in the network role.
    outcome["aws failure"] = dep.run(
        "site.yml --tags network (invalid egress CIDR)", "site.yml", "--tags", "network", *ENDPOINT_POLICIES_ON,
        "-e", json.dumps({"network_workspace_security_group_egress": [
            {"proto": "tcp", "ports": [443], "cidr_ip": "10.0.0.0/99"}]}))

    # A Databricks module fails on a 500 from a cluster route; results as JSON.
    dep.fault(route=r"/api/2\.[01]/clusters/(list|get)$", method="GET", status=500, count=1000)
    try:
        outcome["cluster failure"] = dep.run("site.yml (cluster route 500, JSON results)", "site.yml",
                                             *ENDPOINT_POLICIES_ON,
                                             env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    finally:
        dep.clear_faults()

    # A rotation fails half-way: the new PAT exists, creating the on-behalf-of token answers 500.
    dep.fault(route=r"/api/2\.0/token-management/on-behalf-of/tokens$", method="POST", status=500, count=1)
    try:
        outcome["token failure"] = dep.run("site.yml --tags reset_tokens (OBO create 500)", "site.yml",
                                           "--tags", "reset_tokens")
    finally:
        dep.clear_faults()
    outcome["injected 500s"] = [r for r in dep.box.emulator("/__sandbox/requests") if r["status"] == 500]

    outcome["reset_tokens"] = dep.run("site.yml --tags reset_tokens", "site.yml", "--tags", "reset_tokens")
    outcome["sleep"] = dep.run("sleep.yml", "playbooks/sleep.yml")
    outcome["wake"] = dep.run("wake.yml", "playbooks/wake.yml", *ENDPOINT_POLICIES_ON)
    outcome["destroy"] = dep.run("destroy.yml", "playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
    dep.issued = dep.box.emulator("/__sandbox/tokens")  # destroy revokes them; the list keeps them
    return outcome


def json_results(stdout):
    """The ansible.posix.json document in a -vvv stdout (verbose lines come before it)."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^\{$", stdout, re.MULTILINE):
        try:
            document, _ = decoder.raw_decode(stdout, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(document, dict) and "plays" in document:
            return document
    raise AssertionError("no ansible.posix.json document in the output:\n" + stdout[-3000:])


# --- A. secret hygiene ----------------------------------------------------------------------------------------
def test_runs_did_what_the_scan_relies_on(deployment, hygiene):
    """The failures happened where intended, the rotation rotated, the watcher saw the runs' processes."""
    dep = deployment
    aws = hygiene["aws failure"]
    assert aws.returncode != 0 and aws.failed() == 1, run_report(aws, "AWS failure run")
    assert "Unable to authorize egress rules" in aws.stdout, run_report(aws, "AWS failure run")

    cluster = hygiene["cluster failure"]
    assert cluster.returncode != 0, run_report(cluster, "cluster failure run")
    failures = failed_results(json_results(cluster.stdout))
    assert failures, cluster.stdout[-3000:]
    assert any("INTERNAL_ERROR" in json.dumps(result) or "Internal error" in json.dumps(result)
               for _host, _task, result in failures), failures

    token = hygiene["token failure"]
    assert token.returncode != 0 and token.failed() == 1, run_report(token, "token failure run")
    paths = {r["path"].rsplit("/", 2)[-2] + "/" + r["path"].rsplit("/", 1)[-1] for r in hygiene["injected 500s"]}
    assert "on-behalf-of/tokens" in paths and paths & {"clusters/list", "clusters/get"}, hygiene["injected 500s"]
    for step in ("reset_tokens", "sleep", "wake", "destroy"):
        ok(hygiene[step], step)

    first, rotated = dict(dep.stored)["site.yml"], dict(dep.stored)["site.yml --tags reset_tokens"]
    assert rotated["pat"]["token_value"] != first["pat"]["token_value"]
    assert rotated["obo"]["token_value"] != first["obo"]["token_value"]
    # The emulator's list is complete: every value ever stored is in it, and the orphaned PAT of the failed
    # rotation too (2 first + 1 orphaned + 2 rotated on-behalf-of and PATs at least).
    issued = {t["token_value"] for t in dep.issued}
    stored = {d[k]["token_value"] for _, d in dep.stored for k in ("pat", "obo")}
    assert stored <= issued, "stored tokens the emulator did not list"
    assert len([t for t in dep.issued if t["kind"] == "pat"]) >= 5, dep.issued

    commands = [text for (kind, _, text) in dep.watcher.blobs if kind == "cmdline"]
    assert any("ansible-playbook" in c for c in commands), commands[:20]
    # mitogen's interpreters (the connection multiplexer and the workers running modules) name themselves so.
    assert any("(mitogen:" in c for c in commands), commands[:20]
    print(f"\nwatcher: {dep.watcher.polls} polls, {len(commands)} distinct command lines, "
          f"{len(dep.watcher.files)} temp file versions; {len(dep.secrets())} secrets; runs: "
          + ", ".join(step for step, _, _ in dep.runs))


def scan_and_assert(dep, category, items):
    scan = Scan(dep.secrets())
    assert len(scan.secrets) >= 7, scan.secrets.keys()
    for where, text in items:
        scan.text(category, where, text)
    print(f"\n{category}: {scan.report()}")
    assert scan.counts.get(category, 0) > 0, f"nothing scanned for {category}"
    assert not scan.hits, f"{category}: {scan.report()}:\n" + "\n".join(scan.hits[:20])


def test_no_secret_in_stdout_or_stderr(deployment, hygiene):
    scan_and_assert(deployment, "run outputs", [(f"{step} {stream}", getattr(run, stream))
                                                for step, run, _ in deployment.runs for stream in ("stdout", "stderr")])


def test_no_secret_in_the_ansible_log(deployment, hygiene):
    logs = []
    for step, _, path in deployment.runs:
        assert os.path.getsize(path) > 10000, f"{step}: ANSIBLE_LOG_PATH {path} is (nearly) empty"
        with open(path, encoding="utf-8", errors="replace") as handle:
            logs.append((path, handle.read()))
    scan_and_assert(deployment, "ansible logs", logs)


def test_no_secret_in_module_results(deployment, hygiene):
    document = json_results(hygiene["cluster failure"].stdout)
    results = [(f"{task['task']['name']}", json.dumps(result, ensure_ascii=False))
               for play in document["plays"] for task in play["tasks"] for result in task["hosts"].values()]
    assert len(results) > 50, len(results)
    scan_and_assert(deployment, "module results", [*results, ("whole JSON", json.dumps(document, ensure_ascii=False))])


def test_no_secret_in_artifacts(deployment, hygiene):
    artifacts = os.path.join(deployment.stack.clone, "artifacts")
    files = list(walk([artifacts]))
    assert any(path.endswith("outputs.json") for path, _ in files), files
    scan_and_assert(deployment, "artifact files", files)


def test_no_secret_in_any_file_of_the_clone(deployment, hygiene):
    # The clone holds the repository, artifacts/, anything a run may have written; .venv is a link.
    scan_and_assert(deployment, "clone files", list(walk([deployment.stack.clone])))


def test_no_secret_in_the_sandbox_logs(deployment, hygiene):
    files = list(walk([deployment.box.directory], skip=CREDENTIAL_FILES))
    assert any(path.endswith("databricks.log") for path, _ in files), files
    scan_and_assert(deployment, "sandbox files", files)


def test_no_secret_in_temp_folders(deployment, hygiene):
    dep = deployment
    folders = [dep.scratch["local_tmp"], dep.scratch["remote_tmp"], dep.scratch["tmp"],
               os.path.expanduser("~/.ansible/tmp"), os.path.join(dep.tmp, "logs")]
    during = [(f"{path} (during the run)", text) for (path, _, _), text in dep.watcher.files.items()]
    files = list(walk(folders)) + during
    scan_and_assert(dep, "temp files", files)


def test_no_secret_on_a_command_line_or_in_an_environment(deployment, hygiene):
    blobs = [(f"{kind} of pid {pid}", text) for (kind, pid, text) in deployment.watcher.blobs]
    assert len(blobs) > 20, blobs
    scan_and_assert(deployment, "process cmdlines and environments", blobs)


# --- B. security posture (read right after site.yml) -------------------------------------------------------------
def is_everyone(principal):
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS", []))


def test_kms_key_policies_grant_no_one_without_a_condition(deployment):
    keys = deployment.posture["keys"]
    assert set(keys) == {f"alias/{PREFIX}-{key}" for key in KEY_SUFFIXES.values()}, keys.keys()
    weak = [(alias, s.get("Sid")) for alias, policy in keys.items() for s in statements(policy)
            if s["Effect"] == "Allow" and is_everyone(s.get("Principal")) and not s.get("Condition")]
    assert not weak, f"key policy statements granting Principal '*' without a condition: {weak}"


def test_buckets_block_public_access(deployment):
    buckets = deployment.posture["buckets"]
    assert set(buckets) == set(BUCKETS.values()), f"buckets of the deployment: {sorted(buckets)}"
    flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    open_ = {name: b["public_access"] for name, b in buckets.items()
             if not all(b["public_access"].get(f) for f in flags)}
    assert not open_, f"buckets without all four public access block flags: {open_}"


def test_buckets_deny_requests_without_tls(deployment):
    def denies_insecure(policy, arn):
        for s in statements(policy):
            condition = s.get("Condition", {}).get("Bool", {})
            actions, resources = as_list(s.get("Action", [])), as_list(s.get("Resource", []))
            insecure = str(condition.get("aws:SecureTransport")).lower() == "false"
            if (s["Effect"] == "Deny" and is_everyone(s.get("Principal")) and insecure
                    and {"s3:*", "*"} & set(actions) and {arn, arn + "/*"} <= set(resources)):
                return True
        return False

    weak = [name for name, b in deployment.posture["buckets"].items()
            if not denies_insecure(b["policy"], f"arn:aws:s3:::{name}")]
    assert not weak, f"buckets whose policy does not deny aws:SecureTransport=false on bucket and objects: {weak}"


def test_buckets_encrypt_with_kms_and_enforce_sse_where_designed(deployment):
    posture = deployment.posture
    problems = []
    for logical, name in BUCKETS.items():
        bucket = posture["buckets"][name]
        default = bucket["encryption"][0]
        wanted_key = posture["key_arns"][f"alias/{PREFIX}-{KEY_SUFFIXES[BUCKET_KEYS.get(logical, 'logging')]}"]
        sse = default["ApplyServerSideEncryptionByDefault"]
        if logical == "s3_logging":
            # The target of the S3 server access logs: S3 delivers them only to an SSE-S3 bucket.
            if sse != {"SSEAlgorithm": "AES256"}:
                problems.append(f"{name}: default encryption {sse}, expected SSE-S3 (access-log target)")
        elif sse.get("SSEAlgorithm") != "aws:kms" or sse.get("KMSMasterKeyID") not in (wanted_key,
                                                                                        wanted_key.split("/")[-1]):
            problems.append(f"{name}: default encryption {sse}, expected aws:kms with {wanted_key}")
        elif not default.get("BucketKeyEnabled"):
            problems.append(f"{name}: bucket key off")
        denies = {s.get("Sid"): s for s in statements(bucket["policy"]) if s["Effect"] == "Deny"
                  and "s3:PutObject" in as_list(s.get("Action"))}
        wrong_header = any(s.get("Condition", {}).get("StringNotEquals", {}).get("s3:x-amz-server-side-encryption")
                           == "aws:kms" for s in denies.values())
        no_header = any(str(s.get("Condition", {}).get("Null", {}).get("s3:x-amz-server-side-encryption")).lower()
                        == "true" for s in denies.values())
        if logical in SSE_ENFORCED and not (wrong_header and no_header):
            problems.append(f"{name}: the policy does not deny PutObject without SSE-KMS ({sorted(denies)})")
        if logical not in SSE_ENFORCED and (wrong_header or no_header):
            problems.append(f"{name}: SSE-KMS header enforced where the design leaves it off (AWS services write here)")
    assert not problems, "\n".join(problems)


def test_every_bucket_logs_its_access_to_the_s3_logging_bucket_and_is_versioned_but_root(deployment):
    buckets = deployment.posture["buckets"]
    problems = []
    for logical, name in BUCKETS.items():
        logging = buckets[name]["access_logging"]
        wanted = None if logical == "s3_logging" else {"TargetBucket": BUCKETS["s3_logging"],
                                                       "TargetPrefix": f"s3-access-logs/{name}/"}
        if logging != wanted:
            problems.append(f"{name}: access logging {logging}, expected {wanted}")
        if (buckets[name]["versioning"] == "Enabled") != (logical != "root"):
            problems.append(f"{name}: versioning {buckets[name]['versioning']}")
    delivery = [s for s in statements(buckets[BUCKETS["s3_logging"]]["policy"]) if s["Effect"] == "Allow"
                and isinstance(s.get("Principal"), dict)
                and "logging.s3.amazonaws.com" in as_list(s["Principal"].get("Service"))]
    assert len(delivery) == 1, delivery
    condition = delivery[0]["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": deployment.posture["account"]}
    assert set(as_list(condition["ArnLike"]["aws:SourceArn"])) == {
        f"arn:aws:s3:::{name}" for logical, name in BUCKETS.items() if logical != "s3_logging"}
    assert not problems, "\n".join(problems)


def test_audit_logs_are_locked_and_written_by_the_log_delivery_role_only(deployment):
    posture = deployment.posture
    audit = posture["buckets"][BUCKETS["audit_logs"]]
    assert audit["object_lock"] == {"ObjectLockEnabled": "Enabled",
                                    "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}
    log_delivery = f"arn:aws:iam::{posture['account']}:role/{PREFIX}-log-delivery"
    arn = f"arn:aws:s3:::{BUCKETS['audit_logs']}/audit-logs/x.json"

    def verdict(principal_arn):
        """The bucket policy's verdict on PutObject over TLS ("Deny" wins over any identity policy)."""
        return iam_policy.resource_policy_decision([audit["policy"]], principal_arn, "s3:PutObject", arn,
                                                   {"aws:SecureTransport": "true"})

    assert verdict(log_delivery) == "Allow"
    for other in ("meta-role", "data-write-role", "cross-account-role"):
        assert verdict(f"arn:aws:iam::{posture['account']}:role/{PREFIX}-{other}") == "Deny", other
    assert verdict(f"arn:aws:iam::{posture['account']}:user/admin") == "Deny"


def test_root_bucket_writes_are_scoped_to_the_workspace(deployment):
    posture = deployment.posture
    (workspace_id,) = posture["workspace_ids"]
    root = f"arn:aws:s3:::{BUCKETS['root']}"
    policy = posture["buckets"][BUCKETS["root"]]["policy"]
    grants = [s for s in statements(policy) if isinstance(s.get("Principal"), dict)
              and f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root" in as_list(s["Principal"].get("AWS"))]
    context = {"aws:PrincipalTag/DatabricksAccountId": posture["databricks_account_id"], "aws:SecureTransport": "true"}

    def allowed(action, key):
        return iam_policy.is_allowed([{"Statement": grants}], action, f"{root}/{key}" if key else root, context)

    assert allowed("s3:ListBucket", None) and allowed("s3:GetObject", "anything/at/all")
    for key in (f"ireland-prod/{workspace_id}/a", f"ireland-prod/{workspace_id}.0/a",
                f"ephemeral/ireland-prod/{workspace_id}/a", "ireland-prod/0_databricks_dev"):
        assert allowed("s3:PutObject", key) and allowed("s3:DeleteObject", key), key
    for key in ("ireland-prod/1234567890/a", "elsewhere/a", f"ireland-prod/{workspace_id}"):
        assert not allowed("s3:PutObject", key), key
    other_account = dict(context, **{"aws:PrincipalTag/DatabricksAccountId": "00000000-0000-0000-0000-000000000000"})
    assert not iam_policy.is_allowed([{"Statement": grants}], "s3:GetObject", f"{root}/x", other_account)


def test_cross_account_role_trusts_databricks_with_the_external_id(deployment):
    posture = deployment.posture
    trust = posture["roles"][f"{PREFIX}-cross-account-role"]["trust"]
    allows = [s for s in statements(trust) if s["Effect"] == "Allow"]
    assert allows, trust
    for s in allows:
        principal = s.get("Principal")
        principals = as_list(principal.get("AWS", [])) if isinstance(principal, dict) else [principal]
        assert principals == [f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root"], \
            f"the cross-account role trusts {principals}, not only the Databricks account"
        external_id = s.get("Condition", {}).get("StringEquals", {}).get("sts:ExternalId")
        assert external_id == posture["databricks_account_id"], \
            f"{s.get('Sid')} does not require sts:ExternalId = the Databricks account id: {s.get('Condition')}"


def test_data_roles_reach_only_their_bucket(deployment):
    roles = deployment.posture["roles"]
    raw = f"arn:aws:s3:::{BUCKETS['raw']}"
    problems = []
    for key in ("data-read", "data-write"):
        role = roles[f"{PREFIX}-{key}-role"]
        if role["attached"]:
            problems.append(f"{key}: managed policies attached: {role['attached']}")
        s3_statements = 0
        for name, policy in role["inline"].items():
            for s in statements(policy):
                if s["Effect"] != "Allow":
                    continue
                actions, resources = as_list(s.get("Action", [])), as_list(s.get("Resource", []))
                if any(a == "*" or a.startswith("s3:") for a in actions):
                    s3_statements += 1
                    outside = [r for r in resources if r not in (raw, raw + "/*")]
                    if outside:
                        problems.append(f"{key} {name}/{s.get('Sid')}: S3 actions on {outside}")
                elif not all(a.startswith("glue:") for a in actions) or key == "data-read":
                    problems.append(f"{key} {name}/{s.get('Sid')}: non-S3 actions {actions}")
                if key == "data-read" and [a for a in actions if WRITE_ACTION.search(a)]:
                    problems.append(f"data-read {name}/{s.get('Sid')}: write actions {actions}")
        if not s3_statements:
            problems.append(f"{key}: no S3 statement at all ({role['inline']})")
    assert not problems, "\n".join(problems)


def test_vpc_endpoint_policies_are_restrictive(deployment):
    endpoints = deployment.posture["vpc_endpoints"]
    services = sorted(e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints)
    assert services == ["kinesis-streams", "s3", "sts"], services
    problems = []
    for endpoint in endpoints:
        service = endpoint["ServiceName"].rsplit(".", 1)[-1]
        policy = json.loads(endpoint.get("PolicyDocument") or "{}")
        if not statements(policy):
            problems.append(f"{service}: no policy document")
        for s in statements(policy):
            actions, resources = as_list(s.get("Action", [])), as_list(s.get("Resource", []))
            broad_action = any(a == "*" or a.endswith(":*") for a in actions)
            if s["Effect"] == "Allow" and is_everyone(s.get("Principal")) and not s.get("Condition") and (
                    "*" in resources and (broad_action or service != "sts")):
                problems.append(f"{service}/{s.get('Sid')}: allows {actions} on {resources} to anyone, unconditionally")
            if "${" in json.dumps(s):
                problems.append(f"{service}/{s.get('Sid')}: a policy variable lets any account reach its own resources")
            if service == "s3" and any("*" in r.split(":::", 1)[-1].split("/", 1)[0] for r in resources):
                problems.append(f"{service}/{s.get('Sid')}: buckets not named: {resources}")
    assert not problems, "\n".join(problems)


def test_vpc_endpoint_policies_let_no_data_out_and_databricks_in(deployment):
    """The stored documents, evaluated request by request (moto stores endpoint policies but never evaluates them)."""
    posture = deployment.posture
    account = next(iter(posture["key_arns"].values())).split(":")[4]
    other = "444455556666" if account != "444455556666" else "777788889999"
    policies = {e["ServiceName"].rsplit(".", 1)[-1]: json.loads(e["PolicyDocument"]) for e in posture["vpc_endpoints"]}
    ours = f"arn:aws:sts::{account}:assumed-role/{PREFIX}-data-write-role/i-0123456789abcdef0"
    theirs = f"arn:aws:sts::{other}:assumed-role/exfiltration/i-0123456789abcdef0"
    databricks = f"arn:aws:sts::{DATABRICKS_AWS_ACCOUNT}:assumed-role/databricks/session"

    def s3(principal, action, bucket, owner):
        return endpoint_policy_allows(policies["s3"], principal, action, f"arn:aws:s3:::{bucket}/k",
                                      {"aws:ResourceAccount": owner})

    assert s3(ours, "s3:PutObject", BUCKETS["raw"], account) and s3(ours, "s3:GetObject", BUCKETS["trusted"], account)
    assert s3(databricks, "s3:PutObject", BUCKETS["root"], account)
    assert s3(ours, "s3:GetObject", "databricks-prod-artifacts-eu-west-1", DATABRICKS_AWS_ACCOUNT)
    assert not s3(ours, "s3:PutObject", "exfiltration-drop", other), "our role writes another account's bucket"
    assert not s3(theirs, "s3:PutObject", "exfiltration-drop", other), "another account's role reaches its bucket"
    assert not s3(ours, "s3:GetObject", "unknown-bucket-of-this-account", account)
    assert endpoint_policy_allows(policies["sts"], databricks, "sts:AssumeRole",
                                  f"arn:aws:iam::{account}:role/{PREFIX}-cross-account-role")
    assert not endpoint_policy_allows(policies["sts"], theirs, "sts:AssumeRole", f"arn:aws:iam::{other}:role/x")


def test_default_security_group_is_closed(deployment):
    groups = deployment.posture["default_groups"]
    assert len(groups) == 1, groups
    group = groups[0]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == [], f"the default group has rules: {group}"


def test_workspace_security_group_allows_only_intra_group_traffic_and_documented_egress(deployment):
    groups = deployment.posture["workspace_groups"]
    assert len(groups) == 1, groups
    group = groups[0]
    assert group["IpPermissions"], "the workspace security group has no ingress rule (the workspace needs intra-group)"
    for rule in group["IpPermissions"]:
        sources = [pair["GroupId"] for pair in rule.get("UserIdGroupPairs", [])]
        assert sources == [group["GroupId"]] and not rule.get("IpRanges") and not rule.get("Ipv6Ranges") \
            and not rule.get("PrefixListIds"), f"ingress from outside the group: {rule}"
    documented = {443, 2443, 3306, 6666} | set(range(8443, 8452))  # Databricks "Configure a customer-managed VPC"
    for rule in group["IpPermissionsEgress"]:
        assert rule["IpProtocol"] != "-1" and not rule.get("Ipv6Ranges"), f"egress beyond TCP and UDP: {rule}"
        if rule.get("IpRanges"):
            assert rule["IpProtocol"] == "tcp" and set(range(rule["FromPort"], rule["ToPort"] + 1)) <= documented, \
                f"egress to {rule['IpRanges']} on undocumented ports: {rule}"
        elif rule.get("PrefixListIds"):
            assert [p["PrefixListId"] for p in rule["PrefixListIds"]] == [deployment.posture["s3_prefix_list"]] \
                and (rule["FromPort"], rule["ToPort"]) == (443, 443), f"egress to a prefix list: {rule}"
        else:
            assert [p["GroupId"] for p in rule["UserIdGroupPairs"]] == [group["GroupId"]], f"egress: {rule}"


def test_token_secret_is_encrypted_with_the_tokens_key(deployment):
    posture = deployment.posture
    arn = posture["key_arns"][f"alias/{PREFIX}-tokens"]
    assert posture["token_secret_key"] in (arn, arn.split("/")[-1], f"alias/{PREFIX}-tokens"), \
        f"{SECRET} is encrypted with {posture['token_secret_key']!r}, not the deployment's tokens key {arn}"
