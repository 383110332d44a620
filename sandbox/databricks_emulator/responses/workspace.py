"""Workspace API routes, served on each workspace's own listener."""

from ..core import Reply, route
from ..models.catalog import SPARK_VERSIONS
from ..models.settings import WORKSPACE_SETTINGS
from .scim import scim_routes

P = "/api/2.0"


def _ws(req):
    return req.backend


# --- SCIM -------------------------------------------------------------------------------------
def _scim_create(req, kind, body):
    _ws(req).require_admin(req.caller, "SCIM writes")
    return _ws(req).scim_create(kind, body)


class _AdminDirectory:
    """The workspace directory, with admin checks on writes (reads are open to all users)."""

    def __init__(self, req):
        self._req, self._dir = req, _ws(req).directory

    def __getattr__(self, name):
        if name in ("replace", "patch", "delete"):
            _ws(self._req).require_admin(self._req.caller, "SCIM writes")
        return getattr(self._dir, name)


scim_routes(f"{P}/preview/scim/v2", _AdminDirectory, "workspace", _scim_create)


@route("workspace", "GET", f"{P}/preview/scim/v2/Me")
def scim_me(req):
    return _ws(req).me(req.caller)


# --- tokens -----------------------------------------------------------------------------------
@route("workspace", "POST", f"{P}/token/create")
def create_token(req):
    return _ws(req).create_token(req.caller, req.body)


@route("workspace", "GET", f"{P}/token/list")
def list_tokens(req):
    return _ws(req).list_own_tokens(req.caller)


@route("workspace", "POST", f"{P}/token/delete")
def delete_token(req):
    _ws(req).delete_own_token(req.caller, req.body)
    return {}


@route("workspace", "POST", f"{P}/token-management/on-behalf-of/tokens")
def create_obo_token(req):
    return _ws(req).create_obo_token(req.caller, req.body)


@route("workspace", "GET", f"{P}/token-management/tokens")
def list_all_tokens(req):
    return _ws(req).list_all_tokens(req.caller, req.query)


@route("workspace", "GET", f"{P}/token-management/tokens/{{token_id}}")
def get_any_token(req):
    return _ws(req).get_any_token(req.caller, req.params["token_id"])


@route("workspace", "DELETE", f"{P}/token-management/tokens/{{token_id}}")
def delete_any_token(req):
    _ws(req).delete_any_token(req.caller, req.params["token_id"])
    return {}


@route("workspace", "GET", f"{P}/permissions/authorization/tokens")
def get_token_permissions(req):
    _ws(req).require_admin(req.caller, "token permissions")
    return _ws(req).token_permissions()


@route("workspace", "GET", f"{P}/permissions/authorization/tokens/permissionLevels")
def token_permission_levels(req):
    return {"permission_levels": [{"permission_level": "CAN_USE", "description": "Can use tokens"},
                                  {"permission_level": "CAN_MANAGE", "description": "Can manage tokens"}]}


@route("workspace", "PUT", f"{P}/permissions/authorization/tokens")
def put_token_permissions(req):
    _ws(req).require_admin(req.caller, "token permissions")
    return _ws(req).set_token_permissions(req.body, replace=True)


@route("workspace", "PATCH", f"{P}/permissions/authorization/tokens")
def patch_token_permissions(req):
    _ws(req).require_admin(req.caller, "token permissions")
    return _ws(req).set_token_permissions(req.body, replace=False)


# --- instance profiles ----------------------------------------------------------------------------
@route("workspace", "POST", f"{P}/instance-profiles/add")
def add_instance_profile(req):
    _ws(req).require_admin(req.caller, "instance profiles")
    _ws(req).add_instance_profile(req.body)
    return {}


@route("workspace", "POST", f"{P}/instance-profiles/edit")
def edit_instance_profile(req):
    _ws(req).require_admin(req.caller, "instance profiles")
    _ws(req).edit_instance_profile(req.body)
    return {}


@route("workspace", "GET", f"{P}/instance-profiles/list")
def list_instance_profiles(req):
    return {"instance_profiles": list(_ws(req).instance_profiles.values())}


@route("workspace", "POST", f"{P}/instance-profiles/remove")
def remove_instance_profile(req):
    _ws(req).require_admin(req.caller, "instance profiles")
    _ws(req).remove_instance_profile(req.body)
    return {}


# --- global init scripts -------------------------------------------------------------------------
@route("workspace", "POST", f"{P}/global-init-scripts")
def create_init_script(req):
    return _ws(req).create_init_script(req.caller, req.body)


@route("workspace", "GET", f"{P}/global-init-scripts")
def list_init_scripts(req):
    return _ws(req).list_init_scripts(req.caller)


@route("workspace", "GET", f"{P}/global-init-scripts/{{script_id}}")
def get_init_script(req):
    return _ws(req).get_init_script(req.caller, req.params["script_id"])


@route("workspace", "PATCH", f"{P}/global-init-scripts/{{script_id}}")
def update_init_script(req):
    _ws(req).update_init_script(req.caller, req.params["script_id"], req.body)
    return {}


