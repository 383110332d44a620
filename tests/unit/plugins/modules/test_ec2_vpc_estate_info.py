"""ec2_vpc_estate_info against an in-memory EC2 faked at the boto3 client seam (AnsibleAWSModule.client): the VPC
found by its Name tag and CIDR block (or its ID), and what it holds, read with one Describe call per resource type."""

import copy
import threading

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import ec2_vpc_estate_info

# How each filter the module sends reads a resource: the values it has for the filter's name.
FILTERS = {
    "vpc-id": lambda resource: [resource.get("VpcId")],
    "tag:Name": lambda resource: [tag["Value"] for tag in resource.get("Tags", []) if tag["Key"] == "Name"],
    "cidr-block": lambda resource: [resource.get("CidrBlock")],
    "attachment.vpc-id": lambda resource: [attached["VpcId"] for attached in resource.get("Attachments", [])],
    "state": lambda resource: [resource.get("State")],
    "group-name": lambda resource: [resource.get("GroupName")],
    "prefix-list-name": lambda resource: [resource.get("PrefixListName")],
}


def named(name, **resource):
    return dict(resource, Tags=[{"Key": "Name", "Value": name}])


class FakeEc2:
    """The Describe calls ec2_vpc_estate_info makes, with boto3's request and reply shapes; lists come in pages of
    page_size items (all in one when None)."""

    def __init__(self):
        self.calls = []
        self.page_size = None
        self.dns = {}  # VPC id -> (enableDnsHostnames, enableDnsSupport)
        self.resources = {kind: [] for kind in ("Vpcs", "Subnets", "InternetGateways", "NatGateways", "RouteTables",
                                                "SecurityGroups", "Addresses", "PrefixLists")}

    def operations(self):
        return [operation for operation, dummy in self.calls]

    def request(self, operation):
        """The arguments of the one call of operation (calls of one round run concurrently, in no set order)."""
        found = [call for name, call in self.calls if name == operation]
        assert len(found) == 1, found
        return found[0]

    def _describe(self, operation, kind, filters, token=None):
        self.calls.append((operation, {"Filters": filters, "NextToken": token}))
        found = [resource for resource in self.resources[kind]
                 if all(set(wanted["Values"]) & set(FILTERS[wanted["Name"]](resource)) for wanted in filters)]
        start = int(token or 0)
        size = self.page_size or len(found) or 1
        reply = {kind: copy.deepcopy(found[start:start + size])}
        if start + size < len(found):
            reply["NextToken"] = str(start + size)
        return reply

    def describe_vpcs(self, Filters, NextToken=None):
        return self._describe("DescribeVpcs", "Vpcs", Filters, NextToken)

    def describe_vpc_attribute(self, VpcId, Attribute):
        self.calls.append(("DescribeVpcAttribute", {"VpcId": VpcId, "Attribute": Attribute}))
        hostnames, support = self.dns[VpcId]
        value = hostnames if Attribute == "enableDnsHostnames" else support
        return {"VpcId": VpcId, Attribute[0].upper() + Attribute[1:]: {"Value": value}}

    def describe_subnets(self, Filters, NextToken=None):
        return self._describe("DescribeSubnets", "Subnets", Filters, NextToken)

    def describe_internet_gateways(self, Filters, NextToken=None):
        return self._describe("DescribeInternetGateways", "InternetGateways", Filters, NextToken)

    def describe_nat_gateways(self, Filter, NextToken=None):  # this operation names its filter list Filter
        return self._describe("DescribeNatGateways", "NatGateways", Filter, NextToken)

    def describe_route_tables(self, Filters, NextToken=None):
        return self._describe("DescribeRouteTables", "RouteTables", Filters, NextToken)

    def describe_security_groups(self, Filters, NextToken=None):
        return self._describe("DescribeSecurityGroups", "SecurityGroups", Filters, NextToken)

    def describe_addresses(self, Filters):
        return self._describe("DescribeAddresses", "Addresses", Filters)

    def describe_prefix_lists(self, Filters):
        return self._describe("DescribePrefixLists", "PrefixLists", Filters)


