"""What real clouds do to a run, on the full site.yml (a fresh clone on a sandbox of its own).

Three runs, chained on one estate:

1. empty estate, with a 6 s IAM propagation window on the new cross-account role, a workspace that ends
   FAILED, 429/503 bursts on the AWS and Databricks creation calls and latency spikes on both sides: the
   credentials are created once (after the propagation errors), the run fails naming the workspace and
   Databricks' status message;
2. the same run once the workspace fault is gone, with bursts on the workspace API (token, SCIM, clusters),
   the OAuth token endpoint and Secrets Manager: the failed workspace is repaired in place (PATCH), the run
   converges to RUNNING, one object of each name;
3. a no-op run under read bursts on every AWS service the roles use and on the account API (429 with
   Retry-After, 503) plus latency spikes: changed=0.

Every injected fault must be used up, so no scenario passes vacuously: the lists of armed faults of the AWS
wrapper and of the emulator must be empty (latency ones included), and each Databricks error fault must show
in the emulator's request log with its status. The count of scenarios and faults is printed at the end
(pytest -s); the step logs hold per-task times (profile_tasks).
"""

import re

import pytest

from tests.e2e.conftest import ok, run_report
from tests.stack import PREFIX, WORKSPACE, Stack

FAILED_MESSAGE = "Failed to launch the workspace: the VPC has no free IP address in subnet-0abc."
ACCOUNT = r"^/api/2\.0/accounts/[^/]+"
OAUTH_TOKEN = r"^/oidc/(accounts/[^/]+/)?v1/token$"
ANSIBLE = "Ansible/"  # faults only the product's AWS calls (not the emulator's own reads of moto)


class Faults:
    """Arms faults on both sides of the sandbox and checks they were all hit."""

    def __init__(self, box):
        self.box = box
        self.scenarios = []
        self.databricks = []  # (route, method, status, count) of the current scenario

    def start(self, name):
        self.box.clear_requests()
        self.scenarios.append({"name": name, "aws": 0, "databricks": 0, "errors": 0, "latency": 0})
        self.databricks = []

    def aws(self, service, action, status=None, count=1, latency=None):
        body = {"service": service, "action": action, "count": count, "user_agent": ANSIBLE}
        if status:
            body["status"] = status
        if latency:
            body["latency"] = latency
        self.box.moto("/__sandbox/faults", "POST", body)
        self.scenarios[-1]["aws"] += count
        self.scenarios[-1]["errors" if status else "latency"] += count

    def db(self, route, method, status=None, count=1, retry_after=None, latency=None):
        body = {"route": route, "method": method, "count": count}
        for key, value in (("status", status), ("retry_after", retry_after), ("latency", latency)):
            if value is not None:
                body[key] = value
        self.box.emulator("/__sandbox/faults", "POST", body)
        self.databricks.append((route, method, status, count))
        self.scenarios[-1]["databricks"] += count
        self.scenarios[-1]["errors" if status else "latency"] += count

    def config(self, **values):
        return self.box.emulator("/__sandbox/config", "POST", values)

    def assert_all_hit(self):
        """Every armed fault was used up: AWS's list is empty and each emulator fault shows in its log."""
        left = self.box.moto("/__sandbox/faults")
        assert left == [], "AWS faults not used up: %s" % left
        left = self.box.emulator("/__sandbox/faults")
        assert left == [], "Databricks faults not used up: %s" % left
        log = self.box.emulator("/__sandbox/requests")
        for route, method, status, count in self.databricks:
            if status is None:
                continue
            hits = [e for e in log if e["method"] == method and re.search(route, e["path"]) and e["status"] == status]
            assert len(hits) >= count, (route, method, status, count, hits)
        aws_hits = [r for r in self.box.aws_requests() if r.get("fault")]
        return aws_hits

    def disarm(self):
        self.box.moto("/__sandbox/faults", "DELETE")
        self.box.emulator("/__sandbox/faults", "DELETE")

    def report(self):
        total = sum(s["aws"] + s["databricks"] for s in self.scenarios)
        lines = ["", f"fault scenarios: {len(self.scenarios)} runs, {total} injected faults"]
        lines += [f"  {s['name']:<58} aws={s['aws']:<3} databricks={s['databricks']}" for s in self.scenarios]
        print("\n".join(lines))


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    with Stack.started(tmp_path_factory.mktemp("faults")) as stack:
        stack.env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.posix.profile_tasks"  # task times in the step logs
        faults = Faults(stack.box)
        try:
            ok(stack.timed("make venv", ["make", "venv"]), "make venv")
            yield stack.box, stack, faults
        finally:
            faults.report()


def names(items, key):
    return sorted(item[key] for item in items)


