"""ec2_vpc_endpoint against an in-memory EC2 faked at the boto3 client seam (AnsibleAWSModule.client)."""

import copy
import itertools
import json
from unittest import mock

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import ec2_vpc_endpoint as vpc_endpoint

VPC = "vpc-1"
REGION = "eu-west-1"
S3 = "com.amazonaws.eu-west-1.s3"
STS = "com.amazonaws.eu-west-1.sts"
KINESIS = "com.amazonaws.eu-west-1.kinesis-streams"
DEFAULT_POLICY = json.dumps(vpc_endpoint.DEFAULT_POLICY)
MUTATING = {"create_vpc_endpoint", "modify_vpc_endpoint", "delete_vpc_endpoints", "create_tags", "delete_tags"}


class FakeEc2:
    """The EC2 calls vpc_endpoint makes, with boto3's request and reply shapes."""

    def __init__(self):
        self.endpoints = {}
        self.calls = []
        self.ids = itertools.count(1)

    def _record(self, name, kwargs):
        self.calls.append((name, kwargs))

    def mutating_calls(self):
        return [name for name, dummy in self.calls if name in MUTATING]

    def add(self, service, kind="Gateway", state="available", tags=None, **fields):
        endpoint_id = "vpce-%d" % next(self.ids)
        self.endpoints[endpoint_id] = dict({
            "VpcEndpointId": endpoint_id, "VpcId": VPC, "ServiceName": service, "VpcEndpointType": kind,
            "State": state, "PolicyDocument": DEFAULT_POLICY, "RouteTableIds": [], "SubnetIds": [], "Groups": [],
            "PrivateDnsEnabled": kind == "Interface", "NetworkInterfaceIds": [], "DnsEntries": [],
            "CreationTimestamp": "2026-01-01T00:00:%02dZ" % len(self.endpoints),
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }, **fields)
        return endpoint_id

    def describe_vpc_endpoints(self, Filters=None, VpcEndpointIds=None, NextToken=None):
        self._record("describe_vpc_endpoints", {"Filters": Filters})
        vpc_ids = next((f["Values"] for f in Filters or [] if f["Name"] == "vpc-id"), None)
        found = [copy.deepcopy(e) for e in self.endpoints.values() if vpc_ids is None or e["VpcId"] in vpc_ids]
        return {"VpcEndpoints": found}

    def create_vpc_endpoint(self, **kwargs):
        self._record("create_vpc_endpoint", kwargs)
        tags = {t["Key"]: t["Value"] for spec in kwargs.get("TagSpecifications", []) for t in spec["Tags"]}
        endpoint_id = self.add(
            kwargs["ServiceName"], kwargs["VpcEndpointType"], state="pending", tags=tags,
            RouteTableIds=kwargs.get("RouteTableIds", []), SubnetIds=kwargs.get("SubnetIds", []),
            Groups=[{"GroupId": g, "GroupName": g} for g in kwargs.get("SecurityGroupIds", [])],
            PolicyDocument=kwargs.get("PolicyDocument", DEFAULT_POLICY),
            PrivateDnsEnabled=kwargs.get("PrivateDnsEnabled", False))
        return {"VpcEndpoint": copy.deepcopy(self.endpoints[endpoint_id])}

    def modify_vpc_endpoint(self, VpcEndpointId, **kwargs):
        self._record("modify_vpc_endpoint", dict(kwargs, VpcEndpointId=VpcEndpointId))
        endpoint = self.endpoints[VpcEndpointId]
        for field, add, remove in (("RouteTableIds", "AddRouteTableIds", "RemoveRouteTableIds"),
                                   ("SubnetIds", "AddSubnetIds", "RemoveSubnetIds")):
            endpoint[field] = [x for x in endpoint[field] if x not in kwargs.get(remove, [])] + kwargs.get(add, [])
        removed = kwargs.get("RemoveSecurityGroupIds", [])
        groups = [g["GroupId"] for g in endpoint["Groups"] if g["GroupId"] not in removed]
        endpoint["Groups"] = [{"GroupId": g} for g in groups + kwargs.get("AddSecurityGroupIds", [])]
        if "PolicyDocument" in kwargs:
            endpoint["PolicyDocument"] = kwargs["PolicyDocument"]
        if "PrivateDnsEnabled" in kwargs:
            endpoint["PrivateDnsEnabled"] = kwargs["PrivateDnsEnabled"]
        return {"Return": True}

    def delete_vpc_endpoints(self, VpcEndpointIds):
        self._record("delete_vpc_endpoints", {"VpcEndpointIds": VpcEndpointIds})
        for endpoint_id in VpcEndpointIds:
            self.endpoints[endpoint_id]["State"] = "deleted"
        return {"Unsuccessful": []}

    def create_tags(self, Resources, Tags):
        self._record("create_tags", {"Resources": Resources, "Tags": Tags})
        for resource in Resources:
            current = {t["Key"]: t["Value"] for t in self.endpoints[resource]["Tags"]}
            current.update({t["Key"]: t["Value"] for t in Tags})
            self.endpoints[resource]["Tags"] = [{"Key": k, "Value": v} for k, v in current.items()]

    def delete_tags(self, Resources, Tags):
        self._record("delete_tags", {"Resources": Resources, "Tags": Tags})
        keys = {t["Key"] for t in Tags}
        for resource in Resources:
            self.endpoints[resource]["Tags"] = [t for t in self.endpoints[resource]["Tags"] if t["Key"] not in keys]


