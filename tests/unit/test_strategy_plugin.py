"""strategy_plugins/mitogen_linear_unpinned.py: mitogen's linear strategy with the null CPU affinity policy."""

import importlib.util
import os

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
