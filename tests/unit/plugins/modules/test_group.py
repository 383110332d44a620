"""group against the fake workspace SCIM API: entitlements, roles (instance profiles), purge switches."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_group as group
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import FakeWorkspace

READ = "arn:aws:iam::123456789012:instance-profile/read"
META = "arn:aws:iam::123456789012:instance-profile/meta"


@pytest.fixture
def fake():
    return FakeWorkspace()


def grp(fake, name="Read only", check_mode=False, **args):
    return run_module(group.main, dict(WS_CONNECTION, display_name=name, **args), fake,
                      check_mode=check_mode, diff=True)


def values(fake, name, attribute):
    found = next(g for g in fake.principals["Groups"].values() if g["displayName"] == name)
    return sorted(v["value"] for v in found.get(attribute, []))


def test_created_with_roles_then_unchanged(fake):
    first = grp(fake, roles=[READ], entitlements=[])
    assert first["changed"] and first["id"]
    assert values(fake, "Read only", "roles") == [READ]
    second = grp(fake, roles=[READ], entitlements=[])
    assert not second["changed"] and second["id"] == first["id"]


def test_check_mode_create(fake):
    result = grp(fake, check_mode=True, roles=[READ])
    assert result["changed"] and result["id"] is None and fake.mutating_calls() == []
    assert result["diff"]["after"]["roles"] == [READ]


def test_one_patch_adds_and_removes(fake):
    grp(fake, roles=[READ], entitlements=["allow-cluster-create"])
    before = len(fake.mutating_calls())
    result = grp(fake, roles=[META], entitlements=[])
    assert result["changed"]
    patches = fake.mutating_calls()[before:]
    assert len(patches) == 1 and patches[0][0] == "PATCH"
    assert values(fake, "Read only", "roles") == [META]
    assert values(fake, "Read only", "entitlements") == []
    assert result["diff"]["before"]["roles"] == [READ] and result["diff"]["after"]["roles"] == [META]


def test_no_purge_keeps_others(fake):
    fake.principals["Groups"]["g-admins"]["roles"] = [{"value": READ}]
    result = grp(fake, name="admins", roles=[META], purge_roles=False)
    assert result["changed"] and values(fake, "admins", "roles") == [META, READ]
    assert not grp(fake, name="admins", roles=[META], purge_roles=False)["changed"]
    assert values(fake, "admins", "members") == ["sp-admin"]


def test_unmanaged_attributes_left_alone(fake):
    grp(fake, roles=[READ], entitlements=["allow-cluster-create"])
    assert not grp(fake)["changed"]


def test_absent_and_builtin(fake):
    grp(fake)
    assert grp(fake, state="absent")["changed"]
    assert not grp(fake, state="absent")["changed"]
    result = grp(fake, name="admins", state="absent")
    assert result["failed"] and result["error_code"] == "INVALID_PARAMETER_VALUE"
