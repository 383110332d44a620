"""The network role end to end on the sandbox: converge, idempotence, drift, check mode, preflight.

Each test works on its own deployment_prefix and VPC CIDR, so they share the session sandbox safely.
"""

import json
import re

import pytest

from tests.e2e.conftest import aws_actions, failures_by_host, live_vpc_endpoints, ok

PLAYBOOK = "tests/e2e/playbooks/network.yml"
REGION = "eu-west-1"
ZONES = [REGION + "a", REGION + "b", REGION + "c"]
NOOP_EC2_CALLS = 12  # the estate read (9, and the S3 prefix list), the endpoints (1), the flow log (1)
DOCUMENTED_PORTS = {443, 2443, 3306, 6666} | set(range(8443, 8452))


def network_vars(prefix, second_octet):
    """Extra vars for one deployment: its prefix and a VPC of its own (10.<second_octet>.0.0/16)."""
    base = "10.%d" % second_octet
    return ["-e", json.dumps({
        "deployment_prefix": prefix,
        "network_vpc_cidr": base + ".0.0/16",
        "network_private_subnet_cidrs": [base + ".1.0/24", base + ".2.0/24", base + ".3.0/24"],
        "network_public_subnet_cidrs": [base + ".101.0/24"],
    })]


def tagged(prefix, name):
    return [{"Name": "tag:Name", "Values": ["%s-%s" % (prefix, name)]}]


def endpoints_by_service(ec2, vpc_id):
    """The live VPC endpoints of the VPC, by service (s3, sts, kinesis-streams)."""
    endpoints = live_vpc_endpoints(ec2, [{"Name": "vpc-id", "Values": [vpc_id]}])
    return {e["ServiceName"].rsplit(".", 1)[-1]: e for e in endpoints}


