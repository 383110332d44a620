"""An in-memory Unity Catalog (account metastores and assignments; a workspace's storage credentials, external
locations, catalogs, schemas, grants and workspace bindings) on top of the fake workspace of conftest.py, answering
the request paths and bodies of databricks-sdk 0.156 service/catalog.py and refusing what Databricks refuses that
the modules must handle (a second assignment, overlapping locations, deleting non-empty objects without force,
unknown privileges, validation failing while IAM propagates)."""

import copy
import itertools
import re
import uuid

from databricks.sdk import errors as sdk_errors

from tests.unit.plugins.modules.conftest import ACCOUNT, FakeWorkspace

A = "/api/2.0/accounts/%s" % ACCOUNT
UC = "/api/2.1/unity-catalog"
CALLER = "cid"  # the caller's application id: owner of what it creates
MASTER_ROLE = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"
PRIVILEGES = {"USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY", "READ_FILES", "WRITE_FILES", "CREATE_TABLE",
              "CREATE_SCHEMA", "ALL_PRIVILEGES", "BROWSE", "CREATE_EXTERNAL_TABLE", "MANAGE"}
PROPAGATING = ("Failed to get credentials: AWS IAM role in the storage credential is not configured correctly. "
               "Please contact your account admin to update the storage credential.")


def invalid(message):
    return sdk_errors.InvalidParameterValue(message, error_code="INVALID_PARAMETER_VALUE")


def missing(message):
    return sdk_errors.NotFound(message, error_code="NOT_FOUND")


