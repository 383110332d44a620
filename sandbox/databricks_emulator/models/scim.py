"""A SCIM 2.0 directory (users, service principals, groups), used by each workspace and the account."""

import re
import uuid

from ..errors import ScimError
from .common import numeric_id, public_view

SCHEMA = {
    "Users": "urn:ietf:params:scim:schemas:core:2.0:User",
    "ServicePrincipals": "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal",
    "Groups": "urn:ietf:params:scim:schemas:core:2.0:Group",
}
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# Attributes a client may set per resource type (everything else is computed or ignored).
WRITABLE = {
    "Users": ("userName", "displayName", "active", "emails", "name", "entitlements", "roles", "externalId"),
    "ServicePrincipals": ("applicationId", "displayName", "active", "entitlements", "roles", "externalId"),
    "Groups": ("displayName", "members", "entitlements", "roles", "externalId"),
}
MULTI_VALUED = ("members", "entitlements", "roles", "emails")
# One comparison of a filter: attribute, operator, value (quoted, with \" inside, or bare).
_COMPARISON = re.compile(r'\s*(\w+)\s+(eq|co|sw|ne)\s+("(?:[^"\\]|\\.)*"|[^\s"]+)\s*', re.IGNORECASE)
_LOGICAL = re.compile(r'(and|or)\s+', re.IGNORECASE)
_TESTS = {"eq": lambda have, value: have == value, "ne": lambda have, value: have != value,
          "co": lambda have, value: value in have, "sw": lambda have, value: have.startswith(value)}
_PATH_FILTER = re.compile(r'^(\w+)\[value eq "?([^"\]]*)"?\]$', re.IGNORECASE)