@pytest.fixture
def run(run_aws_module):
    """run(fake, check_mode=False, diff=False, **params): ec2_vpc_endpoint run in VPC vpc-1 against fake EC2, its
    ModuleExit."""
    return run_aws_module.bind(vpc_endpoint.main, "ec2", vpc_id=VPC, region=REGION)


def databricks_endpoints(route_tables=("rtb-1", "rtb-2"), subnets=("subnet-1", "subnet-2"), policy=None):
    interface = dict(type="Interface", subnet_ids=list(subnets), security_group_ids=["sg-1"])
    return [
        dict(service="s3", type="Gateway", route_table_ids=list(route_tables), tags={"Name": "lh-s3"}),
        dict(service="sts", tags={"Name": "lh-sts"}, **interface),
        dict(service=KINESIS, tags={"Name": "lh-kinesis"}, policy=policy, **interface),
    ]


def test_creates_every_missing_endpoint_in_one_run_then_changes_nothing(run):
    fake = FakeEc2()
    first = run(fake, endpoints=databricks_endpoints(), tags={"Project": "lh"})
    assert not first.failed, first.result
    assert first.result["changed"] is True
    created = [kwargs for name, kwargs in fake.calls if name == "create_vpc_endpoint"]
    assert [c["ServiceName"] for c in created] == [S3, STS, KINESIS]
    assert created[0]["RouteTableIds"] == ["rtb-1", "rtb-2"] and "SubnetIds" not in created[0]
    assert created[1]["PrivateDnsEnabled"] is True and created[1]["SecurityGroupIds"] == ["sg-1"]
    assert created[1]["TagSpecifications"][0]["ResourceType"] == "vpc-endpoint"
    assert {t["Key"]: t["Value"] for t in created[1]["TagSpecifications"][0]["Tags"]} == {"Project": "lh",
                                                                                          "Name": "lh-sts"}
    assert "PolicyDocument" not in created[0]
    assert first.result["vpc_endpoint_ids"] == ["vpce-1", "vpce-2", "vpce-3"]
    assert first.result["endpoints"][1]["subnet_ids"] == ["subnet-1", "subnet-2"]

    fake.calls.clear()
    second = run(fake, endpoints=databricks_endpoints(), tags={"Project": "lh"})
    assert second.result["changed"] is False
    assert fake.mutating_calls() == []
    assert [name for name, dummy in fake.calls] == ["describe_vpc_endpoints"]  # one read for the whole set
    assert second.result["vpc_endpoint_ids"] == ["vpce-1", "vpce-2", "vpce-3"]


