"""_runner: a module's runner returns its result and main() exits once (exit_json, fail_json or fail_json_aws);
run_main (tests/unit/conftest.py), which reads that one exit for the module tests; and that every module has one
test file, tests/unit/plugins/modules/test_<module>.py, which runs it."""

import glob
import json
import os
import re

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_module
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

MODULES = os.path.join(os.path.dirname(_databricks_module.__file__), os.pardir, "modules")
MODULE_TESTS = os.path.join(os.path.dirname(__file__), os.pardir, "modules")


class RecordingModule:
    """The exits of an AnsibleModule / AnsibleAWSModule, recorded instead of ending the interpreter."""

    def __init__(self):
        self.exits = []

    def exit_json(self, **result):
        self.exits.append(("exit_json", None, result))

    def fail_json(self, **result):
        self.exits.append(("fail_json", None, result))

    def fail_json_aws(self, exception, **result):
        self.exits.append(("fail_json_aws", exception, result))


def test_the_runner_result_is_the_one_exit():
    module = RecordingModule()
    run_module(module, lambda m: dict(changed=True, thing=m.__class__.__name__))
    assert module.exits == [("exit_json", None, {"changed": True, "thing": "RecordingModule"})]


def test_a_failure_is_the_one_fail_json():
    module = RecordingModule()

    def runner(module):
        raise ModuleFailure("went wrong", error_code="X", changed=False)

    run_module(module, runner)
    assert module.exits == [("fail_json", None, {"msg": "went wrong", "error_code": "X", "changed": False})]


def test_a_failure_with_a_botocore_error_goes_to_fail_json_aws():
    module = RecordingModule()
    error = RuntimeError("AccessDenied")

    def runner(module):
        raise ModuleFailure("Failed to read the VPC vpc-1", aws_error=error)

    run_module(module, runner)
    assert module.exits == [("fail_json_aws", error, {"msg": "Failed to read the VPC vpc-1"})]


def test_other_errors_are_bugs_and_keep_their_traceback():
    module = RecordingModule()

    def runner(module):
        raise KeyError("state")

    with pytest.raises(KeyError):
        run_module(module, runner)
    assert module.exits == []


def test_databricks_module_fail_raises_and_result_returns():
    with patch_module_args({"_ansible_diff": True}):
        module = DatabricksModule(argument_spec={}, api="account")
    with pytest.raises(ModuleFailure) as failure:
        module.fail("no such thing", error_code="NOT_FOUND", thing="x")
    assert failure.value.msg == "no such thing" and failure.value.result == {"error_code": "NOT_FOUND", "thing": "x"}
    result = module.result(changed=True, diff={"before": {}}, thing="x")
    assert result == {"changed": True, "thing": "x", "diff": {"before": {}}}
    with patch_module_args({}):
        quiet = DatabricksModule(argument_spec={}, api="account")
    assert quiet.result(changed=False, diff={"before": {}}) == {"changed": False}  # diff only under --diff


def test_a_missing_databricks_sdk_is_the_one_failure(monkeypatch):
    monkeypatch.setattr(_databricks_module, "HAS_DATABRICKS_SDK", False)
    monkeypatch.setattr(_databricks_module, "DATABRICKS_SDK_IMPORT_ERROR", "Traceback: no databricks")
    with patch_module_args({}):
        module = DatabricksModule(argument_spec={}, api="account")
    recording = RecordingModule()
    module.module = recording
    module.run(lambda m: pytest.fail("the runner ran without the SDK"))
    (kind, _error, result), = recording.exits
    assert kind == "fail_json" and "databricks-sdk" in result["msg"]
    assert result["exception"] == "Traceback: no databricks"


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(MODULES, "*.py"))), ids=os.path.basename)
def test_every_module_exits_through_the_runner(path):
    with open(path) as handle:
        source = handle.read()
    assert not re.search(r"\b(exit_json|fail_json|fail_json_aws|SystemExit|sys\.exit)\b", source)
    assert re.search(r"\.run\(run\)|run_module\(", source), "main() does not hand a runner to the one exit"


def test_every_module_has_one_test_file_and_every_test_file_one_module():
    modules = {os.path.splitext(name)[0] for name in os.listdir(MODULES) if name.endswith(".py")}
    tests = {name for name in os.listdir(MODULE_TESTS) if name.endswith(".py") and name != "conftest.py"}
    assert tests == {"test_%s.py" % module for module in modules}


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(MODULES, "*.py"))), ids=os.path.basename)
def test_a_module_test_file_runs_its_module_and_no_other(path):
    module = os.path.splitext(os.path.basename(path))[0]
    with open(os.path.join(MODULE_TESTS, "test_%s.py" % module)) as handle:
        source = handle.read()
    imported = re.findall(r"plugins\.modules import \(?\s*(\w+)(?: as (\w+))?", source)
    assert [name for name, alias in imported] == [module]
    assert "%s.main" % (imported[0][1] or module) in source


# --- run_main: the one exit as the module tests read it ------------------------------------------
def _module():
    return basic.AnsibleModule(argument_spec=dict(secret=dict(type="str", no_log=True)))


def test_the_one_exit_is_returned_as_ansible_reads_it(run_main):
    def main():
        _module().exit_json(changed=True, echo="the secret is s3cr3t-value")

    with patch_module_args({"secret": "s3cr3t-value"}):
        result = run_main(main)
    assert result["changed"] is True and result["invocation"]["module_args"]["secret"] != "s3cr3t-value"
    assert "s3cr3t-value" not in json.dumps(result)  # no_log values masked, as in a run


def test_a_failure_is_returned_with_failed_and_its_message(run_main):
    with patch_module_args({}):
        result = run_main(lambda: _module().fail_json(msg="went wrong", error_code="X"))
    assert result["failed"] is True and result["msg"] == "went wrong" and result["error_code"] == "X"


def test_an_exit_ends_main_as_it_ends_the_interpreter(run_main):
    after = []

    def main():
        _module().fail_json(msg="first")
        after.append("ran on")

    with patch_module_args({}):
        assert run_main(main)["msg"] == "first"
    assert after == []


def test_a_main_that_never_exits_fails_the_test(run_main):
    with patch_module_args({}), pytest.raises(AssertionError, match="exited 0 times"):
        run_main(_module)
