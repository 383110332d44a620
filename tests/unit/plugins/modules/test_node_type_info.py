"""node_type_info and the node type selection rules."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import select_node_types
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_node_type_info as node_type_info
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import NODE_TYPES, FakeWorkspace


@pytest.fixture
def fake():
    return FakeWorkspace()


def test_smallest_without_local_disk(fake):
    result = run_module(node_type_info.main, dict(WS_CONNECTION, min_memory_gb=15, min_cores=2, local_disk=False),
                        fake)
    assert not result["changed"] and result["node_type_id"] == "r5.large"
    assert result["matches"] == ["r5.large", "m5.xlarge", "c5.2xlarge"]  # deprecated r4 and GPU-with-disk g4dn out


def test_no_match(fake):
    result = run_module(node_type_info.main, dict(WS_CONNECTION, min_cores=64), fake)
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


def _with_status(node_id, cores, mem_gb, status, **flags):
    out = dict(next(n for n in NODE_TYPES if n["node_type_id"] == "m5.large"), node_type_id=node_id,
               instance_type_id=node_id, num_cores=float(cores), memory_mb=int(mem_gb * 1024), **flags)
    if status is not None:
        out["node_info"] = {"status": status}
    return out


# node_info.status as list-node-types returns it (databricks-sdk CloudProviderNodeStatus values).
UNAVAILABLE = [
    _with_status("r4a.large", 2, 15.25, ["NotAvailableInRegion"]),
    _with_status("r4b.large", 2, 15.25, ["NotEnabledOnSubscription"]),
    _with_status("r4c.large", 2, 15.25, ["SomeFutureStatus"]),
    _with_status("r4d.large", 2, 15.25, None, is_hidden=True),
    _with_status("r4e.large", 2, 15.5, [], is_deprecated=True),
    _with_status("r4f.large", 2, 15.5, []),  # an empty status list is available
]


def test_unavailable_node_types_are_skipped():
    found = [n["node_type_id"] for n in select_node_types(NODE_TYPES + UNAVAILABLE, min_memory_gb=15, min_cores=2,
                                                          local_disk=False)]
    assert found[:2] == ["r4f.large", "r5.large"]
    assert not {"r4a.large", "r4b.large", "r4c.large", "r4d.large", "r4e.large"} & set(found)


def test_module_skips_unavailable(fake, monkeypatch):
    monkeypatch.setattr("test_cluster_fakes.NODE_TYPES", NODE_TYPES + UNAVAILABLE[:3])
    result = run_module(node_type_info.main, dict(WS_CONNECTION, min_memory_gb=15, min_cores=2, local_disk=False),
                        fake)
    assert result["node_type_id"] == "r5.large" and "r4a.large" not in result["matches"]
    result = run_module(node_type_info.main, dict(WS_CONNECTION, fleet="r4"), fake)
    assert result["failed"] and result["error_code"] == "NO_MATCH" and "3 of them unavailable" in result["msg"]
