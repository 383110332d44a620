"""Skipping unchanged parts is safe: the AWS roles (network, iam, storage_encryption) run an amazon.aws writer only
for a part their estate read finds different, so a wrong drift filter would silently skip a repair.

- With skipping off (deployment_skip_unchanged=false) every writer runs: on a converged estate --check still reports
  changed=0, and so does a real run (s3_bucket and s3_lifecycle have no check mode), so no drift filter hides a
  difference the writers would make.
- With skipping on, drift made out of band in each part - a VPC attribute, a route, a security group rule, an
  endpoint, a bucket setting, a key policy, a role policy - is planned by --check (no AWS change), then repaired.
"""

import json
import pathlib
import re

import pytest

from tests.e2e.conftest import live_vpc_endpoints, ok

PREFIX = "e2e-skip"
REGION = "eu-west-1"
AWS_ROLES = "network,iam,storage_encryption"
EXTRA = {
    "deployment_prefix": PREFIX,
    "network_vpc_cidr": "10.44.0.0/16",
    "network_private_subnet_cidrs": ["10.44.1.0/24", "10.44.2.0/24", "10.44.3.0/24"],
    "network_public_subnet_cidrs": ["10.44.101.0/24"],
}
# One writer task of each part, as named in the roles; the bucket writers have no check mode.
VPC, ROUTE, SECURITY_GROUP, ENDPOINTS = ("VPC with DNS hostnames and support",
                                         "Private route tables - default route to the NAT gateway",
                                         "Default security group - no rule at all",
                                         "VPC endpoints - S3 gateway, STS and Kinesis Streams")
WORKSPACE_GROUP = "Workspace security group - TCP and UDP within the group"
ROLES, ROLE_POLICIES = "Ensure the IAM roles and their trust policies", "Ensure the inline policies"
KEYS = "Ensure the KMS keys, their aliases, rotation and key policies"
BUCKETS = "Ensure the buckets (encryption, public access block"
# Every role task file's text, read once: a name the tests look for must be a task's.
ROLE_TASKS_TEXT = "\n".join(path.read_text(encoding="utf-8") for path in sorted(
    (pathlib.Path(__file__).resolve().parents[2] / "roles").glob("*/tasks/*.yml")))
CHECK_MODE_WRITERS = (VPC, ROUTE, SECURITY_GROUP, WORKSPACE_GROUP, ROLES, ROLE_POLICIES, KEYS)
WRITERS = (*CHECK_MODE_WRITERS, BUCKETS)


def site(sandbox, *args, **extra_vars):
    """site.yml for the AWS roles only (the preflight play always runs) on this test's deployment."""
    return sandbox.playbook("site.yml", "--tags", AWS_ROLES, "-e", json.dumps(dict(EXTRA, **extra_vars)), *args)


def task_results(stdout, name):
    """The result lines of every task whose name contains name (a role prefix before it is allowed); none when no
    such task ran (a converged network skips the include of its writers). The name must be a task of the roles."""
    assert name in ROLE_TASKS_TEXT, f"no role task is named {name}"
    lines = []
    for block in re.finditer(r"^TASK \[[^\]]*%s[^\]]*\] \**\n(.*?)(?=^TASK |^PLAY |\Z)" % re.escape(name), stdout,
                             re.MULTILINE | re.DOTALL):
        lines += [line for line in block.group(1).splitlines() if re.match(r"^(ok|changed|skipping|failed):", line)]
    return lines


def ran(stdout, name):
    """Whether the task invoked its module for at least one item (not every result a skip)."""
    return any(not line.startswith("skipping:") for line in task_results(stdout, name))


def tagged(name):
    return [{"Name": "tag:Name", "Values": [f"{PREFIX}-{name}"]}]


@pytest.fixture(scope="module")
def converged(sandbox):
    first = ok(site(sandbox), "first converge")
    assert first.changed() > 0
    settled = ok(site(sandbox), "second converge")
    assert settled.changed() == 0, settled.stdout
    for writer in WRITERS:
        assert not ran(settled.stdout, writer), f"{writer}: runs on a no-op with skipping on"
    return sandbox


