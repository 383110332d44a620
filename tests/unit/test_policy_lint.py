"""Every policy document the roles write to AWS passes parliament (the IAM policy linter): the network role's VPC
endpoint policies, the iam role's trust and inline policies, the storage_encryption role's key and bucket policies.

tests/unit/playbooks/render_policies.yml renders them with the roles' own templates, defaults and variables and the
local inventory's values (no AWS call; a stand-in endpoints.json gives what the sandbox would). A finding fails the
test unless ALLOWED lists it, each entry with the reason it stays."""

import fnmatch
import json
import os
import subprocess
import sys

import pytest
from parliament import analyze_policy_string, enhance_finding
from parliament.cli import is_finding_filtered

from tests.sandbox_harness import REPO

BIN = os.path.dirname(sys.executable)
MINIMUM_SEVERITY = "LOW"  # parliament's default

# (document pattern, parliament issue, detail or location substring): accepted findings, each with its reason.
ALLOWED = [
    # parliament reads every document as an identity policy (duo-labs/parliament#229); a trust policy must not have
    # a Resource (IAM answers "Has prohibited field Resource.").
    ("trust:*", "MALFORMED", "Statement contains neither Resource nor NotResource"),
    # A key policy's Resource is always "*": it means the key the policy is attached to (AWS KMS Developer Guide,
    # "Key policies in AWS KMS").
    ("key:*", "RESOURCE_STAR", ""),
    # AWS's documented CloudWatch Logs key-policy statement (CloudWatch Logs User Guide, "Encrypt log data in
    # CloudWatch Logs using AWS KMS"): kms:Describe* and ArnLike on kms:EncryptionContext:aws:logs:arn, verbatim.
    ("key:logging", "UNKNOWN_CONDITION_FOR_ACTION", "kms:EncryptionContext:aws:logs:arn"),
    ("key:logging", "MISMATCHED_TYPE", "ArnLike requires a value of type Arn"),
    # Databricks' documented cross-account policy (customer-managed VPC with custom policy restrictions), kept as
    # Databricks publishes it because Databricks validates the role against it:
    # - spot requests, private IPs and the VPC attribute are granted on "*" (the spot requests and interfaces a
    #   cluster makes have no ARN known in advance);
    ("inline:*-cross-account-role:databricks-cross-account", "RESOURCE_STAR", ""),
    # - ec2:RunInstances is authorised per resource type, so the policy grants it in several statements (image,
    #   instance/volume by tag, subnet/interface/security group by VPC, the rest by NotResource); parliament wants
    #   every resource type of the action in each statement;
    ("inline:*-cross-account-role:databricks-cross-account", "RESOURCE_MISMATCH", "ec2:RunInstances"),
    # - StringEquals on ec2:vpc with the VPC's ARN (equivalent to ArnEquals for an exact ARN);
    ("inline:*-cross-account-role:databricks-cross-account", "MISMATCHED_TYPE_BUT_USABLE",
     "StringEquals requires a value of type String"),
    # - the SpotServiceLinkedRole statement's iam:AWSServiceName condition applies to CreateServiceLinkedRole only
    #   (AWS refuses PutRolePolicy on a service-linked role anyway).
    ("inline:*-cross-account-role:databricks-cross-account", "UNKNOWN_CONDITION_FOR_ACTION",
     "iam:AWSServiceName for action iam:PutRolePolicy"),
    # Endpoint policies (network_vpc_endpoint_policies): "*" resources limited by an aws:ResourceAccount or
    # aws:PrincipalAccount condition to this account (an endpoint policy cannot list the roles and buckets ahead).
    ("vpce:s3", "RESOURCE_STAR", ""),
    ("vpce:sts", "RESOURCE_STAR", ""),
]

ENDPOINTS = {"aws": "http://127.0.0.1:9", "databricks_account": "http://127.0.0.1:9",
             "databricks_account_id": "0d26daa6-5e44-4c97-a497-ef015f91254a", "client_id": "unused",
             "client_secret": "unused"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policies")
    with open(folder / "endpoints.json", "w", encoding="utf-8") as handle:
        json.dump(ENDPOINTS, handle)
    output = folder / "policies.json"
    env = dict(os.environ, SANDBOX_DIR=str(folder), ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    process = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "tests/unit/playbooks/render_policies.yml",
         "-e", f"render_policies_output={output}"],
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


def allowance(name, finding):
    """The ALLOWED entry that accepts this finding, or None."""
    text = f"{finding.detail} {finding.location}"
    return next((entry for entry in ALLOWED if fnmatch.fnmatchcase(name, entry[0]) and finding.issue == entry[1]
                 and entry[2] in text), None)


def test_every_rendered_policy_is_there(documents):
    kinds = {name.split(":", 1)[0] for name in documents}
    assert kinds == {"trust", "inline", "key", "bucket", "vpce"}
    assert len([name for name in documents if name.startswith("trust:")]) == 5
    assert len([name for name in documents if name.startswith("inline:")]) == 6
    assert {name for name in documents if name.startswith(("key:", "bucket:"))} == {
        "key:datalake", "key:logging", "bucket:root", "bucket:raw", "bucket:prepared", "bucket:trusted",
        "bucket:s3_logging", "bucket:databricks_logging"}


def test_parliament_finds_nothing_outside_the_allow_list(documents):
    unexpected, used = [], set()
    for name, document in sorted(documents.items()):
        policy = analyze_policy_string(json.dumps(document, indent=2), filepath=name)
        for finding in map(enhance_finding, policy.findings):
            if is_finding_filtered(finding, MINIMUM_SEVERITY):
                continue
            entry = allowance(name, finding)
            if entry is None:
                unexpected.append(f"{name}: {finding.severity} {finding.issue} {finding.detail} {finding.location}")
            used.add(entry)
    assert not unexpected, "\n".join(unexpected)
    assert not [entry for entry in ALLOWED if entry not in used], "allow-list entries no finding needs any more"
