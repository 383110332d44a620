"""Unity Catalog routes: metastores and their assignments on the account listener, the metastore's objects on
each workspace listener (paths as databricks-sdk ``service/catalog.py`` calls them)."""

from ..core import route
from ..errors import invalid

A = "/api/2.0/accounts/{account_id}"
U = "/api/2.1/unity-catalog"


def _acct(req):
    return req.state.account


def _uc(req):
    return req.backend.uc(req.caller)


# --- account: metastores and assignments ---------------------------------------------------------
@route("account", "POST", f"{A}/metastores")
def create_metastore(req):
    return _acct(req).create_metastore(req.caller, req.body)


@route("account", "GET", f"{A}/metastores")
def list_metastores(req):
    return _acct(req).list_metastores()


@route("account", "GET", f"{A}/metastores/{{metastore_id}}")
def get_metastore(req):
    return _acct(req).get_metastore(req.params["metastore_id"])


@route("account", "PUT", f"{A}/metastores/{{metastore_id}}")
def update_metastore(req):
    return _acct(req).update_metastore(req.caller, req.params["metastore_id"], req.body)


@route("account", "DELETE", f"{A}/metastores/{{metastore_id}}")
def delete_metastore(req):
    return _acct(req).delete_metastore(req.params["metastore_id"], req.query.get("force", False))


@route("account", "GET", f"{A}/metastores/{{metastore_id}}/workspaces")
def list_metastore_workspaces(req):
    _acct(req).metastore(req.params["metastore_id"])
    return {"workspace_ids": _acct(req).metastore_workspaces(req.params["metastore_id"])}


@route("account", "POST", f"{A}/workspaces/{{workspace_id}}/metastores/{{metastore_id}}")
def assign_metastore(req):
    return _acct(req).assign_metastore(req.params["workspace_id"], req.params["metastore_id"], req.body)


@route("account", "PUT", f"{A}/workspaces/{{workspace_id}}/metastores/{{metastore_id}}")
def update_metastore_assignment(req):
    return _acct(req).update_metastore_assignment(req.params["workspace_id"], req.params["metastore_id"], req.body)


@route("account", "DELETE", f"{A}/workspaces/{{workspace_id}}/metastores/{{metastore_id}}")
def delete_metastore_assignment(req):
    return _acct(req).delete_metastore_assignment(req.params["workspace_id"], req.params["metastore_id"])


@route("account", "GET", f"{A}/workspaces/{{workspace_id}}/metastore")
def get_metastore_assignment(req):
    return _acct(req).get_metastore_assignment(req.params["workspace_id"])


# --- workspace: the assigned metastore -------------------------------------------------------------
@route("workspace", "GET", f"{U}/current-metastore-assignment")
def current_metastore_assignment(req):
    return req.backend.current_metastore_assignment()


@route("workspace", "GET", f"{U}/metastore_summary")
def metastore_summary(req):
    return req.backend.metastore_summary()


# --- workspace: securables (create, list, get, update, delete) ------------------------------------------
def _securable_routes(path: str, param: str, create, listing, get, update, delete):
    route("workspace", "POST", f"{U}/{path}")(lambda req: create(*_uc(req), req.body))
    route("workspace", "GET", f"{U}/{path}")(lambda req: listing(*_uc(req), req.query))
    route("workspace", "GET", f"{U}/{path}/{{{param}}}")(lambda req: get(*_uc(req), req.params[param]))
    route("workspace", "PATCH", f"{U}/{path}/{{{param}}}")(
        lambda req: update(*_uc(req), req.params[param], req.body))
    route("workspace", "DELETE", f"{U}/{path}/{{{param}}}")(
        lambda req: delete(*_uc(req), req.params[param], req.query.get("force", False)) or {})


_securable_routes("storage-credentials", "name",
                  lambda o, c, b: o.create_credential(c, b), lambda o, c, q: o.list_credentials(c, q),
                  lambda o, c, n: o.credential(n, c), lambda o, c, n, b: o.update_credential(c, n, b),
                  lambda o, c, n, f: o.delete_credential(c, n, f))
_securable_routes("external-locations", "name",
                  lambda o, c, b: o.create_location(c, b), lambda o, c, q: o.list_locations(c, q),
                  lambda o, c, n: o.location(n, c), lambda o, c, n, b: o.update_location(c, n, b),
                  lambda o, c, n, f: o.delete_location(c, n, f))
_securable_routes("catalogs", "name",
                  lambda o, c, b: o.create_catalog(c, b), lambda o, c, q: o.list_catalogs(c, q),
                  lambda o, c, n: o.catalog(n, c), lambda o, c, n, b: o.update_catalog(c, n, b),
                  lambda o, c, n, f: o.delete_catalog(c, n, f))
_securable_routes("schemas", "full_name",
                  lambda o, c, b: o.create_schema(c, b), lambda o, c, q: o.list_schemas(c, q),
                  lambda o, c, n: o.schema(n, c), lambda o, c, n, b: o.update_schema(c, n, b),
                  lambda o, c, n, f: o.delete_schema(c, n, f))


# --- workspace: grants ----------------------------------------------------------------------------
@route("workspace", "GET", f"{U}/permissions/{{securable_type}}/{{full_name}}")
def get_grants(req):
    objects, caller = _uc(req)
    return objects.get_grants(caller, req.params["securable_type"], req.params["full_name"], req.query)


@route("workspace", "PATCH", f"{U}/permissions/{{securable_type}}/{{full_name}}")
def update_grants(req):
    objects, caller = _uc(req)
    return objects.update_grants(caller, req.params["securable_type"], req.params["full_name"], req.body)


# --- workspace: workspace bindings ----------------------------------------------------------------------
@route("workspace", "GET", f"{U}/bindings/{{securable_type}}/{{securable_name}}")
def get_bindings(req):
    objects, caller = _uc(req)
    return objects.get_bindings(caller, req.params["securable_type"], req.params["securable_name"], req.query)


@route("workspace", "PATCH", f"{U}/bindings/{{securable_type}}/{{securable_name}}")
def update_bindings(req):
    objects, caller = _uc(req)
    add, remove = req.body.get("add") or [], req.body.get("remove") or []
    if not isinstance(add, list) or not isinstance(remove, list):
        raise invalid("add and remove are lists of workspace bindings.")
    bindings = objects.update_bindings(caller, req.params["securable_type"], req.params["securable_name"], add,
                                       remove, req.backend.uc_assigned_workspaces())
    return {"bindings": bindings}


# The deprecated catalog bindings API: the same bindings, as workspace ids (read-write).
@route("workspace", "GET", f"{U}/workspace-bindings/catalogs/{{name}}")
def get_catalog_bindings(req):
    objects, caller = _uc(req)
    bound = objects.get_bindings(caller, "catalog", req.params["name"], {})["bindings"]
    return {"workspaces": [b["workspace_id"] for b in bound]}


@route("workspace", "PATCH", f"{U}/workspace-bindings/catalogs/{{name}}")
def update_catalog_bindings(req):
    objects, caller = _uc(req)
    assign, unassign = req.body.get("assign_workspaces") or [], req.body.get("unassign_workspaces") or []
    if not isinstance(assign, list) or not isinstance(unassign, list):
        raise invalid("assign_workspaces and unassign_workspaces are lists of workspace ids.")
    bindings = objects.update_bindings(caller, "catalog", req.params["name"],
                                       [{"workspace_id": w} for w in assign], [{"workspace_id": w} for w in unassign],
                                       req.backend.uc_assigned_workspaces())
    return {"workspaces": [b["workspace_id"] for b in bindings]}
