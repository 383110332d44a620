"""plugin_utils/network_resources.py: network_ids, the ID of each network resource from its writer when it ran, else
from the estate read; network_found, what sleep and destroy found by Name tag."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import network_plan
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_resources import (
    network_found,
    network_ids,
)

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
PRIVATE = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
PUBLIC = ["10.0.101.0/24"]
LAYOUT = network_plan("lh", ZONES, PRIVATE, PUBLIC, "single")
PLANNED = {"planned_vpc_id": "vpc-planned", "planned_security_group_id": "sg-planned"}
SUBNETS = {"10.0.1.0/24": "subnet-1", "10.0.2.0/24": "subnet-2", "10.0.3.0/24": "subnet-3",
           "10.0.101.0/24": "subnet-101"}


def found(**overrides):
    """The network_drift result of a converged estate: nothing to write, every ID found."""
    drift = {"changes": [], "vpc_id": "vpc-1", "subnet_ids": dict(SUBNETS), "internet_gateway_id": "igw-1",
             "eip_ids": {"lh-nat-eip-eu-west-1a": "eipalloc-1"}, "nat_gateway_ids": ["nat-1"],
             "public_route_table_id": "rtb-public", "private_route_table_ids": ["rtb-private"],
             "security_group_id": "sg-1"}
    drift.update(overrides)
    return drift


SKIPPED = {"skipped": True, "changed": False}


def test_a_converged_estate_gives_the_ids_the_read_found():
    ids = network_ids(found(), LAYOUT, {"vpc": SKIPPED, "internet_gateway": SKIPPED}, **PLANNED)
    assert ids["vpc_id"] == "vpc-1"
    assert ids["private_subnet_ids"] == ["subnet-1", "subnet-2", "subnet-3"]
    assert ids["public_subnet_ids"] == ["subnet-101"]
    assert ids["internet_gateway_id"] == "igw-1" and ids["security_group_id"] == "sg-1"
    assert ids["eip_allocation_ids"] == ["eipalloc-1"] and ids["nat_gateway_ids"] == ["nat-1"]
    assert ids["private_route_table_ids"] == ["rtb-private"] and ids["public_route_table_id"] == "rtb-public"
    assert ids["route_table_ids"] == ["rtb-private", "rtb-public"]
    assert ids["vpc_endpoint_ids"] == {"s3": None, "sts": None, "kinesis_streams": None}
    assert ids["privatelink"] == {"workspace_endpoint_id": None, "relay_endpoint_id": None,
                                  "security_group_id": None}
    assert ids["privatelink_security_group_id"] == "sg-planned"


def test_the_writers_that_ran_give_their_ids():
    drift = found(vpc_id=None, subnet_ids={}, internet_gateway_id=None, eip_ids={}, nat_gateway_ids=[""],
                  public_route_table_id=None, private_route_table_ids=[], security_group_id=None,
                  changes=["vpc", "subnets", "internet_gateway", "nat_gateways", "public_route_table",
                           "private_route_tables", "security_group"])
    results = {
        "vpc": {"vpc": {"id": "vpc-new"}},
        "subnets": {"results": [{"subnet": {"cidr_block": cidr, "id": "new-" + subnet}}
                                for cidr, subnet in SUBNETS.items()]},
        "internet_gateway": {"gateway_id": "igw-new"},
        "elastic_ips": {"results": [{"item": {"eip_name": "lh-nat-eip-eu-west-1a"}, "allocation_id": "eipalloc-new"}]},
        "nat_gateways": {"results": [{"nat_gateway_id": "nat-new"}]},
        "public_route_table": {"route_table": {"id": "rtb-public-new"}},
        "private_route_tables": {"results": [{"route_table": {"id": "rtb-private-new"}}]},
        "security_group": {"group_id": "sg-default-new"},
        "workspace_security_group": {"group_id": "sg-new"},
        "privatelink_security_group": {"group_id": "sg-pl"},
        "privatelink_endpoints": {"vpc_endpoint_ids": ["vpce-ws", "vpce-relay"]},
        "vpc_endpoints": {"vpc_endpoint_ids": ["vpce-s3", "vpce-sts", "vpce-kinesis"]},
    }
    ids = network_ids(drift, LAYOUT, results, **PLANNED)
    assert ids["vpc_id"] == "vpc-new"
    assert ids["private_subnet_ids"] == ["new-subnet-1", "new-subnet-2", "new-subnet-3"]
    assert ids["internet_gateway_id"] == "igw-new" and ids["security_group_id"] == "sg-new"
    assert ids["default_security_group_id"] == "sg-default-new"
    assert ids["eip_ids"] == {"lh-nat-eip-eu-west-1a": "eipalloc-new"} and ids["nat_gateway_ids"] == ["nat-new"]
    assert ids["route_table_ids"] == ["rtb-private-new", "rtb-public-new"]
    assert ids["vpc_endpoint_ids"] == {"s3": "vpce-s3", "sts": "vpce-sts", "kinesis_streams": "vpce-kinesis"}
    assert ids["privatelink"] == {"workspace_endpoint_id": "vpce-ws", "relay_endpoint_id": "vpce-relay",
                                  "security_group_id": "sg-pl"}
    assert ids["privatelink_security_group_id"] == "sg-pl"


def test_a_new_vpc_in_check_mode_plans_against_the_placeholder():
    drift = found(vpc_id=None, subnet_ids={}, eip_ids={}, nat_gateway_ids=[""], changes=["vpc", "nat_gateways"],
                  private_route_table_ids=[], public_route_table_id=None)
    results = {"vpc": {"changed": True, "vpc": {}}, "nat_gateways": {"results": [{"skipped": True}]}}
    ids = network_ids(drift, LAYOUT, results, **PLANNED)
    assert ids["vpc_id"] == "vpc-planned"
    assert ids["private_subnet_ids"] == [] and ids["nat_gateway_ids"] == [""] and ids["route_table_ids"] == []


def test_a_writer_that_returned_none_is_not_replaced_by_the_read():
    ids = network_ids(found(), LAYOUT, {"internet_gateway": {"gateway_id": None}, "security_group": {}}, **PLANNED)
    assert ids["internet_gateway_id"] is None and ids["security_group_id"] == "sg-1"


def test_new_subnets_join_the_ones_found():
    results = {"subnets": {"results": [{"subnet": {"cidr_block": "10.0.3.0/24", "id": "subnet-3b"}}, SKIPPED]}}
    ids = network_ids(found(subnet_ids={"10.0.1.0/24": "subnet-1"}), LAYOUT, results, **PLANNED)
    assert ids["subnet_ids"] == {"10.0.1.0/24": "subnet-1", "10.0.3.0/24": "subnet-3b"}
    assert ids["private_subnet_ids"] == ["subnet-1", "subnet-3b"] and ids["public_subnet_ids"] == []


def test_per_az_keeps_one_nat_gateway_id_per_zone():
    layout = network_plan("lh", ZONES, PRIVATE, ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"], "per_az")
    results = {"nat_gateways": {"results": [{"nat_gateway_id": "nat-a"}, {"skipped": True},
                                            {"nat_gateway_id": "nat-c"}]}}
    ids = network_ids(found(changes=["nat_gateways"]), layout, results, **PLANNED)
    assert ids["nat_gateway_ids"] == ["nat-a", "", "nat-c"]


def test_a_route_through_a_pending_nat_gateway_waits_for_egress():
    layout = network_plan("lh", ZONES, PRIVATE, ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"], "per_az")
    drift = found(changes=["nat_gateways", "private_route_tables"], nat_gateway_ids=["nat-a", "", ""])
    # made now (pending), found pending from an interrupted run, and one that was already available
    results = {"nat_gateways": {"results": [{"nat_gateway_id": "nat-a", "state": "pending"},
                                            {"nat_gateway_id": "nat-b", "state": "pending", "changed": False},
                                            {"nat_gateway_id": "nat-c", "state": "available"}]}}
    ids = network_ids(drift, layout, results, **PLANNED)
    assert ids["pending_nat_gateway_ids"] == ["nat-a", "nat-b"]
    assert [(route["nat_gateway_id"], route["waits"]) for route in ids["private_routes"]] == [
        ("nat-a", True), ("nat-b", True), ("nat-c", False)]
    assert ids["private_routes"][0]["name"] == "lh-private-rt-eu-west-1a"
    assert ids["private_routes"][0]["subnet_cidrs"] == ["10.0.1.0/24"]


def test_nothing_waits_when_the_nat_gateways_were_found_available_or_are_still_to_plan():
    converged = network_ids(found(), LAYOUT, {}, **PLANNED)
    assert converged["pending_nat_gateway_ids"] == []
    assert converged["private_routes"] == [{"name": "lh-private-rt", "subnet_cidrs": PRIVATE,
                                            "nat_gateway_id": "nat-1", "waits": False}]
    # check mode: the writer returned no gateway, so the route has no target yet and waits for nothing
    planned = network_ids(found(changes=["nat_gateways"], nat_gateway_ids=[""]), LAYOUT,
                          {"nat_gateways": {"results": [{"changed": True}]}}, **PLANNED)
    assert planned["pending_nat_gateway_ids"] == []
    assert planned["private_routes"][0]["nat_gateway_id"] == "" and not planned["private_routes"][0]["waits"]
    isolated = network_plan("lh", ZONES, PRIVATE, PUBLIC, "single", isolated=True)
    assert network_ids(found(nat_gateway_ids=[]), isolated, {}, **PLANNED)["private_routes"][0]["waits"] is False


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        network_ids(None, LAYOUT, {})
    with pytest.raises(AnsibleFilterError):
        network_ids(found(), LAYOUT, None)


# --- network_found: what sleep and destroy found by Name tag -----------------------------------------------------
NAT = {"nat_gateway_id": "nat-1", "tags": {"Name": "lh-nat-eu-west-1a"},
       "nat_gateway_addresses": [{"allocation_id": "eipalloc-1", "public_ip": "198.51.100.1"}]}
EIPS = [{"allocation_id": "eipalloc-1", "public_ip": "198.51.100.1", "tags": {"Name": "lh-nat-eip-eu-west-1a"}},
        {"allocation_id": "eipalloc-2", "public_ip": "198.51.100.2", "tags": {"Name": "lh-nat-eip-eu-west-1b"}}]
ENDPOINTS = [
    {"vpc_endpoint_id": "vpce-s3", "service_name": "com.amazonaws.eu-west-1.s3", "vpc_endpoint_type": "Gateway",
     "subnet_ids": []},
    {"vpc_endpoint_id": "vpce-sts", "service_name": "com.amazonaws.eu-west-1.sts", "vpc_endpoint_type": "Interface",
     "subnet_ids": ["subnet-1", "subnet-2", "subnet-3"]},
    {"vpc_endpoint_id": "vpce-kinesis", "service_name": "com.amazonaws.eu-west-1.kinesis-streams",
     "vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-1", "subnet-2", "subnet-3"]},
]
PRIVATELINK = [{"vpc_endpoint_id": "vpce-ws", "service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-1",
                "vpc_endpoint_type": "Interface", "subnet_ids": ["subnet-1"]}]


def test_found_network_with_what_to_delete_and_what_it_costs():
    found = network_found({"vpcs": [{"id": "vpc-1"}]}, {"result": [NAT]}, {"addresses": EIPS},
                          {"vpc_endpoints": ENDPOINTS}, {"vpc_endpoints": PRIVATELINK})
    assert found["vpc_id"] == "vpc-1" and found["nat_gateways"] == [NAT] and found["eips"] == EIPS
    assert found["eips_left"] == [EIPS[1]]
    assert found["vpc_endpoint_specs"] == [
        {"service": "com.amazonaws.eu-west-1.s3", "type": "Gateway"},
        {"service": "com.amazonaws.eu-west-1.sts", "type": "Interface"},
        {"service": "com.amazonaws.eu-west-1.kinesis-streams", "type": "Interface"}]
    assert found["interface_endpoint_azs"] == 6
    assert found["privatelink_endpoints"] == PRIVATELINK
    assert found["privatelink_endpoint_specs"] == [{"service": "com.amazonaws.vpce.eu-west-1.vpce-svc-1",
                                                    "type": "Interface"}]


def test_without_a_vpc_only_the_tagged_elastic_ips_are_left():
    found = network_found({"vpcs": []}, {}, {"addresses": EIPS[:1]}, {}, {})
    assert found["vpc_id"] is None and found["nat_gateways"] == [] and found["vpc_endpoints"] == []
    assert found["eips_left"] == EIPS[:1] and found["interface_endpoint_azs"] == 0
    assert found["vpc_endpoint_specs"] == [] and found["privatelink_endpoint_specs"] == []


def test_lookups_that_did_not_run_count_as_nothing_found():
    skipped = {"skipped": True, "changed": False}
    found = network_found({"vpcs": []}, skipped, {"addresses": []}, skipped)
    assert found["nat_gateways"] == [] and found["eips_left"] == [] and found["privatelink_endpoints"] == []
    with pytest.raises(AnsibleFilterError):
        network_found(None)
