"""ec2_vpc_flow_log against an in-memory EC2 faked at the boto3 client seam (AnsibleAWSModule.client)."""

import copy
import itertools

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import ec2_vpc_flow_log as vpc_flow_log

VPC = "vpc-1"
BUCKET = "arn:aws:s3:::lh-s3-logging"
FORMAT = "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${protocol} ${tcp-flags}"
AWS_DEFAULT_FORMAT = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}"
MUTATING = {"create_flow_logs", "delete_flow_logs", "create_tags", "delete_tags"}


class FakeEc2:
    def __init__(self):
        self.flow_logs = {}
        self.calls = []
        self.ids = itertools.count(1)
        self.unsuccessful = []

    def mutating_calls(self):
        return [name for name, dummy in self.calls if name in MUTATING]

    def add(self, destination=BUCKET, traffic="ALL", interval=600, log_format=AWS_DEFAULT_FORMAT, tags=None,
            resource=VPC):
        flow_log_id = "fl-%d" % next(self.ids)
        self.flow_logs[flow_log_id] = {
            "FlowLogId": flow_log_id, "ResourceId": resource, "TrafficType": traffic, "LogDestinationType": "s3",
            "LogDestination": destination, "LogFormat": log_format, "MaxAggregationInterval": interval,
            "FlowLogStatus": "ACTIVE", "DeliverLogsStatus": "SUCCESS",
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }
        return flow_log_id

    def describe_flow_logs(self, Filters=None, FlowLogIds=None, NextToken=None):
        self.calls.append(("describe_flow_logs", {"Filters": Filters, "FlowLogIds": FlowLogIds}))
        resources = next((f["Values"] for f in Filters or [] if f["Name"] == "resource-id"), None)
        found = [copy.deepcopy(f) for f in self.flow_logs.values()
                 if (resources is None or f["ResourceId"] in resources)
                 and (FlowLogIds is None or f["FlowLogId"] in FlowLogIds)]
        return {"FlowLogs": found}

    def create_flow_logs(self, **kwargs):
        self.calls.append(("create_flow_logs", kwargs))
        if self.unsuccessful:
            return {"FlowLogIds": [], "Unsuccessful": self.unsuccessful}
        tags = {t["Key"]: t["Value"] for spec in kwargs.get("TagSpecifications", []) for t in spec["Tags"]}
        flow_log_id = self.add(kwargs["LogDestination"], kwargs.get("TrafficType"), kwargs["MaxAggregationInterval"],
                               kwargs.get("LogFormat", AWS_DEFAULT_FORMAT), tags, kwargs["ResourceIds"][0])
        return {"FlowLogIds": [flow_log_id], "Unsuccessful": []}

    def delete_flow_logs(self, FlowLogIds):
        self.calls.append(("delete_flow_logs", {"FlowLogIds": FlowLogIds}))
        for flow_log_id in FlowLogIds:
            del self.flow_logs[flow_log_id]
        return {"Unsuccessful": []}

    def create_tags(self, Resources, Tags):
        self.calls.append(("create_tags", {"Resources": Resources, "Tags": Tags}))
        for resource in Resources:
            current = {t["Key"]: t["Value"] for t in self.flow_logs[resource]["Tags"]}
            current.update({t["Key"]: t["Value"] for t in Tags})
            self.flow_logs[resource]["Tags"] = [{"Key": k, "Value": v} for k, v in current.items()]

    def delete_tags(self, Resources, Tags):
        self.calls.append(("delete_tags", {"Resources": Resources, "Tags": Tags}))


@pytest.fixture
def run(run_aws_module):
    """run(fake, check_mode=False, diff=False, **params): ec2_vpc_flow_log run for VPC vpc-1 against fake EC2, its
    ModuleExit."""
    return run_aws_module.bind(vpc_flow_log.main, "ec2", resource_id=VPC, region="eu-west-1")


def seed_flow_log(**extra):
    params = {"log_destination": BUCKET, "max_aggregation_interval": 60, "log_format": FORMAT,
              "tags": {"Name": "lh-flow-log", "Project": "lh"}}
    params.update(extra)
    return params