@route("workspace", "DELETE", f"{P}/global-init-scripts/{{script_id}}")
def delete_init_script(req):
    _ws(req).delete_init_script(req.caller, req.params["script_id"])
    return {}


# --- DBFS -------------------------------------------------------------------------------------
def _dbfs(name: str, method: str, action):
    @route("workspace", method, f"{P}/dbfs/{name}")
    def handler(req):
        result = action(_ws(req), req.query if method == "GET" else req.body)
        return result if result is not None else {}


_dbfs("put", "POST", lambda ws, b: ws.dbfs_put(b))
_dbfs("create", "POST", lambda ws, b: ws.dbfs_create(b))
_dbfs("add-block", "POST", lambda ws, b: ws.dbfs_add_block(b))
_dbfs("close", "POST", lambda ws, b: ws.dbfs_close(b))
_dbfs("delete", "POST", lambda ws, b: ws.dbfs_delete(b))
_dbfs("mkdirs", "POST", lambda ws, b: ws.dbfs_mkdirs(b))
_dbfs("move", "POST", lambda ws, b: ws.dbfs_move(b))
_dbfs("get-status", "GET", lambda ws, q: ws.dbfs_get_status(q))
_dbfs("list", "GET", lambda ws, q: ws.dbfs_list(q))
_dbfs("read", "GET", lambda ws, q: ws.dbfs_read(q))


# --- clusters (the SDK uses /api/2.1, older clients /api/2.0) -------------------------------------------
def _cluster_routes(version: str):
    base = f"/api/{version}/clusters"
    route("workspace", "POST", f"{base}/create")(lambda req: _ws(req).create_cluster(req.caller, req.body))
    route("workspace", "GET", f"{base}/get")(lambda req: _ws(req).render_cluster(
        _ws(req)._get_cluster(req.query.get("cluster_id"))))
    route("workspace", "GET", f"{base}/list")(lambda req: _ws(req).list_clusters(req.query, paged=version == "2.1"))
    route("workspace", "GET", f"{base}/spark-versions")(
        lambda req: {"versions": [{"key": k, "name": n} for k, n in SPARK_VERSIONS]})
    route("workspace", "GET", f"{base}/list-node-types")(lambda req: _ws(req).node_types())
    route("workspace", "POST", f"{base}/delete")(lambda req: _ws(req).terminate_cluster(req.caller, req.body) or {})
    for action, method in (("edit", "edit_cluster"), ("start", "start_cluster"),
                           ("permanent-delete", "permanent_delete_cluster")):
        route("workspace", "POST", f"{base}/{action}")(
            lambda req, method=method: getattr(_ws(req), method)(req.body) or {})


_cluster_routes("2.1")
_cluster_routes("2.0")


# --- workspace-conf and IP access lists -----------------------------------------------------------
@route("workspace", "GET", f"{P}/workspace-conf")
def get_workspace_conf(req):
    return _ws(req).get_conf(req.caller, req.query.get("keys"))


@route("workspace", "PATCH", f"{P}/workspace-conf")
def set_workspace_conf(req):
    _ws(req).set_conf(req.caller, req.body)
    return Reply(204)


@route("workspace", "POST", f"{P}/ip-access-lists")
def create_ip_list(req):
    return _ws(req).put_ip_list(req.caller, req.body)


@route("workspace", "GET", f"{P}/ip-access-lists")
def list_ip_lists(req):
    _ws(req).require_admin(req.caller, "IP access lists")
    return {"ip_access_lists": list(_ws(req).ip_lists.values())}


@route("workspace", "GET", f"{P}/ip-access-lists/{{ip_access_list_id}}")
def get_ip_list(req):
    return _ws(req).get_ip_list(req.caller, req.params["ip_access_list_id"])


@route("workspace", "PUT", f"{P}/ip-access-lists/{{ip_access_list_id}}")
def replace_ip_list(req):
    _ws(req).put_ip_list(req.caller, req.body, req.params["ip_access_list_id"])
    return {}


@route("workspace", "PATCH", f"{P}/ip-access-lists/{{ip_access_list_id}}")
def update_ip_list(req):
    _ws(req).put_ip_list(req.caller, req.body, req.params["ip_access_list_id"], partial=True)
    return {}


@route("workspace", "DELETE", f"{P}/ip-access-lists/{{ip_access_list_id}}")
def delete_ip_list(req):
    _ws(req).delete_ip_list(req.caller, req.params["ip_access_list_id"])
    return {}


# --- the workspace's settings API (one route per setting type, as the SDK calls them) ----------------------
def _workspace_setting_routes(setting_type: str) -> None:
    path = f"{P}/settings/types/{setting_type}/names/default"

    @route("workspace", "GET", path)
    def get_setting(req):
        return _ws(req).get_setting(req.caller, setting_type, "default")

    @route("workspace", "PATCH", path)
    def update_setting(req):
        return _ws(req).update_setting(req.caller, setting_type, "default", req.body)

    @route("workspace", "DELETE", path)
    def delete_setting(req):
        return _ws(req).delete_setting(req.caller, setting_type, "default", req.query.get("etag"))


for _setting_type in WORKSPACE_SETTINGS:
    _workspace_setting_routes(_setting_type)
