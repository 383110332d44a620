#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_vpc_estate_info
short_description: Read a VPC and what it holds in one call per resource type
version_added: 0.1.0
description:
  - Finds a VPC by its C(Name) tag and CIDR block (or by its ID) and returns it with its DNS attributes, subnets,
    attached internet gateways, NAT gateways that are not deleted and route tables, plus the
    Elastic IPs carrying the given C(Name) tags, the security groups of the given names and the AWS-managed prefix
    lists of the given names.
  - One C(Describe*) call per resource type (nine in all, ten with O(prefix_list_names)), whatever the VPC
    holds; the amazon.aws modules read each resource on their own, several calls each. The calls run concurrently
    in two rounds (the VPC, Elastic IPs and prefix lists; then what is in the VPC), so the read waits about two
    calls' latency. The network role reads its
    estate with this module once and runs the amazon.aws modules only for what differs.
  - Read-only; runs the same in check mode.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  vpc_id:
    description:
      - The ID of the VPC. Either this or O(name) is required.
    type: str
  name:
    description:
      - The C(Name) tag of the VPC, as amazon.aws.ec2_vpc_net identifies it (with O(cidr_block)).
    type: str
  cidr_block:
    description:
      - The primary CIDR block of the VPC; with O(name), the VPC must have both.
    type: str
  address_names:
    description:
      - C(Name) tags of Elastic IPs to return (an Elastic IP belongs to no VPC until it is associated).
    type: list
    elements: str
    default: []
  security_group_names:
    description:
      - Names (C(GroupName)) of the security groups of the VPC to return.
    type: list
    elements: str
    default: [default]
  prefix_list_names:
    description:
      - Names of AWS-managed prefix lists to return (for example C(com.amazonaws.eu-west-1.s3)); read whether or not
        the VPC exists.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Read the deployment's VPC estate
  lakehouse.databricks_aws.ec2_vpc_estate_info:
    name: lh-dev-vpc
    cidr_block: 10.0.0.0/16
    address_names: [lh-dev-nat-eip-eu-west-1a]
    security_group_names: [default, lh-dev-workspace-sg]
    prefix_list_names: [com.amazonaws.eu-west-1.s3]
  register: estate

- name: Subnet IDs by CIDR block
  ansible.builtin.debug:
    msg: "{{ dict(estate.subnets | map(attribute='cidr_block') | zip(estate.subnets | map(attribute='subnet_id'))) }}"
"""

RETURN = r"""
vpc_matches:
  description: How many VPCs matched; the estate below is read only when exactly one did.
  returned: always
  type: int
  sample: 1
vpc:
  description:
    - The VPC (snake_case keys of C(DescribeVpcs), C(tags) as a dictionary) with C(enable_dns_hostnames) and
      C(enable_dns_support); V(null) unless exactly one VPC matched.
  returned: always
  type: dict
  sample: {"vpc_id": "vpc-0123456789abcdef0", "cidr_block": "10.0.0.0/16", "enable_dns_hostnames": true,
           "enable_dns_support": true, "tags": {"Name": "lh-dev-vpc"}}
subnets:
  description: The subnets of the VPC.
  returned: always
  type: list
  elements: dict
  sample: [{"subnet_id": "subnet-0123", "cidr_block": "10.0.1.0/24", "availability_zone": "eu-west-1a",
            "map_public_ip_on_launch": false, "tags": {"Name": "lh-dev-private-eu-west-1a"}}]
internet_gateways:
  description: The internet gateways attached to the VPC.
  returned: always
  type: list
  elements: dict
  sample: [{"internet_gateway_id": "igw-0123", "attachments": [{"state": "available", "vpc_id": "vpc-0123"}],
            "tags": {}}]
nat_gateways:
  description: The NAT gateways of the VPC that are C(pending) or C(available).
  returned: always
  type: list
  elements: dict
  sample: [{"nat_gateway_id": "nat-0123", "state": "available", "subnet_id": "subnet-0123",
            "nat_gateway_addresses": [{"allocation_id": "eipalloc-0123"}], "tags": {}}]
route_tables:
  description: The route tables of the VPC, with their routes and associations.
  returned: always
  type: list
  elements: dict
  sample: [{"route_table_id": "rtb-0123", "routes": [{"destination_cidr_block": "0.0.0.0/0",
            "gateway_id": "igw-0123"}], "associations": [{"subnet_id": "subnet-0123", "main": false}], "tags": {}}]
security_groups:
  description: The security groups of the VPC named in O(security_group_names).
  returned: always
  type: list
  elements: dict
  sample: [{"group_id": "sg-0123", "group_name": "default", "ip_permissions": [], "ip_permissions_egress": [],
            "tags": {}}]