def test_creates_once_with_every_attribute_then_is_idempotent(run):
    fake = FakeEc2()
    first = run(fake, **seed_flow_log())
    assert not first.failed, first.result
    assert first.result["changed"] is True
    (create,) = [kwargs for name, kwargs in fake.calls if name == "create_flow_logs"]
    assert create["ResourceIds"] == [VPC] and create["ResourceType"] == "VPC"
    assert create["LogDestinationType"] == "s3" and create["LogDestination"] == BUCKET
    assert create["MaxAggregationInterval"] == 60 and create["TrafficType"] == "ALL"
    assert create["LogFormat"] == FORMAT
    assert create["TagSpecifications"][0]["ResourceType"] == "vpc-flow-log"
    assert first.result["flow_log_id"] == "fl-1"
    assert first.result["flow_log"]["tags"] == {"Name": "lh-flow-log", "Project": "lh"}

    fake.calls.clear()
    second = run(fake, **seed_flow_log())
    assert second.result["changed"] is False and fake.mutating_calls() == []
    assert second.result["flow_log_id"] == "fl-1"


def test_check_mode_predicts_without_mutating_and_diffs(run):
    fake = FakeEc2()
    result = run(fake, check_mode=True, diff=True, **seed_flow_log()).result
    assert result["changed"] is True and fake.mutating_calls() == []
    assert result["flow_log_id"] is None
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["max_aggregation_interval"] == 60
    assert result["diff"]["after"]["log_destination"] == BUCKET


def test_a_different_format_or_interval_replaces_the_flow_log_new_first(run):
    fake = FakeEc2()
    fake.add(interval=600, log_format=FORMAT, tags={"Name": "lh-flow-log", "Project": "lh"})
    result = run(fake, diff=True, **seed_flow_log()).result
    assert result["changed"] is True
    assert fake.mutating_calls() == ["create_flow_logs", "delete_flow_logs"]
    assert result["deleted_flow_log_ids"] == ["fl-1"]
    assert result["flow_log_id"] == "fl-2"
    assert result["diff"]["before"]["max_aggregation_interval"] == 600


def test_replacement_in_check_mode_touches_nothing(run):
    fake = FakeEc2()
    fake.add(interval=600, tags={"Name": "lh-flow-log"})
    result = run(fake, check_mode=True, **seed_flow_log()).result
    assert result["changed"] is True and result["deleted_flow_log_ids"] == ["fl-1"]
    assert fake.mutating_calls() == []


def test_whitespace_in_the_format_and_a_trailing_slash_are_not_changes(run):
    fake = FakeEc2()
    fake.add(destination=BUCKET + "/", interval=60, log_format=FORMAT, tags={"Name": "lh-flow-log", "Project": "lh"})
    result = run(fake, **seed_flow_log(log_format=FORMAT.replace(" ", "\n  ", 2))).result
    assert result["changed"] is False and fake.mutating_calls() == []


def test_tags_are_updated_in_place(run):
    fake = FakeEc2()
    fake.add(interval=60, log_format=FORMAT, tags={"Name": "lh-flow-log", "Project": "old"})
    result = run(fake, **seed_flow_log()).result
    assert result["changed"] is True
    assert fake.mutating_calls() == ["create_tags"]
    assert result["flow_log"]["tags"]["Project"] == "lh"


def test_other_flow_logs_of_the_vpc_are_left_alone(run):
    fake = FakeEc2()
    fake.add(destination="arn:aws:s3:::someone-elses", tags={"Name": "audit"})
    result = run(fake, **seed_flow_log()).result
    assert result["changed"] is True
    assert fake.mutating_calls() == ["create_flow_logs"]
    assert "fl-1" in fake.flow_logs


def test_without_a_name_tag_the_destination_identifies_the_flow_log(run):
    fake = FakeEc2()
    fake.add(interval=60, log_format=FORMAT)
    assert run(fake, log_destination=BUCKET, max_aggregation_interval=60,
               log_format=FORMAT).result["changed"] is False


def test_unsuccessful_creation_fails_with_aws_message(run):
    fake = FakeEc2()
    fake.unsuccessful = [{"ResourceId": VPC, "Error": {"Code": "400", "Message": "LogDestination does not exist."}}]
    outcome = run(fake, **seed_flow_log())
    assert outcome.failed and "LogDestination does not exist" in outcome.result["msg"]


def test_absent_deletes_the_named_flow_log_only(run):
    fake = FakeEc2()
    fake.add(tags={"Name": "lh-flow-log"})
    fake.add(tags={"Name": "audit"})
    result = run(fake, state="absent", tags={"Name": "lh-flow-log"}).result
    assert result["changed"] is True and result["deleted_flow_log_ids"] == ["fl-1"]
    assert list(fake.flow_logs) == ["fl-2"]
    assert run(fake, state="absent", tags={"Name": "lh-flow-log"}).result["changed"] is False


def test_present_requires_a_destination(run):
    outcome = run(FakeEc2(), tags={"Name": "x"})
    assert outcome.failed and "log_destination" in outcome.result["msg"]
