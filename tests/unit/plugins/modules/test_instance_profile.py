"""instance_profile against the fake workspace API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_instance_profile as instance_profile
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import FakeWorkspace

ARN = "arn:aws:iam::123456789012:instance-profile/meta"


@pytest.fixture
def fake():
    return FakeWorkspace()


def profile(fake, check_mode=False, **args):
    return run_module(instance_profile.main, dict(WS_CONNECTION, instance_profile_arn=ARN, **args), fake,
                      check_mode=check_mode, diff=True)


def test_check_mode_predicts_without_calling(fake):
    result = profile(fake, check_mode=True, is_meta_instance_profile=True)
    assert result["changed"] and result["instance_profile"]["is_meta_instance_profile"] is True
    assert result["diff"]["before"] == {} and result["diff"]["after"]["is_meta_instance_profile"] is True
    assert fake.mutating_calls() == [] and fake.profiles == {}


def test_added_then_unchanged(fake):
    first = profile(fake, is_meta_instance_profile=True, skip_validation=True)
    assert first["changed"] and fake.profiles[ARN]["is_meta_instance_profile"] is True
    assert fake.last_add["skip_validation"] is True
    second = profile(fake, is_meta_instance_profile=True)
    assert not second["changed"] and fake.mutating_calls()[-1] == ("POST", "/api/2.0/instance-profiles/add")


def test_meta_flag_edited_in_place(fake):
    profile(fake)
    result = profile(fake, is_meta_instance_profile=True)
    assert result["changed"] and result["diff"]["before"]["is_meta_instance_profile"] is False
    assert fake.mutating_calls()[-1] == ("POST", "/api/2.0/instance-profiles/edit")
    assert fake.profiles[ARN]["is_meta_instance_profile"] is True


def test_unmanaged_flag_left_alone(fake):
    profile(fake, is_meta_instance_profile=True)
    assert not profile(fake)["changed"]


def test_absent(fake):
    profile(fake)
    assert profile(fake, state="absent", check_mode=True)["changed"] and ARN in fake.profiles
    assert profile(fake, state="absent")["changed"] and fake.profiles == {}
    assert not profile(fake, state="absent")["changed"]
