"""Every filter plugin is a file named after the one filter it exports, documented in the YAML file of the same
name, and holds no logic of its own: the filter is a function of plugins/plugin_utils (for the Databricks
preflights, plugin_utils' preflight over the rules in plugins/module_utils). The logic's tests are in
../plugin_utils."""

import ast
import glob
import importlib
import os

import pytest
import yaml

FILTER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 4, "plugins", "filter")
PACKAGE = "ansible_collections.lakehouse.databricks_aws.plugins."
FILTERS = sorted(os.path.splitext(os.path.basename(path))[0] for path in glob.glob(os.path.join(FILTER_DIR, "*.py")))


def test_every_documented_filter_has_its_file_and_every_file_its_documentation():
    documented = sorted(os.path.splitext(os.path.basename(path))[0]
                        for path in glob.glob(os.path.join(FILTER_DIR, "*.yml")))
    assert documented == FILTERS
    assert len(FILTERS) >= 12


@pytest.mark.parametrize("name", FILTERS)
def test_the_file_exports_the_filter_it_is_named_after(name):
    plugin = importlib.import_module(PACKAGE + "filter." + name)
    assert list(plugin.FilterModule().filters()) == [name]
    with open(os.path.join(FILTER_DIR, name + ".yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["DOCUMENTATION"]["name"] == name


@pytest.mark.parametrize("name", FILTERS)
def test_the_file_holds_no_logic_the_filter_comes_from_plugin_utils(name):
    plugin = importlib.import_module(PACKAGE + "filter." + name)
    function = plugin.FilterModule().filters()[name]
    assert function.__module__.startswith(PACKAGE + "plugin_utils.")
    with open(os.path.join(FILTER_DIR, name + ".py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    assert not [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def test_a_preflight_filter_takes_no_inputs_as_an_empty_dict():
    plugin = importlib.import_module(PACKAGE + "filter.databricks_provisioning_input_errors")
    check = plugin.FilterModule().filters()["databricks_provisioning_input_errors"]
    assert check(None) == check({}) and check({})
