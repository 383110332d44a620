"""The end-to-end harness works: ansible-playbook through inventories/local reaches moto."""

from tests.e2e.conftest import ok


def test_vpc_created_once_and_idempotent(sandbox):
    sandbox.clear_aws_requests()

    first = ok(sandbox.playbook("tests/e2e/playbooks/harness_vpc.yml"), "first run")
    assert first.changed() == 1

    vpcs = sandbox.aws_client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["harness-vpc"]}])["Vpcs"]
    assert [vpc["CidrBlock"] for vpc in vpcs] == ["10.99.0.0/16"]

    second = ok(sandbox.playbook("tests/e2e/playbooks/harness_vpc.yml"), "second run")
    assert second.changed() == 0

    actions = [request["action"] for request in sandbox.aws_requests()]
    assert actions.count("CreateVpc") == 1
    assert actions.count("DescribeVpcs") >= 2