def assert_network_is_complete(ec2, prefix):
    (vpc,) = ec2.describe_vpcs(Filters=tagged(prefix, "vpc"))["Vpcs"]
    vpc_id = vpc["VpcId"]
    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        reply = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
        assert reply[attribute[0].upper() + attribute[1:]]["Value"] is True, attribute

    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    private = [s for s in subnets if any(t == {"Key": "Tier", "Value": "private"} for t in s.get("Tags", []))]
    assert sorted(s["AvailabilityZone"] for s in private) == ZONES
    assert len(subnets) == 4

    (igw,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
    nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] in ("pending", "available")]
    assert len(nats) == 1
    eips = ec2.describe_addresses(Filters=tagged(prefix, "nat-eip-" + ZONES[0]))["Addresses"]
    assert len(eips) == 1, "one Elastic IP, none leaked"
    assert nats[0]["NatGatewayAddresses"][0]["AllocationId"] == eips[0]["AllocationId"]

    (private_rt,) = ec2.describe_route_tables(Filters=tagged(prefix, "private-rt"))["RouteTables"]
    (public_rt,) = ec2.describe_route_tables(Filters=tagged(prefix, "public-rt"))["RouteTables"]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nats[0]["NatGatewayId"]}.items() <= {
        k: v for r in private_rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0" for k, v in r.items()
    }.items()
    assert any(r.get("GatewayId") == igw["InternetGatewayId"] for r in public_rt["Routes"])
    assert {a["SubnetId"] for a in private_rt["Associations"] if a.get("SubnetId")} == {s["SubnetId"] for s in private}

    (default_sg,) = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]
    assert default_sg["IpPermissions"] == [] and default_sg["IpPermissionsEgress"] == [], default_sg
    workspace_sg = assert_workspace_group(ec2, vpc_id, prefix, "0.0.0.0/0")

    endpoints = endpoints_by_service(ec2, vpc_id)
    assert set(endpoints) == {"s3", "sts", "kinesis-streams"}
    assert endpoints["s3"]["VpcEndpointType"] == "Gateway"
    assert sorted(endpoints["s3"]["RouteTableIds"]) == sorted([private_rt["RouteTableId"], public_rt["RouteTableId"]])
    for name in ("sts", "kinesis-streams"):
        assert endpoints[name]["VpcEndpointType"] == "Interface"
        assert endpoints[name]["PrivateDnsEnabled"] is True
        assert sorted(endpoints[name]["SubnetIds"]) == sorted(s["SubnetId"] for s in private)
        assert [g["GroupId"] for g in endpoints[name]["Groups"]] == [workspace_sg["GroupId"]]
        assert {"Key": "Name", "Value": "%s-%s-endpoint" % (prefix, name)} in endpoints[name]["Tags"]

    (flow_log,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert flow_log["LogDestinationType"] == "s3"
    assert flow_log["LogDestination"] == "arn:aws:s3:::%s-s3-logging" % prefix
    assert flow_log["MaxAggregationInterval"] == 60
    assert flow_log["TrafficType"] == "ALL"
    for field in ("${subnet-id}", "${instance-id}", "${interface-id}", "${protocol}", "${pkt-srcaddr}",
                  "${pkt-dstaddr}", "${tcp-flags}"):
        assert field in flow_log["LogFormat"]
    tags = {t["Key"]: t["Value"] for t in vpc["Tags"]}
    assert tags["Name"] == prefix + "-vpc" and tags["Project"] == "lakehouse"  # deployment_tags reach the VPC
    return vpc_id


def rule_ports(rule):
    return set(range(rule["FromPort"], rule["ToPort"] + 1))


def assert_workspace_group(ec2, vpc_id, prefix, egress_cidr):
    """The workspace's own group: TCP and UDP within itself, TCP out only on Databricks' ports, HTTPS to S3."""
    (group,) = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [prefix + "-workspace-sg"]}])[
        "SecurityGroups"]
    own = group["GroupId"]
    itself = sorted((r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in group["IpPermissions"]
                    if [p["GroupId"] for p in r.get("UserIdGroupPairs", [])] == [own])
    assert itself == [("tcp", 0, 65535), ("udp", 0, 65535)] and len(group["IpPermissions"]) == 2, group
    egress = group["IpPermissionsEgress"]
    assert sorted((r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in egress
                  if [p["GroupId"] for p in r.get("UserIdGroupPairs", [])] == [own]) == itself
    (s3_list,) = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [
        "com.amazonaws.%s.s3" % REGION]}])["PrefixLists"]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in egress
            if [p["PrefixListId"] for p in r.get("PrefixListIds", [])] == [s3_list["PrefixListId"]]] == [
        ("tcp", 443, 443)]
    by_cidr = [r for r in egress if r.get("IpRanges")]
    assert all(r["IpProtocol"] == "tcp" and [x["CidrIp"] for x in r["IpRanges"]] == [egress_cidr]
               for r in by_cidr), by_cidr
    assert set().union(*(rule_ports(r) for r in by_cidr)) == DOCUMENTED_PORTS
    assert not any(r["IpProtocol"] == "-1" for r in egress), egress
    return group


def assert_literal_endpoint_policies(ec2, vpc_id, prefix):
    """Every endpoint policy names accounts and buckets literally (no policy variable)."""
    account = sandbox_account(ec2)
    for name, endpoint in endpoints_by_service(ec2, vpc_id).items():
        policy = json.loads(endpoint["PolicyDocument"])
        assert "${" not in endpoint["PolicyDocument"], (name, policy)
        sids = [s["Sid"] for s in policy["Statement"]]
        assert {"s3": "DeploymentBuckets", "sts": "ThisAccountSessions",
                "kinesis-streams": "DatabricksLogStreams"}[name] in sids, (name, sids)
    s3 = json.loads(endpoints_by_service(ec2, vpc_id)["s3"]["PolicyDocument"])
    ours = next(s for s in s3["Statement"] if s["Sid"] == "DeploymentBuckets")
    assert "arn:aws:s3:::%s-raw/*" % prefix in ours["Resource"]
    assert ours["Condition"]["StringEquals"]["aws:PrincipalAccount"] == [account]


def sandbox_account(ec2):
    return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"][0]["OwnerId"]


