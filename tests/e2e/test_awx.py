"""Running the collection the way AWX / Automation Platform does: the execution environment definition builds its
context offline, and site.yml converges on the sandbox through ansible-runner (a private data dir with the project,
the inventory and the environment; events and stdout kept as artifacts, where no secret may appear).
"""

import glob
import json
import os
import shutil
import subprocess

import ansible_runner
import yaml

from tests.e2e.conftest import ok
from tests.sandbox_harness import BIN, REPO

EE_DIR = os.path.join(REPO, "execution-environment")
PREFIX = "lh-awx"


def test_ansible_builder_creates_the_context_offline(tmp_path):
    definition = tmp_path / "ee"
    shutil.copytree(EE_DIR, definition)
    built = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", REPO, "--output-path",
                            str(definition), "--force"], capture_output=True, text=True, check=False)
    ok(built, "ansible-galaxy collection build")
    # No network: a proxy that does not exist for every scheme.
    offline = dict(os.environ, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="")
    context = tmp_path / "context"
    created = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f",
                              str(definition / "execution-environment.yml"), "-c", str(context)],
                             capture_output=True, text=True, env=offline, check=False)
    ok(created, "ansible-builder create")
    containerfile = next(p for p in (context / "Containerfile", context / "Dockerfile") if p.exists()).read_text()
    assert "ansible-core==2.19.14" in containerfile and "ansible-runner==2.4.3" in containerfile
    assert "ansible-galaxy collection install" in containerfile
    tarballs = glob.glob(str(context / "_build" / "collections" / "lakehouse-databricks_aws-*.tar.gz"))
    assert len(tarballs) == 1
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    names = [c["name"] for c in requirements["collections"]]
    assert "collections/" + os.path.basename(tarballs[0]) in names and {"amazon.aws", "community.aws"} <= set(names)
    assert "mitogen==0.3.54" in (context / "_build" / "requirements.txt").read_text()


def test_the_collection_declares_its_python_dependencies_to_ansible_builder():
    introspected = subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect",
                                   os.path.join(REPO, ".ansible", "collections")],
                                  capture_output=True, text=True, check=False)
    ok(introspected, "ansible-builder introspect")
    python = yaml.safe_load(introspected.stdout.split("\n", 1)[1])["python"]
    assert any(line.startswith("databricks-sdk==0.156.0") and "lakehouse.databricks_aws" in line for line in python)


def run_site(sandbox, private_data_dir):
    """site.yml as AWX runs a job template: ansible-runner, project = the repository, inventory = inventories/local."""
    env = {key: value for key, value in sandbox.env.items() if key.startswith(("SANDBOX", "AWS", "DATABRICKS"))}
    env["PATH"] = BIN + os.pathsep + os.environ.get("PATH", "")
    private_data_dir.mkdir()
    return ansible_runner.run(
        private_data_dir=str(private_data_dir), project_dir=REPO, playbook="site.yml",
        inventory=os.path.join(REPO, "inventories", "local"), extravars={"deployment_prefix": PREFIX},
        envvars=env, quiet=True, settings={"suppress_ansible_output": True})


def test_site_converges_through_ansible_runner_without_leaking_secrets(sandbox, tmp_path):
    first = run_site(sandbox, tmp_path / "job1")
    assert first.status == "successful" and first.rc == 0, first.stdout.read()[-5000:]
    assert first.stats["changed"]["sandbox"] > 0 and not first.stats["failures"]

    second = run_site(sandbox, tmp_path / "job2")
    assert second.status == "successful", second.stdout.read()[-5000:]
    assert second.stats["changed"].get("sandbox", 0) == 0
    ok_events = [e for e in second.events if e.get("event") == "runner_on_ok"]
    assert ok_events  # AWX shows these per task

    secret = sandbox.aws_client("secretsmanager").get_secret_value(SecretId=PREFIX + "/databricks/tokens")
    tokens = json.loads(secret["SecretString"])
    secrets = [tokens["pat"]["token_value"], tokens["obo"]["token_value"], sandbox.endpoints["client_secret"]]
    scanned, mentions_prefix = 0, 0
    for job in (tmp_path / "job1", tmp_path / "job2"):
        for path in glob.glob(str(job / "**" / "*"), recursive=True):
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                assert not any(value in text for value in secrets), path
                scanned += 1
                mentions_prefix += PREFIX in text
    # what AWX keeps: stdout, the job events (one file each), the command, the status - and they name the deployment
    assert scanned > 100 and mentions_prefix > 10, (scanned, mentions_prefix)
