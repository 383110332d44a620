"""Unit-test fixtures shared by every file under tests/unit."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _interpreter_patches as patches


@pytest.fixture(autouse=True)
def empty_session_cache():
    """Each test starts without the Databricks Configs an earlier test cached (one pytest process = one cache)."""
    client_utils._session_store().configs.clear()
    yield
    client_utils._session_store().configs.clear()


class FakeClock:
    """A clock for retry and wait loops: sleeping advances it, and every sleep is recorded."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        return self.now

    monotonic = time

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def interpreter_patches_on(monkeypatch):
    """The interpreter patches switched on (their default), whatever LAKEHOUSE_INTERPRETER_PATCHES the run has:
    for the tests of what a patch does."""
    monkeypatch.setenv(patches.SWITCH, "1")