class FakeUnityCatalog(FakeWorkspace):
    """The fake workspace (id ``workspace_id``) with an account's metastores and Unity Catalog objects.

    ``propagating``: how many more create/update calls of external locations fail validation as a role that has
    not propagated does; ``page_size``: the page size of grants and bindings lists."""

    def __init__(self):
        super().__init__()
        self.workspace_id = 1001
        self.uc_ids = itertools.count(1)
        self.metastores = {}
        self.assignments = {}
        self.credentials = {}
        self.locations = {}
        self.catalogs = {}
        self.schemas = {}
        self.grants = {}  # (securable_type, full_name) -> {principal: set}
        self.bindings = {}  # (securable_type, name) -> {workspace_id: binding_type}
        self.propagating = 0
        self.page_size = 2
        self.bodies = []  # (method, path, body) of every mutating Unity Catalog call

    def _routes(self):
        ms = A + r"/metastores/(?P<mid>[^/]+)"
        ws = A + r"/workspaces/(?P<wid>\d+)"
        routes = [
            (A + "/metastores", "GET", lambda query, body: {"metastores": list(self.metastores.values())}),
            (A + "/metastores", "POST", self.ms_create),
            (ms, "GET", self.ms_get), (ms, "PUT", self.ms_put), (ms, "DELETE", self.ms_delete),
            (ms + "/workspaces", "GET", self.ms_workspaces),
            (ws + "/metastore", "GET", self.asg_get),
            (ws + r"/metastores/(?P<mid>[^/]+)", "POST", self.asg_create),
            (ws + r"/metastores/(?P<mid>[^/]+)", "PUT", self.asg_update),
            (ws + r"/metastores/(?P<mid>[^/]+)", "DELETE", self.asg_delete),
            (UC + r"/permissions/(?P<stype>[^/]+)/(?P<name>[^/]+)", "GET", self.perm_get),
            (UC + r"/permissions/(?P<stype>[^/]+)/(?P<name>[^/]+)", "PATCH", self.perm_patch),
            (UC + r"/bindings/(?P<stype>[^/]+)/(?P<name>[^/]+)", "GET", self.bind_get),
            (UC + r"/bindings/(?P<stype>[^/]+)/(?P<name>[^/]+)", "PATCH", self.bind_patch),
        ]
        for coll, store in (("storage-credentials", "credentials"), ("external-locations", "locations"),
                            ("catalogs", "catalogs"), ("schemas", "schemas")):
            item = UC + "/%s/(?P<name>[^/]+)" % coll
            routes += [
                (UC + "/" + coll, "POST", self._handler("create", store)),
                (item, "GET", self._handler("get", store)),
                (item, "PATCH", self._handler("patch", store)),
                (item, "DELETE", self._handler("delete", store)),
            ]
        return [*super()._routes(), *routes]

    def do(self, listener, method, path, query, body):
        if method in ("POST", "PATCH", "PUT", "DELETE") and ("unity-catalog" in path or "metastore" in path):
            self.bodies.append((method, path, copy.deepcopy(body)))
        return super().do(listener, method, path, query, body)

    # --- account: metastores and assignments ---------------------------------------------------------------
    def add_metastore(self, name, region, **fields):
        mid = str(uuid.UUID(int=next(self.uc_ids)))
        self.metastores[mid] = dict(fields, metastore_id=mid, name=name, region=region, owner=CALLER,
                                    created_by=CALLER, cloud="aws")
        return self.metastores[mid]

    def ms_create(self, query, body):
        info = body["metastore_info"]
        if any(m["region"] == info.get("region") for m in self.metastores.values()):
            raise sdk_errors.BadRequest("This account already has a metastore in region %s" % info["region"],
                                        error_code="INVALID_STATE")
        return {"metastore_info": self.add_metastore(**info)}

    def _metastore(self, mid):
        if mid not in self.metastores:
            raise missing("Metastore '%s' does not exist." % mid)
        return self.metastores[mid]

    def ms_get(self, mid, query, body):
        return {"metastore_info": self._metastore(mid)}

    def ms_put(self, mid, query, body):
        self._metastore(mid).update(body["metastore_info"])
        return {"metastore_info": self.metastores[mid]}

    def ms_delete(self, mid, query, body):
        self._metastore(mid)
        if self.catalogs and query.get("force") is not True:
            raise invalid("Metastore %s is not empty." % mid)
        del self.metastores[mid]
        return {}

    def ms_workspaces(self, mid, query, body):
        self._metastore(mid)
        return {"workspace_ids": sorted(w for w, a in self.assignments.items() if a["metastore_id"] == mid)}

    def asg_get(self, wid, query, body):
        if int(wid) not in self.assignments:
            raise missing("Workspace %s has no metastore assigned." % wid)
        return {"metastore_assignment": self.assignments[int(wid)]}

    def asg_create(self, wid, mid, query, body):
        self._metastore(mid)
        if int(wid) in self.assignments:
            raise invalid("Workspace %s already has a metastore assigned." % wid)
        assert body["metastore_assignment"]["metastore_id"] == mid
        self.assignments[int(wid)] = dict(body["metastore_assignment"], workspace_id=int(wid))
        return {}

    def asg_update(self, wid, mid, query, body):
        self.assignments[int(wid)].update(body["metastore_assignment"])
        return {}

    def asg_delete(self, wid, mid, query, body):
        if self.assignments.get(int(wid), {}).get("metastore_id") != mid:
            raise missing("Workspace %s is not assigned to metastore %s." % (wid, mid))
        del self.assignments[int(wid)]
        return {}

    # --- workspace: securables ----------------------------------------------------------------------------------
    def _handler(self, verb, store):
        def handle(query, body, name=None):
            return getattr(self, "%s_%s" % (store, verb))(getattr(self, store), name, query, body)
        return handle

    def _metastore_of_workspace(self):
        if self.workspace_id not in self.assignments:
            raise sdk_errors.BadRequest("No metastore assigned for the current workspace.",
                                        error_code="METASTORE_DOES_NOT_EXIST")
        return self.assignments[self.workspace_id]["metastore_id"]

    def _new(self, store, name, body, **extra):
        if name in store:
            raise sdk_errors.ResourceAlreadyExists("%s already exists." % name, error_code="RESOURCE_ALREADY_EXISTS")
        obj = dict((k, v) for k, v in body.items() if k not in ("skip_validation", "force"))
        obj.update(extra, name=obj.get("name", name), owner=CALLER, created_by=CALLER,
                   metastore_id=self._metastore_of_workspace())
        store[name] = obj
        return copy.deepcopy(obj)

    @staticmethod
    def _get(store, name):
        if name not in store:
            raise missing("'%s' does not exist." % name)
        return store[name]

    def _patch(self, store, name, body, allowed):
        obj = self._get(store, name)
        unknown = set(body) - set(allowed) - {"skip_validation", "force"}
        assert not unknown, "update does not take %s" % unknown
        obj.update((k, v) for k, v in body.items() if k in allowed)
        return copy.deepcopy(obj)

    # storage credentials
    def credentials_create(self, store, name, query, body):
        assert set(body["aws_iam_role"]) == {"role_arn"}
        return self._new(store, body["name"], dict(body, aws_iam_role=dict(
            body["aws_iam_role"], external_id=str(uuid.uuid4()), unity_catalog_iam_arn=MASTER_ROLE)),
            id=str(uuid.uuid4()), read_only=bool(body.get("read_only")))

    def credentials_get(self, store, name, query, body):
        return self._get(store, name)

    def credentials_patch(self, store, name, query, body):
        if "aws_iam_role" in body:
            body["aws_iam_role"] = dict(self._get(store, name)["aws_iam_role"], **body["aws_iam_role"])
        return self._patch(store, name, body, ("aws_iam_role", "comment", "read_only", "owner"))

    def credentials_delete(self, store, name, query, body):
        self._get(store, name)
        if any(loc["credential_name"] == name for loc in self.locations.values()) and query.get("force") is not True:
            raise invalid("Storage credential '%s' has 1 dependent external locations." % name)
        del store[name]
        return {}

    # external locations
    def _validate_location(self, name, url, credential_name):
        if credential_name not in self.credentials:
            raise missing("Storage Credential '%s' does not exist." % credential_name)
        for other in self.locations.values():
            a, b = other["url"].rstrip("/") + "/", url.rstrip("/") + "/"
            if other["name"] != name and (a.startswith(b) or b.startswith(a)):
                raise invalid("Input path url '%s' overlaps with an existing external location '%s'." % (
                    url, other["name"]))
        if self.propagating > 0:
            self.propagating -= 1
            raise sdk_errors.PermissionDenied(PROPAGATING, error_code="PERMISSION_DENIED")

    def locations_create(self, store, name, query, body):
        self._validate_location(body["name"], body["url"], body["credential_name"])
        return self._new(store, body["name"], body, read_only=bool(body.get("read_only")))

    def locations_get(self, store, name, query, body):
        return self._get(store, name)

    def locations_patch(self, store, name, query, body):
        current = self._get(store, name)
        if "url" in body or "credential_name" in body:
            self._validate_location(name, body.get("url", current["url"]),
                                    body.get("credential_name", current["credential_name"]))
        return self._patch(store, name, body, ("url", "credential_name", "comment", "read_only", "encryption_details",
                                               "owner"))

    def locations_delete(self, store, name, query, body):
        self._get(store, name)
        del store[name]
        return {}

    # catalogs
    def catalogs_create(self, store, name, query, body):
        root = body.get("storage_root")
        if root and not any((root.rstrip("/") + "/").startswith(loc["url"].rstrip("/") + "/")
                            for loc in self.locations.values()):
            raise invalid("Input path url '%s' is not covered by any external location." % root)
        return self._new(store, body["name"], body, full_name=body["name"], isolation_mode="OPEN",
                         storage_location=(root.rstrip("/") + "/__unitystorage/catalogs/x") if root else None)

    def catalogs_get(self, store, name, query, body):
        return self._get(store, name)

    def catalogs_patch(self, store, name, query, body):
        if body.get("isolation_mode") == "ISOLATED":
            self.bindings.setdefault(("catalog", name), {self.workspace_id: "BINDING_TYPE_READ_WRITE"})
        return self._patch(store, name, body, ("comment", "properties", "owner", "isolation_mode"))

    def catalogs_delete(self, store, name, query, body):
        self._get(store, name)
        if any(s["catalog_name"] == name for s in self.schemas.values()) and query.get("force") is not True:
            raise invalid("Catalog '%s' is not empty. The catalog has 1 schemas." % name)
        for key in [k for k, s in self.schemas.items() if s["catalog_name"] == name]:
            del self.schemas[key]
        del store[name]
        return {}

    # schemas
    def schemas_create(self, store, name, query, body):
        self._get(self.catalogs, body["catalog_name"])
        full_name = "%s.%s" % (body["catalog_name"], body["name"])
        return self._new(store, full_name, body, full_name=full_name)

    def schemas_get(self, store, name, query, body):
        return self._get(store, name)

    def schemas_patch(self, store, name, query, body):
        return self._patch(store, name, body, ("comment", "properties", "owner"))

    def schemas_delete(self, store, name, query, body):
        self._get(store, name)
        del store[name]
        return {}

    # --- grants and bindings (paged) ----------------------------------------------------------------------------
    def _page(self, items, key, query):
        start = int(query.get("page_token") or 0)
        page = {key: items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            page["next_page_token"] = str(start + self.page_size)
        return page

    def perm_get(self, stype, name, query, body):
        held = self.grants.get((stype, name), {})
        items = [{"principal": p, "privileges": sorted(v)} for p, v in sorted(held.items()) if v]
        return self._page(items, "privilege_assignments", query)

    def perm_patch(self, stype, name, query, body):
        held = self.grants.setdefault((stype, name), {})
        for change in body["changes"]:
            for privilege in change.get("add", []) + change.get("remove", []):
                if privilege not in PRIVILEGES:
                    raise invalid("Privilege %s is not applicable to this entity." % privilege)
            privileges = held.setdefault(change["principal"], set())
            privileges.update(change.get("add", []))
            privileges.difference_update(change.get("remove", []))
        return {"privilege_assignments": [{"principal": p, "privileges": sorted(v)} for p, v in held.items() if v]}

    def bind_get(self, stype, name, query, body):
        held = self.bindings.get((stype, name), {})
        items = [{"workspace_id": w, "binding_type": t} for w, t in sorted(held.items())]
        return self._page(items, "bindings", query)

    def bind_patch(self, stype, name, query, body):
        held = self.bindings.setdefault((stype, name), {})
        for binding in body.get("remove", []):
            held.pop(binding["workspace_id"], None)
        for binding in body.get("add", []):
            held[binding["workspace_id"]] = binding["binding_type"]
        return {"bindings": [{"workspace_id": w, "binding_type": t} for w, t in sorted(held.items())]}


def name_of(path):
    return re.sub(r".*/", "", path)
