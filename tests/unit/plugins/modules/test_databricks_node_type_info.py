"""databricks_node_type_info and the node type selection rules."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import select_node_types
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_node_type_info as node_type_info


def test_smallest_without_local_disk(run_workspace_module, fake_workspace):
    result = run_workspace_module(node_type_info.main, dict(min_memory_gb=15, min_cores=2, local_disk=False),
                                  fake_workspace)
    assert not result["changed"] and result["node_type_id"] == "r5.large"
    assert result["matches"] == ["r5.large", "m5.xlarge", "c5.2xlarge"]  # deprecated r4 and GPU-with-disk g4dn out


def test_no_match(run_workspace_module, fake_workspace):
    result = run_workspace_module(node_type_info.main, dict(min_cores=64), fake_workspace)
    assert result["failed"] and result["error_code"] == "NO_MATCH"


@pytest.mark.parametrize("query, expected", [
    ({"min_memory_gb": 15, "min_cores": 2}, "r5.large"),            # sorted before r5d.large (no disk)
    ({"min_memory_gb": 15, "min_cores": 2, "local_disk": True}, "r5d.large"),
    ({"min_gpus": 1}, "g4dn.xlarge"),
    ({"category": "memory optimized"}, "r5.large"),
    ({}, "m5.large"),
])
def test_selection(fake_workspace, query, expected):
    assert select_node_types(fake_workspace.node_types, **query)[0]["node_type_id"] == expected


@pytest.fixture
def unavailable(fake_workspace):
    """Node types whose node_info.status says they cannot be used, as list-node-types returns it (databricks-sdk
    CloudProviderNodeStatus values), and two that can."""
    m5 = next(n for n in fake_workspace.node_types if n["node_type_id"] == "m5.large")

    def with_status(node_id, cores, mem_gb, status, **flags):
        out = dict(m5, node_type_id=node_id, instance_type_id=node_id, num_cores=float(cores),
                   memory_mb=int(mem_gb * 1024), **flags)
        if status is not None:
            out["node_info"] = {"status": status}
        return out

    return [
        with_status("r4a.large", 2, 15.25, ["NotAvailableInRegion"]),
        with_status("r4b.large", 2, 15.25, ["NotEnabledOnSubscription"]),
        with_status("r4c.large", 2, 15.25, ["SomeFutureStatus"]),
        with_status("r4d.large", 2, 15.25, None, is_hidden=True),
        with_status("r4e.large", 2, 15.5, [], is_deprecated=True),
        with_status("r4f.large", 2, 15.5, []),  # an empty status list is available
    ]


def test_unavailable_node_types_are_skipped(fake_workspace, unavailable):
    found = [n["node_type_id"] for n in select_node_types(fake_workspace.node_types + unavailable, min_memory_gb=15,
                                                          min_cores=2, local_disk=False)]
    assert found[:2] == ["r4f.large", "r5.large"]
    assert not {"r4a.large", "r4b.large", "r4c.large", "r4d.large", "r4e.large"} & set(found)


def test_module_skips_unavailable(run_workspace_module, fake_workspace, unavailable):
    fake_workspace.node_types = fake_workspace.node_types + unavailable[:3]
    result = run_workspace_module(node_type_info.main, dict(min_memory_gb=15, min_cores=2, local_disk=False),
                                  fake_workspace)
    assert result["node_type_id"] == "r5.large" and "r4a.large" not in result["matches"]
    result = run_workspace_module(node_type_info.main, dict(fleet="r4"), fake_workspace)
    assert result["failed"] and result["error_code"] == "NO_MATCH" and "3 of them unavailable" in result["msg"]


def test_one_node_type_by_id(run_workspace_module, fake_workspace, unavailable):
    fake_workspace.node_types = fake_workspace.node_types + unavailable
    result = run_workspace_module(node_type_info.main, dict(node_type_id="m5.large", min_cores=64), fake_workspace)
    assert not result.get("failed") and result["node_type_id"] == "m5.large" and result["matches"] == ["m5.large"]
    result = run_workspace_module(node_type_info.main, dict(node_type_id="m5.larg"), fake_workspace)
    assert result["failed"] and result["error_code"] == "NO_MATCH"
    assert result["msg"].startswith("the workspace does not list the node type m5.larg (")
    result = run_workspace_module(node_type_info.main, dict(node_type_id="r4a.large"), fake_workspace)
    assert result["failed"] and result["msg"] == ("the workspace lists the node type r4a.large but cannot use it "
                                                  "(NotAvailableInRegion)")
    result = run_workspace_module(node_type_info.main, dict(node_type_id="r4e.large"), fake_workspace)
    assert result["failed"] and result["msg"].endswith("cannot use it (deprecated)")
