"""Workspace hardening against the sandbox: the reference architecture's workspace-conf keys and legacy settings
(settings API), the token lifetime, IP access lists that never block the runner, re-runs that change nothing, and
inputs refused before any change.

The whole estate runs once for this module (management_site.yml) under its own deployment_prefix; the later runs
use management_only.yml (the databricks_management role alone). State is read with the databricks-sdk clients and
the emulator's request log, not with the modules. Tests run in file order.
"""

import pytest
from databricks.sdk.service import settings

from tests.e2e.conftest import ManagedDeployment, account_client, ok

PREFIX = "lh-hard"
# SRA aws/customizations/workspace/admin_configuration, the web terminal off, the token lifetime and the IP lists.
HARDENED = {"maxTokenLifetimeDays": "90", "enableResultsDownloading": "false", "enableExportNotebook": "false",
            "enableDbfsFileBrowser": "false", "enableVerboseAuditLogs": "true", "enableIpAccessLists": "false",
            "enableNotebookTableClipboard": "false", "enforceUserIsolation": "true", "enableUploadDataUis": "false",
            "enableWebTerminal": "false", "storeInteractiveNotebookResultsInCustomerAccount": "true"}
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

    def legacy(self):
        """The workspace's legacy settings (settings API); a false boolean reads back as None."""
        api = self.workspace.settings
        return {"disable_legacy_dbfs": bool(api.disable_legacy_dbfs.get().disable_legacy_dbfs.value),
                "disable_legacy_access": bool(api.disable_legacy_access.get().disable_legacy_access.value)}


@pytest.fixture(scope="module")
def workspace(sandbox, tmp_path_factory):
    return Workspace.converge(sandbox, tmp_path_factory.mktemp("hardening"), PREFIX)


def test_site_applies_the_reference_architecture_settings(workspace):
    assert workspace.conf() == HARDENED
    assert workspace.ip_lists() == {}  # lists are off by default
    # the legacy DBFS root off; legacy access left alone by default (the groups' data access needs the metastore)
    assert workspace.legacy() == {"disable_legacy_dbfs": True, "disable_legacy_access": False}
    outputs = workspace.outputs["databricks_management_outputs"]
    assert outputs["workspace_settings"] == HARDENED
    assert outputs["ip_access_list_ids"] == {}
    assert outputs["legacy_settings"] == {"disable_legacy_dbfs": True}


def test_a_second_run_changes_no_setting(workspace):
    workspace.sandbox.clear_requests()
    run = ok(workspace.run())
    assert run.changed() == 0, run.stdout[-5000:]
    assert not [path for _, path in workspace.mutations() if "workspace-conf" in path or "ip-access" in path]


def test_a_legacy_setting_turned_back_on_is_planned_then_set_again_with_the_current_etag(workspace):
    api = workspace.workspace.settings.disable_legacy_dbfs
    api.update(True, settings.DisableLegacyDbfs(disable_legacy_dbfs=settings.BooleanMessage(value=False),
                                                etag=api.get().etag), "disable_legacy_dbfs.value")
    workspace.sandbox.clear_requests()
    plan = ok(workspace.run("--check", "--diff"))
    assert plan.changed() == 1 and workspace.mutations() == [], plan.stdout[-5000:]
    assert not workspace.legacy()["disable_legacy_dbfs"]
    run = ok(workspace.run())
    assert run.changed() == 1, run.stdout[-5000:]
    assert workspace.mutations() == [("PATCH", "/api/2.0/settings/types/disable_legacy_dbfs/names/default")]
    assert workspace.legacy()["disable_legacy_dbfs"]
    assert ok(workspace.run()).changed() == 0


def test_legacy_access_and_the_accounts_legacy_features_only_when_asked(workspace):
    account = account_client(workspace.sandbox).settings.disable_legacy_features
    before = account.get()
    flags = {"databricks_management_disable_legacy_access": True,
             "databricks_management_disable_legacy_features_account": True}
    workspace.sandbox.clear_requests()
    run = ok(workspace.run(extra=flags))
    assert run.changed() == 2, run.stdout[-5000:]
    assert workspace.legacy() == {"disable_legacy_dbfs": True, "disable_legacy_access": True}
    assert account.get().disable_legacy_features.value is True
    assert ok(workspace.run(extra=flags)).changed() == 0
    # false leaves them as they are: a later run without the flags turns nothing off
    workspace.sandbox.clear_requests()
    assert ok(workspace.run()).changed() == 0 and workspace.mutations() == []
    assert workspace.legacy()["disable_legacy_access"] and account.get().disable_legacy_features.value
    # the account setting concerns every workspace of the account: put it back as the sandbox had it
    account.update(True, settings.DisableLegacyFeatures(
        disable_legacy_features=settings.BooleanMessage(value=bool(before.disable_legacy_features.value)),
        etag=account.get().etag), "disable_legacy_features.value")


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