class ScimDirectory:
    # List pages: without ``count`` a list returns at most default_count resources, and never more than
    # max_count (SCIM RFC 7644 3.4.2.4 lets the service cap the page; clients follow startIndex/totalResults).
    default_count = 100
    max_count = 10000

    def __init__(self, role_validator=None):
        self.resources: dict[str, dict[str, dict]] = {kind: {} for kind in SCHEMA}
        self.role_validator = role_validator  # callable(value) raising ScimError for an unknown role

    # --- lookups ----------------------------------------------------------------------------
    def get(self, kind: str, rid: str) -> dict:
        resource = self.resources[kind].get(str(rid))
        if resource is None:
            singular = {"Users": "User", "ServicePrincipals": "ServicePrincipal", "Groups": "Group"}[kind]
            raise ScimError(404, f"{singular} with id {rid} not found.")
        return resource

    def find(self, kind: str, attr: str, value) -> dict | None:
        return next((r for r in self.resources[kind].values() if r.get(attr) == value), None)

    def kind_of(self, rid: str) -> str | None:
        return next((kind for kind, items in self.resources.items() if rid in items), None)

    def groups_of(self, rid: str) -> list[dict]:
        return [g for g in self.resources["Groups"].values()
                if any(m["value"] == rid for m in g.get("members", []))]

    def is_member(self, rid: str, group_name: str, _depth: int = 0) -> bool:
        """Direct or nested membership."""
        for group in self.groups_of(rid):
            if group["displayName"] == group_name or (_depth < 5 and self.is_member(group["id"], group_name,
                                                                                     _depth + 1)):
                return True
        return False

    # --- rendering --------------------------------------------------------------------------
    def render(self, kind: str, resource: dict) -> dict:
        out = public_view(resource)
        out["schemas"] = [SCHEMA[kind]]
        groups = [{"value": g["id"], "display": g["displayName"], "$ref": f"Groups/{g['id']}", "type": "direct"}
                  for g in self.groups_of(resource["id"])]
        if groups:
            out["groups"] = groups
        if kind == "Groups":
            out["meta"] = {"resourceType": "Group"}
        return out

    def list(self, kind: str, query: dict) -> dict:
        items = list(self.resources[kind].values())
        flt = query.get("filter")
        if flt:
            alternatives = _parse_filter(flt)
            items = [r for r in items if any(all(_holds(r, *comparison) for comparison in conjunction)
                                             for conjunction in alternatives)]
        items.sort(key=lambda r: r["id"])
        try:
            start = max(int(query.get("startIndex") or 1), 1)
            count = int(query["count"]) if query.get("count") not in (None, "") else self.default_count
        except ValueError as exc:
            raise ScimError(400, "startIndex and count must be integers", "invalidValue") from exc
        count = min(max(count, 0), self.max_count)
        page = items[start - 1:start - 1 + count]
        return {"schemas": [LIST_SCHEMA], "totalResults": len(items), "startIndex": start,
                "itemsPerPage": len(page), "Resources": [self.render(kind, r) for r in page]}

    # --- writes -----------------------------------------------------------------------------
    def _check_values(self, kind: str, resource: dict) -> None:
        for role in resource.get("roles", []):
            if self.role_validator:
                self.role_validator(role.get("value"))
        for member in resource.get("members", []):
            if self.kind_of(str(member.get("value"))) is None:
                raise ScimError(404, f"Member with id {member.get('value')} not found.")
            member["value"] = str(member["value"])
            target = self.kind_of(member["value"])
            member.setdefault("display", self._display(target, self.resources[target][member["value"]]))
            member.setdefault("$ref", f"{target}/{member['value']}")

    @staticmethod
    def _display(kind: str, resource: dict) -> str:
        return resource.get("displayName") or resource.get("userName") or resource.get("applicationId", "")

    def _check_unique(self, kind: str, resource: dict, rid: str | None = None) -> None:
        key = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
        other = self.find(kind, key, resource.get(key))
        if other is not None and other["id"] != rid:
            noun = {"Users": "User with username", "ServicePrincipals": "Service principal with application ID",
                    "Groups": "Group with name"}[kind]
            raise ScimError(409, f"{noun} {resource.get(key)} already exists.", "uniqueness")

    def create(self, kind: str, body: dict, rid: str | None = None) -> dict:
        resource = {k: body[k] for k in WRITABLE[kind] if k in body}
        if kind == "Users" and not resource.get("userName"):
            raise ScimError(400, "Request is missing required field: userName", "invalidValue")
        if kind == "Groups" and not resource.get("displayName"):
            raise ScimError(400, "Request is missing required field: displayName", "invalidValue")
        if kind == "ServicePrincipals":
            resource.setdefault("applicationId", str(uuid.uuid4()))
            resource.setdefault("displayName", resource["applicationId"])
        if kind == "Users":
            resource.setdefault("displayName", resource["userName"])
            resource.setdefault("emails", [{"value": resource["userName"], "type": "work", "primary": True}])
        if kind != "Groups":
            resource.setdefault("active", True)
        self._check_unique(kind, resource)
        self._check_values(kind, resource)
        resource["id"] = rid or str(numeric_id())
        self.resources[kind][resource["id"]] = resource
        return resource

    def replace(self, kind: str, rid: str, body: dict) -> dict:
        current = self.get(kind, rid)
        resource = {k: body[k] for k in WRITABLE[kind] if k in body}
        for fixed in ("applicationId", "userName"):
            if fixed in current:
                resource.setdefault(fixed, current[fixed])
        self._check_unique(kind, resource, rid)
        self._check_values(kind, resource)
        resource["id"] = rid
        resource.update({k: v for k, v in current.items() if k.startswith("_")})
        if kind != "Groups":
            resource.setdefault("active", True)
        self.resources[kind][rid] = resource
        return resource

    def patch(self, kind: str, rid: str, body: dict) -> dict:
        resource = self.get(kind, rid)
        updated = {k: (list(v) if isinstance(v, list) else v) for k, v in resource.items()}
        operations = body.get("Operations") or body.get("operations")
        if not isinstance(operations, list) or not operations:
            raise ScimError(400, "PatchOp request must contain Operations", "invalidSyntax")
        for operation in operations:
            self._apply(kind, updated, operation)
        self._check_unique(kind, updated, rid)
        self._check_values(kind, updated)
        resource.clear()
        resource.update(updated)
        return resource

    def _apply(self, kind: str, resource: dict, operation: dict) -> None:
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        value = operation.get("value")
        if op not in ("add", "remove", "replace"):
            raise ScimError(400, f"Unsupported PatchOp op: {operation.get('op')}", "invalidSyntax")
        if not path:  # value is an object of attributes
            if not isinstance(value, dict):
                raise ScimError(400, "PatchOp without path needs an object value", "invalidValue")
            for attr, attr_value in value.items():
                self._apply(kind, resource, {"op": op, "path": attr, "value": attr_value})
            return
        filtered = _PATH_FILTER.match(path)
        if filtered:  # e.g. members[value eq "123"]
            attr, selected = filtered.group(1), filtered.group(2)
            if op != "remove":
                raise ScimError(400, f"Unsupported PatchOp on filtered path {path}", "invalidPath")
            resource[attr] = [v for v in resource.get(attr, []) if str(v.get("value")) != selected]
            return
        if path not in WRITABLE[kind] or (path in ("applicationId", "userName") and op == "remove"):
            raise ScimError(400, f"Invalid path: {path}", "invalidPath")
        if path in MULTI_VALUED:
            values = value if isinstance(value, list) else ([value] if value is not None else [])
            current = resource.get(path, [])
            if op == "replace":
                current = []
            if op == "remove":
                drop = {str(v.get("value")) for v in values}
                current = [v for v in current if drop and str(v.get("value")) not in drop]
            else:
                known = {str(v.get("value")) for v in current}
                current = current + [dict(v) for v in values if str(v.get("value")) not in known]
            resource[path] = current
            if not current:
                resource.pop(path)
        elif op == "remove":
            resource.pop(path, None)
        else:
            resource[path] = value

    def delete(self, kind: str, rid: str) -> None:
        self.get(kind, rid)
        del self.resources[kind][rid]
        for group in self.resources["Groups"].values():
            if any(m["value"] == rid for m in group.get("members", [])):
                group["members"] = [m for m in group["members"] if m["value"] != rid]