def test_creation_survives_bursts_and_iam_propagation_and_fails_on_a_failed_workspace(estate):
    _box, stack, faults = estate
    faults.start("empty estate: IAM propagation, creation bursts, FAILED workspace")
    faults.config(iam_propagation_seconds=6, fail_next_workspace=FAILED_MESSAGE)
    faults.aws("ec2", "CreateVpc", 503, count=2)
    faults.aws("ec2", "CreateSubnet", 429, count=3)  # as many as botocore's default attempts in all
    faults.aws("ec2", "DescribeVpcs", latency=1.5, count=2)
    faults.aws("iam", "CreateRole", 429, count=2)
    faults.aws("iam", "PutRolePolicy", 503, count=2)
    faults.aws("kms", "CreateKey", 429, count=2)
    faults.aws("s3", "PUT", 503, count=2)  # CreateBucket
    faults.db(ACCOUNT + "/credentials$", "POST", 429, count=2, retry_after=1)
    faults.db(ACCOUNT + "/storage-configurations$", "POST", 503, count=2)
    faults.db(ACCOUNT + "/workspaces$", "POST", 503, count=2)
    faults.db(ACCOUNT + "/networks$", "GET", latency=1.5, count=1)  # the one list call of account_network

    run = stack.playbook("site.yml (faults, empty estate)", "site.yml")
    assert run.returncode != 0 and run.failed() == 1, run_report(run, "first site")
    # the failure names the workspace and carries Databricks' status message
    assert f"workspace {WORKSPACE} (" in run.stdout and FAILED_MESSAGE in run.stdout, run.stdout[-4000:]
    assert "WORKSPACE_FAILED" in run.stdout
    aws_hits = faults.assert_all_hit()
    assert {r["fault"] for r in aws_hits} == {429, 503, "latency"}

    # the propagation window was hit (credential validation refused) and still one credentials object
    credential_posts = [e["status"] for e in stack.box.emulator("/__sandbox/requests")
                        if e["method"] == "POST" and e["path"].endswith("/credentials")]
    assert 400 in credential_posts and credential_posts[-1] == 200, credential_posts
    assert names(stack.account_api("credentials"), "credentials_name") == [PREFIX + "-credentials"]
    assert len(stack.account_api("storage-configurations")) == 1
    workspaces = stack.account_api("workspaces")
    assert [(w["workspace_name"], w["workspace_status"]) for w in workspaces] == [(WORKSPACE, "FAILED")]
    # retried creations made no duplicates on the AWS side either
    ec2 = stack.aws("ec2")
    assert len([v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]) == 1
    kms = stack.aws("kms")
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/" + PREFIX)]
    # one key per use (storage_encryption_separate_keys): workspace storage, managed services, datalake, tokens, logging
    assert len(aliases) == 5 and len(kms.list_keys()["Keys"]) == 5, aliases
    faults.disarm()
    faults.config(iam_propagation_seconds=0)
    stack.failed_workspace_id = workspaces[0]["workspace_id"]


