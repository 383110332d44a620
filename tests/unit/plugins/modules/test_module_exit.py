"""``run_main``: the one exit of a module's main(), captured for the module tests; and its own tests.

exit_json and fail_json run as in a real run: the result is formatted as Ansible reads it (no_log
values masked, warnings and the invocation added) and ``sys.exit`` ends main(), as it ends the
module's interpreter. The JSON they would print is recorded instead, and ``run_main(main)`` returns
it; a main() that returns without exiting fails the test.
Shared by test_account_fakes.py (the Databricks modules) and test_aws_fakes.py (the AWS modules).
"""

import contextlib
import io
import json
import sys
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


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


def run_main(main):
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


def _module():
    return basic.AnsibleModule(argument_spec=dict(secret=dict(type="str", no_log=True)))


def test_the_one_exit_is_returned_as_ansible_reads_it():
    def main():
        _module().exit_json(changed=True, echo="the secret is s3cr3t-value")

    with patch_module_args({"secret": "s3cr3t-value"}):
        result = run_main(main)
    assert result["changed"] is True and result["invocation"]["module_args"]["secret"] != "s3cr3t-value"
    assert "s3cr3t-value" not in json.dumps(result)  # no_log values masked, as in a run


def test_a_failure_is_returned_with_failed_and_its_message():
    with patch_module_args({}):
        result = run_main(lambda: _module().fail_json(msg="went wrong", error_code="X"))
    assert result["failed"] is True and result["msg"] == "went wrong" and result["error_code"] == "X"


def test_an_exit_ends_main_as_it_ends_the_interpreter():
    after = []

    def main():
        _module().fail_json(msg="first")
        after.append("ran on")

    with patch_module_args({}):
        assert run_main(main)["msg"] == "first"
    assert after == []


def test_a_main_that_never_exits_fails_the_test():
    with patch_module_args({}), pytest.raises(AssertionError, match="exited 0 times"):
        run_main(_module)
