"""The account's SCIM directory and workspace permission assignments on the fake Databricks API, and SCIM list
filters as Databricks reads them (eq comparisons joined by "or", case-insensitive)."""

import re

from databricks.sdk import errors as sdk_errors

ACCOUNT = "acc-1"
A = "/api/2.0/accounts/%s" % ACCOUNT
_COMPARISON = re.compile(r'^(\w+) eq "((?:[^"\\]|\\.)*)"$')


def filtered(items, flt):
    """The items a SCIM filter of eq comparisons joined by " or " selects (all of them without a filter)."""
    if not flt:
        return items
    wanted = []
    for comparison in flt.split(" or "):
        attr, value = _COMPARISON.match(comparison).groups()
        wanted.append((attr, value.replace('\\"', '"').lower()))
    return [i for i in items if any(str(i.get(attr, "")).lower() == value for attr, value in wanted)]


def add_account_directory(fake):
    """fake (a FakeWorkspace) plus the account's directory (account SCIM) and workspace permission assignments; an
    assigned group shows in the workspace's directory with the account group's id (meta.resourceType Group)."""
    fake.account_principals = {"Groups": {}, "ServicePrincipals": {}, "Users": {}}
    fake.assignments = {}  # workspace id -> principal id -> permissions
    scim_base = A + "/scim/v2/(?P<kind>ServicePrincipals|Groups|Users)"
    assign = A + r"/workspaces/(?P<wid>\d+)/permissionassignments"

    def acct_list(kind, query, body):
        items = list(fake.account_principals[kind].values())
        items = filtered(items, query.get("filter"))
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
