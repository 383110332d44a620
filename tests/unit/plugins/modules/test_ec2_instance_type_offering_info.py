"""ec2_instance_type_offering_info against an in-memory EC2 faked at the boto3 client seam (AnsibleAWSModule.client):
the offerings of the given instance types, read page by page, and the ones no location offers."""

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import ec2_instance_type_offering_info


class FakeEc2:
    """DescribeInstanceTypeOfferings with boto3's request and reply shapes, one offering per page."""

    def __init__(self, offerings):
        self.offerings = offerings  # [(instance type, location)]
        self.calls = []

    def describe_instance_type_offerings(self, LocationType, Filters, NextToken=None):
        self.calls.append({"LocationType": LocationType, "Filters": Filters, "NextToken": NextToken})
        wanted = Filters[0]["Values"]
        matching = [{"InstanceType": name, "LocationType": LocationType, "Location": location}
                    for name, location in self.offerings if name in wanted]
        start = int(NextToken or 0)
        reply = {"InstanceTypeOfferings": matching[start:start + 1]}
        if start + 1 < len(matching):
            reply["NextToken"] = str(start + 1)
        return reply


@pytest.fixture
def run(run_aws_module):
    return run_aws_module.bind(ec2_instance_type_offering_info.main, "ec2", region="eu-west-1")


def test_offered_and_not_offered_types(run):
    fake = FakeEc2([("i3.xlarge", "eu-west-1a"), ("i3.xlarge", "eu-west-1b"), ("m5.large", "eu-west-1c")])
    outcome = run(fake, instance_types=["i3.xlarge", "i3.xlarg", "m5.large"], location_type="availability-zone")
    assert not outcome.failed, outcome.result
    assert outcome.result["changed"] is False
    assert outcome.result["offered"] == {"i3.xlarge": ["eu-west-1a", "eu-west-1b"], "m5.large": ["eu-west-1c"]}
    assert outcome.result["not_offered"] == ["i3.xlarg"]
    # Every page was read, each asking for the given types only.
    assert [call["NextToken"] for call in fake.calls] == [None, "1", "2"]
    assert all(call["Filters"] == [{"Name": "instance-type", "Values": ["i3.xlarge", "i3.xlarg", "m5.large"]}]
               and call["LocationType"] == "availability-zone" for call in fake.calls)


def test_nothing_to_look_up_makes_no_call(run):
    fake = FakeEc2([])
    outcome = run(fake, instance_types=["", ""])
    assert outcome.result["offered"] == {} and outcome.result["not_offered"] == [] and fake.calls == []


def test_a_refused_call_fails_with_the_aws_error(run):
    fake = FakeEc2([])

    def denied(**kwargs):
        raise botocore.exceptions.ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}},
                                              "DescribeInstanceTypeOfferings")

    fake.describe_instance_type_offerings = denied
    outcome = run(fake, instance_types=["i3.xlarge"])
    assert outcome.failed and "Failed to read the offerings of i3.xlarge" in outcome.result["msg"]
