# -*- coding: utf-8 -*-
"""A role's input checks run once a run: site.yml's preflight runs every role's validate entry point first, so the
roles' own entry points skip what it already checked (the role's preflight tasks, and Ansible's argument-spec
validation of an entry point whose options the validate entry point already validated). The skip is one included
task, not one skipped task per check."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.role_variables import tasks_in

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLES = ("network", "iam", "storage_encryption", "databricks_provisioning", "databricks_management", "unity_catalog")


def _load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def _role_calls(tasks):
    for task in tasks:
        for action in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
            if action in task:
                yield task, task[action]


def _spec(role):
    return _load("roles/%s/meta/argument_specs.yml" % role)["argument_specs"]


def test_site_runs_every_roles_validate_entry_point_in_its_preflight():
    preflight = _load("site.yml")[1]
    assert preflight["tags"] == ["always"]
    loops = [task.get("loop") for task, call in _role_calls(tasks_in(preflight["tasks"]))
             if call.get("tasks_from") == "validate"]
    assert loops == [list(ROLES)]


def test_argument_validation_is_skipped_only_where_the_preflight_validated_the_same_options():
    skipped = []
    for play in _load("site.yml"):
        for _task, call in _role_calls(tasks_in(play.get("tasks"))):
            if call.get("rolespec_validate") is False:
                role = call["name"].rsplit(".", 1)[1]
                entry_point = call.get("tasks_from", "main")
                options = _spec(role)[entry_point]["options"]
                validated = _spec(role)["validate"]["options"]
                different = sorted(name for name, option in options.items() if validated.get(name) != option)
                assert different == [], "%s %s: options the validate entry point does not check alike" % (
                    role, entry_point)
                skipped.append((role, entry_point))
    # Every converging role's main, and the network's egress.
    assert sorted(skipped) == sorted([(role, "main") for role in ROLES if role != "iam"]
                                     + [("network", "egress")]), skipped


@pytest.mark.parametrize("role", ROLES)
def test_each_entry_point_skips_the_preflight_that_passed_earlier_in_the_run(role):
    flag = "%s_inputs_validated" % role
    validate = _load("roles/%s/tasks/validate.yml" % role)
    assert validate[-1]["ansible.builtin.set_fact"] == {flag: True}
    includes = 0
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for task in tasks_in(yaml.safe_load(path.read_text(encoding="utf-8"))):
            assert task.get("ansible.builtin.import_tasks") != "validate.yml", (
                "%s: an import puts the skipped condition on each of the preflight's tasks" % path)
            include = task.get("ansible.builtin.include_tasks")
            if isinstance(include, dict) and include.get("file") == "validate.yml":
                # One task skipped when the preflight passed; its tasks run under the tags that selected it.
                assert task["when"] == "not (%s | default(false))" % flag, path
                assert include.get("apply") == {"tags": ["always"]}, path
                includes += 1
    assert includes >= 2
