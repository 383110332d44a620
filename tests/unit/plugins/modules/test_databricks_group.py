"""databricks_group against the fake workspace SCIM API: entitlements, roles (instance profiles), purge switches;
account groups (scope account) in the fake account directory, their entitlements on the workspace's view of them."""


import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_group as group
from databricks.sdk import errors as sdk_errors

from tests.unit.plugins.scim_fake import ACCOUNT, A, add_account_directory

READ = "arn:aws:iam::123456789012:instance-profile/read"
META = "arn:aws:iam::123456789012:instance-profile/meta"


@pytest.fixture
def grp(run_workspace_module, fake_workspace):
    """grp(name="Read only", check_mode=False, **args): databricks_group run against fake_workspace (diff on)."""

    def run(name="Read only", check_mode=False, **args):
        return run_workspace_module(
            group.main, dict(display_name=name, **args), fake_workspace, check_mode=check_mode, diff=True
        )

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


@pytest.fixture
def acct(run_workspace_module, fake_workspace):
    """acct(name="Read only", check_mode=False, **args): databricks_group with scope account, the account and the
    workspace connection, against fake_workspace with an account directory."""
    add_account_directory(fake_workspace)
    fake_workspace.ws = fake_workspace.add_ws(deployment_name="dbc-one")

    def run(name="Read only", check_mode=False, **args):
        return run_workspace_module(
            group.main,
            dict(display_name=name, scope="account", account_id=ACCOUNT, **args),
            fake_workspace,
            check_mode=check_mode,
            diff=True,
        )

    return run


def assign(fake, gid):
    fake.do(
        "account",
        "PUT",
        A + "/workspaces/%s/permissionassignments/principals/%s" % (fake.ws["workspace_id"], gid),
        {},
        {"permissions": ["USER"]},
    )


def test_account_group_created_in_the_account_only(acct, fake_workspace):
    assert acct(check_mode=True)["changed"] and fake_workspace.mutating_calls() == []
    result = acct()
    assert result["changed"] and result["id"] in fake_workspace.account_principals["Groups"]
    assert all(g["displayName"] != "Read only" for g in fake_workspace.principals["Groups"].values())
    assert not acct()["changed"]


def test_account_group_entitlements_on_the_workspace_view(acct, fake_workspace):
    gid = acct()["id"]
    assign(fake_workspace, gid)
    result = acct(entitlements=["databricks-sql-access"])
    assert result["changed"] and result["workspace_group"]["id"] == gid
    assert values(fake_workspace, "Read only", "entitlements") == ["databricks-sql-access"]
    assert result["diff"]["before"]["entitlements"] == [] and result["diff"]["after"]["entitlements"] == [
        "databricks-sql-access"
    ]
    assert not acct(entitlements=["databricks-sql-access"])["changed"]
    assert acct(entitlements=[])["changed"] and values(fake_workspace, "Read only", "entitlements") == []


def test_account_group_another_run_created_meanwhile(acct, fake_workspace):
    """Deployments of one account run in parallel: the group another run created after the lookup is taken."""
    original = fake_workspace._routes

    def racing_routes():
        routes = original()
        for index, (pattern, verb, handler) in enumerate(routes):
            if (
                verb == "POST"
                and pattern.endswith("(?P<kind>ServicePrincipals|Groups|Users)")
                and "accounts" in pattern
            ):

                def conflict(kind, query, body, handler=handler):
                    handler(kind, query, body)  # the other run's group
                    raise sdk_errors.ResourceConflict(
                        "Group with name Read only already exists.", error_code="SCIM_409"
                    )

                routes[index] = (pattern, verb, conflict)
        return routes

    fake_workspace._routes = racing_routes
    result = acct()
    assert not result.get("failed") and result["changed"]
    assert result["id"] in fake_workspace.account_principals["Groups"]
    lookups = [c for c in fake_workspace.calls if c[1] == "GET" and c[2] == A + "/scim/v2/Groups"]
    assert len(lookups) == 2  # before the create, and after its conflict


def test_account_group_not_created_yet_in_check_mode(acct, fake_workspace):
    assert not acct(entitlements=[], check_mode=True)["changed"]
    result = acct(entitlements=["workspace-access"], check_mode=True)
    assert result["changed"] and result["diff"]["after"]["entitlements"] == ["workspace-access"]
    assert fake_workspace.mutating_calls() == []


def test_account_group_not_assigned(acct, fake_workspace):
    acct()
    assert not acct(entitlements=[], check_mode=True)["changed"]
    assert acct(entitlements=["allow-cluster-create"], check_mode=True)["changed"]
    result = acct(entitlements=["allow-cluster-create"])
    assert result["failed"] and result["error_code"] == "RESOURCE_DOES_NOT_EXIST" and "assign" in result["msg"]


def test_account_group_entitlements_need_the_workspace(run_account_module, fake_workspace):
    add_account_directory(fake_workspace)
    result = run_account_module(group.main, dict(display_name="x", scope="account", entitlements=[]), fake_workspace)
    assert result["failed"] and result["error_code"] == "MISSING_PARAMETER"


def test_account_group_against_a_workspace_local_group(acct, fake_workspace):
    acct()
    fake_workspace.principals["Groups"]["local-1"] = {
        "id": "local-1",
        "displayName": "Read only",
        "meta": {"resourceType": "WorkspaceGroup"},
    }
    result = acct(entitlements=[])
    assert result["failed"] and result["error_code"] == "RESOURCE_CONFLICT"


