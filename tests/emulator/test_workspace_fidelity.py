"""Workspace API fidelity: node type availability, pagination, cluster lifecycle, documented limits."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import select_node_types
from databricks.sdk.errors import InvalidParameterValue
from databricks.sdk.service.compute import CloudProviderNodeStatus

from .conftest import account_client, m2m_client, provision

VERSION = "16.4.x-scala2.12"
DEFAULT_SPEC = {"min_memory_gb": 15, "min_cores": 2, "local_disk": False}  # roles/databricks_management defaults


@pytest.fixture
def w(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    return m2m_client(url)


def test_node_types_carry_provider_status_and_unavailable_ones_are_refused(w):
    raw = w.api_client.do("GET", "/api/2.1/clusters/list-node-types")["node_types"]
    status = {n["node_type_id"]: n["node_info"]["status"] for n in raw if n.get("node_info")}
    assert status["r4.large"] == ["NotAvailableInRegion"] and status["p4d.24xlarge"] == ["NotEnabledOnSubscription"]
    # The SDK parses the values into its enum (the spellings are the SDK's).
    parsed = {n.node_type_id: n.node_info.status for n in w.clusters.list_node_types().node_types if n.node_info}
    assert parsed["r4.large"] == [CloudProviderNodeStatus.NOT_AVAILABLE_IN_REGION]
    # Ignoring the status, the smallest node type for the default cluster spec is an unavailable one ...
    ignoring = [dict(n, node_info=None) for n in raw]
    assert select_node_types(ignoring, **DEFAULT_SPEC)[0]["node_type_id"] == "r4.large"
    # ... which the SDK's selection and the collection's skip.
    assert w.clusters.select_node_type(**DEFAULT_SPEC) == "r5.large"
    assert select_node_types(raw, **DEFAULT_SPEC)[0]["node_type_id"] == "r5.large"
    # Databricks refuses clusters on a node type the provider does not offer, on create and on edit.
    with pytest.raises(InvalidParameterValue, match=r"r4\.large is not available"):
        w.clusters.create(spark_version=VERSION, node_type_id="r4.large", num_workers=0)
    with pytest.raises(InvalidParameterValue, match="NotEnabledOnSubscription"):
        w.clusters.create(spark_version=VERSION, node_type_id="r5.large", driver_node_type_id="p4d.24xlarge",
                          num_workers=0)
    cid = w.clusters.create(spark_version=VERSION, node_type_id="r5.large", num_workers=0).cluster_id
    w.clusters.wait_get_cluster_running(cid)
    with pytest.raises(InvalidParameterValue, match="not available"):
        w.clusters.edit(cid, spark_version=VERSION, node_type_id="x2iedn.xlarge", num_workers=0)
