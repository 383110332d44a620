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
