"""databricks_global_init_script against the fake workspace API."""

import base64

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_global_init_script as global_init_script,
)

SCRIPT = "#!/bin/bash\necho hi\n"


@pytest.fixture
def gis(run_workspace_module, fake_workspace):
    """gis(check_mode=False, **args): databricks_global_init_script (name encryption_init_script unless given) run
    against fake_workspace (diff on)."""
    return run_workspace_module.bind(global_init_script.main, fake_workspace, diff=True, name="encryption_init_script")


def only(fake):
    assert len(fake.scripts) == 1
    return next(iter(fake.scripts.values()))


def test_created_then_unchanged(gis, fake_workspace):
    first = gis(content=SCRIPT, enabled=True, position=0)
    assert first["changed"] and first["script_id"] and "script" not in first["script"]
    assert base64.b64decode(only(fake_workspace)["script"]).decode() == SCRIPT
    assert only(fake_workspace)["enabled"] is True
    second = gis(content=SCRIPT, enabled=True, position=0)
    assert not second["changed"] and second["script_id"] == first["script_id"]


def test_check_mode(gis, fake_workspace):
    result = gis(check_mode=True, content=SCRIPT, enabled=False)
    assert result["changed"] and result["script_id"] is None and fake_workspace.mutating_calls() == []
    assert result["diff"]["after"]["content"] == SCRIPT


def test_flip_enabled_only(gis, fake_workspace):
    gis(content=SCRIPT, enabled=False)
    result = gis(content=SCRIPT, enabled=True)
    assert result["changed"] and only(fake_workspace)["enabled"] is True
    assert result["diff"]["before"]["enabled"] is False and result["diff"]["after"]["enabled"] is True
    assert result["diff"]["before"]["content"] == result["diff"]["after"]["content"]


def test_content_change_and_position(gis, fake_workspace):
    gis(name="other", content="#!/bin/bash\n")
    gis(content=SCRIPT)
    result = gis(content=SCRIPT + "echo more\n", position=0)
    assert result["changed"] and result["script"]["position"] == 0
    assert "echo more" in result["diff"]["after"]["content"]


def test_enabled_only_update_keeps_content(gis, fake_workspace):
    gis(content=SCRIPT, enabled=True)
    assert gis(enabled=False)["changed"]
    assert base64.b64decode(only(fake_workspace)["script"]).decode() == SCRIPT


def test_create_needs_content(gis, fake_workspace):
    result = gis(enabled=True)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER"


def test_ambiguous_and_by_id(gis, fake_workspace):
    first = gis(content=SCRIPT)
    fake_workspace.gis_create({}, {"name": "encryption_init_script", "script": "", "enabled": False})
    assert gis(content=SCRIPT)["error_code"] == "AMBIGUOUS_MATCH"
    assert not gis(content=SCRIPT, script_id=first["script_id"])["changed"]


def test_absent(gis, fake_workspace):
    gis(content=SCRIPT)
    assert gis(state="absent")["changed"] and fake_workspace.scripts == {}
    assert not gis(state="absent")["changed"]