def test_network_converges_is_idempotent_and_repairs_drift(sandbox):
    prefix = "e2e-net"
    extra = network_vars(prefix, 30)
    first = ok(sandbox.playbook(PLAYBOOK, *extra), "first run")
    assert first.changed() > 0

    ec2 = sandbox.aws_client("ec2")
    vpc_id = assert_network_is_complete(ec2, prefix)
    assert_literal_endpoint_policies(ec2, vpc_id, prefix)

    sandbox.clear_aws_requests()
    second = ok(sandbox.playbook(PLAYBOOK, *extra), "second run")
    assert second.changed() == 0, second.stdout
    # Read once, act on nothing: no amazon.aws network module runs (the task files of the writers are not even
    # included), and EC2 sees the estate read (9 calls) plus the endpoint and flow log modules' own reads.
    writers_included = r"^included: \S*/roles/network/tasks/(gateways|routing)\.yml for "
    assert len(re.findall(writers_included, first.stdout, re.MULTILINE)) == 2, first.stdout
    assert not re.search(writers_included, second.stdout, re.MULTILINE), second.stdout
    for task in ("VPC with DNS", "Subnets -", "Internet gateway", "NAT gateways", "route table", "security group"):
        assert not re.search(r"TASK \[[^\]]*%s[^\]]*\][^\n]*\n(ok|changed)" % task, second.stdout), task
    ec2_calls = sorted(aws_actions(sandbox, "ec2"))
    assert len(ec2_calls) <= NOOP_EC2_CALLS, " ".join(ec2_calls)

    # Drift out of band: DNS hostnames turned off, and what sleep (issue 7) deletes - the endpoints,
    # the NAT gateway and its Elastic IP.
    old_sts = endpoints_by_service(ec2, vpc_id)["sts"]["VpcEndpointId"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"] for e in endpoints_by_service(ec2, vpc_id).values()])
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    # ... and the security groups opened: the default group to everything, the workspace group to the internet
    (default_sg,) = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    ec2.authorize_security_group_egress(GroupId=default_sg["GroupId"], IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    workspace_sg = assert_workspace_group(ec2, vpc_id, prefix, "0.0.0.0/0")
    ec2.authorize_security_group_egress(GroupId=workspace_sg["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    for nat in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]:
        if nat["State"] == "available":
            ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    for address in ec2.describe_addresses(Filters=tagged(prefix, "nat-eip-" + ZONES[0]))["Addresses"]:
        ec2.release_address(AllocationId=address["AllocationId"])

    repaired = ok(sandbox.playbook(PLAYBOOK, *extra), "repaired run")
    # VPC attribute, EIP, NAT, private route, endpoints, both security groups
    assert repaired.changed() >= 7, repaired.stdout
    assert endpoints_by_service(ec2, vpc_id)["sts"]["VpcEndpointId"] != old_sts
    assert_network_is_complete(ec2, prefix)

    settled = ok(sandbox.playbook(PLAYBOOK, *extra), "settled run")
    assert settled.changed() == 0, settled.stdout


NAT_PENDING_SECONDS = 12


def egress_left(run):
    """What the test playbook reported between main and the egress: the pending NAT gateways, the default routes."""
    left = re.search(r"EGRESS-LEFT pending=(\S*) default_routes=(\d+)", run.stdout)
    assert left, run.stdout[-3000:]
    return [gateway for gateway in left.group(1).split(",") if gateway], int(left.group(2))


@pytest.fixture
def slow_nat_gateways(sandbox):
    """New NAT gateways stay pending for NAT_PENDING_SECONDS (the sandbox refuses routes through them until then)."""
    before = sandbox.moto("/__sandbox/config")["nat_gateway_pending_seconds"]
    sandbox.moto("/__sandbox/config", "POST", {"nat_gateway_pending_seconds": NAT_PENDING_SECONDS})
    yield
    sandbox.moto("/__sandbox/config", "POST", {"nat_gateway_pending_seconds": before})


def test_the_deferred_egress_waits_for_the_new_nat_gateway_then_routes_through_it(sandbox, slow_nat_gateways):
    prefix = "e2e-net-egress"
    extra = network_vars(prefix, 34)
    run = ok(sandbox.playbook("tests/e2e/playbooks/network_egress_deferred.yml", *extra), "deferred egress")
    # main did not wait: the gateway was still pending at its end, so the private route table had no default route
    pending, default_routes = egress_left(run)
    assert len(pending) == 1 and default_routes == 0, (pending, default_routes)
    # the egress routed through it once available: the sandbox refuses a route through a pending gateway
    ec2 = sandbox.aws_client("ec2")
    (nat,) = ec2.describe_nat_gateways(NatGatewayIds=pending)["NatGateways"]
    assert nat["State"] == "available"
    (private_rt,) = ec2.describe_route_tables(Filters=tagged(prefix, "private-rt"))["RouteTables"]
    assert [route.get("NatGatewayId") for route in private_rt["Routes"]
            if route.get("DestinationCidrBlock") == "0.0.0.0/0"] == [nat["NatGatewayId"]]

    again = ok(sandbox.playbook("tests/e2e/playbooks/network_egress_deferred.yml", *extra), "again")
    assert again.changed() == 0, again.stdout
    assert egress_left(again) == ([], 1)


def test_check_mode_on_an_empty_sandbox_plans_without_mutating(sandbox):
    prefix = "e2e-net-check"
    sandbox.clear_aws_requests()
    run = ok(sandbox.playbook(PLAYBOOK, "--check", "--diff", *network_vars(prefix, 31)), "--check --diff")
    # The plan covers the VPC, subnets, IGW, EIP, NAT, both route tables, the security group, the
    # endpoints and the flow log (the stand-in bucket's module has no check mode).
    assert run.changed() >= 10, run.stdout
    assert sandbox.aws_mutating_requests() == []
    assert sandbox.aws_client("ec2").describe_vpcs(Filters=tagged(prefix, "vpc"))["Vpcs"] == []


def test_isolated_network_has_no_way_to_the_internet(sandbox, tmp_path):
    prefix = "e2e-net-iso"
    extra = network_vars(prefix, 33)
    extra[1] = json.dumps(dict(json.loads(extra[1]), network_isolated=True, network_privatelink_enabled=True))
    first = ok(sandbox.playbook(PLAYBOOK, *extra), "isolated run")
    assert first.changed() > 0
    ec2 = sandbox.aws_client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=tagged(prefix, "vpc"))["Vpcs"]
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"] == []
    assert ec2.describe_internet_gateways(Filters=tagged(prefix, "igw"))["InternetGateways"] == []
    assert [n for n in ec2.describe_nat_gateways(Filters=in_vpc)["NatGateways"] if n["State"] != "deleted"] == []
    assert ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [prefix + "-*"]}])["Addresses"] == []
    subnets = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.33.1.0/24", "10.33.2.0/24", "10.33.3.0/24"]
    for table in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]:
        assert not [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"], table
    group = assert_workspace_group(ec2, vpc_id, prefix, "10.33.0.0/16")
    endpoints = live_vpc_endpoints(ec2, in_vpc)
    assert len(endpoints) == 5, [e["ServiceName"] for e in endpoints]  # S3, STS, Kinesis, workspace, relay
    (privatelink_group,) = ec2.describe_security_groups(Filters=[*in_vpc, {
        "Name": "group-name", "Values": [prefix + "-privatelink"]}])["SecurityGroups"]
    assert_privatelink_group(privatelink_group, group["GroupId"])
    again = ok(sandbox.playbook(PLAYBOOK, *extra), "isolated run again")
    assert again.changed() == 0, again.stdout

    # destroy: the endpoints, the PrivateLink group, then the workspace group (which the PrivateLink group's rules
    # name and the interface endpoints sit in), then the VPC
    destroy = tmp_path / "destroy_network.yml"
    destroy.write_text(DESTROY_PLAYBOOK)
    ok(sandbox.playbook(str(destroy), *extra), "network destroy")
    assert ec2.describe_vpcs(Filters=tagged(prefix, "vpc"))["Vpcs"] == []
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [
        prefix + "-workspace-sg", prefix + "-privatelink"]}])["SecurityGroups"] == []
    assert ok(sandbox.playbook(str(destroy), *extra), "network destroy again").changed() == 0


