"""network_drift: which parts of the VPC estate the network role must hand to the amazon.aws modules."""

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_drift import (
    PARTS,
    current_rule_set,
    desired_rule_set,
    network_drift,
)
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import network_plan

PREFIX = "lh"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
PRIVATE = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
PUBLIC = ["10.0.101.0/24"]
TAGS = {"Project": "lakehouse"}
EGRESS = [{"proto": "tcp", "ports": [443, 2443, 3306, 6666, "8443-8451"], "cidr_ip": "0.0.0.0/0"}]
LAYOUT = network_plan(PREFIX, ZONES, PRIVATE, PUBLIC, "single")


def tagged(name, **extra):
    return dict(TAGS, Name=name, **extra)


def converged():
    """The estate vpc_estate_info reads after a converge of LAYOUT."""
    subnets = [{"subnet_id": "subnet-%d" % index, "cidr_block": subnet["cidr"], "availability_zone": subnet["az"],
                "map_public_ip_on_launch": False, "tags": tagged(subnet["name"], Tier=subnet["tier"])}
               for index, subnet in enumerate(LAYOUT["subnets"])]
    ids = {subnet["cidr_block"]: subnet["subnet_id"] for subnet in subnets}
    return {
        "vpc_matches": 1,
        "vpc": {"vpc_id": "vpc-1", "cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True,
                "enable_dns_support": True, "tags": tagged("lh-vpc")},
        "subnets": subnets,
        "internet_gateways": [{"internet_gateway_id": "igw-1", "tags": tagged("lh-igw"),
                               "attachments": [{"vpc_id": "vpc-1", "state": "available"}]}],
        "addresses": [{"allocation_id": "eipalloc-1", "tags": tagged("lh-nat-eip-eu-west-1a")}],
        "nat_gateways": [{"nat_gateway_id": "nat-1", "state": "available", "subnet_id": ids[PUBLIC[0]],
                          "nat_gateway_addresses": [{"allocation_id": "eipalloc-1"}],
                          "tags": tagged("lh-nat-eu-west-1a")}],
        "route_tables": [
            {"route_table_id": "rtb-main", "tags": {}, "associations": [{"main": True}],
             "routes": [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local"}]},
            {"route_table_id": "rtb-public", "tags": tagged("lh-public-rt"),
             "associations": [{"main": False, "subnet_id": ids[PUBLIC[0]]}],
             "routes": [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"},
                        {"destination_prefix_list_id": "pl-s3", "gateway_id": "vpce-1"}]},
            {"route_table_id": "rtb-private", "tags": tagged("lh-private-rt"),
             "associations": [{"main": False, "subnet_id": ids[cidr]} for cidr in PRIVATE],
             "routes": [{"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]},
        ],
        "security_groups": [
            {"group_id": "sg-1", "group_name": "default", "tags": tagged("lh-default-sg"), "ip_permissions": [],
             "ip_permissions_egress": []},
            {"group_id": "sg-2", "group_name": "lh-workspace-sg", "tags": tagged("lh-workspace-sg"),
             "ip_permissions": [itself("tcp"), itself("udp")],
             "ip_permissions_egress": [itself("tcp"), itself("udp"),
                                       {"ip_protocol": "tcp", "from_port": 443, "to_port": 443,
                                        "prefix_list_ids": [{"prefix_list_id": "pl-s3"}]}] + [
                 {"ip_protocol": "tcp", "from_port": low, "to_port": high, "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}
                 for low, high in ((443, 443), (2443, 2443), (3306, 3306), (6666, 6666),
                                   (8443, 8451))]},
        ],
        "prefix_lists": [{"prefix_list_id": "pl-s3", "prefix_list_name": "com.amazonaws.eu-west-1.s3"}],
    }


def itself(proto, group="sg-2"):
    return {"ip_protocol": proto, "from_port": 0, "to_port": 65535, "user_id_group_pairs": [{"group_id": group}]}


def drift(estate, egress=None, **kwargs):
    return network_drift(estate, PREFIX, LAYOUT, kwargs.pop("tags", TAGS), public_subnet_cidrs=PUBLIC,
                         egress_rules=EGRESS if egress is None else egress, **kwargs)


def test_a_converged_estate_has_no_drift_and_gives_every_id():
    result = drift(converged())
    assert result["changes"] == [] and result["reasons"] == {}
    assert result["vpc_id"] == "vpc-1"
    assert result["subnet_ids"] == {cidr: "subnet-%d" % index for index, cidr in enumerate(PRIVATE + PUBLIC)}
    assert result["internet_gateway_id"] == "igw-1"
    assert result["eip_ids"] == {"lh-nat-eip-eu-west-1a": "eipalloc-1"}
    assert result["nat_gateway_ids"] == ["nat-1"]
    assert result["public_route_table_id"] == "rtb-public"
    assert result["private_route_table_ids"] == ["rtb-private"]
    assert result["default_security_group_id"] == "sg-1"
    assert result["security_group_id"] == "sg-2"  # the workspace's own group
    assert result["s3_prefix_list_id"] == "pl-s3"


def test_no_vpc_means_every_part_differs():
    result = drift({"vpc": None, "vpc_matches": 0, "addresses": []})
    assert result["changes"] == list(PARTS)
    assert result["vpc_id"] is None and result["nat_gateway_ids"] == [""]


def edited(change):
    estate = converged()
    change(estate)
    return estate


def by_name(items, key, value):
    return next(item for item in items if item[key] == value)


# Each out-of-band change and the parts that must run again because of it.
CASES = {
    "dns hostnames off": (lambda e: e["vpc"].update(enable_dns_hostnames=False), ["vpc"]),
    "vpc tag added": (lambda e: e["vpc"]["tags"].update(Owner="someone"), ["vpc"]),
    "subnet missing": (lambda e: e["subnets"].pop(1), ["subnets", "private_route_tables"]),
    "subnet public ips": (lambda e: e["subnets"][0].update(map_public_ip_on_launch=True), ["subnets"]),
    "subnet tier tag": (lambda e: e["subnets"][0]["tags"].pop("Tier"), ["subnets"]),
    "igw detached": (lambda e: e.update(internet_gateways=[]), ["internet_gateway", "public_route_table"]),
    "igw tags": (lambda e: e["internet_gateways"][0]["tags"].update(Project="other"), ["internet_gateway"]),
    "eip and nat gone (sleep)": (lambda e: e.update(addresses=[], nat_gateways=[]),
                                 ["elastic_ips", "nat_gateways", "private_route_tables"]),
    "nat pending": (lambda e: e["nat_gateways"][0].update(state="pending"), ["nat_gateways", "private_route_tables"]),
    "nat with another eip": (lambda e: e["nat_gateways"][0].update(nat_gateway_addresses=[{"allocation_id": "x"}]),
                             ["nat_gateways", "private_route_tables"]),
    "nat tags": (lambda e: e["nat_gateways"][0]["tags"].pop("Project"), ["nat_gateways"]),
    "public route removed": (lambda e: by_name(e["route_tables"], "route_table_id", "rtb-public")["routes"].pop(0),
                             ["public_route_table"]),
    "public association removed": (
        lambda e: by_name(e["route_tables"], "route_table_id", "rtb-public").update(associations=[]),
        ["public_route_table"]),
    "private route to an old nat": (
        lambda e: by_name(e["route_tables"], "route_table_id", "rtb-private")["routes"][0].update(
            nat_gateway_id="nat-0"), ["private_route_tables"]),
    "extra private association": (
        lambda e: by_name(e["route_tables"], "route_table_id", "rtb-private")["associations"].append(
            {"main": False, "subnet_id": "subnet-x"}), ["private_route_tables"]),
    "private table tags": (
        lambda e: by_name(e["route_tables"], "route_table_id", "rtb-private")["tags"].update(Extra="1"),
        ["private_route_tables"]),
    "two tables with the private name": (
        lambda e: e["route_tables"].append(dict(copy.deepcopy(e["route_tables"][2]), route_table_id="rtb-2")),
        ["private_route_tables"]),
    "default sg ingress from itself": (lambda e: e["security_groups"][0]["ip_permissions"].append(
        {"ip_protocol": "-1", "user_id_group_pairs": [{"group_id": "sg-1"}]}), ["security_group"]),
    "default sg egress to the internet": (lambda e: e["security_groups"][0]["ip_permissions_egress"].append(
        {"ip_protocol": "-1", "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}), ["security_group"]),
    "default sg tags": (lambda e: e["security_groups"][0]["tags"].pop("Name"), ["security_group"]),
    "workspace sg ingress opened": (lambda e: e["security_groups"][1]["ip_permissions"].append(
        {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}),
        ["workspace_security_group"]),
    "workspace sg egress to everything": (lambda e: e["security_groups"][1]["ip_permissions_egress"].append(
        {"ip_protocol": "-1", "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}), ["workspace_security_group"]),
    "workspace sg without s3": (lambda e: e["security_groups"][1]["ip_permissions_egress"].pop(2),
                                ["workspace_security_group"]),
    "workspace sg without udp from itself": (lambda e: e["security_groups"][1]["ip_permissions"].pop(1),
                                             ["workspace_security_group"]),
    "workspace sg missing": (lambda e: e["security_groups"].pop(1), ["workspace_security_group"]),
    "workspace sg tags": (lambda e: e["security_groups"][1]["tags"].update(Name="other"), ["workspace_security_group"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_out_of_band_change_selects_exactly_its_parts(case):
    change, parts = CASES[case]
    result = drift(edited(change))
    assert result["changes"] == [part for part in PARTS if part in parts], result["reasons"]
    assert all(result["reasons"][part] for part in parts)


def test_changed_inputs_are_drift_too():
    assert drift(converged(), dns_support=False)["changes"] == ["vpc"]
    assert set(drift(converged(), tags={"Project": "renamed"})["changes"]) == set(PARTS) - {"elastic_ips"}
    narrowed = [{"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0"}]
    assert drift(converged(), egress=narrowed)["changes"] == ["workspace_security_group"]


def test_egress_rules_it_cannot_compare_are_left_to_the_module():
    by_group = [{"proto": "all", "group_name": "default"}]
    result = drift(converged(), egress=by_group)
    assert result["changes"] == ["workspace_security_group"]
    assert "left to ec2_security_group" in result["reasons"]["workspace_security_group"][0]


def test_without_the_s3_prefix_list_the_module_decides():
    estate = converged()
    estate["prefix_lists"] = []
    result = drift(estate)
    assert result["changes"] == ["workspace_security_group"] and result["s3_prefix_list_id"] is None


ISOLATED = network_plan(PREFIX, ZONES, PRIVATE, PUBLIC, "single", isolated=True)


def isolated_estate():
    """A converged isolated network: no internet gateway, public subnet, NAT gateway, Elastic IP or default route."""
    estate = converged()
    estate["subnets"] = [subnet for subnet in estate["subnets"] if subnet["cidr_block"] in PRIVATE]
    estate.update(internet_gateways=[], nat_gateways=[], addresses=[])
    estate["route_tables"] = [table for table in estate["route_tables"] if table["route_table_id"] != "rtb-public"]
    by_name(estate["route_tables"], "route_table_id", "rtb-private")["routes"] = []
    return estate


def test_an_isolated_network_has_no_internet_parts():
    assert ISOLATED["nat_gateways"] == [] and [s["tier"] for s in ISOLATED["subnets"]] == ["private"] * 3
    result = network_drift(isolated_estate(), PREFIX, ISOLATED, TAGS, egress_rules=EGRESS)
    assert result["changes"] == [] and result["reasons"] == {}
    assert result["private_route_table_ids"] == ["rtb-private"]
    new = network_drift({"vpc": None, "vpc_matches": 0}, PREFIX, ISOLATED, TAGS, egress_rules=EGRESS)
    assert new["changes"] == [part for part in PARTS if part not in (
        "internet_gateway", "elastic_ips", "nat_gateways", "public_route_table")]
    everything = network_drift(isolated_estate(), PREFIX, ISOLATED, TAGS, egress_rules=EGRESS, skip_unchanged=False)
    assert "nat_gateways" not in everything["changes"] and "internet_gateway" not in everything["changes"]
    # the same estate is not converged for a layout with internet access
    assert "internet_gateway" in network_drift(isolated_estate(), PREFIX, LAYOUT, TAGS, egress_rules=EGRESS)["changes"]


def test_rule_sets():
    assert desired_rule_set([{"proto": "tcp", "ports": ["80", "8000-8010"], "cidr_ip": ["10.0.0.0/8"]}]) == {
        ("tcp", 80, 80, "cidr:10.0.0.0/8"), ("tcp", 8000, 8010, "cidr:10.0.0.0/8")}
    assert desired_rule_set([{"proto": "tcp", "from_port": 1, "to_port": 2, "cidr_ipv6": "::/0"}]) == {
        ("tcp", 1, 2, "cidr6:::/0")}
    assert desired_rule_set([{"proto": "icmp", "cidr_ip": "0.0.0.0/0"}]) is None
    assert desired_rule_set([{"proto": "tcp", "cidr_ip": "0.0.0.0/0"}]) is None  # no ports: module decides
    assert desired_rule_set([{"proto": "all"}]) is None  # no peer
    assert current_rule_set([{"ip_protocol": "-1", "from_port": -1, "to_port": -1, "prefix_list_ids": [
        {"prefix_list_id": "pl-1"}]}]) == {("-1", None, None, "prefix:pl-1")}
    assert current_rule_set([{"ip_protocol": "tcp", "from_port": 1, "to_port": 2}]) == {("tcp", 1, 2, "none")}


def test_bad_input_is_refused():
    with pytest.raises(AnsibleFilterError, match="vpc_estate_info"):
        network_drift(None, PREFIX, LAYOUT, TAGS)


def test_with_skip_unchanged_false_every_part_goes_to_its_writer():
    result = drift(converged(), skip_unchanged=False)
    assert result["changes"] == list(PARTS) and result["reasons"] == {}
    assert result == dict(drift(converged()), changes=list(PARTS))
    estate = converged()
    estate["internet_gateways"][0]["tags"] = tagged("lh-igw", Extra="x")
    assert list(drift(estate, skip_unchanged=False)["reasons"]) == ["internet_gateway"]


@pytest.mark.parametrize("value", ["false", "False", "no", 0])
def test_skip_unchanged_given_as_text_is_a_boolean(value):
    assert drift(converged(), skip_unchanged=value)["changes"] == list(PARTS)
    assert drift(converged(), skip_unchanged="true")["changes"] == []
