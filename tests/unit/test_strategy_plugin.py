"""strategy_plugins/mitogen_linear_unpinned.py: mitogen's linear strategy with the null CPU affinity policy."""

import importlib.util
import os
from unittest import mock

import ansible_mitogen.affinity
import ansible_mitogen.strategy
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

PLUGIN = os.path.join(os.path.dirname(__file__), "..", "..", "strategy_plugins", "mitogen_linear_unpinned.py")


def test_the_strategy_is_mitogen_linear_and_pins_no_process():
    pinning = ansible_mitogen.affinity.policy
    assert isinstance(pinning, ansible_mitogen.affinity.FixedPolicy)  # what mitogen installs on Linux
    try:
        spec = importlib.util.spec_from_file_location("lakehouse_strategy_under_test", PLUGIN)
        plugin = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(plugin)
        assert isinstance(ansible_mitogen.affinity.policy, ansible_mitogen.affinity.Policy)
        assert not isinstance(ansible_mitogen.affinity.policy, ansible_mitogen.affinity.FixedPolicy)
        assert issubclass(plugin.StrategyModule, ansible_mitogen.strategy.StrategyMixin)
        assert issubclass(plugin.StrategyModule, LinearStrategy)
    finally:
        ansible_mitogen.affinity.policy = pinning


def test_the_collections_are_listed_once_for_every_task(monkeypatch):
    import ansible.collections.list
    import ansible_mitogen.planner

    listed = []

    def list_collection_dirs():
        listed.append(1)
        return [b"/c/ansible_collections/amazon/aws", b"/c/ansible_collections/lakehouse/databricks_aws"]

    monkeypatch.setattr(ansible.collections.list, "list_collection_dirs", list_collection_dirs)
    monkeypatch.setattr(ansible_mitogen.planner, "_load_collections", ansible_mitogen.planner._load_collections)
    spec = importlib.util.spec_from_file_location("lakehouse_strategy_collections", PLUGIN)
    plugin = importlib.util.module_from_spec(spec)
    pinning = ansible_mitogen.affinity.policy
    try:
        spec.loader.exec_module(plugin)
    finally:
        ansible_mitogen.affinity.policy = pinning
    assert ansible_mitogen.planner._load_collections is plugin.add_collection_dirs

    plugin.list_collection_dirs()  # what StrategyModule.run does in the controller, before the workers fork
    invocations = [mock.Mock(_extra_sys_paths=set()) for _task in range(3)]
    for invocation in invocations:
        ansible_mitogen.planner._load_collections(invocation)
    assert len(listed) == 1
    assert all(invocation._extra_sys_paths == {"/c/ansible_collections/amazon/aws",
                                               "/c/ansible_collections/lakehouse/databricks_aws"}
               for invocation in invocations)
