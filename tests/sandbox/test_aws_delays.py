"""The moto wrapper's delays (sandbox/aws_server.py): a NAT gateway is pending, then available, as on AWS."""

import time
import urllib.error

import boto3
import pytest

from sandbox import EMULATOR_USER_AGENT, aws_server
from tests.sandbox.moto_wrapper import admin, serving

PENDING_SECONDS = 0.6


@pytest.fixture(scope="module")
def aws():
    aws_server.patch_nat_gateway_pending()
    aws_server.patch_routes_to_pending_nat_gateways()
    with serving() as url:
        yield url


@pytest.fixture(autouse=True)
def clean(aws):
    saved = dict(aws_server.CONFIG)
    admin(aws, "DELETE", "faults")
    admin(aws, "DELETE", "requests")
    yield
    aws_server.CONFIG.update(saved)


def ec2_client(url, user_agent_extra=None):
    import botocore.config

    config = botocore.config.Config(user_agent_extra=user_agent_extra) if user_agent_extra else None
    return boto3.client("ec2", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


def public_subnet(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return subnet, allocation


def states(ec2, nat_id):
    return [nat["State"] for nat in ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]]


def test_nat_gateway_is_pending_then_available(aws):
    assert admin(aws, "POST", "config", {"nat_gateway_pending_seconds": PENDING_SECONDS}) == {
        "nat_gateway_pending_seconds": PENDING_SECONDS}
    ec2 = ec2_client(aws)
    subnet, allocation = public_subnet(ec2)
    created = time.monotonic()
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]
    assert nat["State"] == "pending"  # as CreateNatGateway answers on AWS (amazon.aws waits on this)
    assert states(ec2, nat["NatGatewayId"]) == ["pending"]
    pending_filter = [{"Name": "state", "Values": ["pending"]}]
    assert [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=pending_filter)["NatGateways"]] == [
        nat["NatGatewayId"]]
    while states(ec2, nat["NatGatewayId"]) == ["pending"]:
        assert time.monotonic() - created < PENDING_SECONDS + 5, "never became available"
        time.sleep(0.1)
    assert time.monotonic() - created >= PENDING_SECONDS
    assert states(ec2, nat["NatGatewayId"]) == ["available"]
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    assert states(ec2, nat["NatGatewayId"]) == ["deleted"]



def test_no_route_goes_through_a_pending_nat_gateway(aws):
    """CreateRoute and ReplaceRoute naming a pending NAT gateway fail as on AWS; once it is available both work."""
    from botocore.exceptions import ClientError

    admin(aws, "POST", "config", {"nat_gateway_pending_seconds": PENDING_SECONDS})
    ec2 = ec2_client(aws)
    subnet, allocation = public_subnet(ec2)
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    with pytest.raises(ClientError) as refused:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert refused.value.response["Error"]["Code"] == "InvalidNatGatewayID.NotFound"
    assert nat in refused.value.response["Error"]["Message"]
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r.get("NatGatewayId") for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == []

    # A route that exists already may not be pointed at a pending gateway either.
    other_allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    admin(aws, "POST", "config", {"nat_gateway_pending_seconds": 0})
    ready = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=other_allocation)["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=ready)
    with pytest.raises(ClientError) as replaced:
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert replaced.value.response["Error"]["Code"] == "InvalidNatGatewayID.NotFound"

    while states(ec2, nat) == ["pending"]:
        time.sleep(0.1)
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r.get("NatGatewayId") for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == [nat]

def test_pending_delay_is_taken_at_creation_and_zero_turns_it_off(aws):
    ec2 = ec2_client(aws)
    subnet, allocation = public_subnet(ec2)
    admin(aws, "POST", "config", {"nat_gateway_pending_seconds": 30})
    slow = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    admin(aws, "POST", "config", {"nat_gateway_pending_seconds": 0})
    other = ec2.allocate_address(Domain="vpc")["AllocationId"]
    fast = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=other)["NatGateway"]
    assert fast["State"] == "available"
    assert states(ec2, slow) == ["pending"]  # a later change of the setting does not shorten it
    assert admin(aws, "GET", "config") == {"nat_gateway_pending_seconds": 0}


@pytest.mark.parametrize("body", [{"nat_gateway_pending_seconds": -1}, {"cluster_start_seconds": 1},
                                  {"nat_gateway_pending_seconds": "soon"}])
def test_bad_config_is_refused(aws, body):
    before = admin(aws, "GET", "config")
    with pytest.raises(urllib.error.HTTPError) as raised:
        admin(aws, "POST", "config", body)
    assert raised.value.code == 400
    assert admin(aws, "GET", "config") == before


def test_latency_on_every_call_but_the_emulators(aws):
    """What `make bench`'s latency scenarios arm: every deployment call is slowed, the emulator's reads are not."""
    admin(aws, "POST", "faults", {"service": ".*", "latency": 0.3, "count": 1000,
                                  "user_agent": f"^(?!.*{EMULATOR_USER_AGENT})"})
    started = time.monotonic()
    ec2_client(aws).describe_vpcs()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    ec2_client(aws, user_agent_extra=EMULATOR_USER_AGENT).describe_vpcs()
    assert time.monotonic() - started < 0.3
    log = admin(aws, "GET", "requests")
    assert [(entry.get("fault"), entry["by_emulator"]) for entry in log] == [("latency", False), (None, True)]
