"""databricks_instance_profile against the fake workspace API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_instance_profile as instance_profile

ARN = "arn:aws:iam::123456789012:instance-profile/meta"


@pytest.fixture
def profile(run_workspace_module, fake_workspace):
    """profile(check_mode=False, **args): databricks_instance_profile of ARN run against fake_workspace (diff on)."""
    return run_workspace_module.bind(instance_profile.main, fake_workspace, diff=True, instance_profile_arn=ARN)


def test_check_mode_predicts_without_calling(profile, fake_workspace):
    result = profile(check_mode=True, is_meta_instance_profile=True)
    assert result["changed"] and result["instance_profile"]["is_meta_instance_profile"] is True
    assert result["diff"]["before"] == {} and result["diff"]["after"]["is_meta_instance_profile"] is True
    assert fake_workspace.mutating_calls() == [] and fake_workspace.profiles == {}


def test_added_then_unchanged(profile, fake_workspace):
    first = profile(is_meta_instance_profile=True, skip_validation=True)
    assert first["changed"] and fake_workspace.profiles[ARN]["is_meta_instance_profile"] is True
    assert fake_workspace.last_add["skip_validation"] is True
    second = profile(is_meta_instance_profile=True)
    assert not second["changed"] and fake_workspace.mutating_calls()[-1] == ("POST", "/api/2.0/instance-profiles/add")


def test_meta_flag_edited_in_place(profile, fake_workspace):
    profile()
    result = profile(is_meta_instance_profile=True)
    assert result["changed"] and result["diff"]["before"]["is_meta_instance_profile"] is False
    assert fake_workspace.mutating_calls()[-1] == ("POST", "/api/2.0/instance-profiles/edit")
    assert fake_workspace.profiles[ARN]["is_meta_instance_profile"] is True


def test_unmanaged_flag_left_alone(profile, fake_workspace):
    profile(is_meta_instance_profile=True)
    assert not profile()["changed"]


def test_absent(profile, fake_workspace):
    profile()
    assert profile(state="absent", check_mode=True)["changed"] and ARN in fake_workspace.profiles
    assert profile(state="absent")["changed"] and fake_workspace.profiles == {}
    assert not profile(state="absent")["changed"]
