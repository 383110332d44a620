"""Account groups in a workspace: an assignment brings the group in under its account id (meta.resourceType Group,
workspace-local groups WorkspaceGroup), its entitlements are set there, a workspace-local group of the same name
refuses the assignment, and removing the assignment or the group takes it out of the workspace."""

import pytest
from databricks.sdk.errors import ResourceConflict
from databricks.sdk.service import iam

from .conftest import account_client, m2m_client, provision


@pytest.fixture
def setup(emulator, estate):
    a = account_client(emulator)
    ws, url = provision(a, estate)
    return a, ws.workspace_id, m2m_client(url)


def workspace_group(w, name):
    found = list(w.groups.list(filter=f'displayName eq "{name}"'))
    return found[0] if found else None


def test_assigned_account_group_in_the_workspace(setup):
    a, wid, w = setup
    group = a.groups.create(display_name="Read only")
    assert workspace_group(w, "Read only") is None
    a.workspace_assignment.update(workspace_id=wid, principal_id=int(group.id),
                                  permissions=[iam.WorkspacePermission.USER])
    view = workspace_group(w, "Read only")
    assert view.id == group.id and view.meta.resource_type == "Group"
    w.groups.patch(view.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="entitlements",
                                                  value=[{"value": "databricks-sql-access"}])],
                   schemas=[iam.PatchSchema.URN_IETF_PARAMS_SCIM_API_MESSAGES_2_0_PATCH_OP])
    assert [e.value for e in w.groups.get(view.id).entitlements] == ["databricks-sql-access"]
    local = w.groups.create(display_name="Local")
    assert w.groups.get(local.id).meta.resource_type == "WorkspaceGroup"
    with pytest.raises(ResourceConflict):  # the name is the account group's in this workspace
        w.groups.create(display_name="Read only")

    a.workspace_assignment.delete(workspace_id=wid, principal_id=int(group.id))
    assert workspace_group(w, "Read only") is None
    assert a.groups.get(group.id).display_name == "Read only"


def test_workspace_local_group_of_the_same_name_refuses_the_assignment(setup):
    a, wid, w = setup
    w.groups.create(display_name="All access")
    group = a.groups.create(display_name="All access")
    with pytest.raises(ResourceConflict, match="workspace-local group"):
        a.workspace_assignment.update(workspace_id=wid, principal_id=int(group.id),
                                      permissions=[iam.WorkspacePermission.USER])
    assigned = [p.principal.principal_id for p in a.workspace_assignment.list(workspace_id=wid)]
    assert int(group.id) not in assigned


def test_deleting_the_account_group_removes_it_from_the_workspace(setup):
    a, wid, w = setup
    group = a.groups.create(display_name="Gone")
    a.workspace_assignment.update(workspace_id=wid, principal_id=int(group.id),
                                  permissions=[iam.WorkspacePermission.USER])
    a.groups.delete(group.id)
    assert workspace_group(w, "Gone") is None
    assert int(group.id) not in [p.principal.principal_id for p in a.workspace_assignment.list(workspace_id=wid)]
