"""Inputs that only the live services, or only the deployed estate, can prove wrong - refused before the first change.

One site.yml converges the deployment (inventories/local, lh-sandbox); then one ansible-playbook run takes every case
as an inventory host of its own (forks run them in parallel):
- new deployments (deployment_prefix bad-<case>) with a value only AWS or Databricks knows is wrong (a node type EC2
  does not offer, a key that does not exist, a key in another region), rules between variables (two keys with one
  alias, too many tags, tag characters AWS refuses) and a wrong management credential;
- the deployed lh-sandbox with a setting that cannot change on a live deployment (region, VPC and subnet CIDR blocks,
  subnet zones, a key alias, deployment name, pricing tier), or a runtime or node type its workspace does not offer (checked by
  the management role before its first change: no API lists them before the workspace exists).
Each host must fail naming the variable, with zero mutating AWS and Databricks requests in the whole run and the
deployment as moto and the emulator hold it unchanged; no Python traceback, no MODULE FAILURE, no secret printed.
"""

import json
import time

import pytest

from tests.e2e.conftest import failures_by_host, ok
from tests.sandbox_harness import Sandbox
from tests.stack import Stack

WRONG_SECRET = "not-the-management-secret-0123456789"
LIVE = "lh-sandbox"  # the converged deployment of inventories/local
MISSING_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
OTHER_REGION_KEY = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"

PROVISIONING_LIVE = "Preflight - the deployed workspace keeps what Databricks cannot change, and the keys are usable"
MANAGEMENT_LIVE = "Preflight - the management credentials and the cluster's node type"
NETWORK_IDENTITY = "Preflight - the deployed network keeps what AWS cannot change"
KEY_IDENTITY = "Preflight - the deployed keys keep their aliases"
WORKSPACE_OFFERS = "Preflight - the workspace offers the cluster's runtime and node type"
PROVISIONING = "Preflight - Databricks provisioning inputs"
MANAGEMENT = "Preflight - Databricks management inputs"
NETWORK = "Preflight - network inputs"
STORAGE = "Preflight - storage and encryption inputs"

# case: (class, variables, failing task, substrings of the message). deployment_prefix is bad-<case> unless given.
CASES = {
    # --- values only the live services know (new deployments) -------------------------------------------------
    "node-type-not-offered": ("live value", {"databricks_management_cluster_node_type_id": "i3.xlarg"},
                              MANAGEMENT_LIVE,
                              ["databricks_management_cluster_node_type_id: i3.xlarg is not an instance type EC2 "
                               "offers in aws_region eu-west-1"]),
    "spark-version-form": ("live value", {"databricks_management_cluster_spark_version": "16.4 LTS"}, MANAGEMENT,
                           ["databricks_management_cluster_spark_version: '16.4 LTS' is not a Databricks runtime key "
                            "such as 16.4.x-scala2.12"]),
    "key-missing": ("live value", {"databricks_provisioning_storage_key_arn": MISSING_KEY}, PROVISIONING_LIVE,
                    ["databricks_provisioning_storage_key_arn: the key %s cannot be read" % MISSING_KEY]),
    "key-other-region": ("live value", {"databricks_provisioning_storage_key_arn": OTHER_REGION_KEY}, PROVISIONING,
                         ["databricks_provisioning_storage_key_arn: the key is in region us-east-1 but aws_region is "
                          "eu-west-1; Databricks needs a customer-managed key in the workspace's region"]),
    # ... and, on a deployed workspace, before the management role's first change: what the workspace offers
    "live-node-type-unavailable": ("live value", {"deployment_prefix": LIVE,
                                                  "databricks_management_cluster_node_type_id": "r4.large"},
                                   WORKSPACE_OFFERS,
                                   ["databricks_management_cluster_node_type_id: the workspace lists the node type "
                                    "r4.large but cannot use it (NotAvailableInRegion)"]),
    "live-runtime-not-offered": ("live value", {"deployment_prefix": LIVE,
                                                "databricks_management_cluster_spark_version": "99.9.x-scala2.12"},
                                 WORKSPACE_OFFERS,
                                 ["databricks_management_cluster_spark_version: the workspace does not offer the "
                                  "Databricks Runtime 99.9.x-scala2.12"]),
    # --- rules between variables ---------------------------------------------------------------------------
    "keys-one-alias": ("between variables", {"storage_encryption_datalake_key_alias": "alias/bad-keys-one-alias",
                                             "storage_encryption_logging_key_alias": "alias/bad-keys-one-alias"},
                       STORAGE, ["storage_encryption_logging_key_alias: 'alias/bad-keys-one-alias' is also "
                                 "storage_encryption_datalake_key_alias"]),
    "tags-too-many": ("between variables", {"deployment_tags": {"Tag%02d" % index: "x" for index in range(49)}},
                      NETWORK, ["network_tags: 51 tags per resource (deployment_tags and network_tags merged plus "
                                "the role's own Name, Tier); AWS allows at most 50"]),
    "tag-key-characters": ("between variables", {"deployment_tags": {"Owner!": "data"}}, NETWORK,
                           ["deployment_tags: tag key 'Owner!' holds a character AWS refuses in tags"]),
    # --- every credential before the first change --------------------------------------------------------------
    "management-secret-wrong": ("credentials", {"databricks_management_client_secret": WRONG_SECRET},
                                MANAGEMENT_LIVE,
                                ["databricks_management_client_secret: authentication to {host} failed",
                                 "databricks_management_client_id"]),
    # --- what cannot change on the live deployment ------------------------------------------------------------
    "live-region": ("cannot change", {"deployment_prefix": LIVE, "aws_region": "eu-west-2"}, PROVISIONING_LIVE,
                    ["aws_region: eu-west-2 differs from eu-west-1, the region of the deployed workspace "
                     "lh-sandbox-workspace", "playbooks/destroy.yml"]),
    "live-deployment-name": ("cannot change", {"deployment_prefix": LIVE,
                                               "databricks_provisioning_deployment_name": "lh-renamed"},
                             PROVISIONING_LIVE,
                             ["databricks_provisioning_deployment_name: 'lh-renamed' differs from",
                              "Databricks cannot rename it"]),
    "live-pricing-tier": ("cannot change", {"deployment_prefix": LIVE,
                                            "databricks_provisioning_pricing_tier": "PREMIUM"}, PROVISIONING_LIVE,
                          ["databricks_provisioning_pricing_tier: PREMIUM differs from ENTERPRISE"]),
    "live-vpc-cidr": ("cannot change", {"deployment_prefix": LIVE, "network_vpc_cidr": "10.0.0.0/17"},
                      NETWORK_IDENTITY,
                      ["network_vpc_cidr: 10.0.0.0/17 differs from 10.0.0.0/16, the CIDR block of the deployed VPC "
                       "lh-sandbox-vpc", "would build a second VPC"]),
    "live-subnet-cidr": ("cannot change", {"deployment_prefix": LIVE,
                                           "network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24",
                                                                            "10.0.4.0/24"]},
                         NETWORK_IDENTITY,
                         ["network_private_subnet_cidrs[2]: 10.0.4.0/24 differs from 10.0.3.0/24, the CIDR block of "
                          "the deployed subnet lh-sandbox-private-eu-west-1c"]),
    "live-key-alias": ("cannot change", {"deployment_prefix": LIVE,
                                         "storage_encryption_datalake_key_alias": "alias/lh-sandbox-lake"},
                       KEY_IDENTITY,
                       ["storage_encryption_datalake_key_alias: alias/lh-sandbox-lake names no key, but the deployed "
                        "bucket(s) lh-sandbox-rootbucket, lh-sandbox-raw, lh-sandbox-prepared, lh-sandbox-trusted are "
                        "encrypted with the key arn:aws:kms:eu-west-1:"]),
    "live-subnet-zone": ("cannot change", {"deployment_prefix": LIVE,
                                           "network_availability_zones": ["eu-west-1b", "eu-west-1a", "eu-west-1c"]},
                         NETWORK_IDENTITY,
                         ["network_availability_zones: network_private_subnet_cidrs[0] would place 10.0.1.0/24 in "
                          "eu-west-1b, but the deployed subnet lh-sandbox-private-eu-west-1a"]),
}


