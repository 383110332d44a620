"""Mistyped runs that used to do nothing and exit 0: a misspelt inventory path, an inventory whose group
databricks_deployments is empty, a --limit that leaves none of its hosts, a misspelt role variable. Each run now
fails (or, for a misspelt variable without deployment_strict_variables, warns) naming the inventory, the group or the
variable, with no mutating AWS or Databricks request, and no run of this file prints a Python traceback, a MODULE
FAILURE or a type of Ansible's own (_AnsibleTaggedList, ...).
"""

import json
import re

import pytest

from tests.e2e.conftest import run_report

PLAYBOOKS = ("site.yml", "playbooks/sleep.yml", "playbooks/wake.yml", "playbooks/destroy.yml")
INTERNALS = re.compile(r"Traceback|MODULE FAILURE|_Ansible|AnsibleUnsafe")
OUTSIDE = {"all": {"hosts": {"bastion": {"ansible_connection": "local"}, "jumphost": {"ansible_connection": "local"}}}}


@pytest.fixture(scope="module")
def inventories(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mistyped")
    paths = {"empty": folder / "empty.json", "outside": folder / "outside.json"}
    paths["empty"].write_text(json.dumps({"databricks_deployments": {"hosts": {}}}))
    paths["outside"].write_text(json.dumps(OUTSIDE))
    return {name: str(path) for name, path in paths.items()}


def mistyped(sandbox, playbook, *args, inventory="inventories/local"):
    """Run playbook after emptying the request logs: the run, its output and its mutating requests of both sides."""
    sandbox.clear_requests()
    run = sandbox.playbook(playbook, *args, inventory=inventory)
    output = run.stdout + run.stderr
    assert not INTERNALS.search(output), run_report(run, playbook)
    assert sandbox.aws_mutating_requests() == [], run_report(run, playbook)
    assert sandbox.databricks_mutations() == [], run_report(run, playbook)
    return run, re.sub(r"\s+", " ", output)


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_a_misspelt_inventory_path_fails(sandbox, playbook):
    run, output = mistyped(sandbox, playbook, inventory="inventories/lcoal")
    assert run.returncode != 0, run_report(run, playbook)
    assert "inventories/lcoal" in output, output


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_an_empty_deployments_group_fails(sandbox, inventories, playbook):
    run, output = mistyped(sandbox, playbook, inventory=inventories["empty"])
    assert run.returncode != 0, run_report(run, playbook)
    assert (
        "No deployment to run: the inventory has no host of the group databricks_deployments (empty or missing; "
        "inventory %s)" % inventories["empty"]
    ) in output, output


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_hosts_outside_the_deployments_group_fail(sandbox, inventories, playbook):
    run, output = mistyped(sandbox, playbook, inventory=inventories["outside"])
    assert run.returncode != 0, run_report(run, playbook)
    assert "No deployment to run: the inventory has no host of the group databricks_deployments" in output, output


@pytest.mark.parametrize("playbook", PLAYBOOKS)
@pytest.mark.parametrize("limit", ["bastion", "*host", "bastion,jumphost"])
def test_a_limit_leaving_no_deployment_fails(sandbox, inventories, playbook, limit):
    run, output = mistyped(sandbox, playbook, "-i", inventories["outside"], "--limit", limit)
    assert run.returncode != 0, run_report(run, playbook)
    assert "No deployment to run: --limit %s selects" % limit in output, output
    assert "no host of the group databricks_deployments (its hosts: sandbox;" in output, output


def test_a_limit_matching_no_host_at_all_fails(sandbox):
    run, output = mistyped(sandbox, "site.yml", "--limit", "sandbx")
    assert run.returncode != 0, run_report(run, "site.yml")
    assert "sandbx" in output, output


def test_a_misspelt_role_variable_warns_naming_the_closest_known_name(sandbox):
    run, output = mistyped(
        sandbox,
        "site.yml",
        "--check",
        "--tags",
        "network",
        "-e",
        "network_nat_gatway_mode=per_az",
        "-e",
        "deployment_prefx=other",
    )
    assert run.returncode == 0, run_report(run, "site.yml")
    assert (
        "[WARNING]: network_nat_gatway_mode (host sandbox): the lakehouse.databricks_aws.network role has no such "
        "variable (roles/network/meta/argument_specs.yml lists them), so its value is ignored; did you mean "
        "network_nat_gateway_mode? (set deployment_strict_variables: true to fail instead)"
    ) in output, output
    assert (
        "[WARNING]: deployment_prefx (host sandbox): no inventory-level variable of the collection has this name, "
        "so its value is ignored; did you mean deployment_prefix?"
    ) in output, output


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_a_misspelt_role_variable_fails_with_deployment_strict_variables(sandbox, playbook):
    run, output = mistyped(
        sandbox,
        playbook,
        "-e",
        "deployment_strict_variables=true",
        "-e",
        "databricks_provisioning_workspace_nmae=other",
    )
    assert run.returncode != 0, run_report(run, playbook)
    assert (
        "Unknown variables (deployment_strict_variables is true) - databricks_provisioning_workspace_nmae (host "
        "sandbox): the lakehouse.databricks_aws.databricks_provisioning role has no such variable"
    ) in output, output
    assert "did you mean databricks_provisioning_workspace_name?" in output, output
