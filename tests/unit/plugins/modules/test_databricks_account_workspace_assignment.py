"""databricks_account_workspace_assignment against the fake account API: the principal found by name in the account's
directory, exact permissions (one PUT), check mode, absent."""

import re

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_workspace_assignment as mod
from databricks.sdk import errors as sdk_errors

ACCOUNT = "acc-1"
A = "/api/2.0/accounts/%s" % ACCOUNT


def add_account_directory(fake):
    """fake (a FakeWorkspace) plus the account's directory (account SCIM) and workspace permission assignments; an
    assigned group shows in the workspace's directory with the account group's id (meta.resourceType Group)."""
    fake.account_principals = {"Groups": {}, "ServicePrincipals": {}, "Users": {}}
    fake.assignments = {}  # workspace id -> principal id -> permissions
    scim_base = A + "/scim/v2/(?P<kind>ServicePrincipals|Groups|Users)"
    assign = A + r"/workspaces/(?P<wid>\d+)/permissionassignments"

    def acct_list(kind, query, body):
        items = list(fake.account_principals[kind].values())
        if query.get("filter"):
            attr, value = re.match(r'(\w+) eq "(.*)"', query["filter"]).groups()
            items = [i for i in items if str(i.get(attr, "")).lower() == value.lower()]
        return {"totalResults": len(items), "startIndex": 1, "itemsPerPage": len(items), "Resources": items}

    def acct_create(kind, query, body):
        rid = str(5000 + next(fake.ids))
        fake.account_principals[kind][rid] = dict({k: v for k, v in body.items() if k != "schemas"}, id=rid)
        return fake.account_principals[kind][rid]

    def acct_get(kind, rid, query, body):
        if rid not in fake.account_principals[kind]:
            raise sdk_errors.NotFound("not found", error_code="SCIM_404")
        return fake.account_principals[kind][rid]

    def acct_patch(kind, rid, query, body):
        for op in body["Operations"]:
            fake.account_principals[kind][rid][op["path"]] = op["value"]
        return {}

    def acct_delete(kind, rid, query, body):
        fake.account_principals[kind].pop(rid)
        return {}

    def list_assignments(wid, query, body):
        if int(wid) not in fake.workspaces:
            raise sdk_errors.NotFound("Workspace %s does not exist." % wid, error_code="RESOURCE_DOES_NOT_EXIST")
        return {
            "permission_assignments": [
                {"principal": {"principal_id": int(pid), "display_name": "x"}, "permissions": perms}
                for pid, perms in fake.assignments.get(int(wid), {}).items()
            ]
        }

    def put_assignment(wid, pid, query, body):
        kind = next(k for k, items in fake.account_principals.items() if pid in items)
        principal = fake.account_principals[kind][pid]
        if kind == "Groups" and pid not in fake.principals["Groups"]:
            if any(g["displayName"] == principal["displayName"] for g in fake.principals["Groups"].values()):
                raise sdk_errors.ResourceConflict("group exists", error_code="RESOURCE_CONFLICT")
            fake.principals["Groups"][pid] = {
                "id": pid,
                "displayName": principal["displayName"],
                "meta": {"resourceType": "Group"},
            }
        fake.assignments.setdefault(int(wid), {})[pid] = body["permissions"]
        return {"principal": {"principal_id": int(pid)}, "permissions": body["permissions"]}

    def delete_assignment(wid, pid, query, body):
        if pid not in fake.assignments.get(int(wid), {}):
            raise sdk_errors.NotFound("not assigned", error_code="RESOURCE_DOES_NOT_EXIST")
        del fake.assignments[int(wid)][pid]
        return {}

    original = fake._routes
    extra = [
        (scim_base, "GET", acct_list),
        (scim_base, "POST", acct_create),
        (scim_base + r"/(?P<rid>[^/]+)", "GET", acct_get),
        (scim_base + r"/(?P<rid>[^/]+)", "PATCH", acct_patch),
        (scim_base + r"/(?P<rid>[^/]+)", "DELETE", acct_delete),
        (assign, "GET", list_assignments),
        (assign + r"/principals/(?P<pid>\d+)", "PUT", put_assignment),
        (assign + r"/principals/(?P<pid>\d+)", "DELETE", delete_assignment),
    ]
    fake._routes = lambda: extra + original()
    return fake


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
    missing = assign(group_names=["Read only", "Nobody"])
    assert missing["failed"] and "account group Nobody does not exist" in missing["msg"]
    removed = assign(group_names=["Read only", "All access"], state="absent")
    assert [a["changed"] for a in removed["assignments"]] == [True, True]
    assert fake.assignments[assign.workspace_id] == {}
    both = assign(group_names=["Read only"], group_name="Read only")
    assert both["failed"] and "mutually exclusive" in both["msg"]
