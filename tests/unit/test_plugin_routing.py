"""meta/runtime.yml: the module names carry their service, and the names before the prefixes still resolve."""

import os
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
PREFIX = "lakehouse.databricks_aws."
AWS_SERVICES = ("ec2_", "iam_", "kms_", "s3_")


def _runtime():
    with open(os.path.join(REPO, "meta", "runtime.yml")) as handle:
        return yaml.safe_load(handle)


def _modules():
    return sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules")) if name.endswith(".py"))


def test_every_module_name_starts_with_its_service_and_sits_in_that_services_action_group():
    groups = _runtime()["action_groups"]
    for module in _modules():
        if module.startswith("databricks_"):
            assert module in groups["databricks"], module
        else:
            assert module.startswith(AWS_SERVICES), module
            assert module in groups["aws"], module
    assert sorted(groups["databricks"] + groups["aws"]) == _modules()


def test_old_names_redirect_to_existing_modules_with_a_deprecation():
    routing = _runtime()["plugin_routing"]["modules"]
    modules = set(_modules())
    assert {"token", "group", "permissions", "instance_profile", "vpc_endpoint", "cluster"} <= set(routing)
    for old, entry in routing.items():
        assert old not in modules, "%s is both a module and a redirect" % old
        target = entry["redirect"]
        assert target.startswith(PREFIX) and target[len(PREFIX):] in modules, (old, target)
        assert entry["deprecation"]["removal_version"] == "2.0.0"
        assert target in entry["deprecation"]["warning_text"]


def test_ansible_resolves_an_old_name_to_the_new_module_and_warns():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".ansible", "collections"),
               ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    done = subprocess.run([ANSIBLE_DOC, "--json", PREFIX + "vpc_endpoint"], capture_output=True, text=True,
                          env=env, check=True, cwd=REPO)
    assert "Use lakehouse.databricks_aws.ec2_vpc_endpoint instead" in " ".join(done.stderr.split())
    docs = yaml.safe_load(done.stdout)
    assert docs[PREFIX + "vpc_endpoint"]["doc"]["module"] == "ec2_vpc_endpoint"