def test_check_mode_predicts_creation_without_mutating(run):
    fake = FakeEc2()
    result = run(fake, check_mode=True, diff=True, endpoints=databricks_endpoints()).result
    assert result["changed"] is True
    assert fake.mutating_calls() == []
    assert result["vpc_endpoint_ids"] == [None, None, None]
    assert result["endpoints"][0]["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert result["endpoints"][1]["private_dns_enabled"] is True
    assert result["diff"]["before"] == {}
    assert set(result["diff"]["after"]) == {S3, STS, KINESIS}


def test_deleted_and_deleting_endpoints_are_ignored_and_replaced(run):
    fake = FakeEc2()
    fake.add(S3, state="deleted", RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "lh-s3"})
    fake.add(S3, state="deleting", RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "lh-s3"})
    result = run(fake, endpoints=databricks_endpoints()[:1]).result
    assert result["changed"] is True
    assert list(fake.mutating_calls()) == ["create_vpc_endpoint"]
    assert result["vpc_endpoint_ids"] == ["vpce-3"]


def test_updates_route_tables_subnets_groups_policy_dns_and_tags_in_place(run):
    fake = FakeEc2()
    fake.add(S3, RouteTableIds=["rtb-1", "rtb-old"], tags={"Name": "lh-s3", "Stale": "x"})
    fake.add(STS, "Interface", SubnetIds=["subnet-1", "subnet-9"], Groups=[{"GroupId": "sg-9"}],
             PrivateDnsEnabled=False, tags={"Name": "lh-sts"})
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kinesis:PutRecord", "Resource": "*"}]}
    fake.add(KINESIS, "Interface", SubnetIds=["subnet-1", "subnet-2"], Groups=[{"GroupId": "sg-1"}],
             tags={"Name": "lh-kinesis"})
    result = run(fake, diff=True, endpoints=databricks_endpoints(policy=json.dumps(policy))).result
    assert result["changed"] is True
    modifications = {kwargs["VpcEndpointId"]: kwargs for name, kwargs in fake.calls if name == "modify_vpc_endpoint"}
    assert modifications["vpce-1"] == {"VpcEndpointId": "vpce-1", "AddRouteTableIds": ["rtb-2"],
                                       "RemoveRouteTableIds": ["rtb-old"]}
    assert modifications["vpce-2"] == {"VpcEndpointId": "vpce-2", "AddSubnetIds": ["subnet-2"],
                                       "RemoveSubnetIds": ["subnet-9"], "AddSecurityGroupIds": ["sg-1"],
                                       "RemoveSecurityGroupIds": ["sg-9"], "PrivateDnsEnabled": True}
    assert json.loads(modifications["vpce-3"]["PolicyDocument"]) == policy
    assert ("delete_tags", {"Resources": ["vpce-1"], "Tags": [{"Key": "Stale"}]}) in fake.calls
    assert "create_vpc_endpoint" not in fake.mutating_calls()
    assert result["diff"]["before"][S3]["route_table_ids"] == ["rtb-1", "rtb-old"]
    assert result["diff"]["after"][S3]["route_table_ids"] == ["rtb-1", "rtb-2"]
    # and now it is converged
    fake.calls.clear()
    assert run(fake, endpoints=databricks_endpoints(policy=json.dumps(policy))).result["changed"] is False
    assert fake.mutating_calls() == []


def test_restrictive_policy_removed_resets_to_default_full_access(run):
    fake = FakeEc2()
    fake.add(S3, RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "lh-s3"},
             PolicyDocument=json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*",
                                                       "Resource": "*"}]}))
    result = run(fake, endpoints=databricks_endpoints()[:1]).result
    assert result["changed"] is True
    (call,) = [kwargs for name, kwargs in fake.calls if name == "modify_vpc_endpoint"]
    assert json.loads(call["PolicyDocument"]) == vpc_endpoint.DEFAULT_POLICY


def test_equivalent_policy_spelling_is_not_a_change(run):
    fake = FakeEc2()
    stored = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]},
                                                      "Action": ["s3:GetObject"], "Resource": ["*"]}]}
    fake.add(S3, RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "lh-s3"}, PolicyDocument=json.dumps(stored))
    wanted = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                      "Action": "s3:GetObject", "Resource": "*"}]}
    endpoints = databricks_endpoints()[:1]
    endpoints[0]["policy"] = wanted
    assert run(fake, endpoints=endpoints).result["changed"] is False


