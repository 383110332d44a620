"""The moto wrapper's fault injection (sandbox/aws_server.py): AWS-shaped errors botocore classifies as AWS's."""

import time
import urllib.error

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from tests.sandbox.moto_wrapper import admin, serving


@pytest.fixture(scope="module")
def aws():
    with serving() as url:
        yield url


@pytest.fixture(autouse=True)
def clean(aws):
    admin(aws, "DELETE", "faults")
    admin(aws, "DELETE", "requests")


def client(url, service, mode="legacy", attempts=1):
    config = botocore.config.Config(retries={"mode": mode, "total_max_attempts": attempts})
    return boto3.client(service, endpoint_url=url, region_name="eu-west-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


@pytest.mark.parametrize("service, status, call, code", [
    ("ec2", 429, lambda c: c.describe_vpcs(), "RequestLimitExceeded"),
    ("ec2", 503, lambda c: c.describe_subnets(), "Unavailable"),
    ("iam", 429, lambda c: c.list_roles(), "Throttling"),
    ("iam", 503, lambda c: c.list_roles(), "ServiceUnavailable"),
    ("kms", 429, lambda c: c.list_keys(), "ThrottlingException"),
    ("secretsmanager", 429, lambda c: c.list_secrets(), "ThrottlingException"),
    ("secretsmanager", 503, lambda c: c.list_secrets(), "ServiceUnavailableException"),
    ("s3", 503, lambda c: c.list_buckets(), "SlowDown"),
    ("s3", 500, lambda c: c.list_buckets(), "InternalError"),
])
def test_faulted_call_is_an_aws_error_botocore_parses(aws, service, status, call, code):
    armed = admin(aws, "POST", "faults", {"service": service, "status": status, "count": 1, "retry_after": 2})
    assert armed["count"] == 1 and armed["status"] == status
    with pytest.raises(ClientError) as raised:
        call(client(aws, service))
    error = raised.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "2"
    call(client(aws, service))  # the fault was used up
    log = admin(aws, "GET", "requests")
    assert [entry.get("fault") for entry in log] == [status, None]
    assert admin(aws, "GET", "faults") == []


@pytest.mark.parametrize("mode", ["legacy", "standard"])
@pytest.mark.parametrize("service, action, status, call", [
    ("ec2", "DescribeVpcs", 429, lambda c: c.describe_vpcs()),
    ("iam", "ListRoles", 503, lambda c: c.list_roles()),
    ("kms", "ListKeys", 429, lambda c: c.list_keys()),
    ("s3", "GET", 503, lambda c: c.list_buckets()),
])
def test_botocore_retries_the_faults_as_aws_errors(aws, mode, service, action, status, call):
    admin(aws, "POST", "faults", {"service": service, "action": action, "status": status, "count": 2})
    reply = call(client(aws, service, mode=mode, attempts=4))
    assert reply["ResponseMetadata"]["RetryAttempts"] == 2
    assert [entry.get("fault") for entry in admin(aws, "GET", "requests")] == [status, status, None]


def test_action_is_matched_in_full_and_user_agent_filters(aws):
    admin(aws, "POST", "faults", {"action": "Create", "status": 500, "count": 1})  # a prefix matches nothing
    admin(aws, "POST", "faults", {"action": "CreateVpc", "status": 429, "count": 1})
    admin(aws, "POST", "faults", {"action": "DescribeVpcs", "status": 503, "user_agent": "Ansible/", "count": 5})
    ec2 = client(aws, "ec2")
    ec2.describe_vpcs()  # no Ansible/ in boto3's User-Agent
    with pytest.raises(ClientError, match="RequestLimitExceeded"):
        ec2.create_vpc(CidrBlock="10.9.0.0/16")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]  # the retry-less client got a fault, then this
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]  # CreateSubnet: no match
    assert subnet.startswith("subnet-")
    remaining = {fault["action"]: fault["count"] for fault in admin(aws, "GET", "faults")}
    assert remaining == {"Create": 1, "DescribeVpcs": 5}


def test_latency_only_fault_delays_and_answers(aws):
    admin(aws, "POST", "faults", {"service": "sts", "latency": 1.0, "count": 1})
    sts = client(aws, "sts")
    started = time.monotonic()
    assert sts.get_caller_identity()["Account"]
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started < 1.0
    assert [entry.get("fault") for entry in admin(aws, "GET", "requests")] == ["latency", None]


@pytest.mark.parametrize("body", [{"action": "X", "status": 404}, {"action": "X"}, {"status": 429},
                                  {"action": "(", "status": 429}])
def test_bad_fault_is_refused(aws, body):
    with pytest.raises(urllib.error.HTTPError) as raised:
        admin(aws, "POST", "faults", body)
    assert raised.value.code == 400
    assert admin(aws, "GET", "faults") == []


def test_request_log_tells_the_emulators_reads_from_the_deployments(aws):
    from sandbox.databricks_emulator.aws.validation import AwsView

    client(aws, "ec2").describe_vpcs()
    AwsView(aws).client("ec2", "eu-west-1").describe_vpcs()
    log = admin(aws, "GET", "requests")
    assert [(entry["action"], entry["by_emulator"]) for entry in log] == [("DescribeVpcs", False),
                                                                          ("DescribeVpcs", True)]
