"""An in-memory Databricks REST API for the Databricks module tests, faked at the module_utils seam.

``DatabricksModule.account_client_factory`` / ``workspace_client_factory`` are replaced by
clients whose ``api_client.do(method, path, query=, body=)`` lands here. Errors are raised as
the SDK raises them (``databricks.sdk.errors``). ``run_module`` runs a module's main() under
``patch_module_args`` and returns the result of its one exit, as Ansible would read it (``run_main``).
Shared by test_account_*.py, test_token*.py, test_obo*.py, test_service_principal*.py, ...
"""

import copy
import itertools
import re
from unittest import mock

from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from databricks.sdk import errors as sdk_errors
from test_module_exit import run_main

ACCOUNT = "acc-1"
WORKSPACE_HOST = "https://dbc-1.cloud.databricks.com"
A = "/api/2.0/accounts/%s" % ACCOUNT
CONNECTION = dict(account_id=ACCOUNT, client_id="cid", client_secret="client-secret-value",
                  account_host="https://accounts.example", retry_timeout=30)
WS_CONNECTION = dict(workspace_host=WORKSPACE_HOST, client_id="cid", client_secret="client-secret-value",
                     retry_timeout=30)
MUTATING = ("POST", "PATCH", "PUT", "DELETE")
COLLECTIONS = {"credentials": "credentials_id", "storage-configurations": "storage_configuration_id",
               "networks": "network_id", "customer-managed-keys": "customer_managed_key_id",
               "vpc-endpoints": "vpc_endpoint_id", "private-access-settings": "private_access_settings_id"}


def not_found(message):
    return sdk_errors.ResourceDoesNotExist(message, error_code="RESOURCE_DOES_NOT_EXIST")


