"""global_init_script against the fake workspace API."""

import base64

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_global_init_script as global_init_script,
)
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import FakeWorkspace

SCRIPT = "#!/bin/bash\necho hi\n"


@pytest.fixture
def fake():
    return FakeWorkspace()


def gis(fake, check_mode=False, **args):
    args.setdefault("name", "encryption_init_script")
    return run_module(global_init_script.main, dict(WS_CONNECTION, **args), fake, check_mode=check_mode,
                      diff=True)


def only(fake):
    assert len(fake.scripts) == 1
    return next(iter(fake.scripts.values()))


def test_created_then_unchanged(fake):
    first = gis(fake, content=SCRIPT, enabled=True, position=0)
    assert first["changed"] and first["script_id"] and "script" not in first["script"]
    assert base64.b64decode(only(fake)["script"]).decode() == SCRIPT and only(fake)["enabled"] is True
    second = gis(fake, content=SCRIPT, enabled=True, position=0)
    assert not second["changed"] and second["script_id"] == first["script_id"]


def test_check_mode(fake):
    result = gis(fake, check_mode=True, content=SCRIPT, enabled=False)
    assert result["changed"] and result["script_id"] is None and fake.mutating_calls() == []
    assert result["diff"]["after"]["content"] == SCRIPT


def test_flip_enabled_only(fake):
    gis(fake, content=SCRIPT, enabled=False)
    result = gis(fake, content=SCRIPT, enabled=True)
    assert result["changed"] and only(fake)["enabled"] is True
    assert result["diff"]["before"]["enabled"] is False and result["diff"]["after"]["enabled"] is True
    assert result["diff"]["before"]["content"] == result["diff"]["after"]["content"]


def test_content_change_and_position(fake):
    gis(fake, name="other", content="#!/bin/bash\n")
    gis(fake, content=SCRIPT)
    result = gis(fake, content=SCRIPT + "echo more\n", position=0)
    assert result["changed"] and result["script"]["position"] == 0
    assert "echo more" in result["diff"]["after"]["content"]


def test_enabled_only_update_keeps_content(fake):
    gis(fake, content=SCRIPT, enabled=True)
    assert gis(fake, enabled=False)["changed"]
    assert base64.b64decode(only(fake)["script"]).decode() == SCRIPT


def test_create_needs_content(fake):
    result = gis(fake, enabled=True)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER"


def test_ambiguous_and_by_id(fake):
    first = gis(fake, content=SCRIPT)
    fake.gis_create({}, {"name": "encryption_init_script", "script": "", "enabled": False})
    assert gis(fake, content=SCRIPT)["error_code"] == "AMBIGUOUS_MATCH"
    assert not gis(fake, content=SCRIPT, script_id=first["script_id"])["changed"]


def test_absent(fake):
    gis(fake, content=SCRIPT)
    assert gis(fake, state="absent")["changed"] and fake.scripts == {}
    assert not gis(fake, state="absent")["changed"]