def test_with_skipping_off_every_writer_runs_and_a_converged_estate_plans_no_change(converged):
    sandbox = converged
    sandbox.clear_aws_requests()
    plan = ok(site(sandbox, "--check", deployment_skip_unchanged=False), "--check with skipping off")
    for writer in CHECK_MODE_WRITERS:
        assert ran(plan.stdout, writer), f"{writer}: skipped although skipping is off"
    assert plan.changed() == 0, plan.stdout
    assert sandbox.aws_mutating_requests() == []

    run = ok(site(sandbox, deployment_skip_unchanged=False), "run with skipping off")
    for writer in WRITERS:
        assert ran(run.stdout, writer), f"{writer}: skipped although skipping is off"
    assert run.changed() == 0, run.stdout


def test_drift_in_each_part_is_planned_and_repaired_with_skipping_on(converged):
    sandbox = converged
    ec2, s3, kms, iam = (sandbox.aws_client(service) for service in ("ec2", "s3", "kms", "iam"))
    (vpc,) = ec2.describe_vpcs(Filters=tagged("vpc"))["Vpcs"]
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]

    # Drift out of band, one change in each part.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    (private_table,) = ec2.describe_route_tables(Filters=tagged("private-rt"))["RouteTables"]
    ec2.delete_route(RouteTableId=private_table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0")
    (default_group,) = ec2.describe_security_groups(
        Filters=[*in_vpc, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    ec2.authorize_security_group_ingress(GroupId=default_group["GroupId"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    sts = [e for e in live_vpc_endpoints(ec2, in_vpc) if e["ServiceName"].endswith(".sts")]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[sts[0]["VpcEndpointId"]])
    s3.put_bucket_versioning(Bucket=f"{PREFIX}-trusted", VersioningConfiguration={"Status": "Suspended"})
    key_id = kms.describe_key(KeyId=f"alias/{PREFIX}-datalake")["KeyMetadata"]["KeyId"]
    key_policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    key_policy["Statement"] = [s for s in key_policy["Statement"] if s.get("Sid") == "EnableAccountRootPermissions"]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(key_policy))
    role = f"{PREFIX}-meta-role"
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    desired_meta_policy = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "InjectedDrift", "Effect": "Allow", "Action": "s3:*",
                                                "Resource": "*"}]}))

    # The plan finds every part and changes nothing.
    sandbox.clear_aws_requests()
    plan = ok(site(sandbox, "--check", "--diff"), "--check --diff")
    assert sandbox.aws_mutating_requests() == []
    for writer in (VPC, ROUTE, SECURITY_GROUP, ENDPOINTS, ROLE_POLICIES, KEYS):
        assert any(line.startswith("changed:") for line in task_results(plan.stdout, writer)), writer
    planned_buckets = [line for line in task_results(plan.stdout, "Report the bucket changes")
                       if line.startswith("changed:")]
    assert [f"{PREFIX}-trusted" in line for line in planned_buckets] == [True], planned_buckets
    assert "versioning" in plan.stdout.split("Report the bucket changes", 1)[1], "the plan names the setting"

    # The run repairs them, and the next run finds nothing to do.
    ok(site(sandbox), "repair run")
    attribute = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert attribute["EnableDnsHostnames"]["Value"] is True
    (private_table,) = ec2.describe_route_tables(Filters=tagged("private-rt"))["RouteTables"]
    assert any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("NatGatewayId")
               for r in private_table["Routes"]), private_table["Routes"]
    (default_group,) = ec2.describe_security_groups(GroupIds=[default_group["GroupId"]])["SecurityGroups"]
    assert not any(p.get("FromPort") == 22 for p in default_group["IpPermissions"]), default_group["IpPermissions"]
    assert [e for e in live_vpc_endpoints(ec2, in_vpc) if e["ServiceName"].endswith(".sts")]
    assert s3.get_bucket_versioning(Bucket=f"{PREFIX}-trusted")["Status"] == "Enabled"
    repaired_key_policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert len(repaired_key_policy["Statement"]) > 1
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    assert "InjectedDrift" not in json.dumps(document) and document == desired_meta_policy, document

    settled = ok(site(sandbox), "settled run")
    assert settled.changed() == 0, settled.stdout
