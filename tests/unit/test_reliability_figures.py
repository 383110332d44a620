"""The counts docs/reliability.md states that are fixed by the test sources (the e2e tests assert the others)."""

import ast
import collections
import importlib.util
import os

from tests.figures import documented
from tests.sandbox_harness import REPO

E2E = os.path.join(REPO, "tests", "e2e")


def e2e_module(name):
    spec = importlib.util.spec_from_file_location("figures_" + name, os.path.join(E2E, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bad_input_cases_match_the_page():
    matrix = e2e_module("test_bad_inputs").CASES
    network = e2e_module("test_network").BAD_INPUTS
    iam_storage = e2e_module("test_iam_storage").BAD_INPUTS
    assert len(matrix) + len(network) + len(iam_storage) == documented("bad-input cases")
    by_role = collections.Counter(case[0] for case in matrix.values())
    for role, count in by_role.items():
        assert count == documented("bad-input cases of the matrix: " + role), role
    assert len(matrix) == documented("bad-input cases of the matrix")


def test_posture_checks_match_the_page():
    """Posture tests are the test_security tests that read only the deployment (no hygiene runs)."""
    with open(os.path.join(E2E, "test_security.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    posture = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
               and node.name.startswith("test_") and [a.arg for a in node.args.args] == ["deployment"]]
    assert len(posture) == documented("security posture checks"), posture