def test_check_mode_update_reports_change_but_calls_nothing(run):
    fake = FakeEc2()
    fake.add(S3, RouteTableIds=["rtb-1"], tags={"Name": "lh-s3"})
    result = run(fake, check_mode=True, endpoints=databricks_endpoints()[:1]).result
    assert result["changed"] is True
    assert fake.mutating_calls() == []
    assert result["endpoints"][0]["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert result["vpc_endpoint_ids"] == ["vpce-1"]


def test_prefers_the_endpoint_whose_name_tag_matches(run):
    fake = FakeEc2()
    fake.add(S3, RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "someone-else"})
    fake.add(S3, RouteTableIds=["rtb-1", "rtb-2"], tags={"Name": "lh-s3"})
    result = run(fake, endpoints=databricks_endpoints()[:1]).result
    assert result["vpc_endpoint_ids"] == ["vpce-2"] and result["changed"] is False


def test_absent_deletes_only_live_listed_endpoints(run):
    fake = FakeEc2()
    fake.add(S3, RouteTableIds=["rtb-1"])
    fake.add(STS, "Interface")
    fake.add(STS, "Interface", state="deleted")
    fake.add(KINESIS, "Interface")
    result = run(fake, state="absent", endpoints=[dict(service="sts", type="Interface"),
                                                  dict(service="kinesis-streams", type="Interface")]).result
    assert result["changed"] is True
    assert [kwargs for name, kwargs in fake.calls if name == "delete_vpc_endpoints"] == [
        {"VpcEndpointIds": ["vpce-2", "vpce-4"]}]
    fake.calls.clear()
    again = run(fake, state="absent", endpoints=[dict(service="sts", type="Interface")]).result
    assert again["changed"] is False and fake.mutating_calls() == []


def test_absent_in_check_mode_deletes_nothing(run):
    fake = FakeEc2()
    fake.add(STS, "Interface")
    result = run(fake, check_mode=True, state="absent", endpoints=[dict(service="sts", type="Interface")]).result
    assert result["changed"] is True and fake.mutating_calls() == []


def test_gateway_with_subnets_is_rejected_before_any_call(run):
    fake = FakeEc2()
    outcome = run(fake, endpoints=[dict(service="s3", type="Gateway", subnet_ids=["subnet-1"])])
    assert outcome.failed and "Gateway endpoint" in outcome.result["msg"]
    assert fake.calls == []


def test_create_error_is_reported_with_the_service(run):
    import botocore.exceptions

    fake = FakeEc2()

    def refuse(**_):
        raise botocore.exceptions.ClientError({"Error": {"Code": "InvalidServiceName", "Message": "no such service"}},
                                              "CreateVpcEndpoint")

    fake.create_vpc_endpoint = refuse
    outcome = run(fake, endpoints=[dict(service="nope", type="Interface")])
    assert outcome.failed
    assert "com.amazonaws.eu-west-1.nope" in outcome.result["msg"] and "no such service" in outcome.result["msg"]


def test_wait_polls_until_created_endpoints_are_available(run):
    fake = FakeEc2()
    original = fake.describe_vpc_endpoints
    reads = []

    def describe(**kwargs):
        reply = original(**kwargs)
        reads.append(1)
        if len(reads) >= 3:  # the endpoint becomes available on the second poll
            for endpoint in fake.endpoints.values():
                endpoint["State"] = "available"
        return reply

    fake.describe_vpc_endpoints = describe
    with mock.patch.object(vpc_endpoint.time, "sleep") as sleep:
        result = run(fake, wait=True, endpoints=databricks_endpoints()[:1]).result
    assert result["changed"] is True
    assert sleep.call_count >= 1
    assert len(reads) >= 3


def test_wait_times_out_with_the_pending_ids(run):
    fake = FakeEc2()
    with mock.patch.object(vpc_endpoint.time, "sleep"), \
            mock.patch.object(vpc_endpoint.time, "time", side_effect=[0, 0, 1000]):
        outcome = run(fake, wait=True, wait_timeout=10, endpoints=databricks_endpoints()[:1])
    assert outcome.failed and "vpce-1" in outcome.result["msg"] and "Timed out" in outcome.result["msg"]
