"""The built collection artifact holds the collection, not the sandbox, benchmarks or test output."""

import os
import subprocess
import sys
import tarfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
LEFT_OUT = ("sandbox/", ".sandbox/", "benchmarks/", "artifacts/", "tests/output/", "tests/e2e/", "tests/emulator/",
            "tests/sandbox/", ".venv/", ".ansible/", "build/")


def test_build_ships_the_collection_without_sandbox_or_test_output(tmp_path):
    subprocess.run([GALAXY, "collection", "build", "--output-path", str(tmp_path), REPO],
                   check=True, capture_output=True)
    (tarball,) = tmp_path.glob("lakehouse-databricks_aws-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "MANIFEST.json" in names
    assert "plugins/modules/databricks_account_workspace.py" in names
    assert "roles/network/tasks/main.yml" in names
    shipped = [name for name in names
               if any(name.startswith(prefix) or name == prefix.rstrip("/") for prefix in LEFT_OUT)]
    assert shipped == []
