"""Account API routes (``/api/2.0/accounts/{account_id}/...``) on the account listener."""

from ..core import Reply, route
from ..models.common import get_or_404, public_view
from ..models.settings import ACCOUNT_SETTINGS
from .scim import scim_routes

A = "/api/2.0/accounts/{account_id}"


def _acct(req):
    return req.state.account


def _crud(collection_attr: str, id_param: str, noun: str, path: str, create, delete, render=public_view):
    """Register POST/GET list + GET/DELETE item routes for an immutable account object."""

    @route("account", "POST", f"{A}/{path}")
    def create_item(req):
        return render(create(_acct(req), req.body))

    @route("account", "GET", f"{A}/{path}")
    def list_items(req):
        return Reply(200, [render(o) for o in getattr(_acct(req), collection_attr).values()])

    @route("account", "GET", f"{A}/{path}/{{{id_param}}}")
    def get_item(req):
        return render(get_or_404(getattr(_acct(req), collection_attr), req.params[id_param], noun))

    @route("account", "DELETE", f"{A}/{path}/{{{id_param}}}")
    def delete_item(req):
        return render(delete(_acct(req), req.params[id_param]))


_crud("credentials", "credentials_id", "Credential configuration", "credentials",
      lambda a, b: a.create_credentials(b), lambda a, i: a.delete_credentials(i))
_crud("storage", "storage_configuration_id", "Storage configuration", "storage-configurations",
      lambda a, b: a.create_storage(b), lambda a, i: a.delete_storage(i))
_crud("keys", "customer_managed_key_id", "Customer-managed key", "customer-managed-keys",
      lambda a, b: a.create_key(b), lambda a, i: a.delete_key(i))
_crud("vpc_endpoints", "vpc_endpoint_id", "VPC endpoint", "vpc-endpoints",
      lambda a, b: a.create_vpc_endpoint(b), lambda a, i: a.delete_vpc_endpoint(i))
_crud("private_access", "private_access_settings_id", "Private access settings", "private-access-settings",
      lambda a, b: a.put_private_access(b), lambda a, i: a.delete_private_access(i))


# --- networks (rendered with their attachment) --------------------------------------------------
@route("account", "POST", f"{A}/networks")
def create_network(req):
    return _acct(req).render_network(_acct(req).create_network(req.body))


@route("account", "GET", f"{A}/networks")
def list_networks(req):
    return Reply(200, [_acct(req).render_network(n) for n in _acct(req).networks.values()])


@route("account", "GET", f"{A}/networks/{{network_id}}")
def get_network(req):
    return _acct(req).render_network(get_or_404(_acct(req).networks, req.params["network_id"], "Network"))


@route("account", "DELETE", f"{A}/networks/{{network_id}}")
def delete_network(req):
    return _acct(req).delete_network(req.params["network_id"])


@route("account", "PUT", f"{A}/private-access-settings/{{private_access_settings_id}}")
def replace_private_access(req):
    return _acct(req).put_private_access(req.body, req.params["private_access_settings_id"])


# --- workspaces -------------------------------------------------------------------------------
@route("account", "POST", f"{A}/workspaces")
def create_workspace(req):
    return _acct(req).create_workspace(req.body)


@route("account", "GET", f"{A}/workspaces")
def list_workspaces(req):
    return Reply(200, [_acct(req).render_workspace(w) for w in _acct(req).live_workspaces()])


@route("account", "GET", f"{A}/workspaces/{{workspace_id}}")
def get_workspace(req):
    return _acct(req).render_workspace(_acct(req).get_workspace(req.params["workspace_id"]))


@route("account", "PATCH", f"{A}/workspaces/{{workspace_id}}")
def update_workspace(req):
    return _acct(req).update_workspace(req.params["workspace_id"], req.body, req.query.get("update_mask"))


@route("account", "DELETE", f"{A}/workspaces/{{workspace_id}}")
def delete_workspace(req):
    return _acct(req).delete_workspace(req.params["workspace_id"])


# --- log delivery -----------------------------------------------------------------------------
@route("account", "POST", f"{A}/log-delivery")
def create_log_delivery(req):
    return _acct(req).create_log_delivery(req.body)


@route("account", "GET", f"{A}/log-delivery")
def list_log_delivery(req):
    return _acct(req).list_log_delivery(req.query)


@route("account", "GET", f"{A}/log-delivery/{{log_delivery_configuration_id}}")
def get_log_delivery(req):
    conf = get_or_404(_acct(req).log_delivery, req.params["log_delivery_configuration_id"],
                      "Log delivery configuration")
    return {"log_delivery_configuration": conf}


@route("account", "PATCH", f"{A}/log-delivery/{{log_delivery_configuration_id}}")
def patch_log_delivery(req):
    _acct(req).patch_log_delivery(req.params["log_delivery_configuration_id"], req.body)
    return {}


# --- workspace permission assignments -----------------------------------------------------------------
@route("account", "GET", f"{A}/workspaces/{{workspace_id}}/permissionassignments")
def list_assignments(req):
    return _acct(req).list_assignments(req.params["workspace_id"])


@route("account", "GET", f"{A}/workspaces/{{workspace_id}}/permissionassignments/permissions")
def assignable_permissions(req):
    _acct(req).get_workspace(req.params["workspace_id"])
    return {"permissions": [{"permission": "ADMIN", "description": "Workspace admin"},
                            {"permission": "USER", "description": "Workspace user"}]}


@route("account", "PUT", f"{A}/workspaces/{{workspace_id}}/permissionassignments/principals/{{principal_id}}")
def put_assignment(req):
    return _acct(req).put_assignment(req.params["workspace_id"], req.params["principal_id"],
                                     req.body.get("permissions") or [])


@route("account", "DELETE", f"{A}/workspaces/{{workspace_id}}/permissionassignments/principals/{{principal_id}}")
def delete_assignment(req):
    _acct(req).delete_assignment(req.params["workspace_id"], req.params["principal_id"])
    return {}


# --- account SCIM and service principal secrets ---------------------------------------------------------
scim_routes(f"{A}/scim/v2", lambda req: _acct(req).directory, "account",
            lambda req, kind, body: _acct(req).directory.create(kind, body),
            lambda req, kind, pid: _acct(req).delete_account_principal(kind, pid))


@route("account", "POST", f"{A}/servicePrincipals/{{service_principal_id}}/credentials/secrets")
def create_sp_secret(req):
    return _acct(req).create_secret(req.params["service_principal_id"], req.body.get("lifetime"))


@route("account", "GET", f"{A}/servicePrincipals/{{service_principal_id}}/credentials/secrets")
def list_sp_secrets(req):
    return _acct(req).list_secrets(req.params["service_principal_id"])


@route("account", "DELETE", f"{A}/servicePrincipals/{{service_principal_id}}/credentials/secrets/{{secret_id}}")
def delete_sp_secret(req):
    _acct(req).delete_secret(req.params["service_principal_id"], req.params["secret_id"])
    return {}


# --- the account's settings API (one route per setting type, as the SDK calls them) -----------------------
def _account_setting_routes(setting_type: str) -> None:
    path = f"{A}/settings/types/{setting_type}/names/default"

    @route("account", "GET", path)
    def get_setting(req):
        return _acct(req).settings.get(setting_type, "default")

    @route("account", "PATCH", path)
    def update_setting(req):
        return _acct(req).settings.update(setting_type, "default", req.body)

    @route("account", "DELETE", path)
    def delete_setting(req):
        return _acct(req).settings.delete(setting_type, "default", req.query.get("etag"))


for _setting_type in ACCOUNT_SETTINGS:
    _account_setting_routes(_setting_type)
