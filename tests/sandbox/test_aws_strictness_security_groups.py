"""The sandbox's moto refuses, as AWS does, to delete a security group something still depends on
(sandbox/aws_strictness.py patch_security_group_dependencies; Amazon EC2 API reference, DeleteSecurityGroup): a rule
of another group naming it, a live VPC endpoint in it. Once the dependency is gone, the deletion passes."""

import pytest
from botocore.exceptions import ClientError

from tests.sandbox_harness import Sandbox

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    sandbox = Sandbox(tmp_path_factory.mktemp("strict_groups"), services="aws").up()
    try:
        yield sandbox
    finally:
        sandbox.down()


def refused_with_dependency(ec2, group_id):
    with pytest.raises(ClientError) as caught:
        ec2.delete_security_group(GroupId=group_id)
    error = caught.value.response["Error"]
    assert error["Code"] == "DependencyViolation", error
    assert error["Message"] == f"resource {group_id} has a dependent object", error


def test_a_group_another_group_names_or_an_endpoint_uses_cannot_be_deleted(box):
    ec2 = box.aws_client("ec2", REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.78.1.0/24", AvailabilityZone=REGION + "a")[
        "Subnet"]["SubnetId"]
    workspace = ec2.create_security_group(GroupName="ws", Description="workspace", VpcId=vpc_id)["GroupId"]
    privatelink = ec2.create_security_group(GroupName="pl", Description="privatelink", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=privatelink, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": workspace}]}])
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{REGION}.sts",
                                       VpcEndpointType="Interface", SubnetIds=[subnet_id],
                                       SecurityGroupIds=[privatelink])["VpcEndpoint"]["VpcEndpointId"]

    refused_with_dependency(ec2, workspace)  # the PrivateLink group's rule names it
    refused_with_dependency(ec2, privatelink)  # the endpoint sits in it

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    ec2.delete_security_group(GroupId=privatelink)
    ec2.delete_security_group(GroupId=workspace)
    assert ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {
        "Name": "group-name", "Values": ["ws", "pl"]}])["SecurityGroups"] == []
