# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settings of a deployed network that AWS cannot change in place (the filter network_identity_errors).

A VPC's primary CIDR block, a subnet's CIDR block and a subnet's availability zone are fixed at creation. The writers
find the VPC by Name tag and CIDR and the subnets by CIDR, so a changed value would not modify anything: it would
build a second VPC (or subnet) beside the first, with the same Name, and leave the first behind - and a new subnet
that overlaps a deployed one fails half-way. These checks run on the estate read before any network change, and
refuse with what would be replaced and how to replace it deliberately."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import name as resource_name

HOW_TO_REPLACE = ("to replace the network deliberately, run playbooks/destroy.yml (or build the new network under "
                  "another deployment_prefix) and then site.yml with the new value")
SUBNET_VARIABLES = {"private": "network_private_subnet_cidrs", "public": "network_public_subnet_cidrs"}


def _subnet_variables(layout_subnets):
    """(variable[i], wanted subnet) for each subnet of the layout, named after the list it comes from."""
    positions = {tier: 0 for tier in SUBNET_VARIABLES}
    for wanted in layout_subnets:
        tier = wanted.get("tier", "private")
        yield "%s[%d]" % (SUBNET_VARIABLES.get(tier, tier), positions.get(tier, 0)), wanted
        positions[tier] = positions.get(tier, 0) + 1


def network_identity_errors(estate, prefix, vpc_cidr, layout):
    """One message per setting that differs from the deployed network where AWS cannot change it; [] when the VPC
    does not exist yet or nothing such differs."""
    if not isinstance(estate, dict) or not isinstance(layout, dict):
        raise AnsibleFilterError("network_identity_errors: expects the ec2_vpc_estate_info result and the "
                                 "network_plan layout")
    vpc_name = resource_name("vpc", prefix)
    if estate.get("vpc_matches", 0) > 1:
        return ["deployment_prefix: %d VPCs are named %s; the network role manages one - delete the others, or "
                "change their Name tag, first" % (estate["vpc_matches"], vpc_name)]
    vpc = estate.get("vpc")
    if not vpc:
        return []
    errors = []
    if vpc.get("cidr_block") != str(vpc_cidr):
        errors.append("network_vpc_cidr: %s differs from %s, the CIDR block of the deployed VPC %s (%s); AWS cannot "
                      "change it, so this run would build a second VPC with its subnets, NAT gateways and endpoints "
                      "and leave the first; keep %s, or %s"
                      % (vpc_cidr, vpc.get("cidr_block"), vpc_name, vpc.get("vpc_id"), vpc.get("cidr_block"),
                         HOW_TO_REPLACE))
        return errors
    deployed = estate.get("subnets") or []
    by_name = {subnet.get("tags", {}).get("Name"): subnet for subnet in deployed}
    by_cidr = {subnet.get("cidr_block"): subnet for subnet in deployed}
    for variable, wanted in _subnet_variables(layout.get("subnets") or []):
        holder = by_cidr.get(wanted["cidr"])
        if holder is not None and holder.get("availability_zone") != wanted["az"]:
            errors.append("network_availability_zones: %s would place %s in %s, but the deployed subnet %s (%s) with "
                          "that CIDR block is in %s; a subnet cannot move to another zone; keep the zones in their "
                          "order, or %s"
                          % (variable, wanted["cidr"], wanted["az"], holder.get("tags", {}).get("Name"),
                             holder.get("subnet_id"), holder.get("availability_zone"), HOW_TO_REPLACE))
            continue
        named = by_name.get(wanted["name"])
        if named is not None and named.get("cidr_block") != wanted["cidr"]:
            errors.append("%s: %s differs from %s, the CIDR block of the deployed subnet %s (%s); AWS cannot change "
                          "it, so this run would add a second subnet %s and leave the first; keep %s, or %s"
                          % (variable, wanted["cidr"], named.get("cidr_block"), wanted["name"],
                             named.get("subnet_id"), wanted["name"], named.get("cidr_block"), HOW_TO_REPLACE))
    return errors