def test_rerun_repairs_the_failed_workspace_under_workspace_api_bursts(estate):
    _box, stack, faults = estate
    faults.start("re-run: failed workspace repaired with PATCH, workspace API bursts")
    faults.db(r"^/api/2\.0/token/create$", "POST", 429, count=3, retry_after=1)
    faults.db(r"^/api/2\.0/token-management/", "POST", 503, count=2)
    faults.db(r"^/api/2\.0/preview/scim/v2/(ServicePrincipals|Groups)", "GET", 503, count=3)
    # With Unity Catalog (the default) the groups are account groups, then its objects are created.
    faults.db(ACCOUNT + r"/scim/v2/Groups$", "POST", 429, count=2, retry_after=1)
    faults.db(r"^/api/2\.1/unity-catalog/external-locations$", "POST", 429, count=2, retry_after=1)
    faults.db(r"^/api/2\.1/unity-catalog/permissions/", "PATCH", 503, count=2)
    faults.db(r"^/api/2\.1/clusters/create$", "POST", 429, count=2, retry_after=1)
    faults.db(r"^/api/2\.1/clusters/get$", "GET", 503, count=2)
    faults.db(ACCOUNT + r"/workspaces/\d+$", "PATCH", 429, count=2, retry_after=1)
    faults.db(OAUTH_TOKEN, "POST", 503, count=2)  # the SDK sent it once: the module failed with "unknown: unknown"
    faults.aws("secretsmanager", "CreateSecret", 429, count=3)
    faults.aws("secretsmanager", "GetSecretValue|DescribeSecret", 503, count=2)
    faults.aws("ec2", "DescribeVpcs|DescribeSubnets", latency=1.5, count=2)  # the network is read once on a re-run

    run = stack.playbook("site.yml (faults, after the FAILED workspace)", "site.yml")
    ok(run, "second site")
    faults.assert_all_hit()
    workspaces = stack.account_api("workspaces")
    assert [(w["workspace_name"], w["workspace_status"]) for w in workspaces] == [(WORKSPACE, "RUNNING")]
    # repaired in place as Databricks documents it (PATCH re-deploys a FAILED workspace): same id, no DELETE
    assert workspaces[0]["workspace_id"] == stack.failed_workspace_id
    # The workspace resource itself (not its metastore or permission assignments, which are paths under it).
    workspace_calls = [(e["method"], e["status"]) for e in stack.box.emulator("/__sandbox/requests")
                       if re.search(ACCOUNT + r"/workspaces(/\d+)?$", e["path"])
                       and e["method"] in ("POST", "PATCH", "DELETE")]
    assert [c for c in workspace_calls if c[1] < 300] == [("PATCH", 200)], workspace_calls
    assert len(stack.box.emulator("/__sandbox/workspaces")) == 1
    for kind, key in (("credentials", "credentials_name"), ("storage-configurations", "storage_configuration_name"),
                      ("networks", "network_name")):
        found = names(stack.account_api(kind), key)
        assert len(found) == len(set(found)), (kind, found)  # one per name: no duplicate from a retried POST
    stored = stack.tokens()
    assert stored["workspace_url"] and stored["pat"]["token_value"]
    tokens = stack.workspace_api("/api/2.0/token-management/tokens").get("token_infos", [])
    assert len(tokens) == len({t["comment"] for t in tokens}), tokens  # one token per purpose, no duplicate
    groups = stack.account_api("scim/v2/Groups").get("Resources", [])
    assert names(groups, "displayName") == ["All access", "Read only"]  # no duplicate from a retried POST
    locations = stack.workspace_api("/api/2.1/unity-catalog/external-locations").get("external_locations", [])
    assert len(names(locations, "name")) == 4 == len(set(names(locations, "name")))
    clusters = stack.workspace_api("/api/2.1/clusters/list").get("clusters", [])
    assert [c["cluster_name"] for c in clusters] == [PREFIX + "-High-Concurrency"]


def test_noop_run_under_read_bursts_and_latency_changes_nothing(estate):
    box, stack, faults = estate
    faults.start("no-op run: read bursts (429 Retry-After, 503), latency")
    faults.aws("ec2", "DescribeVpcs|DescribeSubnets", 429, count=3)
    faults.aws("ec2", "DescribeRouteTables", 503, count=2)
    faults.aws("ec2", "DescribeNatGateways", latency=2, count=1)  # one call on a no-op run
    faults.aws("iam", "GetRole", 503, count=2)
    faults.aws("iam", "GetRolePolicy|ListRolePolicies", 429, count=2)
    faults.aws("kms", "DescribeKey", 429, count=3)  # botocore's default 3 attempts gave up here
    faults.aws("s3", "GET policy|GET encryption", 503, count=2)
    faults.aws("secretsmanager", "GetSecretValue", 429, count=2)
    faults.db(ACCOUNT + "/credentials$", "GET", 429, count=2, retry_after=2)
    faults.db(ACCOUNT + "/workspaces$", "GET", 429, count=2, retry_after=1)
    faults.db(ACCOUNT + "/networks$", "GET", 503, count=2)
    faults.db(ACCOUNT + "/storage-configurations$", "GET", 503, count=2)
    faults.db(r"^/api/2\.0/token/list$", "GET", 429, count=2, retry_after=1)
    faults.db(r"^/api/2\.0/preview/scim/v2/", "GET", 503, count=2)
    faults.db(r"^/api/2\.1/clusters/(list|get)$", "GET", 429, count=2, retry_after=1)
    faults.db(r"^/api/2\.1/unity-catalog/permissions/", "GET", latency=1.5, count=2)
    faults.db(r"^/api/2\.1/unity-catalog/(external-locations|schemas)", "GET", 503, count=2)
    faults.db(OAUTH_TOKEN, "POST", 429, count=2, retry_after=1)

    run = stack.playbook("site.yml (faults, converged estate)", "site.yml")
    assert run.returncode == 0 and run.changed() == 0, run_report(run, "no-op site")
    aws_hits = faults.assert_all_hit()
    assert {r["service"] for r in aws_hits} >= {"ec2", "iam", "kms", "s3", "secretsmanager"}
    assert stack.box.databricks_mutations() == []
    assert [r for r in box.aws_mutating_requests() if not r.get("fault")] == []
    assert len(stack.account_api("workspaces")) == 1
