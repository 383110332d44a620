"""databricks_group against the fake workspace SCIM API: entitlements, roles (instance profiles), purge switches."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_group as group

READ = "arn:aws:iam::123456789012:instance-profile/read"
META = "arn:aws:iam::123456789012:instance-profile/meta"


@pytest.fixture
def grp(run_workspace_module, fake_workspace):
    """grp(name="Read only", check_mode=False, **args): databricks_group run against fake_workspace (diff on)."""

    def run(name="Read only", check_mode=False, **args):
        return run_workspace_module(group.main, dict(display_name=name, **args), fake_workspace,
                                    check_mode=check_mode, diff=True)

    return run


def values(fake, name, attribute):
    found = next(g for g in fake.principals["Groups"].values() if g["displayName"] == name)
    return sorted(v["value"] for v in found.get(attribute, []))


def test_created_with_roles_then_unchanged(grp, fake_workspace):
    first = grp(roles=[READ], entitlements=[])
    assert first["changed"] and first["id"]
    assert values(fake_workspace, "Read only", "roles") == [READ]
    second = grp(roles=[READ], entitlements=[])
    assert not second["changed"] and second["id"] == first["id"]


def test_check_mode_create(grp, fake_workspace):
    result = grp(check_mode=True, roles=[READ])
    assert result["changed"] and result["id"] is None and fake_workspace.mutating_calls() == []
    assert result["diff"]["after"]["roles"] == [READ]


def test_one_patch_adds_and_removes(grp, fake_workspace):
    grp(roles=[READ], entitlements=["allow-cluster-create"])
    before = len(fake_workspace.mutating_calls())
    result = grp(roles=[META], entitlements=[])
    assert result["changed"]
    patches = fake_workspace.mutating_calls()[before:]
    assert len(patches) == 1 and patches[0][0] == "PATCH"
    assert values(fake_workspace, "Read only", "roles") == [META]
    assert values(fake_workspace, "Read only", "entitlements") == []
    assert result["diff"]["before"]["roles"] == [READ] and result["diff"]["after"]["roles"] == [META]


def test_no_purge_keeps_others(grp, fake_workspace):
    fake_workspace.principals["Groups"]["g-admins"]["roles"] = [{"value": READ}]
    result = grp(name="admins", roles=[META], purge_roles=False)
    assert result["changed"] and values(fake_workspace, "admins", "roles") == [META, READ]
    assert not grp(name="admins", roles=[META], purge_roles=False)["changed"]
    assert values(fake_workspace, "admins", "members") == ["sp-admin"]


def test_unmanaged_attributes_left_alone(grp, fake_workspace):
    grp(roles=[READ], entitlements=["allow-cluster-create"])
    assert not grp()["changed"]


def test_absent_and_builtin(grp, fake_workspace):
    grp()
    assert grp(state="absent")["changed"]
    assert not grp(state="absent")["changed"]
    result = grp(name="admins", state="absent")
    assert result["failed"] and result["error_code"] == "INVALID_PARAMETER_VALUE"
