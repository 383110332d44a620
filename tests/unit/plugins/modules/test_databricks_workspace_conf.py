"""databricks_workspace_conf (workspace settings) against the fake workspace API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_workspace_conf as workspace_conf

CONF = "/api/2.0/workspace-conf"


@pytest.fixture
def conf(run_workspace_module, fake_workspace):
    """conf(settings, check_mode=False): databricks_workspace_conf run with settings against fake_workspace (diff
    on)."""

    def run(settings, check_mode=False):
        return run_workspace_module(workspace_conf.main, dict(settings=settings), fake_workspace,
                                    check_mode=check_mode, diff=True)

    return run


def test_workspace_conf_sets_only_the_differing_keys_as_strings(conf, fake_workspace):
    wanted = {"maxTokenLifetimeDays": 90, "enableExportNotebook": False, "enableVerboseAuditLogs": True}
    planned = conf(wanted, check_mode=True)
    assert planned["changed"] and fake_workspace.mutating_calls() == []
    assert planned["settings"] == {"maxTokenLifetimeDays": "90", "enableExportNotebook": "false",
                                   "enableVerboseAuditLogs": "true"}
    assert planned["diff"]["before"]["enableExportNotebook"] == "true"

    fake_workspace.conf["enableVerboseAuditLogs"] = "true"  # already right: not sent
    applied = conf(wanted)
    assert applied["changed_keys"] == ["enableExportNotebook", "maxTokenLifetimeDays"]
    assert fake_workspace.mutating_calls() == [("PATCH", CONF)]
    assert fake_workspace.conf == {"maxTokenLifetimeDays": "90", "enableExportNotebook": "false",
                                   "enableVerboseAuditLogs": "true"}
    again = conf(wanted)
    assert not again["changed"] and len(fake_workspace.mutating_calls()) == 1


def test_an_empty_string_unsets_a_key_and_matches_an_unset_one(conf, fake_workspace):
    assert not conf({"maxTokenLifetimeDays": ""})["changed"]  # unset (null) already
    fake_workspace.conf["maxTokenLifetimeDays"] = "30"
    assert conf({"maxTokenLifetimeDays": ""})["changed"] and fake_workspace.conf["maxTokenLifetimeDays"] == ""


def test_an_unknown_key_fails_before_any_change(conf, fake_workspace):
    result = conf({"enableExportNotebook": False, "enableTeleport": True})
    assert result["failed"] and "enableTeleport" in result["msg"]
    assert fake_workspace.mutating_calls() == []
