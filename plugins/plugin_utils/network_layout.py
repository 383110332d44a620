# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's layout: the subnets, NAT gateways (with their Elastic IPs) and private route tables of a
deployment, each with its Name tag (the filter network_plan)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def network_plan(prefix, zones, private_cidrs, public_cidrs, nat_mode="single"):
    """The named layout the role converges: subnets, NAT gateways (with their EIPs) and private route tables."""
    subnets = [{"name": "%s-private-%s" % (prefix, zones[index]), "cidr": cidr, "az": zones[index], "tier": "private",
                "map_public": False} for index, cidr in enumerate(private_cidrs)]
    subnets += [{"name": "%s-public-%s" % (prefix, zones[index]), "cidr": cidr, "az": zones[index], "tier": "public",
                 "map_public": False} for index, cidr in enumerate(public_cidrs)]
    nat_count = len(private_cidrs) if nat_mode == "per_az" else 1
    nat_gateways = [{"name": "%s-nat-%s" % (prefix, zones[index]), "eip_name": "%s-nat-eip-%s" % (prefix, zones[index]),
                     "az": zones[index], "subnet_cidr": public_cidrs[index]} for index in range(nat_count)]
    if nat_mode == "per_az":
        route_tables = [{"name": "%s-private-rt-%s" % (prefix, zones[index]), "subnet_cidrs": [cidr],
                         "nat_index": index} for index, cidr in enumerate(private_cidrs)]
    else:
        route_tables = [{"name": "%s-private-rt" % prefix, "subnet_cidrs": list(private_cidrs), "nat_index": 0}]
    return {"subnets": subnets, "nat_gateways": nat_gateways, "private_route_tables": route_tables}
