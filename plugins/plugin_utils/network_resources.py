# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's resources by ID: after its writers ran (the filter network_ids) and as its sleep and
destroy find them by their Name tags (the filter network_found).

The role reads its VPC estate once and runs an amazon.aws writer only for the parts that differ
(network_drift). The ID of a resource is then the one its writer returned when the writer ran, else the one
the estate read found. This module makes that choice for every resource, in one place instead of Jinja
expressions in the role.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

ENDPOINT_SERVICES = ("s3", "sts", "kinesis_streams")


def _result(results, name):
    """The registered result of one writer ({} when it has not run yet)."""
    value = results.get(name)
    return value if isinstance(value, dict) else {}


def _loop_results(results, name):
    return [item for item in _result(results, name).get("results") or [] if isinstance(item, dict)]


def _subnet_ids(drift, results):
    ids = dict(drift.get("subnet_ids") or {})
    for item in _loop_results(results, "subnets"):
        subnet = item.get("subnet")
        if isinstance(subnet, dict) and "id" in subnet:
            ids[subnet.get("cidr_block")] = subnet["id"]
    return ids


def _eip_ids(drift, results):
    ids = dict(drift.get("eip_ids") or {})
    for item in _loop_results(results, "elastic_ips"):
        if "allocation_id" in item:
            ids[(item.get("item") or {}).get("eip_name")] = item["allocation_id"]
    return ids


def _nat_gateway_ids(drift, results):
    """One per NAT gateway of the layout ('' when unknown): from the writer when its part ran."""
    if "nat_gateways" not in (drift.get("changes") or []):
        return list(drift.get("nat_gateway_ids") or [])
    return [item.get("nat_gateway_id", "") for item in _loop_results(results, "nat_gateways")]


def _pending_nat_gateway_ids(drift, results):
    """The NAT gateways the writer returned before they were available: made in this run (the role does not wait
    at their creation), or found still pending from an interrupted one."""
    if "nat_gateways" not in (drift.get("changes") or []):
        return []
    return [item["nat_gateway_id"] for item in _loop_results(results, "nat_gateways")
            if item.get("nat_gateway_id") and item.get("state", "available") != "available"]


def _private_routes(layout, nat_gateway_ids, pending):
    """Each private route table with the NAT gateway its default route goes to ('' when none is known yet) and
    whether that route waits for the gateway to be available (EC2 refuses a route through a pending one)."""
    routes = []
    for table in layout.get("private_route_tables") or []:
        index = table.get("nat_index")
        nat_gateway_id = nat_gateway_ids[index] if index is not None and index < len(nat_gateway_ids) else ""
        routes.append({"name": table["name"], "subnet_cidrs": table["subnet_cidrs"],
                       "nat_gateway_id": nat_gateway_id or "",
                       "waits": bool(nat_gateway_id) and nat_gateway_id in pending})
    return routes


def _private_route_table_ids(drift, results):
    if "private_route_tables" not in (drift.get("changes") or []):
        return list(drift.get("private_route_table_ids") or [])
    tables = [item.get("route_table") for item in _loop_results(results, "private_route_tables")]
    return [table["id"] for table in tables if isinstance(table, dict) and table.get("id")]


def _written_or_found(results, name, key, found):
    """The writer's value when it returned one, else what the read found."""
    return _result(results, name).get(key, found)