def test_account_group_kept_while_assigned(acct, fake_workspace):
    gid = acct()["id"]
    assign(fake_workspace, gid)
    kept = acct(state="absent")
    assert not kept["changed"] and kept["assigned_workspace_ids"] == [fake_workspace.ws["workspace_id"]]
    assert gid in fake_workspace.account_principals["Groups"]
    assert acct(state="absent", keep_assigned=False, check_mode=True)["changed"]
    assert gid in fake_workspace.account_principals["Groups"]
    fake_workspace.assignments.clear()
    result = acct(state="absent")
    assert result["changed"] and gid not in fake_workspace.account_principals["Groups"]
    assert not acct(state="absent")["changed"]


def test_workspace_scope_does_not_delete_an_account_group(grp, fake_workspace):
    fake_workspace.principals["Groups"]["777"] = {
        "id": "777",
        "displayName": "Read only",
        "meta": {"resourceType": "Group"},
    }
    result = grp(state="absent")
    assert not result["changed"] and result["group"] is None and "777" in fake_workspace.principals["Groups"]
    assert fake_workspace.mutating_calls() == []


@pytest.fixture
def accounts(run_workspace_module, fake_workspace):
    """accounts(groups, check_mode=False, **args): databricks_group with scope account and a list of groups."""
    add_account_directory(fake_workspace)
    fake_workspace.ws = fake_workspace.add_ws(deployment_name="dbc-one")

    def run(groups, check_mode=False, **args):
        return run_workspace_module(group.main, dict(groups=groups, scope="account", account_id=ACCOUNT, **args),
                                    fake_workspace, check_mode=check_mode, diff=True)

    return run


def scim_lists(fake):
    """The SCIM list requests made since fake.calls was cleared, as (listener, path)."""
    return [(listener, path) for listener, method, path in fake.calls if method == "GET" and path.endswith("/Groups")]


def test_account_groups_in_one_run_then_their_entitlements(accounts, fake_workspace):
    names = [{"display_name": "Read only"}, {"display_name": "All access"}]
    planned = accounts(names, check_mode=True)
    assert planned["changed"] and fake_workspace.mutating_calls() == []
    assert [(g["display_name"], g["changed"], g["id"]) for g in planned["groups"]] == [
        ("Read only", True, None), ("All access", True, None)]
    created = accounts(names)
    ids = dict((g["display_name"], g["id"]) for g in created["groups"])
    assert sorted(g["displayName"] for g in fake_workspace.account_principals["Groups"].values()) == [
        "All access", "Read only"]
    fake_workspace.calls.clear()
    assert not accounts(names)["changed"]
    assert scim_lists(fake_workspace) == [("account", A + "/scim/v2/Groups")]  # one query finds both groups
    for gid in ids.values():
        assign(fake_workspace, gid)
    wanted = [{"display_name": "Read only"}, {"display_name": "All access", "entitlements": ["allow-cluster-create"]}]
    result = accounts(wanted, entitlements=["workspace-access"])  # the module's entitlements: the default
    assert [g["changed"] for g in result["groups"]] == [True, True]
    assert values(fake_workspace, "Read only", "entitlements") == ["workspace-access"]
    assert values(fake_workspace, "All access", "entitlements") == ["allow-cluster-create"]
    assert result["diff"]["after"]["All access"]["entitlements"] == ["allow-cluster-create"]
    fake_workspace.calls.clear()
    assert not accounts(wanted, entitlements=["workspace-access"])["changed"]
    assert scim_lists(fake_workspace) == [  # both groups found in the account, then in the workspace
        ("account", A + "/scim/v2/Groups"), ("workspace", "/api/2.0/preview/scim/v2/Groups")]


def test_workspace_groups_in_one_run_removed(run_workspace_module, fake_workspace):
    def run(**args):
        return run_workspace_module(group.main, args, fake_workspace, diff=True)

    names = [{"display_name": "Read only"}, {"display_name": "All access"}]
    assert run(groups=names, roles=[READ])["changed"]
    assert values(fake_workspace, "All access", "roles") == [READ]
    fake_workspace.calls.clear()
    removed = run(groups=names, state="absent")
    assert [g["changed"] for g in removed["groups"]] == [True, True]
    assert scim_lists(fake_workspace) == [("workspace", "/api/2.0/preview/scim/v2/Groups")]
    assert not run(groups=names, state="absent")["changed"]
    refused = run(groups=[{"display_name": "admins"}], state="absent")
    assert refused["failed"] and refused["error_code"] == "INVALID_PARAMETER_VALUE"
    both = run(groups=names, display_name="Read only")
    assert both["failed"] and "mutually exclusive" in both["msg"]


def test_a_long_list_is_found_twenty_names_a_query(run_workspace_module, fake_workspace):
    fake_workspace.principals["Groups"]["g-q"] = {"id": "g-q", "displayName": 'Say "hi"'}
    names = [{"display_name": "group %02d" % i} for i in range(24)] + [{"display_name": 'say "HI"'}]
    result = run_workspace_module(group.main, dict(groups=names, state="absent"), fake_workspace)
    assert [g["changed"] for g in result["groups"]] == [False] * 24 + [True]  # SCIM eq ignores case
    assert "g-q" not in fake_workspace.principals["Groups"]
    assert len(scim_lists(fake_workspace)) == 2  # 25 names: a query of 20, then one of 5