def snapshot(stack):
    state = stack.leftovers()
    state["stored token ids"] = sorted(stack.tokens()[kind]["token_id"] for kind in ("pat", "obo"))
    return state


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("live_preflight")
    box = Sandbox(tmp_path / "sandbox").up()
    try:
        stack = Stack(box, str(tmp_path / "repo"))
        ok(box.playbook("site.yml"), "converge")
        before = snapshot(stack)
        assert before["vpcs"] and before["databricks workspaces"]
        hosts = {name: dict({"deployment_prefix": "bad-" + name}, **CASES[name][1]) for name in CASES}
        inventory = tmp_path / "hosts.json"
        inventory.write_text(json.dumps({"databricks_deployments": {"hosts": hosts}}))
        box.clear_requests()
        start = time.monotonic()
        run = box.playbook("site.yml", "-i", str(inventory), "--limit", ",".join(hosts),
                           env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
        print("%d cases in %.1f s" % (len(CASES), time.monotonic() - start))
        yield {"run": run, "before": before, "after": snapshot(stack), "box": box,
               "aws_mutations": box.aws_mutating_requests(), "databricks_mutations": box.databricks_mutations()}
    finally:
        box.down()


def test_nothing_changed_and_nothing_leaked(estate):
    run = estate["run"]
    assert run.returncode != 0
    assert estate["aws_mutations"] == []
    assert estate["databricks_mutations"] == []
    assert estate["after"] == estate["before"]
    output = run.stdout + run.stderr
    for forbidden in ("Traceback", "MODULE FAILURE", "_AnsibleTagged", WRONG_SECRET,
                      estate["box"].endpoints["client_secret"]):
        assert forbidden not in output, forbidden


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_fails_before_any_change_naming_the_variable(estate, case):
    report = json.loads(estate["run"].stdout)
    stats = report["stats"][case]
    assert stats["failures"] == 1 and stats["changed"] == 0, stats
    task, message = failures_by_host(report)[case]
    assert CASES[case][2] in task, (task, message)
    for text in CASES[case][3]:
        assert text.replace("{host}", estate["box"].endpoints["databricks_account"]) in message, message
