"""Unit-test fixtures shared by every file under tests/unit."""

import contextlib
import io
import json
import sys
from unittest import mock

import pytest
from ansible.module_utils import basic
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


class _Exited(BaseException):
    """sys.exit within run_main: ends main() (nothing of the module runs after it), caught by run_main."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class _ExitingSys:
    """sys as ansible.module_utils.basic sees it within run_main: exit(code) raises _Exited."""

    def exit(self, code=0):
        raise _Exited(code)

    def __getattr__(self, name):
        return getattr(sys, name)


def _one_exit(main):
    """The result main() exits with, as Ansible would read it (and the exit code to match)."""
    results, codes = [], []
    record = basic.AnsibleModule._record_module_result

    def recorded(module, result):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            record(module, result)
        results.append(json.loads(printed.getvalue()))

    with mock.patch.object(basic.AnsibleModule, "_record_module_result", recorded), \
            mock.patch.object(basic, "sys", _ExitingSys()):
        try:
            main()
        except _Exited as exited:
            codes.append(exited.code)
    assert len(results) == 1, "main() exited %d times: %r" % (len(results), results)
    assert codes == [1 if results[0].get("failed") else 0], codes
    return results[0]


@pytest.fixture
def run_main():
    """run_main(main): the one exit of a module's main(), as Ansible reads it.

    exit_json and fail_json run as in a real run: the result is formatted as Ansible reads it (no_log
    values masked, warnings and the invocation added) and ``sys.exit`` ends main(), as it ends the
    module's interpreter. The JSON they would print is recorded instead and returned; a main() that
    returns without exiting fails the test. Its own tests: module_utils/test_runner.py.
    """
    return _one_exit