def network_ids(drift, layout, results, planned_vpc_id=None, planned_security_group_id=None):
    """The IDs of every resource of the network: drift is the network_drift result (the IDs the read found and
    the parts whose writer runs), layout the network_plan layout, results the registered results of the writers
    by part (vpc, subnets, internet_gateway, elastic_ips, nat_gateways, public_route_table,
    private_route_tables, security_group (the VPC's default one), workspace_security_group,
    privatelink_security_group, privatelink_endpoints, vpc_endpoints); a writer that has not run yet is missing or
    {}. In check mode a VPC or security group still to be created has no ID: the planned placeholders stand in for
    them. security_group_id is the workspace's own security group (the one Databricks' network configuration
    names), default_security_group_id the VPC's default one (kept without rules)."""
    if not isinstance(drift, dict) or not isinstance(layout, dict) or not isinstance(results, dict):
        raise AnsibleFilterError("network_ids: expects the network_drift result, the network_plan layout and the "
                                 "writers' results by part")
    vpc = _result(results, "vpc").get("vpc") or {}
    subnet_ids = _subnet_ids(drift, results)
    eip_ids = _eip_ids(drift, results)
    tiers = {"private": [], "public": []}
    for subnet in layout.get("subnets") or []:
        if subnet["cidr"] in subnet_ids:
            tiers[subnet["tier"]].append(subnet_ids[subnet["cidr"]])
    private_route_table_ids = _private_route_table_ids(drift, results)
    public_route_table = _result(results, "public_route_table").get("route_table")
    public_route_table_id = public_route_table["id"] if isinstance(public_route_table, dict) and \
        "id" in public_route_table else drift.get("public_route_table_id")
    endpoints = _result(results, "vpc_endpoints")
    endpoint_ids = endpoints.get("vpc_endpoint_ids")
    endpoint_ids = [None] * len(ENDPOINT_SERVICES) if endpoint_ids is None else endpoint_ids
    privatelink_ids = [*(_result(results, "privatelink_endpoints").get("vpc_endpoint_ids") or []), None, None]
    privatelink_group = _result(results, "privatelink_security_group")
    nat_gateway_ids = _nat_gateway_ids(drift, results)
    pending_nat_gateway_ids = _pending_nat_gateway_ids(drift, results)
    return {
        "vpc_id": vpc.get("id") or drift.get("vpc_id") or planned_vpc_id,
        "subnet_ids": subnet_ids,
        "private_subnet_ids": tiers["private"],
        "public_subnet_ids": tiers["public"],
        "internet_gateway_id": _written_or_found(results, "internet_gateway", "gateway_id",
                                                 drift.get("internet_gateway_id")),
        "eip_ids": eip_ids,
        "eip_allocation_ids": [eip_ids[nat["eip_name"]] for nat in layout.get("nat_gateways") or []
                               if nat["eip_name"] in eip_ids],
        "nat_gateway_ids": nat_gateway_ids,
        "pending_nat_gateway_ids": pending_nat_gateway_ids,
        "private_routes": _private_routes(layout, nat_gateway_ids, pending_nat_gateway_ids),
        "private_route_table_ids": private_route_table_ids,
        "public_route_table_id": public_route_table_id,
        "route_table_ids": [table for table in [*private_route_table_ids, public_route_table_id] if table],
        "security_group_id": _written_or_found(results, "workspace_security_group", "group_id",
                                               drift.get("security_group_id")),
        "default_security_group_id": _written_or_found(results, "security_group", "group_id",
                                                       drift.get("default_security_group_id")),
        "s3_prefix_list_id": drift.get("s3_prefix_list_id"),
        "vpc_endpoint_ids": {service: endpoint_ids[index] for index, service in enumerate(ENDPOINT_SERVICES)
                             if index < len(endpoint_ids)},
        "privatelink_security_group_id": privatelink_group.get("group_id", planned_security_group_id),
        "privatelink": {"workspace_endpoint_id": privatelink_ids[0], "relay_endpoint_id": privatelink_ids[1],
                        "security_group_id": privatelink_group.get("group_id")},
    }


def _endpoint_specs(endpoints):
    """The endpoints as lakehouse.databricks_aws.ec2_vpc_endpoint takes them (state=absent deletes these)."""
    return [{"service": endpoint.get("service_name"), "type": endpoint.get("vpc_endpoint_type")}
            for endpoint in endpoints]


def network_found(vpcs, nat_gateways=None, addresses=None, endpoints=None, privatelink_endpoints=None):
    """What the role's sleep and destroy found by Name tag, from the registered results of
    amazon.aws.ec2_vpc_net_info (the VPC), ec2_vpc_nat_gateway_info, ec2_eip_info and ec2_vpc_endpoint_info (the VPC
    endpoints, the PrivateLink endpoints); a lookup that did not run (no VPC) is missing or {}."""
    if not isinstance(vpcs, dict):
        raise AnsibleFilterError("network_found: expects the ec2_vpc_net_info result")
    found_vpcs = vpcs.get("vpcs") or []
    gateways = (nat_gateways or {}).get("result") or []
    eips = (addresses or {}).get("addresses") or []
    vpc_endpoints = (endpoints or {}).get("vpc_endpoints") or []
    privatelink = (privatelink_endpoints or {}).get("vpc_endpoints") or []
    # Deleting a NAT gateway with release_eip releases its Elastic IP; the others are released on their own.
    held = {address.get("allocation_id") for gateway in gateways
            for address in gateway.get("nat_gateway_addresses") or []}
    return {
        "vpc_id": found_vpcs[0]["id"] if found_vpcs else None,
        "nat_gateways": gateways,
        "eips": eips,
        "eips_left": [eip for eip in eips if eip.get("allocation_id") not in held],
        "vpc_endpoints": vpc_endpoints,
        "vpc_endpoint_specs": _endpoint_specs(vpc_endpoints),
        "interface_endpoint_azs": sum(len(endpoint.get("subnet_ids") or []) for endpoint in vpc_endpoints
                                      if endpoint.get("vpc_endpoint_type") == "Interface"),
        "privatelink_endpoints": privatelink,
        "privatelink_endpoint_specs": _endpoint_specs(privatelink),
    }
