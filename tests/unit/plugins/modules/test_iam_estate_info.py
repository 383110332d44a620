"""iam_estate_info against an in-memory IAM faked at the boto3 client seam (AnsibleAWSModule.client)."""

import json
import time

import botocore.exceptions
import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import iam_estate_info

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def no_such_entity(operation):
    return botocore.exceptions.ClientError({"Error": {"Code": "NoSuchEntity", "Message": "not found"}}, operation)


class FakeIam:
    def __init__(self, profile_tags_inline=True):
        self.calls = []
        self.profile_tags_inline = profile_tags_inline
        self.roles = {"r1": {"RoleName": "r1", "Arn": "arn:aws:iam::1:role/r1", "Path": "/", "Description": "one",
                             "MaxSessionDuration": 3600, "AssumeRolePolicyDocument": TRUST,
                             "Tags": [{"Key": "Project", "Value": "lh"}]}}
        self.policies = {("r1", "p1"): POLICY}
        self.profiles = {"ip1": {"InstanceProfileName": "ip1", "Arn": "arn:aws:iam::1:instance-profile/ip1",
                                 "Path": "/", "Roles": [self.roles["r1"]], "Tags": [{"Key": "Project", "Value": "lh"}]}}

    def get_role(self, RoleName):
        self.calls.append("GetRole")
        if RoleName not in self.roles:
            raise no_such_entity("GetRole")
        return {"Role": self.roles[RoleName]}

    def get_role_policy(self, RoleName, PolicyName):
        self.calls.append("GetRolePolicy")
        if (RoleName, PolicyName) not in self.policies:
            raise no_such_entity("GetRolePolicy")
        # As some endpoints send it: URL-encoded JSON.
        return {"RoleName": RoleName, "PolicyName": PolicyName,
                "PolicyDocument": json.dumps(self.policies[(RoleName, PolicyName)]).replace(" ", "%20")}

    def get_instance_profile(self, InstanceProfileName):
        self.calls.append("GetInstanceProfile")
        if InstanceProfileName not in self.profiles:
            raise no_such_entity("GetInstanceProfile")
        profile = dict(self.profiles[InstanceProfileName])
        if not self.profile_tags_inline:
            profile.pop("Tags")
        return {"InstanceProfile": profile}

    def list_instance_profile_tags(self, InstanceProfileName):
        self.calls.append("ListInstanceProfileTags")
        return {"Tags": self.profiles[InstanceProfileName]["Tags"]}


@pytest.fixture
def run(run_aws_module):
    """run(fake, check_mode=False, **params): iam_estate_info run against fake IAM, its ModuleExit."""
    return run_aws_module.bind(iam_estate_info.main, "iam", region="eu-west-1")


PARAMS = {"roles": ["r1", "r2"],
          "inline_policies": [{"role": "r1", "name": "p1"}, {"role": "r1", "name": "p2"}, {"role": "r2", "name": "p1"}],
          "instance_profiles": ["ip1", "ip2"]}


@pytest.mark.parametrize("check_mode", [False, True])
def test_reads_what_exists_and_leaves_out_what_does_not(run, check_mode):
    fake = FakeIam()
    outcome = run(fake, check_mode=check_mode, **PARAMS)
    assert not outcome.failed, outcome.result
    result = outcome.result
    assert result["changed"] is False
    assert result["roles"] == {"r1": {"arn": "arn:aws:iam::1:role/r1", "path": "/", "description": "one",
                                      "max_session_duration": 3600, "assume_role_policy_document": TRUST,
                                      "tags": {"Project": "lh"}}}
    assert result["inline_policies"] == {"r1/p1": POLICY}
    assert result["instance_profiles"] == {"ip1": {"arn": "arn:aws:iam::1:instance-profile/ip1", "path": "/",
                                                   "roles": ["r1"], "tags": {"Project": "lh"}}}
    # One read per role, per policy of an existing role, per profile; nothing for the missing role's policy.
    # Roles and profiles first, then the policies of the roles found (each round's calls in no set order).
    assert sorted(fake.calls[:4]) == ["GetInstanceProfile", "GetInstanceProfile", "GetRole", "GetRole"]
    assert fake.calls[4:] == ["GetRolePolicy", "GetRolePolicy"]


def test_profile_tags_read_separately_when_not_returned_with_the_profile(run):
    fake = FakeIam(profile_tags_inline=False)
    result = run(fake, instance_profiles=["ip1"]).result
    assert result["instance_profiles"]["ip1"]["tags"] == {"Project": "lh"}
    assert fake.calls == ["GetInstanceProfile", "ListInstanceProfileTags"]


def test_nothing_asked_nothing_read(run):
    fake = FakeIam()
    result = run(fake).result
    assert result["roles"] == {} and result["inline_policies"] == {} and result["instance_profiles"] == {}
    assert fake.calls == []


def test_the_result_keeps_the_order_asked_whatever_order_the_reads_end_in(run):
    fake = FakeIam()
    for number in range(2, 6):
        fake.roles["r%d" % number] = dict(fake.roles["r1"], RoleName="r%d" % number)
        fake.policies[("r%d" % number, "p1")] = POLICY
    read_role = fake.get_role

    def late_first(RoleName):
        if RoleName == "r1":  # the first role asked ends last
            time.sleep(0.2)
        return read_role(RoleName=RoleName)
    fake.get_role = late_first
    names = ["r1", "r2", "r3", "r4", "r5"]
    result = run(fake, roles=names, inline_policies=[{"role": name, "name": "p1"} for name in names]).result
    assert list(result["roles"]) == names
    assert list(result["inline_policies"]) == ["%s/p1" % name for name in names]


def test_other_errors_fail_the_module(run):
    fake = FakeIam()

    def denied(RoleName):
        raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetRole")
    fake.get_role = denied
    outcome = run(fake, roles=["r1"])
    assert outcome.failed
    assert "Failed to read the IAM roles" in outcome.result["msg"]
