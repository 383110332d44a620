# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workspace SCIM helpers (users, service principals, groups) on top of DatabricksModule.request.

    sp = find_one(module, "ServicePrincipals", "displayName", "Service Principal")
    patch(module, "Groups", group["id"], [add_members([sp["id"]])], action="add ... to admins")

``find_one`` fails the module (AMBIGUOUS_MATCH) when a filter matches several resources; given ``among`` (the
values of every entry of a list option), ``find``/``find_one`` answer all the entries from one query;
``list_all`` follows the list's pages (startIndex/count);
``values_of(resource, "entitlements")`` is the set of ``value`` strings of a multi-valued attribute.
Paths are the workspace SCIM API (``/api/2.0/preview/scim/v2``) unless ``base`` names the account's
(``account_base(account_id)``: ``/api/2.0/accounts/<account_id>/scim/v2``, where account groups live).
``resource_source(resource)`` says which a workspace's group is: an account group assigned to the workspace
(``Group``) or a workspace-local one (``WorkspaceGroup``), as ``meta.resourceType`` tells them apart.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCIM_PATH = "/api/2.0/preview/scim/v2"
PAGE_SIZE = 100  # resources asked for per SCIM list page
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCHEMAS = {
    "Users": "urn:ietf:params:scim:schemas:core:2.0:User",
    "ServicePrincipals": "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal",
    "Groups": "urn:ietf:params:scim:schemas:core:2.0:Group",
}


ACCOUNT_GROUP = "Group"  # meta.resourceType of an account group seen through a workspace's SCIM API
WORKSPACE_GROUP = "WorkspaceGroup"  # ... and of a workspace-local group


def account_base(account_id):
    """The account SCIM API's base path."""
    return "/api/2.0/accounts/%s/scim/v2" % account_id


def scim_path(kind, resource_id=None, base=SCIM_PATH):
    return "%s/%s%s" % (base, kind, "/%s" % resource_id if resource_id else "")


def resource_source(resource):
    """meta.resourceType of a SCIM resource (V(Group), V(WorkspaceGroup), ...; None when not given)."""
    return ((resource or {}).get("meta") or {}).get("resourceType")


def _quote(value):
    return '"%s"' % str(value).replace('"', '\\"')


def list_all(module, kind, query, action, client=None, base=SCIM_PATH):
    """Every resource of a SCIM list, page after page (startIndex/count): Databricks caps a page's size
    (fewer resources than count when it does), so one reply is not the whole answer."""
    found, seen, start = [], set(), 1
    while True:
        reply = module.request(
            "GET",
            scim_path(kind, base=base),
            query=dict(query, startIndex=start, count=PAGE_SIZE),
            client=client,
            action=action,
        )
        page = reply.get("Resources") or []
        for resource in page:
            if resource.get("id") not in seen:  # a resource added while paging can shift the pages
                seen.add(resource.get("id"))
                found.append(resource)
        start += len(page)
        if not page or start > int(reply.get("totalResults") or 0):
            return found


FILTER_VALUES_PER_QUERY = 20  # values joined by "or" into one SCIM filter: the query string stays short


def _list_equal_to(module, kind, attribute, values, client, base):
    """The resources whose attribute equals one of values: one list per FILTER_VALUES_PER_QUERY of them,
    their filter the values' eq comparisons joined by "or" (the simple expressions Databricks' SCIM lists take)."""
    found = []
    for start in range(0, len(values), FILTER_VALUES_PER_QUERY):
        chunk = values[start:start + FILTER_VALUES_PER_QUERY]
        found.extend(list_all(
            module,
            kind,
            {"filter": " or ".join("%s eq %s" % (attribute, _quote(value)) for value in chunk)},
            "find %s with %s %s" % (kind, attribute, ", ".join(chunk)),
            client=client,
            base=base,
        ))
    return found


def find(module, kind, attribute, value, client=None, base=SCIM_PATH, among=None):
    """Resources of kind whose attribute equals value (SCIM eq, case-insensitive on Databricks).

    among: every value the entries of a list option look up: within DatabricksModule.run_each one query answers
    them all, read once and shared by the entries (DatabricksModule.shared_read)."""
    if among is None:  # a read of its own (also a read again after a write, e.g. a create answered 409)
        found = _list_equal_to(module, kind, attribute, [str(value)], client, base)
    else:
        values = sorted(set(str(v) for v in among) | {str(value)})
        found = module.shared_read(
            ("scim", kind, attribute, base, id(client), tuple(values)),
            lambda: _list_equal_to(module, kind, attribute, values, client, base),
        )
    matching = [r for r in found if str(r.get(attribute)).lower() == str(value).lower()]
    # SCIM eq is case-insensitive; prefer exact matches when there are any.
    exact = [r for r in matching if str(r.get(attribute)) == str(value)]
    return exact or matching


def find_one(module, kind, attribute, value, client=None, base=SCIM_PATH, among=None):
    found = find(module, kind, attribute, value, client=client, base=base, among=among)
    if len(found) > 1:
        module.fail(
            "%d %s have %s %s (ids %s); make it unique or give the id"
            % (len(found), kind, attribute, value, ", ".join(str(r.get("id")) for r in found)),
            error_code="AMBIGUOUS_MATCH",
        )
    return found[0] if found else None


def values_of(resource, attribute):
    return sorted(str(item.get("value")) for item in (resource or {}).get(attribute) or [])


def add_values(attribute, values):
    return {"op": "add", "path": attribute, "value": [{"value": v} for v in values]}


def remove_values(attribute, values):
    return {"op": "remove", "path": attribute, "value": [{"value": v} for v in values]}


def add_members(member_ids):
    return add_values("members", member_ids)


def remove_member(member_id):
    """Remove one member (the filtered-path form Databricks documents)."""
    return {"op": "remove", "path": 'members[value eq "%s"]' % member_id}


def replace_value(attribute, value):
    return {"op": "replace", "path": attribute, "value": value}


def patch(module, kind, resource_id, operations, action, client=None, base=SCIM_PATH):
    body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
    return module.request("PATCH", scim_path(kind, resource_id, base), body=body, client=client, action=action)


def patch_and_read(module, kind, resource_id, operations, label, client=None, base=SCIM_PATH):
    """PATCH the resource, then read it back (a SCIM PATCH may answer 204 without the resource)."""
    patch(module, kind, resource_id, operations, action="update %s" % label, client=client, base=base)
    return module.request("GET", scim_path(kind, resource_id, base), client=client, action="read %s" % label)


def create(module, kind, body, action, client=None, base=SCIM_PATH, fail=True):
    """POST the resource; fail=False raises the API error instead of failing the module."""
    body = dict(body, schemas=[SCHEMAS[kind]])
    return module.request("POST", scim_path(kind, base=base), body=body, client=client, action=action, fail=fail)


def delete(module, kind, resource_id, action, client=None, base=SCIM_PATH):
    return module.request("DELETE", scim_path(kind, resource_id, base), client=client, action=action, not_found_ok=True)
