"""databricks_provisioning against the sandbox: plan, converge, re-run, token rotation, IAM propagation.

Tests run in file order on the session sandbox: the check-mode plan needs an account without the
role's objects, the later tests build on the converged workspace.
"""

import json
import urllib.error
import urllib.request

import pytest
from databricks.sdk.service.provisioning import KeyUseCase

from tests.e2e.conftest import ok

PLAYBOOK = "tests/e2e/playbooks/provisioning_site.yml"
SECRET = "lh-sandbox/databricks/tokens"
TOKEN_PATHS = ("/api/2.0/token/create", "/api/2.0/token/delete", "/api/2.0/token-management/")
# The new workspace refuses its API this long after RUNNING ("no worker environment"): longer than the SDK's
# own retry window (_databricks_client.SDK_RETRY_WINDOW, 10 s), so only the collection's retries get through it.
SETTLE_SECONDS = 25


def stored_tokens(sandbox):
    client = sandbox.aws_client("secretsmanager")
    return json.loads(client.get_secret_value(SecretId=SECRET)["SecretString"])


def workspace_status(url, token):
    request = urllib.request.Request(url + "/api/2.0/preview/scim/v2/Me",
                                     headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def converged(sandbox):
    """The first real run (after the check-mode test ran on the empty account), with the new workspace
    settling for SETTLE_SECONDS after it turns RUNNING; run.workspace_requests: what its listener answered."""
    before = sandbox.emulator("/__sandbox/config")["workspace_settle_seconds"]
    sandbox.emulator("/__sandbox/config", method="POST", body={"workspace_settle_seconds": SETTLE_SECONDS})
    sandbox.clear_requests()
    try:
        run = sandbox.playbook(PLAYBOOK)
    finally:
        sandbox.emulator("/__sandbox/config", method="POST", body={"workspace_settle_seconds": before})
    ok(run, "provisioning_site.yml")
    run.workspace_requests = [r for r in sandbox.emulator("/__sandbox/requests") if r["listener"] != "account"]
    return run


def test_check_mode_plans_without_mutating_databricks(sandbox):
    sandbox.clear_requests()
    run = ok(sandbox.playbook(PLAYBOOK, "--check", "--diff", "--tags", "databricks_provisioning"), "--check --diff")
    assert run.changed() > 0
    assert sandbox.databricks_mutations() == []


def test_converges_to_a_running_workspace_and_stores_the_tokens(sandbox, converged):
    workspaces = sandbox.emulator("/__sandbox/workspaces")
    assert len(workspaces) >= 1
    stored = stored_tokens(sandbox)
    assert stored["pat"]["token_id"] and stored["obo"]["token_id"]
    assert workspace_status(stored["workspace_url"], stored["pat"]["token_value"]) == 200
    assert workspace_status(stored["workspace_url"], stored["obo"]["token_value"]) == 200
    assert "RUNNING" in converged.stdout
    assert stored["pat"]["token_value"] not in converged.stdout


def test_first_workspace_calls_wait_until_the_new_workspace_serves(converged):
    """The role's first workspace calls after creation met the settle period and got through it."""
    statuses = [r["status"] for r in converged.workspace_requests]
    refused = [r for r in converged.workspace_requests if r["status"] == 400]
    assert refused and refused[0]["path"] == "/.well-known/databricks-config", converged.workspace_requests[:5]
    assert statuses[0] == 400 and 200 in statuses
    span = max(r["ts"] for r in refused) - min(r["ts"] for r in refused)
    assert span >= 10, span  # past the SDK's own retry window: the collection's retries carried the run
    assert "WORKSPACE_NOT_READY" not in converged.stdout


def test_second_run_changes_nothing_and_creates_no_token(sandbox, converged):
    before = stored_tokens(sandbox)
    sandbox.clear_requests()
    run = ok(sandbox.playbook(PLAYBOOK), "second run")
    assert run.changed() == 0
    assert sandbox.databricks_mutations() == []
    assert stored_tokens(sandbox) == before


def test_reset_tokens_rotates_both_and_touches_nothing_else(sandbox, converged):
    old = stored_tokens(sandbox)
    sandbox.clear_requests()
    run = ok(sandbox.playbook(PLAYBOOK, "--tags", "reset_tokens", "-vvv"), "reset_tokens")
    new = stored_tokens(sandbox)
    url = new["workspace_url"]
    assert new["pat"]["token_id"] != old["pat"]["token_id"] and new["obo"]["token_id"] != old["obo"]["token_id"]
    assert workspace_status(url, new["pat"]["token_value"]) == 200
    assert workspace_status(url, new["obo"]["token_value"]) == 200
    assert workspace_status(url, old["pat"]["token_value"]) == 403
    assert workspace_status(url, old["obo"]["token_value"]) == 403
    paths = [r["path"] for r in sandbox.databricks_mutations()]
    assert paths and all(path.startswith(TOKEN_PATHS) for path in paths), paths
    aws_actions = {r["action"] for r in sandbox.aws_mutating_requests()}
    assert aws_actions <= {"PutSecretValue", "UpdateSecret"}, aws_actions
    # -vvv: no token and no client secret anywhere in the output
    output = run.stdout + run.stderr
    for secret in (old["pat"]["token_value"], old["obo"]["token_value"], new["pat"]["token_value"],
                   new["obo"]["token_value"], sandbox.endpoints["client_secret"]):
        assert secret not in output


def test_credentials_inside_an_iam_propagation_window(sandbox):
    iam = sandbox.aws_client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": sandbox.endpoints["databricks_account_id"]}}}]}
    role = iam.create_role(RoleName="prov-propagation-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    sandbox.emulator("/__sandbox/config", method="POST", body={"iam_propagation_seconds": 4})
    sandbox.clear_requests()
    try:
        run = sandbox.playbook("tests/e2e/playbooks/provisioning_credentials.yml", "-e",
                               json.dumps({"prov_credentials_name": "prov-propagation",
                                           "prov_role_arn": role["Arn"]}))
    finally:
        sandbox.emulator("/__sandbox/config", method="POST", body={"iam_propagation_seconds": 0})
    ok(run, "provisioning_credentials.yml")
    posts = [r for r in sandbox.databricks_mutations() if r["path"].endswith("/credentials")]
    assert [r["status"] for r in posts][-1] == 200
    assert any(r["status"] == 400 for r in posts), posts


def test_the_storage_key_given_as_the_logging_key_is_one_configuration(sandbox, converged, account):
    """The role registers its keys in one task: the storage key given as the logging key too is one STORAGE
    configuration (a second registration of the same key and use case would be the same one), planned, made, then
    left alone."""
    kms = sandbox.aws_client("kms")
    alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"].endswith("-prov-datalake"))
    key_arn = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    keys = json.dumps({"databricks_provisioning_storage_key_arn": key_arn,
                       "databricks_provisioning_logging_key_arn": key_arn})

    def registrations():
        return [k.use_cases for k in account.encryption_keys.list() if k.aws_key_info.key_arn == key_arn]

    assert registrations() == []
    sandbox.clear_requests()
    planned = ok(sandbox.playbook(PLAYBOOK, "--check", "--diff", "-e", keys), "--check with the keys")
    assert planned.changed() > 0 and sandbox.databricks_mutations() == []
    ok(sandbox.playbook(PLAYBOOK, "-e", keys), "with the keys")
    assert registrations() == [[KeyUseCase.STORAGE]]
    sandbox.clear_requests()
    again = ok(sandbox.playbook(PLAYBOOK, "-e", keys), "with the keys, again")
    assert again.changed() == 0 and sandbox.databricks_mutations() == []
    assert registrations() == [[KeyUseCase.STORAGE]]
