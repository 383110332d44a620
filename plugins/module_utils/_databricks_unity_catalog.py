# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unity Catalog securables of a workspace (``/api/2.1/unity-catalog``): what the modules
databricks_storage_credential, databricks_external_location, databricks_catalog, databricks_schema,
databricks_workspace_binding and databricks_grants share.

* ``Securable``: one object of a collection (``storage-credentials``, ``external-locations``, ``catalogs``,
  ``schemas``) found by its name: read (None when it does not exist), create, update, delete.
* ``ensure_present(module, securable, spec)`` / ``ensure_absent(module, securable, force)``: read -> normalise ->
  compare -> act only on a difference -> re-read, with check mode predicting the result and a before/after diff.
  Fields the create call does not take (``owner``, a catalog's ``isolation_mode``) are set by an update right
  after it, as terraform-provider-databricks does (catalog/resource_catalog.go, resource_external_location.go);
  an owner change goes last, so the caller still may make the other changes.
* Privileges and grants: ``normalise_privilege`` (``"USE CATALOG"`` -> ``USE_CATALOG``, as Unity Catalog itself
  converts them, terraform-provider-databricks catalog/permissions/permissions.go NormalizePrivilege),
  ``grant_changes`` (the PermissionsChange list one ``PATCH .../permissions/<type>/<name>`` takes, computed as
  the provider's diffPermissions does), and the paged readers of grants and workspace bindings.
* ``is_iam_propagation_error``: the validation errors Databricks answers while a new or updated IAM role (or its
  trust) has not propagated yet, retried by databricks_external_location.

Field names, paths and privilege names are the databricks-sdk's (service/catalog.py). Pure Python apart from
the module's request method.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
from urllib.parse import quote

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    error_code_of,
    unwrap,
)

UC_API = "/api/2.1/unity-catalog"

# databricks-sdk 0.156 service/catalog.py, class Privilege.
PRIVILEGES = (
    "ACCESS", "ALL_PRIVILEGES", "APPLY_TAG", "BROWSE", "CREATE", "CREATE_CATALOG", "CREATE_CLEAN_ROOM",
    "CREATE_CONNECTION", "CREATE_EXTERNAL_LOCATION", "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME",
    "CREATE_FOREIGN_CATALOG", "CREATE_FOREIGN_SECURABLE", "CREATE_FUNCTION", "CREATE_MANAGED_STORAGE",
    "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL", "CREATE_PROVIDER", "CREATE_RECIPIENT", "CREATE_SCHEMA",
    "CREATE_SERVICE_CREDENTIAL", "CREATE_SHARE", "CREATE_STORAGE_CREDENTIAL", "CREATE_TABLE", "CREATE_VIEW",
    "CREATE_VOLUME", "EXECUTE", "EXECUTE_CLEAN_ROOM_TASK", "EXTERNAL_USE_LOCATION", "EXTERNAL_USE_SCHEMA", "MANAGE",
    "MANAGE_ALLOWLIST", "MODIFY", "MODIFY_CLEAN_ROOM", "READ_FILES", "READ_METADATA", "READ_PRIVATE_FILES",
    "READ_VOLUME", "REFRESH", "SELECT", "SET_SHARE_PERMISSION", "USAGE", "USE_CATALOG", "USE_CONNECTION",
    "USE_MARKETPLACE_ASSETS", "USE_PROVIDER", "USE_RECIPIENT", "USE_SCHEMA", "USE_SHARE", "WRITE_FILES",
    "WRITE_PRIVATE_FILES", "WRITE_VOLUME",
)

# What Databricks answers to an external location (or a credential validation) while the storage credential's
# IAM role, or the trust naming the credential's external id, has not propagated in AWS yet: Unity Catalog
# cannot assume the role ("AWS IAM role in the storage credential is not configured correctly", the role
# "is not authorized to perform: sts:AssumeRole"), or the role it assumed cannot reach the bucket yet. AWS
# documents that IAM changes take a while to be visible everywhere (IAM User Guide, "Changes that I make are
# not always immediately visible"); Databricks' docs on storage credentials say to wait and retry.
IAM_PROPAGATION_CODES = ("INVALID_PARAMETER_VALUE", "PERMISSION_DENIED", "BAD_REQUEST", "MALFORMED_REQUEST",
                         "INVALID_STATE", "UNKNOWN")
IAM_PROPAGATION_PHRASES = (
    "aws iam role",
    "sts:assumerole",
    "not authorized to perform",
    "self-assum",
    "self assum",
    "is not configured correctly",
    "does not have read permissions",
    "does not have write permissions",
    "does not have list permissions",
    "does not have delete permissions",
    "failed to get credentials",
    "failed credential validation",
    "propagat",
)


def is_iam_propagation_error(exc):
    """A validation error of the storage credential's role that IAM propagation explains (see the phrases)."""
    if error_code_of(exc) not in IAM_PROPAGATION_CODES:
        return False
    text = str(unwrap(exc)).lower()
    return any(phrase in text for phrase in IAM_PROPAGATION_PHRASES)


def strip_slash(url):
    """A storage URL without its trailing slashes (Databricks stores s3://b/ and s3://b alike)."""
    return url.rstrip("/") if isinstance(url, str) and url.rstrip("/") else url


def deep_merge(base, extra):
    """base updated with extra, dicts merged key by key (None in extra leaves the base value)."""
    out = copy.deepcopy(base) if base else {}
    for key, value in (extra or {}).items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --- securables -----------------------------------------------------------------------------------------------
class Securable:
    """One Unity Catalog object of a workspace, found by name in a collection of ``/api/2.1/unity-catalog``.

    kind names it in messages ("storage credential"); call_kwargs are passed to the create and update calls
    (e.g. retry_if / retry_timeout for IAM propagation)."""

    def __init__(self, module, collection, name, kind, call_kwargs=None):
        self.module = module
        self.collection = "%s/%s" % (UC_API, collection)
        self.name = name
        self.kind = kind
        self.path = "%s/%s" % (self.collection, quote(name, safe=""))
        self.call_kwargs = call_kwargs or {}

    def read(self):
        return self.module.request("GET", self.path, action="read %s %s" % (self.kind, self.name),
                                   not_found_ok=True)

    def create(self, body):
        return self.module.request("POST", self.collection, body=body,
                                   action="create %s %s" % (self.kind, self.name), **self.call_kwargs)

    def update(self, body, what="update"):
        return self.module.request("PATCH", self.path, body=body,
                                   action="%s %s %s" % (what, self.kind, self.name), **self.call_kwargs)

    def delete(self, force):
        return self.module.request("DELETE", self.path, query={"force": bool(force)},
                                   action="delete %s %s" % (self.kind, self.name), not_found_ok=True)


class SecurableSpec:
    """What a module wants of its securable.

    desired: the managed fields, flat (None = not managed); project(current) -> the same fields of an object as
    read; to_api(fields) -> those fields in the API's shape (default: as they are); create_fields: the fields the
    create call takes (the others are set by an update after it); create_only: fields that cannot change once
    the object exists (a difference fails the module); create_extra / update_extra: request-only members
    (skip_validation, force); order: fields set by a separate update after the others (owner last)."""

    def __init__(self, desired, project, create_fields, to_api=None, create_only=(), create_extra=None,
                 update_extra=None, last=("owner",)):
        self.desired = desired
        self.project = project
        self.create_fields = tuple(create_fields)
        self.to_api = to_api or dict
        self.create_only = tuple(create_only)
        self.create_extra = dict((k, v) for k, v in (create_extra or {}).items() if v is not None)
        self.update_extra = dict((k, v) for k, v in (update_extra or {}).items() if v is not None)
        self.last = tuple(last)


def _fields(spec, keys):
    return dict((k, spec.desired[k]) for k in keys if spec.desired.get(k) is not None)


def ensure_present(module, securable, spec, result_key):
    """Create the securable or bring its managed fields to spec; the result has result_key: the object after
    the run (predicted in check mode)."""
    current = securable.read()
    delta = ResourceDiff(spec.desired, spec.project(current) if current is not None else None)
    fixed = [key for key in delta.changed_keys if key in spec.create_only] if current is not None else []
    if fixed:
        module.fail("%s %s: %s cannot be changed once it exists (it is %s, wanted %s); delete it and create it "
                    "again to change it" % (securable.kind, securable.name, ", ".join(fixed),
                                            ", ".join(repr(delta.changes[k]["before"]) for k in fixed),
                                            ", ".join(repr(delta.changes[k]["after"]) for k in fixed)),
                    error_code="INVALID_PARAMETER_VALUE")
    if not delta.changed:
        return module.result(changed=False, diff=delta.diff, **{result_key: current})
    if module.check_mode:
        predicted = deep_merge(current or {"name": securable.name}, spec.to_api(_fields(spec, spec.desired)))
        return module.result(changed=True, diff=delta.diff, **{result_key: predicted})
    if current is None:
        body = dict(spec.to_api(_fields(spec, spec.create_fields)), **spec.create_extra)
        created = securable.create(body)
        have = spec.project(created) if created else {}
        later = [k for k in spec.desired if k not in spec.create_fields and spec.desired[k] is not None and
                 have.get(k) != spec.desired[k]]
    else:
        later = delta.changed_keys
    first = [k for k in later if k not in spec.last]
    if first:
        securable.update(dict(spec.to_api(_fields(spec, first)), **spec.update_extra))
    for key in spec.last:
        if key in later:
            securable.update(spec.to_api(_fields(spec, [key])), what="set the %s of" % key)
    return module.result(changed=True, diff=delta.diff, **{result_key: securable.read()})


def ensure_absent(module, securable, force, result_key, project=None):
    """Delete the securable when it exists (with force: with its contents)."""
    current = securable.read()
    if current is None:
        return module.result(changed=False, diff=absent_diff(None), **{result_key: None})
    if not module.check_mode:
        securable.delete(force)
    before = project(current) if project else current
    return module.result(changed=True, diff=absent_diff(before), **{result_key: None})


# --- grants ---------------------------------------------------------------------------------------------------
def normalise_privilege(name):
    """The API's spelling of a privilege: upper case, words joined by underscores ("use catalog" -> USE_CATALOG)."""
    return re.sub(r"[\s_-]+", "_", str(name).strip()).upper()


def wanted_grants(grants):
    """{principal: sorted privileges} of the grants option (a principal listed twice gets both lists), and the
    list of unknown privilege names."""
    wanted, unknown = {}, []
    for grant in grants or []:
        privileges = wanted.setdefault(grant["principal"], set())
        for privilege in grant.get("privileges") or []:
            name = normalise_privilege(privilege)
            if name not in PRIVILEGES:
                unknown.append(privilege)
            privileges.add(name)
    return dict((k, sorted(v)) for k, v in wanted.items()), unknown


def assignments_to_grants(assignments):
    """{principal: sorted privileges} of the API's privilege_assignments (principals without privileges left
    out)."""
    grants = {}
    for entry in assignments or []:
        privileges = set(normalise_privilege(p) for p in entry.get("privileges") or [])
        if entry.get("principal") and privileges:
            grants.setdefault(entry["principal"], set()).update(privileges)
    return dict((k, sorted(v)) for k, v in grants.items())


def grant_changes(current, wanted, exclusive=True):
    """(changes, after): the PermissionsChange list that takes current to wanted ({principal: privileges} both),
    sorted by principal, and the grants after it. exclusive: privileges and principals not wanted are revoked;
    otherwise only additions. Principals match case-insensitively (Databricks' principals do); a change names the
    principal as Databricks holds it."""
    held = dict((p.lower(), p) for p in current)
    changes, after = [], dict((p, list(v)) for p, v in current.items())
    for principal, privileges in wanted.items():
        name = held.get(principal.lower(), principal)
        have = set(current.get(name, []))
        add = sorted(set(privileges) - have)
        remove = sorted(have - set(privileges)) if exclusive else []
        if add or remove:
            changes.append({"principal": name, "add": add, "remove": remove})
        result = sorted((have | set(privileges)) - set(remove))
        if result:
            after[name] = result
        else:
            after.pop(name, None)
    if exclusive:
        wanted_names = set(p.lower() for p in wanted)
        for name, privileges in current.items():
            if name.lower() not in wanted_names:
                changes.append({"principal": name, "add": [], "remove": sorted(privileges)})
                after.pop(name, None)
    changes.sort(key=lambda change: change["principal"].lower())
    return changes, after


def revoke_changes(current, listed):
    """(changes, after): the PermissionsChange list revoking the listed privileges ({principal: privileges}) that
    current holds, and the grants after it; other principals and privileges are left."""
    held = dict((p.lower(), p) for p in current)
    changes, after = [], dict((p, list(v)) for p, v in current.items())
    for principal, privileges in listed.items():
        name = held.get(principal.lower())
        remove = sorted(set(current.get(name) or []) & set(privileges))
        if not remove:
            continue
        changes.append({"principal": name, "add": [], "remove": remove})
        kept = sorted(set(current[name]) - set(remove))
        if kept:
            after[name] = kept
        else:
            del after[name]
    changes.sort(key=lambda change: change["principal"].lower())
    return changes, after


def paged(module, path, key, action):
    """Every item under key of a list Databricks pages with next_page_token / page_token (grants, bindings)."""
    items, query = [], None
    while True:
        reply = module.request("GET", path, query=query, action=action) or {}
        items.extend(reply.get(key) or [])
        token = reply.get("next_page_token")
        if not token:
            return items
        query = {"page_token": token}


def permissions_path(securable_type, full_name):
    return "%s/permissions/%s/%s" % (UC_API, securable_type, quote(full_name, safe=""))


def bindings_path(securable_type, name):
    return "%s/bindings/%s/%s" % (UC_API, securable_type, quote(name, safe=""))
