"""The end-to-end harness works: ansible-playbook through inventories/local reaches moto."""


def test_vpc_created_once_and_idempotent(sandbox):
    sandbox.clear_aws_requests()

    first = sandbox.playbook("tests/e2e/playbooks/harness_vpc.yml")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.changed() == 1

    vpcs = sandbox.aws_client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["harness-vpc"]}])["Vpcs"]
    assert [vpc["CidrBlock"] for vpc in vpcs] == ["10.99.0.0/16"]

    second = sandbox.playbook("tests/e2e/playbooks/harness_vpc.yml")
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.changed() == 0

    actions = [request["action"] for request in sandbox.aws_requests()]
    assert actions.count("CreateVpc") == 1
    assert actions.count("DescribeVpcs") >= 2