DESTROY_PLAYBOOK = """---
- name: Destroy the network alone
  hosts: databricks_deployments
  gather_facts: false
  environment: "{{ deployment_environment }}"
  tasks:
    - name: Network destroy
      ansible.builtin.include_role:
        name: lakehouse.databricks_aws.network
        tasks_from: destroy
"""


def assert_privatelink_group(group, workspace_group_id):
    """Databricks' PrivateLink ports (443, 2443, 6666, 8443-8451), from and to the workspace group only."""
    wanted = {443, 2443, 6666} | set(range(8443, 8452))
    for rules in (group["IpPermissions"], group["IpPermissionsEgress"]):
        assert all(r["IpProtocol"] == "tcp" and not r.get("IpRanges") and not r.get("PrefixListIds")
                   and [p["GroupId"] for p in r["UserIdGroupPairs"]] == [workspace_group_id] for r in rules), rules
        assert set().union(*(rule_ports(r) for r in rules)) == wanted


BAD_INPUTS = {
    "bad_cidr": ({"network_vpc_cidr": "10.0.0.0/33"},
                 "network_vpc_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR block"),
    "subnet_outside_vpc": ({"network_private_subnet_cidrs": ["10.1.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]},
                           "network_private_subnet_cidrs[0]: 10.1.1.0/24 is not inside the VPC CIDR 10.0.0.0/16"),
    "overlapping_subnets": ({"network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.1.128/25", "10.0.3.0/24"]},
                            "network_private_subnet_cidrs[0]: 10.0.1.0/24 overlaps 10.0.1.128/25"),
    "mask_28": ({"network_private_subnet_cidrs": ["10.0.1.0/28", "10.0.2.0/24", "10.0.3.0/24"]},
                "network_private_subnet_cidrs[0]: 10.0.1.0/28 has a /28 mask; Databricks subnets need a mask "
                "between /17 and /26"),
    "one_az": ({"network_availability_zones": ["eu-west-1a", "eu-west-1a", "eu-west-1a"]},
               "spread over 1 distinct availability zone(s) (eu-west-1a, eu-west-1a, eu-west-1a); Databricks needs "
               "at least 2"),
    "az_of_other_region": ({"network_availability_zones": ["us-east-1a", "eu-west-1b", "eu-west-1c"]},
                           "network_availability_zones: 'us-east-1a' is not an availability zone of region eu-west-1"),
    "bad_tag_key": ({"network_tags": {"aws:owner": "me"}},
                    "network_tags: tag key 'aws:owner' uses the reserved prefix 'aws:'"),
    "bad_region": ({"aws_region": "europe-1"},
                   "aws_region: 'europe-1' is not an AWS region name"),
    "public_overlaps_private": ({"network_public_subnet_cidrs": ["10.0.1.0/24"]},
                                "network_private_subnet_cidrs[0]: 10.0.1.0/24 overlaps 10.0.1.0/24 "
                                "(network_public_subnet_cidrs[0])"),
    "per_az_without_public_subnets": ({"network_nat_gateway_mode": "per_az"},
                                      "network_nat_gateway_mode per_az puts a NAT gateway in the zone of each "
                                      "private subnet, so it needs 3 public subnets"),
    "isolated_without_privatelink": ({"network_isolated": True},
                                     "network_isolated: true needs network_privatelink_enabled: true (an isolated "
                                     "network has no route to the internet"),
    "too_long_tag_value": ({"deployment_tags": {"Owner": "x" * 300}},
                           "deployment_tags: value of tag 'Owner' must be a scalar of at most 256 characters"),
}


@pytest.fixture(scope="module")
def bad_input_run(sandbox, tmp_path_factory):
    """One ansible-playbook run, one inventory host per bad input (forks run them in parallel)."""
    hosts = {name: dict(variables, deployment_prefix="bad-" + name.replace("_", "-"))
             for name, (variables, _) in BAD_INPUTS.items()}
    inventory = tmp_path_factory.mktemp("bad_inputs") / "hosts.json"
    inventory.write_text(json.dumps({"databricks_deployments": {"hosts": hosts}}))
    sandbox.clear_aws_requests()
    run = sandbox.playbook(PLAYBOOK, "-i", str(inventory), "--limit", ",".join(hosts),
                           env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    mutating = sandbox.aws_mutating_requests()
    report = json.loads(run.stdout)
    return report, failures_by_host(report), mutating


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_in_preflight_before_any_change(bad_input_run, case):
    report, failures, mutating = bad_input_run
    assert mutating == []
    assert report["stats"][case]["failures"] == 1 and report["stats"][case]["changed"] == 0
    task, message = failures[case]
    assert task.endswith(": Preflight - network inputs (CIDRs, subnet masks and overlaps, zones, NAT mode, tags)"), task
    assert BAD_INPUTS[case][1] in message, message
