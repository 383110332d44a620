"""databricks_account_workspace_assignment against the fake account API: the principal found by name in the account's
directory, exact permissions (one PUT), check mode, absent."""


import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_workspace_assignment as mod

from tests.unit.plugins.scim_fake import A, add_account_directory


@pytest.fixture
def fake(fake_workspace):
    return add_account_directory(fake_workspace)


@pytest.fixture
def assign(run_account_module, fake):
    """assign(check_mode=False, **args): the module run against fake (diff on), workspace_id of a new workspace."""
    workspace = fake.add_ws(deployment_name="dbc-one")

    def run(check_mode=False, **args):
        args.setdefault("workspace_id", workspace["workspace_id"])
        return run_account_module(mod.main, args, fake, check_mode=check_mode, diff=True)

    run.workspace_id = workspace["workspace_id"]
    return run


def group(fake, name):
    return fake.do("account", "POST", A + "/scim/v2/Groups", {}, {"displayName": name})


def test_assigns_a_group_then_unchanged(assign, fake):
    gid = group(fake, "Read only")["id"]
    first = assign(group_name="Read only")
    assert first["changed"] and first["assignment"]["principal_id"] == int(gid)
    assert fake.assignments[assign.workspace_id] == {gid: ["USER"]}
    assert first["diff"]["after"] == {"permissions": ["USER"]}
    puts = [c for c in fake.mutating_calls() if c[0] == "PUT"]
    assert len(puts) == 1
    second = assign(group_name="Read only")
    assert not second["changed"] and len([c for c in fake.mutating_calls() if c[0] == "PUT"]) == 1


def test_group_shows_in_the_workspace_with_its_account_id(assign, fake):
    gid = group(fake, "All access")["id"]
    assign(group_name="All access")
    assert fake.principals["Groups"][gid]["meta"]["resourceType"] == "Group"


def test_permissions_change_in_one_put(assign, fake):
    gid = group(fake, "Read only")["id"]
    assign(group_name="Read only")
    result = assign(group_name="Read only", permissions=["ADMIN", "USER"])
    assert result["changed"] and fake.assignments[assign.workspace_id][gid] == ["ADMIN", "USER"]
    assert result["diff"]["before"] == {"permissions": ["USER"]}


def test_check_mode_predicts_without_calls(assign, fake):
    group(fake, "Read only")
    before = len(fake.mutating_calls())
    result = assign(check_mode=True, group_name="Read only")
    assert result["changed"] and result["assignment"]["permissions"] == ["USER"]
    assert len(fake.mutating_calls()) == before and fake.assignments == {}


def test_check_mode_before_the_group_exists(assign, fake):
    result = assign(check_mode=True, group_name="Read only")
    assert result["changed"] and result["assignment"]["principal_id"] is None


def test_missing_principal_fails(assign, fake):
    result = assign(group_name="Nobody")
    assert result["failed"] and result["error_code"] == "RESOURCE_DOES_NOT_EXIST" and "Nobody" in result["msg"]


def test_service_principal_by_application_id(assign, fake):
    sp = fake.do(
        "account", "POST", A + "/scim/v2/ServicePrincipals", {}, {"applicationId": "app-9", "displayName": "x"}
    )
    result = assign(service_principal_application_id="app-9", permissions=["ADMIN"])
    assert result["changed"] and fake.assignments[assign.workspace_id] == {sp["id"]: ["ADMIN"]}


def test_conflicting_workspace_local_group_fails(assign, fake):
    group(fake, "Read only")
    fake.principals["Groups"]["local-1"] = {
        "id": "local-1",
        "displayName": "Read only",
        "meta": {"resourceType": "WorkspaceGroup"},
    }
    result = assign(group_name="Read only")
    assert result["failed"] and result["error_code"] == "RESOURCE_CONFLICT"


def test_absent(assign, fake):
    gid = group(fake, "Read only")["id"]
    assign(group_name="Read only")
    assert assign(group_name="Read only", state="absent", check_mode=True)["changed"]
    assert gid in fake.assignments[assign.workspace_id]
    result = assign(group_name="Read only", state="absent")
    assert result["changed"] and result["assignment"] is None and fake.assignments[assign.workspace_id] == {}
    assert not assign(group_name="Read only", state="absent")["changed"]
    assert not assign(group_name="Nobody", state="absent")["changed"]


def test_one_principal_option(assign, fake):
    result = assign(group_name="a", user_name="b@example.com")
    assert result["failed"] and "mutually exclusive" in result["msg"]


def test_absent_from_a_deleted_workspace(assign, fake):
    group(fake, "Read only")
    result = assign(group_name="Read only", state="absent", workspace_id=999999)
    assert not result["changed"] and not result.get("failed")


def test_several_groups_in_one_run(assign, fake):
    ids = [group(fake, name)["id"] for name in ("Read only", "All access")]
    made = len(fake.mutating_calls())  # the groups' creation
    planned = assign(group_names=["Read only", "All access"], check_mode=True)
    assert planned["changed"] and len(fake.mutating_calls()) == made
    assert [(a["group_name"], a["changed"]) for a in planned["assignments"]] == [
        ("Read only", True), ("All access", True)]
    applied = assign(group_names=["Read only", "All access"])
    assert fake.assignments[assign.workspace_id] == {ids[0]: ["USER"], ids[1]: ["USER"]}
    assert [a["assignment"]["principal_id"] for a in applied["assignments"]] == [int(i) for i in ids]
    assert applied["diff"]["after"] == {"Read only": {"permissions": ["USER"]}, "All access": {"permissions": ["USER"]}}
    fake.calls.clear()
    assert not assign(group_names=["Read only", "All access"])["changed"]
    assert len([call for call in fake.calls if call[2].endswith("/permissionassignments")]) == 1  # read once
    assert len([call for call in fake.calls if call[2].endswith("/scim/v2/Groups")]) == 1  # one query finds both
    missing = assign(group_names=["Read only", "Nobody"])
    assert missing["failed"] and "account group Nobody does not exist" in missing["msg"]
    removed = assign(group_names=["Read only", "All access"], state="absent")
    assert [a["changed"] for a in removed["assignments"]] == [True, True]
    assert fake.assignments[assign.workspace_id] == {}
    both = assign(group_names=["Read only"], group_name="Read only")
    assert both["failed"] and "mutually exclusive" in both["msg"]
