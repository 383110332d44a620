"""Workspace hardening against the sandbox: the reference architecture's workspace-conf keys, the token lifetime,
IP access lists that never block the runner, re-runs that change nothing, and inputs refused before any change.

The whole estate runs once for this module (management_site.yml) under its own deployment_prefix; the later runs
use management_only.yml (the databricks_management role alone). State is read with the databricks-sdk clients and
the emulator's request log, not with the modules. Tests run in file order.
"""

import pytest

from tests.e2e.conftest import ManagedDeployment, ok

PREFIX = "lh-hard"
HARDENED = {"maxTokenLifetimeDays": "90", "enableResultsDownloading": "false", "enableExportNotebook": "false",
            "enableDbfsFileBrowser": "false", "enableVerboseAuditLogs": "true", "enableIpAccessLists": "false"}
RUNNER_LISTS = [
    {"label": PREFIX + "-allow", "list_type": "ALLOW", "ip_addresses": ["127.0.0.1", "203.0.113.0/24"]},
    {"label": PREFIX + "-block", "list_type": "BLOCK", "ip_addresses": ["198.51.100.0/24"]},
]


class Workspace(ManagedDeployment):
    """The converged deployment (under this module's prefix) and its settings."""

    def conf(self):
        return self.workspace.workspace_conf.get_status(keys=",".join(sorted(HARDENED)))

    def ip_lists(self):
        return {entry.label: entry for entry in self.workspace.ip_access_lists.list()}


@pytest.fixture(scope="module")
def workspace(sandbox, tmp_path_factory):
    return Workspace.converge(sandbox, tmp_path_factory.mktemp("hardening"), PREFIX)


def test_site_applies_the_reference_architecture_settings(workspace):
    assert workspace.conf() == HARDENED
    assert workspace.ip_lists() == {}  # lists are off by default
    outputs = workspace.outputs["databricks_management_outputs"]
    assert outputs["workspace_settings"] == HARDENED
    assert outputs["ip_access_list_ids"] == {}


def test_a_second_run_changes_no_setting(workspace):
    workspace.sandbox.clear_requests()
    run = ok(workspace.run())
    assert run.changed() == 0, run.stdout[-5000:]
    assert not [path for _, path in workspace.mutations() if "workspace-conf" in path or "ip-access" in path]


def test_ip_access_lists_are_planned_then_applied_without_blocking_the_runner(workspace):
    lists = {"databricks_management_ip_access_lists_enabled": True,
             "databricks_management_ip_access_lists": RUNNER_LISTS}
    workspace.sandbox.clear_requests()
    plan = ok(workspace.run("--check", "--diff", extra=lists))
    assert plan.changed() == 2, plan.stdout[-5000:]  # the list loop + the workspace settings
    assert workspace.mutations() == []
    assert workspace.ip_lists() == {} and workspace.conf()["enableIpAccessLists"] == "false"
    assert "enableIpAccessLists" in plan.stdout and "203.0.113.0/24" in plan.stdout

    workspace.sandbox.clear_requests()
    ok(workspace.run(extra=lists))
    applied = workspace.ip_lists()
    assert set(applied) == {PREFIX + "-allow", PREFIX + "-block"}
    assert sorted(applied[PREFIX + "-allow"].ip_addresses) == ["127.0.0.1", "203.0.113.0/24"]
    assert applied[PREFIX + "-block"].list_type.value == "BLOCK" and applied[PREFIX + "-block"].enabled
    assert workspace.conf()["enableIpAccessLists"] == "true"
    paths = [path for _, path in workspace.mutations()]
    # the lists exist before the switch that enforces them
    assert paths.index("/api/2.0/workspace-conf") > max(i for i, p in enumerate(paths) if "ip-access-lists" in p)

    workspace.sandbox.clear_requests()
    again = ok(workspace.run(extra=dict(lists, databricks_management_ip_access_lists=[
        dict(RUNNER_LISTS[0], ip_addresses=["203.0.113.0/24", "127.0.0.1"]), RUNNER_LISTS[1]])))
    assert again.changed() == 0, again.stdout[-5000:]  # the addresses in another order are the same list
    assert workspace.mutations() == []


@pytest.mark.parametrize("lists, message", [
    ([{"label": "lh-hard-block-me", "list_type": "BLOCK", "ip_addresses": ["127.0.0.0/8"]}],
     "would block the runner's address 127.0.0.1"),
    ([{"label": "lh-hard-allow-other", "list_type": "ALLOW", "ip_addresses": ["203.0.113.0/24"]}],
     "no enabled ALLOW list holds the runner's address 127.0.0.1"),
])
def test_a_list_that_would_lock_the_runner_out_is_refused_before_any_change(workspace, lists, message):
    before_lists, before_conf = set(workspace.ip_lists()), workspace.conf()
    workspace.sandbox.clear_requests()
    run = workspace.run(extra={"databricks_management_ip_access_lists_enabled": True,
                               "databricks_management_ip_access_lists": lists})
    assert run.returncode != 0
    assert message in run.stdout, run.stdout[-3000:]
    assert workspace.mutations() == []
    assert set(workspace.ip_lists()) == before_lists and workspace.conf() == before_conf


def test_a_token_lifetime_limit_below_the_deployments_tokens_is_refused(workspace):
    workspace.sandbox.clear_requests()
    run = workspace.run(extra={"databricks_management_max_token_lifetime_days": 3})
    assert run.returncode != 0
    assert "databricks_management_max_token_lifetime_days: 3 days is shorter than the lifetime" in run.stdout
    assert workspace.mutations() == []


def test_hardening_off_leaves_the_settings_alone(workspace):
    before = workspace.conf()
    workspace.sandbox.clear_requests()
    run = ok(workspace.run(extra={"databricks_management_hardening_enabled": False,
                                  "databricks_management_max_token_lifetime_days": 0,
                                  "databricks_management_workspace_conf": {"enableExportNotebook": True}}))
    assert run.changed() == 0, run.stdout[-5000:]
    assert workspace.conf() == before

    workspace.sandbox.clear_requests()
    ok(workspace.run(extra={"databricks_management_max_token_lifetime_days": 0,
                            "databricks_management_ip_access_lists_enabled": True,
                            "databricks_management_ip_access_lists": RUNNER_LISTS}))
    assert workspace.conf()["maxTokenLifetimeDays"] in (None, "")  # 0 = no limit
    assert [path for _, path in workspace.mutations()] == ["/api/2.0/workspace-conf"]
