# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's layout: the subnets, NAT gateways (with their Elastic IPs) and private route tables of a
deployment, and the Name tag of every resource the role makes (the filter network_plan).

NAMES is the one place the role spells its resources' names: the converge, the flow logs, sleep and destroy, and
the comparison of the estate (network_drift) take them from here, and the patterns that find them by tag too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean

# The Name tag of each kind of resource: {prefix} is the deployment prefix, {zone} an availability zone, {service}
# an endpoint's service.
NAMES = {
    "vpc": "{prefix}-vpc",
    "internet_gateway": "{prefix}-igw",
    "private_subnet": "{prefix}-private-{zone}",
    "public_subnet": "{prefix}-public-{zone}",
    "nat_gateway": "{prefix}-nat-{zone}",
    "elastic_ip": "{prefix}-nat-eip-{zone}",
    "public_route_table": "{prefix}-public-rt",
    "private_route_table": "{prefix}-private-rt",
    "private_route_table_per_zone": "{prefix}-private-rt-{zone}",
    "default_security_group": "{prefix}-default-sg",
    "workspace_security_group": "{prefix}-workspace-sg",
    "privatelink_security_group": "{prefix}-privatelink",
    "privatelink_endpoint": "{prefix}-privatelink-{service}",
    "vpc_endpoint": "{prefix}-{service}-endpoint",
    "flow_log": "{prefix}-vpc-flow-log",
}
# The service of each VPC endpoint as its Name tag spells it, and the PrivateLink endpoints'.
VPC_ENDPOINT_SERVICES = {"s3": "s3", "sts": "sts", "kinesis_streams": "kinesis-streams"}
PRIVATELINK_SERVICES = ("workspace", "relay")


def name(kind, prefix, zone="*", service="*"):
    """The Name tag of a resource; with the default zone and service, the tag filter that finds every one."""
    return NAMES[kind].format(prefix=prefix, zone=zone, service=service)


def resource_names(prefix):
    """The names of the deployment's resources that are not per zone, and the tag patterns that find the others
    (nat_gateways, elastic_ips, vpc_endpoints, privatelink_endpoints, and everything of the deployment)."""
    return {
        "vpc": name("vpc", prefix),
        "internet_gateway": name("internet_gateway", prefix),
        "public_route_table": name("public_route_table", prefix),
        "default_security_group": name("default_security_group", prefix),
        "workspace_security_group": name("workspace_security_group", prefix),
        "privatelink_security_group": name("privatelink_security_group", prefix),
        "privatelink_endpoints": {service: name("privatelink_endpoint", prefix, service=service)
                                  for service in PRIVATELINK_SERVICES},
        "vpc_endpoints": {key: name("vpc_endpoint", prefix, service=service)
                          for key, service in VPC_ENDPOINT_SERVICES.items()},
        "flow_log": name("flow_log", prefix),
        "patterns": {
            "nat_gateways": name("nat_gateway", prefix),
            "elastic_ips": name("elastic_ip", prefix),
            "vpc_endpoints": name("vpc_endpoint", prefix),
            "privatelink_endpoints": name("privatelink_endpoint", prefix),
            "all": prefix + "-*",
        },
    }


def network_plan(prefix, zones, private_cidrs, public_cidrs, nat_mode="single", isolated=False):
    """The named layout the role converges: subnets, NAT gateways (with their EIPs), private route tables, and the
    names of the other resources (resource_names). An isolated network (no route to the internet) has no public
    subnet, no NAT gateway and one private route table without default route."""
    isolated = boolean(isolated, strict=True)
    public_cidrs = [] if isolated else public_cidrs
    subnets = [{"name": name("private_subnet", prefix, zones[index]), "cidr": cidr, "az": zones[index],
                "tier": "private", "map_public": False} for index, cidr in enumerate(private_cidrs)]
    subnets += [{"name": name("public_subnet", prefix, zones[index]), "cidr": cidr, "az": zones[index],
                 "tier": "public", "map_public": False} for index, cidr in enumerate(public_cidrs)]
    nat_count = 0 if isolated else len(private_cidrs) if nat_mode == "per_az" else 1
    nat_gateways = [{"name": name("nat_gateway", prefix, zones[index]),
                     "eip_name": name("elastic_ip", prefix, zones[index]),
                     "az": zones[index], "subnet_cidr": public_cidrs[index]} for index in range(nat_count)]
    if nat_mode == "per_az" and not isolated:
        route_tables = [{"name": name("private_route_table_per_zone", prefix, zones[index]), "subnet_cidrs": [cidr],
                         "nat_index": index} for index, cidr in enumerate(private_cidrs)]
    else:
        route_tables = [{"name": name("private_route_table", prefix), "subnet_cidrs": list(private_cidrs),
                         "nat_index": 0}]
    return {"subnets": subnets, "nat_gateways": nat_gateways, "private_route_tables": route_tables,
            "isolated": isolated, "names": resource_names(prefix)}