prefix_lists:
  description: The prefix lists named in O(prefix_list_names).
  returned: always
  type: list
  elements: dict
  sample: [{"prefix_list_id": "pl-6da54004", "prefix_list_name": "com.amazonaws.eu-west-1.s3"}]
addresses:
  description: The Elastic IPs whose C(Name) tag is one of O(address_names).
  returned: always
  type: list
  elements: dict
  sample: [{"allocation_id": "eipalloc-0123", "public_ip": "203.0.113.10", "tags": {"Name": "lh-dev-nat-eip-a"}}]
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws_ec2 import (
    describe_all,
    ec2_client,
    tags_of,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._concurrent import in_parallel
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

LIVE_NAT_STATES = ["pending", "available"]


def _plain(resources):
    """boto3 resources with snake_case keys and their tags as a dict."""
    result = []
    for resource in resources:
        tags = tags_of(resource)
        item = camel_dict_to_snake_dict({key: value for key, value in resource.items() if key != "Tags"})
        item["tags"] = tags
        result.append(item)
    return result


def find_vpcs(client, params):
    if params["vpc_id"]:
        filters = [{"Name": "vpc-id", "Values": [params["vpc_id"]]}]
    else:
        filters = [{"Name": "tag:Name", "Values": [params["name"]]}]
    if params["cidr_block"]:
        filters.append({"Name": "cidr-block", "Values": [params["cidr_block"]]})
    return describe_all(client, "describe_vpcs", "Vpcs", filters)


def dns_attribute(client, vpc_id, attribute):
    reply = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute, aws_retry=True)
    return reply[attribute[0].upper() + attribute[1:]]["Value"]


def read_addresses(client, names):
    if not names:
        return []
    reply = client.describe_addresses(Filters=[{"Name": "tag:Name", "Values": names}], aws_retry=True)
    return _plain(reply.get("Addresses", []))


def read_prefix_lists(client, names):
    if not names:
        return []
    reply = client.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": names}], aws_retry=True)
    return [{"prefix_list_id": item["PrefixListId"], "prefix_list_name": item["PrefixListName"]}
            for item in reply.get("PrefixLists", [])]


def read_estate(client, params):
    """The RETURN values, read in two rounds of concurrent calls: what does not depend on the VPC (the VPC
    itself, the Elastic IPs, the prefix lists), then what is in the VPC."""
    addresses, prefix_lists, vpcs = in_parallel([
        lambda: read_addresses(client, params["address_names"]),
        lambda: read_prefix_lists(client, params["prefix_list_names"]),
        lambda: find_vpcs(client, params),
    ])
    estate = dict(vpc=None, subnets=[], internet_gateways=[], nat_gateways=[], route_tables=[], security_groups=[],
                  addresses=addresses, prefix_lists=prefix_lists, vpc_matches=len(vpcs))
    if len(vpcs) != 1:
        return estate
    vpc_id = vpcs[0]["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    named_groups = {"Name": "group-name", "Values": params["security_group_names"]}
    in_the_vpc = in_parallel([
        lambda: dns_attribute(client, vpc_id, "enableDnsHostnames"),
        lambda: dns_attribute(client, vpc_id, "enableDnsSupport"),
        lambda: _plain(describe_all(client, "describe_subnets", "Subnets", in_vpc)),
        lambda: _plain(describe_all(client, "describe_internet_gateways", "InternetGateways",
                                    [{"Name": "attachment.vpc-id", "Values": [vpc_id]}])),
        lambda: _plain(describe_all(client, "describe_nat_gateways", "NatGateways",
                                    [*in_vpc, {"Name": "state", "Values": LIVE_NAT_STATES}],
                                    filter_parameter="Filter")),
        lambda: _plain(describe_all(client, "describe_route_tables", "RouteTables", in_vpc)),
        lambda: _plain(describe_all(client, "describe_security_groups", "SecurityGroups", [*in_vpc, named_groups])),
    ])
    hostnames, support = in_the_vpc[:2]
    (estate["subnets"], estate["internet_gateways"], estate["nat_gateways"], estate["route_tables"],
     estate["security_groups"]) = in_the_vpc[2:]
    estate["vpc"] = dict(_plain(vpcs)[0], enable_dns_hostnames=hostnames, enable_dns_support=support)
    return estate


def run(module):
    try:
        estate = read_estate(ec2_client(module), module.params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the VPC %s" % (module.params["vpc_id"] or module.params["name"]),
                            aws_error=exc) from exc
    return dict(changed=False, **estate)


def main():
    argument_spec = dict(
        vpc_id=dict(type="str"),
        name=dict(type="str"),
        cidr_block=dict(type="str"),
        address_names=dict(type="list", elements="str", default=[]),
        security_group_names=dict(type="list", elements="str", default=["default"]),
        prefix_list_names=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_one_of=[("vpc_id", "name")])
    run_module(module, run)


if __name__ == "__main__":
    main()
