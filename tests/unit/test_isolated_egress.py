"""The emulator's egress check for cluster starts (sandbox/databricks_emulator/aws/validation.py egress_problem) on an
isolated network: no NAT route, yet a cluster starts when the relay is reached through PrivateLink and S3, STS and
Kinesis through VPC endpoints; take any of them away and it does not. moto runs in process."""

import boto3
import pytest
from moto import mock_aws

from sandbox.databricks_emulator.aws.validation import egress_problem
from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES

REGION = "eu-west-1"


class View:
    """The part of AwsView egress_problem uses: a boto3 client per service."""

    def client(self, service, region=None):
        return boto3.client(service, region_name=region or REGION)


@pytest.fixture
def isolated():
    """A VPC with two private subnets on a route table without default route, and the endpoints an isolated
    network has: the relay (PrivateLink), S3 (gateway, on the route table), STS and Kinesis Streams."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{n}.0/24", AvailabilityZone=REGION + zone)[
            "Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        for subnet in subnets:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        endpoints = {
            "relay": ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", SubnetIds=subnets,
                                             ServiceName=PRIVATELINK_SERVICES[REGION]["relay"]),
            "s3": ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", RouteTableIds=[table],
                                          ServiceName=f"com.amazonaws.{REGION}.s3"),
            "sts": ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", SubnetIds=subnets,
                                           ServiceName=f"com.amazonaws.{REGION}.sts"),
            "kinesis": ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", SubnetIds=subnets,
                                               ServiceName=f"com.amazonaws.{REGION}.kinesis-streams"),
        }
        yield ec2, subnets, {name: reply["VpcEndpoint"]["VpcEndpointId"] for name, reply in endpoints.items()}


def test_an_isolated_network_with_every_endpoint_lets_clusters_start(isolated):
    _ec2, subnets, _endpoints = isolated
    assert egress_problem(View(), REGION, subnets) is None


@pytest.mark.parametrize("missing, reason", [
    ("relay", "no available PrivateLink endpoint to the secure cluster connectivity relay"),
    ("s3", "no S3 gateway endpoint on its route table"),
    ("sts", "no sts interface endpoint"),
    ("kinesis", "no kinesis-streams interface endpoint"),
])
def test_without_one_of_them_a_cluster_has_no_egress(isolated, missing, reason):
    ec2, subnets, endpoints = isolated
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoints[missing]])
    problem = egress_problem(View(), REGION, subnets)
    assert problem and "no route to 0.0.0.0/0 through a NAT gateway (no egress)" in problem and reason in problem


def test_the_s3_gateway_must_be_on_the_subnet_s_route_table(isolated):
    ec2, subnets, endpoints = isolated
    table = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoints["s3"]])["VpcEndpoints"][0]["RouteTableIds"][0]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoints["s3"], RemoveRouteTableIds=[table])
    assert "no S3 gateway endpoint on its route table" in egress_problem(View(), REGION, subnets)