def _parse_filter(text: str) -> list[list[tuple[str, str, str]]]:
    """A SCIM filter as alternatives (joined by ``or``) of conjunctions (joined by ``and``) of comparisons.

    Databricks' SCIM lists take eq, co, sw and ne, and "simple expressions" of them joined by ``and`` and
    ``or`` (no parentheses, no ``not``); ``and`` binds tighter than ``or`` (RFC 7644 3.4.2.2). Anything
    else is 400 invalidFilter."""
    alternatives, conjunction, position = [], [], 0
    while True:
        match = _COMPARISON.match(text, position)
        if not match:
            raise ScimError(400, f"Unsupported filter: {text}", "invalidFilter")
        value = match.group(3)
        if value.startswith('"'):
            value = re.sub(r'\\(.)', r'\1', value[1:-1])
        conjunction.append((match.group(1), match.group(2).lower(), value))
        position = match.end()
        if position == len(text):
            alternatives.append(conjunction)
            return alternatives
        logical = _LOGICAL.match(text, position)
        if not logical:
            raise ScimError(400, f"Unsupported filter: {text}", "invalidFilter")
        if logical.group(1).lower() == "or":
            alternatives.append(conjunction)
            conjunction = []
        position = logical.end()


def _holds(resource: dict, attribute: str, operator: str, value: str) -> bool:
    """One comparison on a resource; values compare case-insensitively, as Databricks' SCIM does."""
    have = resource.get(attribute)
    return have is not None and _TESTS[operator](str(have).lower(), value.lower())

