"""Every policy document the roles write to AWS passes parliament (the IAM policy linter): the network role's VPC
endpoint policies, the iam role's trust and inline policies, the storage_encryption role's key and bucket policies.

tests/unit/playbooks/render_policies.yml renders them with the roles' own templates, defaults and variables and the
local inventory's values (no AWS call; a stand-in endpoints.json gives what the sandbox would). A finding fails the
test unless the table "Remaining findings" of docs/security.md lists it with the reason it stays
(tests/policy_findings.py); a row that no rendered policy needs fails it too."""

import json
import os
import subprocess
import sys

import pytest

from tests.policy_findings import accepted_findings, parliament_findings, unaccepted
from tests.sandbox_harness import REPO

BIN = os.path.dirname(sys.executable)

ENDPOINTS = {"aws": "http://127.0.0.1:9", "databricks_account": "http://127.0.0.1:9",
             "databricks_account_id": "0d26daa6-5e44-4c97-a497-ef015f91254a", "client_id": "unused",
             "client_secret": "unused"}


def render(folder, *extra):
    """The rendered documents, named kind:name (trust, inline, key, bucket, vpce)."""
    with open(folder / "endpoints.json", "w", encoding="utf-8") as handle:
        json.dump(ENDPOINTS, handle)
    output = folder / "policies.json"
    env = dict(os.environ, SANDBOX_DIR=str(folder), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    process = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "tests/unit/playbooks/render_policies.yml",
         "-e", f"render_policies_output={output}", *extra],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stdout + process.stderr
    with open(output, encoding="utf-8") as handle:
        rendered = json.load(handle)
    found = {}
    for role in rendered["iam"]["roles"]:
        found[f"trust:{role['name']}"] = role["trust"]
    for policy in rendered["iam"]["inline_policies"]:
        found[f"inline:{policy['role']}:{policy['name']}"] = policy["policy"]
    for key in rendered["keys"]:
        found[f"key:{key['name']}"] = key["policy"]
    for bucket in rendered["buckets"]:
        found[f"bucket:{bucket['logical']}"] = bucket["policy"]
    for name, policy in rendered["vpc_endpoints"].items():
        found[f"vpce:{name}"] = policy
    return found


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    return render(tmp_path_factory.mktemp("policies"))


def test_every_rendered_policy_is_there(documents):
    kinds = {name.split(":", 1)[0] for name in documents}
    assert kinds == {"trust", "inline", "key", "bucket", "vpce"}
    assert len([name for name in documents if name.startswith("trust:")]) == 6
    assert len([name for name in documents if name.startswith("inline:")]) == 7
    assert {name for name in documents if name.startswith(("key:", "bucket:"))} == {
        "key:workspace_storage", "key:managed_services", "key:datalake", "key:tokens", "key:logging",
        "bucket:root", "bucket:raw", "bucket:prepared", "bucket:trusted",
        "bucket:s3_logging", "bucket:databricks_logging", "bucket:audit_logs", "bucket:catalog"}


def test_parliament_finds_nothing_docs_security_does_not_justify(documents):
    unexpected, stale = unaccepted(parliament_findings(documents), accepted_findings(), {"parliament"})
    assert not unexpected, "parliament findings docs/security.md does not list:\n" + "\n".join(map(str, unexpected))
    assert not stale, "docs/security.md lists parliament findings no rendered policy has:\n" + \
        "\n".join(map(str, stale))


def test_unity_catalog_role_trust_policy_and_key_grant(documents):
    """The storage credential's role: the provider's trust shape (master role + external id, self-assumption through
    aws:PrincipalArn), the four buckets, the datalake key through S3, and the datalake key policy naming the role."""
    role = next(name.split(":", 1)[1] for name in documents if name.startswith("trust:") and "uc-storage" in name)
    trust = {statement["Sid"]: statement for statement in documents[f"trust:{role}"]["Statement"]}
    assert set(trust) == {"UnityCatalogAssumeRole", "ExplicitSelfRoleAssumption"}
    assert trust["UnityCatalogAssumeRole"]["Principal"] == {
        "AWS": "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"}
    assert trust["UnityCatalogAssumeRole"]["Condition"] == {"StringEquals": {"sts:ExternalId": "0000"}}
    self_assume = trust["ExplicitSelfRoleAssumption"]
    account = self_assume["Principal"]["AWS"].split(":")[4]
    assert self_assume["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    assert self_assume["Condition"] == {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/{role}"},
                                        "StringEquals": {"sts:ExternalId": "0000"}}
    policy = {statement["Sid"]: statement
              for statement in documents[f"inline:{role}:databricks-unity-catalog"]["Statement"]}
    prefix = role.removesuffix("-uc-storage-role")
    buckets = [f"arn:aws:s3:::{prefix}-{name}" for name in ("catalog", "raw", "prepared", "trusted")]
    assert policy["UnityCatalogBuckets"]["Resource"] == buckets
    assert policy["UnityCatalogObjects"]["Resource"] == [bucket + "/*" for bucket in buckets]
    assert policy["UnityCatalogSelfAssume"]["Resource"] == f"arn:aws:iam::{account}:role/{role}"
    key = policy["UnityCatalogDatalakeKeyThroughS3"]
    assert key["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"] == sorted(
        buckets + [bucket + "/*" for bucket in buckets])
    assert key["Condition"]["StringEquals"]["kms:ViaService"].startswith("s3.")
    grants = {statement["Sid"]: statement for statement in documents["key:datalake"]["Statement"]}
    assert grants["UnityCatalogRoleThroughS3"]["Principal"] == {"AWS": [f"arn:aws:iam::{account}:role/{role}"]}
    assert "kms:ViaService" in grants["UnityCatalogRoleThroughS3"]["Condition"]["StringEquals"]
    for other in ("workspace_storage", "managed_services", "tokens", "logging"):
        assert role not in json.dumps(documents[f"key:{other}"])
    catalog = {statement["Sid"] for statement in documents["bucket:catalog"]["Statement"]}
    assert catalog == {statement["Sid"] for statement in documents["bucket:raw"]["Statement"]}


def test_without_unity_catalog_neither_the_role_nor_the_catalog_bucket_nor_the_key_grant(tmp_path):
    documents = render(tmp_path, "-e", "unity_catalog_enabled=false")
    assert not [name for name in documents if "uc-storage-role" in name]
    assert "bucket:catalog" not in documents
    assert "UnityCatalogRoleThroughS3" not in {s.get("Sid") for s in documents["key:datalake"]["Statement"]}
    (access_logs,) = [statement for statement in documents["bucket:s3_logging"]["Statement"]
                      if statement["Sid"] == "S3ServerAccessLogsDelivery"]
    sources = access_logs["Condition"]["ArnLike"]["aws:SourceArn"]
    assert len(sources) == 6 and not [arn for arn in sources if arn.endswith("-catalog")], sources