class FakeDatabricks:
    def __init__(self):
        self.ids = itertools.count(1)
        self.calls = []
        self.faults = []  # (method, path regex, exception) consumed in order
        self.account = {name: {} for name in COLLECTIONS}
        self.workspaces = {}
        self.provisioning_polls = 1  # GETs a new workspace stays PROVISIONING
        self.fail_workspace = None
        self.deletion_polls = 1  # GETs that still see a deleted workspace CANCELLING
        self.refuse_update = None  # an exception PATCH /workspaces raises
        self.tokens = {}  # token_id -> info (+ _owner)
        self.principals = {"ServicePrincipals": {}, "Groups": {}, "Users": {}}
        self.token_acl = {}
        self.me = "sp-admin"
        self.principals["ServicePrincipals"]["sp-admin"] = {
            "id": "sp-admin", "applicationId": "cid", "displayName": "automation"}
        self.principals["Groups"]["g-admins"] = {"id": "g-admins", "displayName": "admins",
                                                 "members": [{"value": "sp-admin"}]}
        self.now_ms = 1_700_000_000_000

    # --- plumbing ---------------------------------------------------------------------------
    def client(self, listener, host=None):
        fake = self

        class _Api:
            def do(self, method, path, query=None, body=None, **_):
                return fake.do(listener, method, path, query or {}, copy.deepcopy(body))

        return mock.Mock(api_client=_Api())

    def fault(self, method, path_regex, exc, count=1):
        self.faults.extend([(method, re.compile(path_regex), exc)] * count)

    def mutating_calls(self):
        return [(m, p) for dummy, m, p in self.calls if m in MUTATING]

    def do(self, listener, method, path, query, body):
        self.calls.append((listener, method, path))
        for index, (f_method, f_path, exc) in enumerate(self.faults):
            if f_method == method and f_path.search(path):
                del self.faults[index]
                raise exc
        handler, groups = self._route(method, path)
        return copy.deepcopy(handler(query=query, body=body or {}, **groups))

    def _route(self, method, path):
        for pattern, verb, handler in self._routes():
            found = re.fullmatch(pattern, path)
            if found and verb == method:
                return handler, found.groupdict()
        raise sdk_errors.NotFound("no route %s %s" % (method, path), error_code="ENDPOINT_NOT_FOUND")

    def _routes(self):
        scim = "/api/2.0/preview/scim/v2/(?P<kind>ServicePrincipals|Groups|Users)"
        coll = A + r"/(?P<coll>%s)" % "|".join(COLLECTIONS)
        return [
            (coll, "GET", self.list_objs),
            (coll, "POST", self.create_obj),
            (coll + r"/(?P<oid>[^/]+)", "DELETE", self.delete_obj),
            (coll + r"/(?P<oid>[^/]+)", "PUT", self.replace_obj),
            (A + r"/workspaces", "GET", self.list_ws),
            (A + r"/workspaces", "POST", self.create_ws),
            (A + r"/workspaces/(?P<wid>\d+)", "GET", self.get_ws),
            (A + r"/workspaces/(?P<wid>\d+)", "PATCH", self.patch_ws),
            (A + r"/workspaces/(?P<wid>\d+)", "DELETE", self.delete_ws),
            (r"/api/2.0/token/list", "GET", self.list_own),
            (r"/api/2.0/token/create", "POST", self.create_own),
            (r"/api/2.0/token/delete", "POST", self.delete_own),
            (r"/api/2.0/token-management/on-behalf-of/tokens", "POST", self.create_obo),
            (r"/api/2.0/token-management/tokens", "GET", self.list_all),
            (r"/api/2.0/token-management/tokens/(?P<tid>[^/]+)", "GET", self.get_any),
            (r"/api/2.0/token-management/tokens/(?P<tid>[^/]+)", "DELETE", self.delete_any),
            (r"/api/2.0/permissions/(?P<otype>[^/]+)/(?P<oid>[^/]+)", "GET", self.get_perms),
            (r"/api/2.0/permissions/(?P<otype>[^/]+)/(?P<oid>[^/]+)", "PATCH", self.patch_perms),
            (r"/api/2.0/permissions/(?P<otype>[^/]+)/(?P<oid>[^/]+)", "PUT", self.put_perms),
            (scim, "GET", self.scim_list),
            (scim, "POST", self.scim_create),
            (scim + r"/(?P<rid>[^/]+)", "GET", self.scim_get),
            (scim + r"/(?P<rid>[^/]+)", "PATCH", self.scim_patch),
            (scim + r"/(?P<rid>[^/]+)", "DELETE", self.scim_delete),
        ]

    # --- account objects --------------------------------------------------------------------
    def add(self, coll, **fields):
        oid = "%s-%d" % (coll, next(self.ids))
        obj = dict(fields, **{COLLECTIONS[coll]: oid, "account_id": ACCOUNT})
        self.account[coll][oid] = obj
        return obj

    def list_objs(self, coll, query, body):
        return list(self.account[coll].values())

    def create_obj(self, coll, query, body):
        return self.add(coll, **body)

    def replace_obj(self, coll, oid, query, body):
        self.account[coll][oid] = dict(body, **{COLLECTIONS[coll]: oid, "account_id": ACCOUNT})
        return self.account[coll][oid]

    def delete_obj(self, coll, oid, query, body):
        if oid not in self.account[coll]:
            raise not_found("%s %s does not exist." % (coll, oid))
        return self.account[coll].pop(oid)

    def add_ws(self, **fields):
        wid = 1000 + next(self.ids)
        ws = dict(fields, workspace_id=wid, deployment_name=fields.get("deployment_name") or "dbc-%d" % wid,
                  workspace_status=fields.get("workspace_status", "RUNNING"), _polls=0)
        self.workspaces[wid] = ws
        return ws

    def _render_ws(self, ws):
        return {k: v for k, v in ws.items() if not k.startswith("_")}

    def list_ws(self, query, body):
        return [self._render_ws(w) for w in self.workspaces.values()]

    def create_ws(self, query, body):
        return self._render_ws(self.add_ws(workspace_status="PROVISIONING", **body))

    def get_ws(self, wid, query, body):
        ws = self.workspaces.get(int(wid))
        if ws is None:
            raise not_found("Workspace %s does not exist." % wid)
        if ws["workspace_status"] == "CANCELLING":  # deletion is asynchronous
            ws["_polls"] += 1
            if ws["_polls"] > self.deletion_polls:
                del self.workspaces[int(wid)]
                raise not_found("Workspace %s does not exist." % wid)
        if ws["workspace_status"] == "PROVISIONING":
            ws["_polls"] += 1
            if ws["_polls"] > self.provisioning_polls:
                if self.fail_workspace:
                    ws.update(workspace_status="FAILED", workspace_status_message=self.fail_workspace)
                else:
                    ws.update(workspace_status="RUNNING", workspace_status_message="Workspace is running.")
        return self._render_ws(ws)

    def patch_ws(self, wid, query, body):
        ws = self.workspaces[int(wid)]
        if self.refuse_update is not None:
            raise self.refuse_update  # pylint: disable=raising-bad-type  # an exception instance set by the test
        if ws["workspace_status"] == "FAILED":  # an update deploys a failed workspace again
            ws.update(workspace_status="PROVISIONING", _polls=0)
        ws.update(body)
        self.last_update_mask = query.get("update_mask")
        return self._render_ws(ws)

    def delete_ws(self, wid, query, body):
        ws = self.workspaces[int(wid)]
        ws.update(workspace_status="CANCELLING", _polls=0)
        return self._render_ws(ws)

    # --- tokens -----------------------------------------------------------------------------
    def add_token(self, owner, lifetime_seconds=3600, comment="", created_by=None):
        tid = "tok-%d" % next(self.ids)
        value = "dapi-secret-%s" % tid
        info = {"token_id": tid, "creation_time": self.now_ms, "comment": comment,
                "expiry_time": self.now_ms + lifetime_seconds * 1000 if lifetime_seconds else -1,
                "_owner": owner, "_created_by": created_by or owner, "_value": value}
        self.tokens[tid] = info
        return value, info

    @staticmethod
    def _public(info, management=False):
        out = {k: v for k, v in info.items() if not k.startswith("_")}
        if management:
            out.update(owner_id=info["_owner"], created_by_id=info["_created_by"])
        return out

    def list_own(self, query, body):
        return {"token_infos": [self._public(t) for t in self.tokens.values() if t["_owner"] == self.me]}

    def create_own(self, query, body):
        value, info = self.add_token(self.me, body.get("lifetime_seconds"), body.get("comment", ""))
        return {"token_value": value, "token_info": self._public(info)}

    def delete_own(self, query, body):
        if body["token_id"] not in self.tokens:
            raise not_found("Token %s does not exist." % body["token_id"])
        del self.tokens[body["token_id"]]
        return {}

    def create_obo(self, query, body):
        sp = next((p for p in self.principals["ServicePrincipals"].values()
                   if p["applicationId"] == body["application_id"]), None)
        if sp is None:
            raise sdk_errors.InvalidParameterValue("no such SP", error_code="INVALID_PARAMETER_VALUE")
        value, info = self.add_token(sp["id"], body.get("lifetime_seconds"), body.get("comment", ""), self.me)
        return {"token_value": value, "token_info": self._public(info, True)}

    def list_all(self, query, body):
        return {"token_infos": [self._public(t, True) for t in self.tokens.values()]}

    def get_any(self, tid, query, body):
        if tid not in self.tokens:
            raise not_found("Token %s does not exist." % tid)
        return {"token_info": self._public(self.tokens[tid], True)}

    def delete_any(self, tid, query, body):
        if tid not in self.tokens:
            raise not_found("Token %s does not exist." % tid)
        del self.tokens[tid]
        return {}

    # --- permissions ------------------------------------------------------------------------
    def _acl(self):
        acl = [{"group_name": "admins", "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}]}]
        for (key, name), level in sorted(self.token_acl.items()):
            acl.append({key: name, "all_permissions": [{"permission_level": level, "inherited": False}]})
        return {"object_id": "authorization/tokens", "object_type": "tokens", "access_control_list": acl}

    def get_perms(self, otype, oid, query, body):
        return self._acl()

    def patch_perms(self, otype, oid, query, body):
        for entry in body["access_control_list"]:
            key = next(k for k in ("user_name", "group_name", "service_principal_name") if entry.get(k))
            self.token_acl[(key, entry[key])] = entry["permission_level"]
        return self._acl()

    def put_perms(self, otype, oid, query, body):
        self.token_acl = {}
        return self.patch_perms(otype, oid, query, body)

    # --- SCIM -------------------------------------------------------------------------------
    def scim_list(self, kind, query, body):
        items = list(self.principals[kind].values())
        flt = query.get("filter")
        if flt:
            attr, value = re.match(r'(\w+) eq "(.*)"', flt).groups()
            items = [i for i in items if str(i.get(attr, "")).lower() == value.lower()]
        # Pages as Databricks serves them: startIndex/count, capped at scim_page_limit when set.
        start = int(query.get("startIndex") or 1)
        count = min(int(query.get("count") or len(items)), getattr(self, "scim_page_limit", None) or len(items))
        page = items[start - 1:start - 1 + count]
        return {"totalResults": len(items), "startIndex": start, "itemsPerPage": len(page),
                "Resources": copy.deepcopy(page)}

    def scim_create(self, kind, query, body):
        rid = "%s-%d" % (kind.lower(), next(self.ids))
        obj = dict(body, id=rid)
        obj.pop("schemas", None)
        if kind == "ServicePrincipals":
            obj.setdefault("applicationId", "app-%s" % rid)
        self.principals[kind][rid] = obj
        return obj

    def scim_get(self, kind, rid, query, body):
        if rid not in self.principals[kind]:
            raise sdk_errors.NotFound("not found", error_code="SCIM_404")
        return self.principals[kind][rid]

    def scim_patch(self, kind, rid, query, body):
        obj = self.principals[kind][rid]
        for op in body["Operations"]:
            path, value = op.get("path"), op.get("value")
            match = re.fullmatch(r'(\w+)\[value eq "(.*)"\]', path or "")
            if match:
                obj[match.group(1)] = [v for v in obj.get(match.group(1), []) if v["value"] != match.group(2)]
            elif op["op"] == "add":
                obj.setdefault(path, []).extend(v for v in value if v not in obj.get(path, []))
            elif op["op"] == "remove":
                drop = [v["value"] for v in value]
                obj[path] = [v for v in obj.get(path, []) if v["value"] not in drop]
            else:
                obj[path] = value
        return obj

    def scim_delete(self, kind, rid, query, body):
        self.principals[kind].pop(rid)
        return {}


def run_module(module_main, args, fake, check_mode=False, diff=False):
    """Run main() with args; the result it exits with, 'failed' among its keys when the module failed."""
    args = dict(args)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    with patch_module_args(args), \
            mock.patch.object(DatabricksModule, "account_client_factory",
                              staticmethod(lambda params: fake.client("account"))), \
            mock.patch.object(DatabricksModule, "workspace_client_factory",
                              staticmethod(lambda params, host=None: fake.client("workspace", host))), \
            mock.patch("time.sleep"):
        return run_main(module_main)
