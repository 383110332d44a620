"""Workspace API fidelity: node type availability, pagination, cluster lifecycle, documented limits."""

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import select_node_types
from databricks.sdk.errors import BadRequest, InvalidParameterValue, InvalidState
from databricks.sdk.service.compute import CloudProviderNodeStatus, State

from .conftest import account_client, m2m_client, provision

VERSION = "16.4.x-scala2.12"
DEFAULT_SPEC = {"min_memory_gb": 15, "min_cores": 2, "local_disk": False}  # roles/databricks_management defaults


def advance(emulator, seconds):
    requests.post(f"{emulator.url}/__sandbox/clock/advance", json={"seconds": seconds}, timeout=5).raise_for_status()


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


def test_scim_lists_are_paged(w):
    for i in range(105):
        w.api_client.do("POST", "/api/2.0/preview/scim/v2/Groups", body={"displayName": f"g{i:03d}"})
    first = w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups")  # no count: the default page
    assert first["totalResults"] == 107 and first["itemsPerPage"] == 100 and len(first["Resources"]) == 100
    rest = w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups", query={"startIndex": 101})
    assert rest["startIndex"] == 101 and len(rest["Resources"]) == 7
    assert not {r["id"] for r in first["Resources"]} & {r["id"] for r in rest["Resources"]}
    # The SDK asks for pages of 10000 and follows startIndex until a page is empty.
    assert len(list(w.groups.list())) == 107
    with pytest.raises(BadRequest):
        w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups", query={"count": "many"})


def test_scim_filters_join_comparisons_with_and_and_or(w):
    for name in ("Read only", "All access", 'Say "hi"'):
        w.api_client.do("POST", "/api/2.0/preview/scim/v2/Groups", body={"displayName": name})

    def names(flt):
        reply = w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups", query={"filter": flt})
        return sorted(r["displayName"] for r in reply.get("Resources") or [])

    assert names('displayName eq "read ONLY" or displayName eq "say \\"HI\\""') == ["Read only", 'Say "hi"']
    either = 'displayName sw "a" and displayName co "access" or displayName eq "admins"'  # and binds tighter
    assert names(either) == ["All access", "admins"]
    assert names('displayName eq "Read only" and displayName ne "Read only"') == []
    for unsupported in ('(displayName eq "a")', 'displayName eq "a" or', 'not displayName eq "a"',
                        'displayName gt "a"'):
        with pytest.raises(BadRequest):
            w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups", query={"filter": unsupported})


def test_cluster_list_pages_in_2_1_not_in_2_0(w):
    ids = {w.clusters.create(spark_version=VERSION, node_type_id="r5.large", num_workers=0,
                             cluster_name=f"c{i}").cluster_id for i in range(7)}
    first = w.api_client.do("GET", "/api/2.1/clusters/list")
    assert len(first["clusters"]) == 5 and first["next_page_token"] and "prev_page_token" not in first
    second = w.api_client.do("GET", "/api/2.1/clusters/list", query={"page_token": first["next_page_token"]})
    assert len(second["clusters"]) == 2 and "next_page_token" not in second and second["prev_page_token"]
    assert {c.cluster_id for c in w.clusters.list()} == ids  # the SDK follows next_page_token
    assert len(w.api_client.do("GET", "/api/2.1/clusters/list", query={"page_size": 500})["clusters"]) == 7
    assert len(w.api_client.do("GET", "/api/2.0/clusters/list")["clusters"]) == 7  # 2.0 does not page
    with pytest.raises(InvalidParameterValue):
        w.api_client.do("GET", "/api/2.1/clusters/list", query={"page_token": "not-a-token"})


def test_cluster_lifecycle(w, emulator):
    requests.post(f"{emulator.url}/__sandbox/config", json={"cluster_start_seconds": 2}, timeout=5).raise_for_status()
    cid = w.clusters.create(spark_version=VERSION, node_type_id="r5.large", num_workers=0).cluster_id
    # PENDING: no edit, no start (INVALID_STATE, the state named as Databricks names it in the message).
    with pytest.raises(InvalidState, match=rf"Cluster {cid} is in unexpected state Pending\."):
        w.clusters.start(cid)
    with pytest.raises(InvalidState):
        w.clusters.edit(cid, spark_version=VERSION, node_type_id="r5.large", num_workers=1)
    advance(emulator, 2)
    assert w.clusters.get(cid).state == State.RUNNING
    with pytest.raises(InvalidState, match="unexpected state Running"):
        w.clusters.start(cid)
    # An edit of a RUNNING cluster restarts it; no edit while RESTARTING.
    w.clusters.edit(cid, spark_version=VERSION, node_type_id="r5.large", num_workers=1)
    assert w.clusters.get(cid).state == State.RESTARTING
    with pytest.raises(InvalidState):
        w.clusters.edit(cid, spark_version=VERSION, node_type_id="r5.large", num_workers=2)
    advance(emulator, 2)
    assert w.clusters.get(cid).state == State.RUNNING
    # clusters/delete is asynchronous: TERMINATING, then TERMINATED; a second delete changes nothing.
    w.clusters.delete(cid)
    assert w.clusters.get(cid).state == State.TERMINATING
    w.clusters.delete(cid)
    with pytest.raises(InvalidState, match="unexpected state Terminating"):
        w.clusters.start(cid)
    advance(emulator, 1)
    stopped = w.clusters.get(cid)
    assert stopped.state == State.TERMINATED and stopped.termination_reason.code.value == "USER_REQUEST"
    # A TERMINATED cluster can be edited and stays TERMINATED.
    w.clusters.edit(cid, spark_version=VERSION, node_type_id="r5.large", num_workers=2)
    assert w.clusters.get(cid).state == State.TERMINATED and w.clusters.get(cid).num_workers == 2