@pytest.fixture
def fake():
    """A deployment's VPC (vpc-1, lh-vpc, 10.0.0.0/16) beside someone else's (vpc-2), each with what a VPC holds."""
    ec2 = FakeEc2()
    add = ec2.resources
    add["Vpcs"] += [named("lh-vpc", VpcId="vpc-1", CidrBlock="10.0.0.0/16", State="available"),
                    named("other", VpcId="vpc-2", CidrBlock="10.1.0.0/16", State="available")]
    ec2.dns = {"vpc-1": (True, True), "vpc-2": (False, True)}
    add["Subnets"] += [
        named("lh-private-a", SubnetId="subnet-1", VpcId="vpc-1", CidrBlock="10.0.1.0/24",
              AvailabilityZone="eu-west-1a", MapPublicIpOnLaunch=False),
        named("lh-public-a", SubnetId="subnet-2", VpcId="vpc-1", CidrBlock="10.0.101.0/24",
              AvailabilityZone="eu-west-1a", MapPublicIpOnLaunch=True),
        named("other", SubnetId="subnet-3", VpcId="vpc-2", CidrBlock="10.1.1.0/24", AvailabilityZone="eu-west-1b",
              MapPublicIpOnLaunch=False)]
    add["InternetGateways"] += [
        {"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}], "Tags": []},
        {"InternetGatewayId": "igw-2", "Attachments": [{"State": "available", "VpcId": "vpc-2"}], "Tags": []}]
    add["NatGateways"] += [
        {"NatGatewayId": "nat-%d" % number, "VpcId": vpc, "State": state, "SubnetId": "subnet-2",
         "NatGatewayAddresses": [{"AllocationId": "eipalloc-1"}]}
        for number, (vpc, state) in enumerate([("vpc-1", "available"), ("vpc-1", "deleted"), ("vpc-1", "pending"),
                                               ("vpc-2", "available")], start=1)]
    add["RouteTables"] += [
        {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [{"DestinationCidrBlock": "0.0.0.0/0",
                                                               "GatewayId": "igw-1"}],
         "Associations": [{"SubnetId": "subnet-2", "Main": False}]},
        {"RouteTableId": "rtb-2", "VpcId": "vpc-2", "Routes": [], "Associations": []}]
    add["SecurityGroups"] += [
        {"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []},
        {"GroupId": "sg-2", "GroupName": "workers", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []},
        {"GroupId": "sg-3", "GroupName": "default", "VpcId": "vpc-2", "IpPermissions": [], "IpPermissionsEgress": []}]
    add["PrefixLists"] += [{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.eu-west-1.s3", "Cidrs": []},
                           {"PrefixListId": "pl-ddb", "PrefixListName": "com.amazonaws.eu-west-1.dynamodb"}]
    add["Addresses"] += [named("lh-nat-eip-a", AllocationId="eipalloc-1", PublicIp="203.0.113.10"),
                         named("other-eip", AllocationId="eipalloc-2", PublicIp="203.0.113.20")]
    return ec2


@pytest.fixture
def run(run_aws_module):
    """run(fake, check_mode=False, **params): ec2_vpc_estate_info run against fake EC2, its ModuleExit."""
    return run_aws_module.bind(ec2_vpc_estate_info.main, "ec2", region="eu-west-1")


def ids(resources, key):
    return [resource[key] for resource in resources]


@pytest.mark.parametrize("check_mode", [False, True])
def test_reads_the_vpc_and_what_it_holds_with_one_call_per_resource_type(run, fake, check_mode):
    outcome = run(fake, check_mode=check_mode, name="lh-vpc", cidr_block="10.0.0.0/16",
                  address_names=["lh-nat-eip-a"])
    assert not outcome.failed, outcome.result
    result = outcome.result
    assert result["changed"] is False and result["vpc_matches"] == 1
    assert result["vpc"] == {"vpc_id": "vpc-1", "cidr_block": "10.0.0.0/16", "state": "available",
                             "tags": {"Name": "lh-vpc"}, "enable_dns_hostnames": True, "enable_dns_support": True}
    assert result["subnets"][1] == {"subnet_id": "subnet-2", "vpc_id": "vpc-1", "cidr_block": "10.0.101.0/24",
                                    "availability_zone": "eu-west-1a", "map_public_ip_on_launch": True,
                                    "tags": {"Name": "lh-public-a"}}
    assert ids(result["subnets"], "subnet_id") == ["subnet-1", "subnet-2"]
    assert result["internet_gateways"] == [{"internet_gateway_id": "igw-1", "tags": {},
                                            "attachments": [{"state": "available", "vpc_id": "vpc-1"}]}]
    assert ids(result["nat_gateways"], "nat_gateway_id") == ["nat-1", "nat-3"]  # not the deleted one
    assert result["nat_gateways"][0]["nat_gateway_addresses"] == [{"allocation_id": "eipalloc-1"}]
    assert ids(result["route_tables"], "route_table_id") == ["rtb-1"]
    assert result["route_tables"][0]["routes"] == [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]
    assert result["route_tables"][0]["associations"] == [{"subnet_id": "subnet-2", "main": False}]
    assert ids(result["security_groups"], "group_id") == ["sg-1"]  # the default group only
    assert result["addresses"] == [{"allocation_id": "eipalloc-1", "public_ip": "203.0.113.10",
                                    "tags": {"Name": "lh-nat-eip-a"}}]
    # Two rounds: what does not depend on the VPC, then what is in it (each round's calls in no set order).
    assert sorted(fake.operations()[:2]) == ["DescribeAddresses", "DescribeVpcs"]
    assert sorted(fake.operations()[2:]) == ["DescribeInternetGateways", "DescribeNatGateways", "DescribeRouteTables",
                                             "DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcAttribute",
                                             "DescribeVpcAttribute"]
    assert fake.request("DescribeVpcs")["Filters"] == [{"Name": "tag:Name", "Values": ["lh-vpc"]},
                                                       {"Name": "cidr-block", "Values": ["10.0.0.0/16"]}]
    assert fake.request("DescribeNatGateways")["Filters"] == [{"Name": "vpc-id", "Values": ["vpc-1"]},
                                                              {"Name": "state", "Values": ["pending", "available"]}]


def test_named_security_groups_and_prefix_lists_in_one_call_each(run, fake):
    result = run(fake, name="lh-vpc", security_group_names=["default", "workers"],
                 prefix_list_names=["com.amazonaws.eu-west-1.s3"]).result
    assert ids(result["security_groups"], "group_id") == ["sg-1", "sg-2"]  # not vpc-2's default group
    assert result["prefix_lists"] == [{"prefix_list_id": "pl-s3", "prefix_list_name": "com.amazonaws.eu-west-1.s3"}]
    assert fake.operations().count("DescribeSecurityGroups") == 1
    assert fake.operations().count("DescribePrefixLists") == 1


def test_prefix_lists_are_read_without_a_vpc(run, fake):
    result = run(fake, name="nothing", prefix_list_names=["com.amazonaws.eu-west-1.s3"]).result
    assert result["vpc"] is None and ids(result["prefix_lists"], "prefix_list_id") == ["pl-s3"]
    assert sorted(fake.operations()) == ["DescribePrefixLists", "DescribeVpcs"]


def test_found_by_id(run, fake):
    result = run(fake, vpc_id="vpc-2").result
    assert result["vpc"]["vpc_id"] == "vpc-2" and result["vpc"]["enable_dns_hostnames"] is False
    assert ids(result["subnets"], "subnet_id") == ["subnet-3"]
    assert ids(result["security_groups"], "group_id") == ["sg-3"]
    assert result["addresses"] == []
    assert fake.calls[0] == ("DescribeVpcs", {"Filters": [{"Name": "vpc-id", "Values": ["vpc-2"]}], "NextToken": None})


def test_a_name_with_another_cidr_block_matches_nothing_and_reads_nothing_more(run, fake):
    result = run(fake, name="lh-vpc", cidr_block="10.9.0.0/16").result
    assert result["changed"] is False and result["vpc_matches"] == 0 and result["vpc"] is None
    assert all(result[key] == [] for key in ("subnets", "internet_gateways", "nat_gateways", "route_tables",
                                             "security_groups", "addresses", "prefix_lists"))
    assert fake.operations() == ["DescribeVpcs"]


def test_two_vpcs_of_one_name_are_counted_not_read(run, fake):
    fake.resources["Vpcs"].append(named("lh-vpc", VpcId="vpc-3", CidrBlock="10.0.0.0/16", State="available"))
    result = run(fake, name="lh-vpc", address_names=["lh-nat-eip-a"]).result
    assert result["vpc_matches"] == 2 and result["vpc"] is None and result["subnets"] == []
    assert ids(result["addresses"], "allocation_id") == ["eipalloc-1"]  # an Elastic IP belongs to no VPC
    assert sorted(fake.operations()) == ["DescribeAddresses", "DescribeVpcs"]


def test_every_page_is_read(run, fake):
    fake.page_size = 1
    result = run(fake, name="lh-vpc").result
    assert ids(result["subnets"], "subnet_id") == ["subnet-1", "subnet-2"]
    assert ids(result["nat_gateways"], "nat_gateway_id") == ["nat-1", "nat-3"]
    assert [call["NextToken"] for operation, call in fake.calls if operation == "DescribeSubnets"] == [None, "1"]


def test_a_read_error_fails_naming_the_vpc(run, fake):
    def refuse(**kwargs):
        raise botocore.exceptions.ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}},
                                              "DescribeSubnets")

    fake.describe_subnets = refuse
    outcome = run(fake, name="lh-vpc")
    assert outcome.failed and "Failed to read the VPC lh-vpc" in outcome.result["msg"]


def test_the_reads_in_the_vpc_are_in_flight_together(run, fake):
    # Each in-VPC read waits until all seven are in flight: a sequential read would break the barrier.
    barrier = threading.Barrier(7, timeout=10)

    def waiting(read):
        def wait_then_read(*args, **kwargs):
            barrier.wait()
            return read(*args, **kwargs)
        return wait_then_read
    for name in ("describe_vpc_attribute", "describe_subnets", "describe_internet_gateways", "describe_nat_gateways",
                 "describe_route_tables", "describe_security_groups"):
        setattr(fake, name, waiting(getattr(fake, name)))
    result = run(fake, name="lh-vpc").result
    assert not barrier.broken and result["vpc"]["enable_dns_support"] is True
    assert ids(result["subnets"], "subnet_id") == ["subnet-1", "subnet-2"]


def test_a_name_or_an_id_is_required(run, fake):
    outcome = run(fake, cidr_block="10.0.0.0/16")
    assert outcome.failed and "vpc_id, name" in outcome.result["msg"] and fake.calls == []
