"""node_type_info and the node type selection rules."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import select_node_types
from ansible_collections.lakehouse.databricks_aws.plugins.modules import node_type_info
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import NODE_TYPES, FakeWorkspace


@pytest.fixture
def fake():
    return FakeWorkspace()


def test_smallest_without_local_disk(fake, capsys):
    result = run_module(node_type_info.main, dict(WS_CONNECTION, min_memory_gb=15, min_cores=2, local_disk=False),
                        fake, capsys)
    assert not result["changed"] and result["node_type_id"] == "r5.large"
    assert result["matches"] == ["r5.large", "m5.xlarge", "c5.2xlarge"]  # deprecated r4 and GPU-with-disk g4dn out


def test_no_match(fake, capsys):
    result = run_module(node_type_info.main, dict(WS_CONNECTION, min_cores=64), fake, capsys)
    assert result["failed"] and result["error_code"] == "NO_MATCH"


@pytest.mark.parametrize("query, expected", [
    ({"min_memory_gb": 15, "min_cores": 2}, "r5.large"),            # sorted before r5d.large (no disk)
    ({"min_memory_gb": 15, "min_cores": 2, "local_disk": True}, "r5d.large"),
    ({"min_gpus": 1}, "g4dn.xlarge"),
    ({"category": "memory optimized"}, "r5.large"),
    ({}, "m5.large"),
])
def test_selection(query, expected):
    assert select_node_types(NODE_TYPES, **query)[0]["node_type_id"] == expected
