"""The generated docs (docs/variables.md, docs/architecture.md) and the dev inventory's role variable files
are current: regenerate them with `python docs/generate.py` after changing a role, its argument specs or
defaults, site.yml or the local inventory."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_generator():
    spec = importlib.util.spec_from_file_location("docs_generate", os.path.join(REPO, "docs", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()
GENERATED = GENERATOR.generated_files()


@pytest.mark.parametrize("relative", sorted(GENERATED))
def test_generated_file_is_current(relative):
    path = os.path.join(REPO, relative)
    assert os.path.exists(path), f"{relative} is missing: run `python docs/generate.py`"
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == GENERATED[relative], f"{relative} is stale: run `python docs/generate.py`"


def test_every_role_variable_is_documented():
    roles = GENERATOR.roles_in_site_order()[1]
    text = GENERATED["docs/variables.md"]
    for role in roles:
        for name in GENERATOR.role_defaults(role):
            assert f"`{name}`" in text, f"{name} of role {role} is not in docs/variables.md"


def test_architecture_has_every_role_and_the_network_plan():
    text = GENERATED["docs/architecture.md"]
    assert text.count("```mermaid") >= 2
    for role in GENERATOR.roles_in_site_order()[1]:
        assert f'subgraph {role}["' in text


def test_dev_inventory_parses_and_names_one_deployment():
    """inventories/dev is a complete example: it parses, and its host has every inventory-level variable."""
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", "inventories/dev", "--list",
               "--export"]
    process = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False,
                             env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")))
    assert process.returncode == 0, process.stderr
    inventory = json.loads(process.stdout)
    assert inventory["databricks_deployments"]["hosts"] == ["dev"]
    variables = dict(inventory["all"].get("vars", {}), **inventory["_meta"]["hostvars"]["dev"])
    for name in ("aws_region", "deployment_prefix", "deployment_tags", "databricks_account_id",
                 "deployment_environment"):
        assert name in variables, name
