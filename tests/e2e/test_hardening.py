"""Workspace hardening against the sandbox: the reference architecture's workspace-conf keys, the token lifetime,
IP access lists that never block the runner, re-runs that change nothing, and inputs refused before any change.

The whole estate runs once for this module (management_site.yml) under its own deployment_prefix; the later runs
use management_only.yml (the databricks_management role alone). State is read with the databricks-sdk clients and
the emulator's request log, not with the modules. Tests run in file order.
"""

import json

import pytest
from test_management import Deployment, clear, mutations, ok

PREFIX = "lh-hard"
SITE = "tests/e2e/playbooks/management_site.yml"
HARDENED = {"maxTokenLifetimeDays": "90", "enableResultsDownloading": "false", "enableExportNotebook": "false",
            "enableDbfsFileBrowser": "false", "enableVerboseAuditLogs": "true", "enableIpAccessLists": "false"}
RUNNER_LISTS = [
    {"label": PREFIX + "-allow", "list_type": "ALLOW", "ip_addresses": ["127.0.0.1", "203.0.113.0/24"]},
    {"label": PREFIX + "-block", "list_type": "BLOCK", "ip_addresses": ["198.51.100.0/24"]},
]


class Workspace(Deployment):
    """The converged deployment (test_management.Deployment under this module's prefix) and its settings."""

    def conf(self):
        return self.workspace.workspace_conf.get_status(keys=",".join(sorted(HARDENED)))

    def ip_lists(self):
        return {entry.label: entry for entry in self.workspace.ip_access_lists.list()}


@pytest.fixture(scope="module")
def workspace(sandbox, tmp_path_factory):
    outputs = tmp_path_factory.mktemp("hardening") / "outputs.json"
    ok(sandbox.playbook(SITE, "-e", json.dumps({"deployment_prefix": PREFIX,
                                                "management_e2e_outputs_file": str(outputs)})))
    return Workspace(sandbox, outputs, prefix=PREFIX)


def test_site_applies_the_reference_architecture_settings(workspace):
    assert workspace.conf() == HARDENED
    assert workspace.ip_lists() == {}  # lists are off by default
    outputs = workspace.outputs["databricks_management_outputs"]
    assert outputs["workspace_settings"] == HARDENED
    assert outputs["ip_access_list_ids"] == {}


def test_a_second_run_changes_no_setting(workspace):
    clear(workspace.sandbox)
    run = ok(workspace.run())
    assert run.changed() == 0, run.stdout[-5000:]
    assert not [path for _, path in mutations(workspace.sandbox) if "workspace-conf" in path or "ip-access" in path]


def test_ip_access_lists_are_planned_then_applied_without_blocking_the_runner(workspace):
    lists = {"databricks_management_ip_access_lists_enabled": True,
             "databricks_management_ip_access_lists": RUNNER_LISTS}
    clear(workspace.sandbox)
    plan = ok(workspace.run("--check", "--diff", extra=lists))
    assert plan.changed() == 2, plan.stdout[-5000:]  # the list loop + the workspace settings
    assert mutations(workspace.sandbox) == []
    assert workspace.ip_lists() == {} and workspace.conf()["enableIpAccessLists"] == "false"
    assert "enableIpAccessLists" in plan.stdout and "203.0.113.0/24" in plan.stdout

    clear(workspace.sandbox)
    ok(workspace.run(extra=lists))
    applied = workspace.ip_lists()
    assert set(applied) == {PREFIX + "-allow", PREFIX + "-block"}
    assert sorted(applied[PREFIX + "-allow"].ip_addresses) == ["127.0.0.1", "203.0.113.0/24"]
    assert applied[PREFIX + "-block"].list_type.value == "BLOCK" and applied[PREFIX + "-block"].enabled
    assert workspace.conf()["enableIpAccessLists"] == "true"
    paths = [path for _, path in mutations(workspace.sandbox)]
    # the lists exist before the switch that enforces them
    assert paths.index("/api/2.0/workspace-conf") > max(i for i, p in enumerate(paths) if "ip-access-lists" in p)

    clear(workspace.sandbox)
    again = ok(workspace.run(extra=dict(lists, databricks_management_ip_access_lists=[
        dict(RUNNER_LISTS[0], ip_addresses=["203.0.113.0/24", "127.0.0.1"]), RUNNER_LISTS[1]])))
    assert again.changed() == 0, again.stdout[-5000:]  # the addresses in another order are the same list
    assert mutations(workspace.sandbox) == []


@pytest.mark.parametrize("lists, message", [
    ([{"label": "lh-hard-block-me", "list_type": "BLOCK", "ip_addresses": ["127.0.0.0/8"]}],
     "would block the runner's address 127.0.0.1"),
    ([{"label": "lh-hard-allow-other", "list_type": "ALLOW", "ip_addresses": ["203.0.113.0/24"]}],
     "no enabled ALLOW list holds the runner's address 127.0.0.1"),
])
def test_a_list_that_would_lock_the_runner_out_is_refused_before_any_change(workspace, lists, message):
    before_lists, before_conf = set(workspace.ip_lists()), workspace.conf()
    clear(workspace.sandbox)
    run = workspace.run(extra={"databricks_management_ip_access_lists_enabled": True,
                               "databricks_management_ip_access_lists": lists})
    assert run.returncode != 0
    assert message in run.stdout, run.stdout[-3000:]
    assert mutations(workspace.sandbox) == []
    assert set(workspace.ip_lists()) == before_lists and workspace.conf() == before_conf


def test_a_token_lifetime_limit_below_the_deployments_tokens_is_refused(workspace):
    clear(workspace.sandbox)
    run = workspace.run(extra={"databricks_management_max_token_lifetime_days": 3})
    assert run.returncode != 0
    assert "databricks_management_max_token_lifetime_days: 3 days is shorter than the lifetime" in run.stdout
    assert mutations(workspace.sandbox) == []


def test_hardening_off_leaves_the_settings_alone(workspace):
    before = workspace.conf()
    clear(workspace.sandbox)
    run = ok(workspace.run(extra={"databricks_management_hardening_enabled": False,
                                  "databricks_management_max_token_lifetime_days": 0,
                                  "databricks_management_workspace_conf": {"enableExportNotebook": True}}))
    assert run.changed() == 0, run.stdout[-5000:]
    assert workspace.conf() == before

    clear(workspace.sandbox)
    ok(workspace.run(extra={"databricks_management_max_token_lifetime_days": 0,
                            "databricks_management_ip_access_lists_enabled": True,
                            "databricks_management_ip_access_lists": RUNNER_LISTS}))
    assert workspace.conf()["maxTokenLifetimeDays"] in (None, "")  # 0 = no limit
    assert [path for _, path in mutations(workspace.sandbox)] == ["/api/2.0/workspace-conf"]
