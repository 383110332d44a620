"""The plan of a new deployment, on a sandbox of its own: what a Terraform user runs first.

1. `site.yml --check --diff` on an empty account runs every role to its end (the last role's outputs, the outputs
   play), changes nothing in AWS or Databricks, and ends with a plan per role (callback plan_summary) that adds
   something in each role.
2. `site.yml --diff` applies it and prints the applied summary, whose counts are the plan's, but for the writers
   whose results no_log hides (they count as changes, and the summary says so).
3. `site.yml --check --diff` on the converged deployment plans nothing and changes nothing.
"""

import re

import pytest

from tests.e2e.conftest import ok, task_items
from tests.sandbox_harness import Sandbox

ROLES = ("network", "iam", "storage_encryption", "databricks_provisioning", "databricks_management", "unity_catalog")
SUMMARY = re.compile(
    r"^(Plan|Applied): (\S+) (\S+): (\d+) (?:to add|added), (\d+) (?:to change|changed), "
    r"(\d+) (?:to destroy|destroyed)(.*)$",
    re.MULTILINE,
)
# The writers whose results no_log hides (the automation PAT, the service principal's token, the secret holding
# them): the plan predicts their creation, the applied summary sees only 'changed'.
HIDDEN_CREATES = {"databricks_provisioning": 3}


def summary(run, word):
    """{role: (add, change, destroy)} of the sandbox host's summary lines, and the note of each."""
    counts, notes = {}, {}
    for match in SUMMARY.finditer(run.stdout):
        if match.group(1) == word and match.group(2) == "sandbox" and match.group(3) != "total":
            counts[match.group(3)] = tuple(int(match.group(n)) for n in (4, 5, 6))
            notes[match.group(3)] = match.group(7)
    return counts, notes


def show(run, what):
    """Print the run's summary (from its banner to the end of the output), for the log of the test."""
    start = max(run.stdout.rfind("PLAN SUMMARY"), run.stdout.rfind("APPLIED SUMMARY"))
    print("\n==== %s\n%s" % (what, run.stdout[start:] if start >= 0 else "(no summary)"))


def mutations(box):
    return {"aws": box.aws_mutating_requests(), "databricks": box.databricks_mutations()}


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    sandbox = Sandbox(tmp_path_factory.mktemp("plan") / "sandbox").up()
    try:
        yield sandbox
    finally:
        sandbox.down()


@pytest.fixture(scope="module")
def plan(box):
    box.clear_requests()
    run = ok(box.playbook("site.yml", "--check", "--diff"), "site.yml --check --diff on an empty account")
    run.mutations = mutations(box)
    show(run, "site.yml --check --diff on an empty account")
    return run


@pytest.fixture(scope="module")
def applied(box, plan):
    run = ok(box.playbook("site.yml", "--diff"), "site.yml --diff")
    show(run, "site.yml --diff")
    return run


def test_the_plan_of_an_empty_account_runs_every_role_to_its_end_and_changes_nothing(plan):
    assert plan.mutations == {"aws": [], "databricks": []}
    assert plan.failed() == 0
    # The last role ran to its outputs, then the outputs play printed its summary.
    assert task_items(plan.stdout, "Publish databricks_management_outputs (ids and ARNs - never token values)") == [
        "ok: [sandbox]"
    ]
    assert "Check mode: nothing was created" in plan.stdout
    # Tasks that need the workspace report what they would create instead.
    assert any(
        line.startswith("changed:")
        for line in task_items(
            plan.stdout, "No workspace yet - plan the workspace objects (check mode on a new deployment)"
        )
    )


def test_the_plan_adds_something_in_every_role(plan):
    counts, _notes = summary(plan, "Plan")
    assert set(counts) == set(ROLES), plan.stdout[-5000:]
    for role in ROLES:
        add, _change, destroy = counts[role]
        assert add > 0, (role, counts)
        assert destroy == 0, (role, counts)
    assert "    + ec2_vpc_net lh-sandbox-vpc" in plan.stdout
    assert "    + databricks_account_workspace lh-sandbox-workspace" in plan.stdout
    assert "    + databricks_cluster lh-sandbox-High-Concurrency" in plan.stdout
    total = re.search(r"^Plan: sandbox total: (\d+) to add", plan.stdout, re.MULTILINE)
    assert int(total.group(1)) == sum(counts[role][0] for role in ROLES)


def test_the_applied_summary_agrees_with_the_plan(plan, applied):
    planned, _plan_notes = summary(plan, "Plan")
    done, notes = summary(applied, "Applied")
    assert set(done) == set(ROLES), applied.stdout[-5000:]
    for role in ROLES:
        hidden = HIDDEN_CREATES.get(role, 0)
        add, change, destroy = planned[role]
        assert done[role] == (add - hidden, change + hidden, destroy), (role, planned[role], done[role])
        if hidden:
            assert notes[role].startswith(" (%d of the changes without a diff" % hidden), notes[role]
        else:
            assert notes[role] == "", (role, notes[role])


def test_the_plan_of_the_converged_deployment_is_empty(box, applied):
    box.clear_requests()
    run = ok(box.playbook("site.yml", "--check", "--diff"), "site.yml --check --diff on the converged deployment")
    assert mutations(box) == {"aws": [], "databricks": []}
    show(run, "site.yml --check --diff on the converged deployment")
    counts, _notes = summary(run, "Plan")
    assert counts == {role: (0, 0, 0) for role in ROLES}, run.stdout[-5000:]
    assert "Plan: sandbox total: 0 to add, 0 to change, 0 to destroy" in run.stdout
    assert run.changed() == 0
