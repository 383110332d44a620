"""What the end-to-end tests share: fixtures (pytest finds them here) and plain helpers, which the test files import
from tests.e2e.conftest (tests/ and tests/e2e/ are packages, so this module has that one name in every run).

The sandbox itself (the session `sandbox` fixture, its request logs and admin routes) is in tests/conftest.py and
tests/sandbox_harness.py; a whole deployment in a fresh clone on a sandbox of its own is tests/stack.py.
"""

import json
import re

import pytest
from databricks.sdk import AccountClient, WorkspaceClient
from databricks.sdk.core import Config

IAM_STORAGE_PLAYBOOK = "tests/e2e/playbooks/iam_storage.yml"
IAM_STORAGE_VPC_ID = "vpc-0a1b2c3d4e5f60718"  # the iam_storage playbook stands in for the network role's VPC


# --- playbook runs ------------------------------------------------------------------------------------------------
def run_report(run, what):
    """What a run ended with, for an assertion message: its return code and the end of its output."""
    return f"{what}: rc={run.returncode}\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"


def ok(run, what="ansible-playbook"):
    """Assert that the run succeeded (return code 0), showing the end of its output if not; return the run."""
    assert run.returncode == 0, run_report(run, what)
    return run


def task_items(stdout, task):
    """The result lines ("ok: [sandbox] => (item=...)", "skipping: ...") of one task of the playbook output."""
    match = re.search(r"^TASK \[[^\]]*: %s\] \**\n(.*?)(?=^TASK |^PLAY |\Z)" % re.escape(task), stdout,
                      re.MULTILINE | re.DOTALL)
    assert match, task
    return [line for line in match.group(1).splitlines() if re.match(r"^(ok|changed|skipping|failed|fatal):", line)]


def failed_results(report):
    """(host, task name, result) of every failed result of an ansible.posix.json report, in the order of the run."""
    return [(host, task["task"]["name"], result) for play in report["plays"] for task in play["tasks"]
            for host, result in task["hosts"].items() if result.get("failed")]


def failures_by_host(report):
    """host -> (task name, message) of the first failure of each host of an ansible.posix.json report."""
    found = {}
    for host, task, result in failed_results(report):
        found.setdefault(host, (task, str(result.get("msg", ""))))
    return found


def run_iam_storage(sandbox, prefix, *args, **extra_vars):
    """The iam and storage_encryption roles (tests/e2e/playbooks/iam_storage.yml) under deployment_prefix prefix."""
    extra = {"deployment_prefix": prefix, "e2e_vpc_id": IAM_STORAGE_VPC_ID, **extra_vars}
    return sandbox.playbook(IAM_STORAGE_PLAYBOOK, "-e", json.dumps(extra), *args)


# --- AWS ----------------------------------------------------------------------------------------------------------
def aws_actions(sandbox, service):
    """The actions of the AWS calls to service in the sandbox's request log (cleared with clear_aws_requests)."""
    return [request["action"] for request in sandbox.aws_requests() if request["service"] == service]


def live_vpc_endpoints(ec2, filters):
    """The VPC endpoints that match the filters and are not (being) deleted."""
    return [endpoint for endpoint in ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
            if endpoint["State"].lower() not in ("deleted", "deleting")]


def as_list(value):
    """A policy element that may be one value or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


def statements(policy):
    """The statements of a policy document, given as JSON text or as a dict (Statement: one object or a list)."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    return as_list(document.get("Statement", []))


# --- Databricks ---------------------------------------------------------------------------------------------------
def account_client(sandbox):
    """A databricks-sdk AccountClient on the emulator, as the sandbox's account service principal."""
    endpoints = sandbox.endpoints
    return AccountClient(config=Config(
        host=endpoints["databricks_account"], account_id=endpoints["databricks_account_id"],
        client_id=endpoints["client_id"], client_secret=endpoints["client_secret"], auth_type="oauth-m2m",
        retry_timeout_seconds=10))


@pytest.fixture(scope="module")
def account(sandbox):
    """account_client on the session sandbox, one per test module."""
    return account_client(sandbox)


class ManagedDeployment:
    """A whole deployment converged once by management_site.yml (site.yml + the management play) under a prefix of
    its own, then the databricks_management role alone re-run with management_only.yml (the earlier roles' outputs as
    extra vars, the tokens from Secrets Manager); the SDK clients read its state."""

    SITE = "tests/e2e/playbooks/management_site.yml"
    ONLY = "tests/e2e/playbooks/management_only.yml"

    def __init__(self, sandbox, outputs_file, prefix):
        self.sandbox = sandbox
        self.prefix = prefix
        self.outputs_file = str(outputs_file)
        with open(self.outputs_file, encoding="utf-8") as handle:
            self.outputs = json.load(handle)
        secret = sandbox.aws_client("secretsmanager").get_secret_value(SecretId=prefix + "/databricks/tokens")
        self.tokens = json.loads(secret["SecretString"])
        url = self.outputs["databricks_provisioning_outputs"]["workspace_url"]
        self.workspace = WorkspaceClient(config=Config(host=url, token=self.tokens["pat"]["token_value"],
                                                       auth_type="pat", retry_timeout_seconds=10))
        self.account = account_client(sandbox)

    @classmethod
    def converge(cls, sandbox, folder, prefix):
        """Run management_site.yml under prefix (its outputs written to folder) and return the deployment."""
        outputs = folder / "outputs.json"
        ok(sandbox.playbook(cls.SITE, "-e", json.dumps({"deployment_prefix": prefix,
                                                        "management_e2e_outputs_file": str(outputs)})), cls.SITE)
        return cls(sandbox, outputs, prefix)

    def run(self, *args, extra=None):
        extra_vars = dict({"deployment_prefix": self.prefix}, **(extra or {}))
        return self.sandbox.playbook(self.ONLY, "-e", "@" + self.outputs_file, "-e", json.dumps(extra_vars), *args)

    def mutations(self):
        """(method, path) of the mutating Databricks requests since the request logs were last cleared."""
        return [(request["method"], request["path"]) for request in self.sandbox.databricks_mutations()]
