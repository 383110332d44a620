"""Session fixtures: the sandbox (moto + Databricks emulator) on free ports in a temp folder."""

import os
import sys

import pytest

from tests.sandbox_harness import REPO, Sandbox

# Unit tests import the collection as ansible_collections.lakehouse.databricks_aws.
sys.path.insert(0, os.path.join(REPO, ".ansible", "collections"))


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A running sandbox for the whole session; stopped (both processes) at the end."""
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    try:
        yield box.up()
    finally:
        box.down()


# Whole-stack files of minutes each, longest first: `--dist loadfile` hands files to the workers in collection
# order, so starting with the longest keeps both workers busy until the end. Marked `slow` (-m "not slow" skips).
# The order is each file's total time in `make e2e` (setup included; --durations, 2026-12-03).
SLOW_FILES = ("test_security.py", "test_bad_inputs.py", "test_privatelink.py", "test_lifecycle.py",
              "test_unity_catalog.py", "test_network.py", "test_iam_storage.py", "test_interrupted.py",
              "test_faults.py", "test_management.py", "test_hardening.py", "test_skip_unchanged.py",
              "test_interrupted_orphans.py", "test_multi_workspace.py", "test_posture.py", "test_plan.py",
              "test_storage_encryption_keys.py", "test_awx.py")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a whole-stack end-to-end test that takes minutes")


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(SLOW_FILES)}

    def slow_rank(item):  # only tests/e2e's files (tests/emulator has names of the same form)
        return rank.get(item.path.name, len(SLOW_FILES)) if item.path.parent.name == "e2e" else len(SLOW_FILES)

    items.sort(key=slow_rank)  # stable: file order kept within
    for item in items:
        if slow_rank(item) < len(SLOW_FILES):
            item.add_marker(pytest.mark.slow)
