"""The fakes the module tests run against, as fixtures, and the runners that run a module's main() on them.

Databricks modules: an in-memory Databricks REST API faked at the module_utils seam -
``DatabricksModule.account_client_factory`` / ``workspace_client_factory`` return clients whose
``api_client.do(method, path, query=, body=)`` lands in the fake (``fake_databricks``: the account API and the
workspace identity APIs; ``fake_workspace``: those and a workspace's objects). Errors are raised as the SDK
raises them (``databricks.sdk.errors``). ``run_account_module`` / ``run_workspace_module`` run a module's main()
with the connection options of the fake account / workspace and return the result of its one exit, as Ansible
reads it (``run_main``, tests/unit/conftest.py).

AWS modules: ``run_aws_module`` runs a module's main() with ``AnsibleAWSModule.client`` returning a fake boto3
client (each module's test defines the fake of its service) behind amazon.aws's retrying wrapper.
"""

import base64
import copy
import itertools
import re
import time
from collections import namedtuple
from unittest import mock

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from databricks.sdk import errors as sdk_errors

from tests.unit.plugins import scim_fake

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
CONF = "/api/2.0/workspace-conf"
LISTS = "/api/2.0/ip-access-lists"

SPARK_VERSIONS = [
    {"key": "17.3.x-scala2.13", "name": "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)"},
    {"key": "17.2.x-scala2.13", "name": "17.2 (includes Apache Spark 4.0.0, Scala 2.13)"},
    {"key": "16.4.x-scala2.12", "name": "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"key": "16.4.x-photon-scala2.12", "name": "16.4 LTS Photon (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"key": "16.4.x-cpu-ml-scala2.12", "name": "16.4 LTS ML (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"key": "15.4.x-scala2.12", "name": "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"key": "16.3.x-scala2.12", "name": "16.3 (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"key": "apache-spark-3.5.x-scala2.12", "name": "Light 3.5 LTS"},
]


def node(node_id, cores, mem_gb, nvme=0, gpus=0, deprecated=False, category="General Purpose"):
    return {"node_type_id": node_id, "instance_type_id": node_id, "num_cores": float(cores),
            "memory_mb": int(mem_gb * 1024), "num_gpus": gpus, "is_deprecated": deprecated, "category": category,
            "node_instance_type": {"instance_type_id": node_id, "local_disks": 0, "local_nvme_disks": nvme,
                                   "local_nvme_disk_size_gb": 75 * nvme}}


NODE_TYPES = [
    node("m5.large", 2, 8), node("m5.xlarge", 4, 16), node("r5d.large", 2, 16, nvme=1),
    node("r5.large", 2, 16, category="Memory Optimized"), node("r4.large", 2, 15.25, deprecated=True),
    node("g4dn.xlarge", 4, 16, nvme=1, gpus=1), node("c5.2xlarge", 8, 16),
]


def not_found(message):
    return sdk_errors.ResourceDoesNotExist(message, error_code="RESOURCE_DOES_NOT_EXIST")


class FakeDatabricks:
    """The account API (account objects, workspaces, log delivery) and a workspace's identity APIs (tokens,
    token permissions, SCIM service principals, groups and users), in memory.

    ``calls`` records every request as (listener, method, path); ``fault(method, path_regex, exc)`` makes the
    next matching request raise exc, as the SDK raises it.
    """

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
        self.principals["ServicePrincipals"]["sp-2"] = {"id": "sp-2", "applicationId": "app-2", "displayName": "SP"}
        self.principals["Groups"]["g-admins"] = {"id": "g-admins", "displayName": "admins",
                                                 "members": [{"value": "sp-admin"}]}
        self.now_ms = int(time.time() * 1000)  # tokens are created now: the modules compare expiry with the clock
        self.log_delivery = {}
        self.log_delivery_page_size = 100

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
            (A + "/log-delivery", "GET", self.ld_list), (A + "/log-delivery", "POST", self.ld_create),
            (A + r"/log-delivery/(?P<cid>[^/]+)", "GET", self.ld_get),
            (A + r"/log-delivery/(?P<cid>[^/]+)", "PATCH", self.ld_patch),
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

    # --- log delivery ---------------------------------------------------------------------------
    def add_log_delivery(self, **conf):
        cid = "ld-%d" % next(self.ids)
        conf = dict(conf, config_id=cid, creation_time=next(self.ids))
        conf.setdefault("status", "ENABLED")
        self.log_delivery[cid] = conf
        return conf

    def ld_list(self, query, body):
        """Pages of log_delivery_page_size, as Databricks pages the list (next_page_token)."""
        confs = list(self.log_delivery.values())
        start = int((query or {}).get("page_token") or 0)
        page = {"log_delivery_configurations": confs[start:start + self.log_delivery_page_size]}
        if start + self.log_delivery_page_size < len(confs):
            page["next_page_token"] = str(start + self.log_delivery_page_size)
        return page

    def ld_create(self, query, body):
        conf = body["log_delivery_configuration"]
        enabled = [c for c in self.log_delivery.values() if c["status"] == "ENABLED" and c["log_type"] ==
                   conf["log_type"]]
        if len(enabled) >= 2:
            raise sdk_errors.InvalidParameterValue("limit", error_code="INVALID_PARAMETER_VALUE")
        return {"log_delivery_configuration": self.add_log_delivery(**conf)}

    def ld_get(self, cid, query, body):
        return {"log_delivery_configuration": self.log_delivery[cid]}

    def ld_patch(self, cid, query, body):
        self.log_delivery[cid]["status"] = body["status"]
        return {}

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
        items = scim_fake.filtered(items, query.get("filter"))
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


class FakeWorkspace(FakeDatabricks):
    """FakeDatabricks plus a workspace's objects: instance profiles, global init scripts, DBFS, clusters
    (PENDING -> RUNNING after ``start_polls`` reads, or TERMINATED with a reason when ``start_fails``), Spark
    versions, node types, workspace settings (workspace-conf) and IP access lists."""

    def __init__(self):
        super().__init__()
        self.profiles = {}
        self.scripts = {}
        self.files = {}
        self.handles = {}
        self.clusters = {}
        self.start_polls = 1
        self.cluster_page_size = None
        self.start_fails = None
        self.cluster_ids = itertools.count(1)
        self.spark_versions = list(SPARK_VERSIONS)
        self.node_types = list(NODE_TYPES)
        self.conf = {"maxTokenLifetimeDays": None, "enableExportNotebook": "true", "enableVerboseAuditLogs": "false"}
        self.lists = {}

    def _routes(self):
        p = "/api/2.0/instance-profiles"
        g = "/api/2.0/global-init-scripts"
        d = "/api/2.0/dbfs"
        c = "/api/2.1/clusters"
        item = LISTS + r"/(?P<lid>[^/]+)"
        return [
            *super()._routes(),
            (p + "/list", "GET", self.ip_list), (p + "/add", "POST", self.ip_add), (p + "/edit", "POST", self.ip_edit),
            (p + "/remove", "POST", self.ip_remove),
            (g, "GET", self.gis_list), (g, "POST", self.gis_create),
            (g + r"/(?P<sid>[^/]+)", "GET", self.gis_get), (g + r"/(?P<sid>[^/]+)", "PATCH", self.gis_patch),
            (g + r"/(?P<sid>[^/]+)", "DELETE", self.gis_delete),
            (d + "/get-status", "GET", self.dbfs_status), (d + "/read", "GET", self.dbfs_read),
            (d + "/put", "POST", self.dbfs_put), (d + "/create", "POST", self.dbfs_create),
            (d + "/add-block", "POST", self.dbfs_add_block), (d + "/close", "POST", self.dbfs_close),
            (d + "/delete", "POST", self.dbfs_delete),
            (c + "/list", "GET", self.cl_list), (c + "/get", "GET", self.cl_get),
            (c + "/create", "POST", self.cl_create),
            (c + "/edit", "POST", self.cl_edit), (c + "/start", "POST", self.cl_start),
            (c + "/delete", "POST", self.cl_terminate), (c + "/permanent-delete", "POST", self.cl_delete),
            (c + "/spark-versions", "GET", lambda query, body: {"versions": self.spark_versions}),
            (c + "/list-node-types", "GET", lambda query, body: {"node_types": self.node_types}),
            (CONF, "GET", self.conf_get), (CONF, "PATCH", self.conf_patch),
            (LISTS, "GET", lambda query, body: {"ip_access_lists": list(self.lists.values())}),
            (LISTS, "POST", self.list_create), (item, "PUT", self.list_put), (item, "DELETE", self.list_delete),
        ]

    # --- instance profiles ----------------------------------------------------------------------
    def ip_list(self, query, body):
        return {"instance_profiles": list(self.profiles.values())} if self.profiles else {}

    def ip_add(self, query, body):
        arn = body["instance_profile_arn"]
        if arn in self.profiles:
            raise sdk_errors.ResourceAlreadyExists("exists", error_code="RESOURCE_ALREADY_EXISTS")
        self.profiles[arn] = {"instance_profile_arn": arn,
                              "is_meta_instance_profile": bool(body.get("is_meta_instance_profile"))}
        self.last_add = body
        return {}

    def ip_edit(self, query, body):
        profile = self.profiles.get(body["instance_profile_arn"])
        if profile is None:
            raise not_found("no profile")
        profile.update((k, v) for k, v in body.items() if k in ("iam_role_arn", "is_meta_instance_profile"))
        return {}

    def ip_remove(self, query, body):
        self.profiles.pop(body["instance_profile_arn"])
        return {}

    # --- global init scripts --------------------------------------------------------------------
    def _reorder(self, moved):
        others = sorted((s for s in self.scripts.values() if s is not moved), key=lambda s: s["position"])
        others.insert(min(moved["position"], len(others)), moved)
        for position, script in enumerate(others):
            script["position"] = position

    def gis_list(self, query, body):
        return {"scripts": [{k: v for k, v in s.items() if k != "script"}
                            for s in sorted(self.scripts.values(), key=lambda s: s["position"])]}

    def gis_create(self, query, body):
        sid = "S%d" % next(self.ids)
        script = {"script_id": sid, "name": body["name"], "script": body["script"],
                  "enabled": bool(body.get("enabled", False)), "position": body.get("position", len(self.scripts))}
        self.scripts[sid] = script
        self._reorder(script)
        return {"script_id": sid}

    def gis_get(self, sid, query, body):
        if sid not in self.scripts:
            raise not_found("no script %s" % sid)
        return self.scripts[sid]

    def gis_patch(self, sid, query, body):
        script = self.scripts[sid]
        assert "name" in body and "script" in body  # the API requires both
        script.update(name=body["name"], script=body["script"], enabled=bool(body.get("enabled", False)))
        if body.get("position") is not None:
            script["position"] = body["position"]
            self._reorder(script)
        return {}

    def gis_delete(self, sid, query, body):
        del self.scripts[sid]
        return {}

    # --- DBFS -----------------------------------------------------------------------------------
    def dbfs_status(self, query, body):
        path = query["path"]
        if path not in self.files:
            raise not_found("No file or directory exists on path dbfs:%s." % path)
        return {"path": path, "is_dir": False, "file_size": len(self.files[path])}

    def dbfs_read(self, query, body):
        data = self.files[query["path"]]
        offset, length = int(query["offset"]), int(query["length"])
        assert length <= 1024 * 1024
        chunk = data[offset:offset + length]
        return {"bytes_read": len(chunk), "data": base64.b64encode(chunk).decode()}

    def dbfs_put(self, query, body):
        data = base64.b64decode(body["contents"])
        assert len(data) <= 1024 * 1024 and body.get("overwrite")
        self.files[body["path"]] = data
        return {}

    def dbfs_create(self, query, body):
        handle = next(self.ids)
        self.handles[handle] = {"path": body["path"], "data": b""}
        return {"handle": handle}

    def dbfs_add_block(self, query, body):
        data = base64.b64decode(body["data"])
        assert len(data) <= 1024 * 1024
        self.handles[body["handle"]]["data"] += data
        return {}

    def dbfs_close(self, query, body):
        pending = self.handles.pop(body["handle"])
        self.files[pending["path"]] = pending["data"]
        return {}

    def dbfs_delete(self, query, body):
        self.files.pop(body["path"], None)
        return {}

    # --- clusters -------------------------------------------------------------------------------
    def add_cluster(self, state="RUNNING", **spec):
        cid = "0101-%06d-fake" % next(self.cluster_ids)
        cluster = dict(spec, cluster_id=cid, state=state, cluster_source="UI", _polls=0,
                       default_tags={"Vendor": "Databricks"})
        cluster["_spec"] = dict(spec)
        self.clusters[cid] = cluster
        return cluster

    def _render(self, cluster):
        out = {k: v for k, v in cluster.items() if not k.startswith("_")}
        out["spec"] = dict(cluster["_spec"])
        if "aws_attributes" in out:  # Databricks fills in defaults
            out["aws_attributes"] = dict({"zone_id": "auto", "ebs_volume_type": "GENERAL_PURPOSE_SSD"},
                                         **out["aws_attributes"])
        return out

    def _cluster(self, cid):
        if cid not in self.clusters:
            raise sdk_errors.InvalidParameterValue("Cluster %s does not exist" % cid,
                                                   error_code="INVALID_PARAMETER_VALUE")
        return self.clusters[cid]

    def cl_list(self, query, body):
        """Pages of cluster_page_size (next_page_token = offset of the next page), as /api/2.1 pages."""
        clusters = [self._render(c) for c in self.clusters.values()]
        offset = int((query or {}).get("page_token") or 0)
        size = self.cluster_page_size or len(clusters) or 1
        page = {"clusters": clusters[offset:offset + size]}
        if offset + size < len(clusters):
            page["next_page_token"] = str(offset + size)
        return page

    def cl_get(self, query, body):
        cluster = self._cluster(query["cluster_id"])
        if cluster["state"] == "TERMINATING":  # clusters/delete is asynchronous
            cluster["_polls"] += 1
            if cluster["_polls"] > self.start_polls:
                cluster.update(state="TERMINATED", _polls=0)
        if cluster["state"] in ("PENDING", "RESTARTING"):
            cluster["_polls"] += 1
            if cluster["_polls"] > self.start_polls:
                cluster["_polls"] = 0
                if self.start_fails:
                    cluster.update(state="TERMINATED", termination_reason={
                        "code": "NETWORK_CONFIGURATION_FAILURE", "parameters": {
                            "databricks_error_message": self.start_fails}})
                else:
                    cluster["state"] = "RUNNING"
        return self._render(cluster)

    def cl_create(self, query, body):
        return {"cluster_id": self.add_cluster(state="PENDING", **body)["cluster_id"]}

    def cl_edit(self, query, body):
        cluster = self._cluster(body["cluster_id"])
        if cluster["state"] not in ("RUNNING", "TERMINATED"):
            raise sdk_errors.InvalidState("unexpected state %s" % cluster["state"], error_code="INVALID_STATE")
        spec = {k: v for k, v in body.items() if k != "cluster_id"}
        for key in cluster["_spec"]:
            cluster.pop(key, None)
        cluster.update(spec, _spec=spec)
        self.last_edit = body
        if cluster["state"] == "RUNNING":
            cluster["state"] = "RESTARTING"
        return {}

    def cl_start(self, query, body):
        cluster = self._cluster(body["cluster_id"])
        if cluster["state"] != "TERMINATED":
            raise sdk_errors.InvalidState("Cluster %s is in unexpected state %s." % (
                body["cluster_id"], cluster["state"].capitalize()), error_code="INVALID_STATE")
        cluster["state"] = "PENDING"
        return {}

    def cl_terminate(self, query, body):
        cluster = self._cluster(body["cluster_id"])
        if cluster["state"] not in ("TERMINATING", "TERMINATED"):
            cluster.update(state="TERMINATING", _polls=0)
        return {}

    def cl_delete(self, query, body):
        del self.clusters[body["cluster_id"]]
        return {}

    # --- workspace conf, IP access lists ------------------------------------------------------
    def conf_get(self, query, body):
        keys = query["keys"].split(",")
        unknown = [key for key in keys if key not in self.conf]
        if unknown:
            raise sdk_errors.InvalidParameterValue("Some of the keys are not supported: %s" % unknown,
                                                   error_code="INVALID_PARAMETER_VALUE")
        return dict((key, self.conf[key]) for key in keys)

    def conf_patch(self, query, body):
        assert all(isinstance(value, str) for value in body.values())  # the API stores strings
        self.conf.update(body)
        return {}

    def list_create(self, query, body):
        entry = dict(body, list_id="l%d" % next(self.ids))
        self.lists[entry["list_id"]] = entry
        return {"ip_access_list": entry}

    def list_put(self, lid, query, body):
        self.lists[lid] = dict(body, list_id=lid)
        return {}

    def list_delete(self, lid, query, body):
        del self.lists[lid]
        return {}


# What an AWS module exited with: its result as Ansible reads it, whether it failed, and the retry decorators it
# passed to AnsibleAWSModule.client().
ModuleExit = namedtuple("ModuleExit", ["result", "failed", "retry_decorators"])


class DatabricksModuleRunner:
    """Runs a Databricks module's main() with a connection and args against a fake: DatabricksModule's client
    factories return the fake's clients, and nothing sleeps. What it returns is the result main() exits with
    (``run_main``), 'failed' among its keys when the module failed."""

    def __init__(self, run_main, connection):
        self.run_main = run_main
        self.connection = connection

    def __call__(self, main, args, fake, check_mode=False, diff=False):
        args = dict(self.connection, **args)
        args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(args), \
                mock.patch.object(DatabricksModule, "account_client_factory",
                                  staticmethod(lambda params: fake.client("account"))), \
                mock.patch.object(DatabricksModule, "workspace_client_factory",
                                  staticmethod(lambda params, host=None: fake.client("workspace", host))), \
                mock.patch("time.sleep"):
            return self.run_main(main)

    def bind(self, main, fake, diff=False, **defaults):
        """run(check_mode=False, diff=diff, **args): main() run against fake with defaults updated by args."""

        def run(check_mode=False, diff=diff, **args):
            return self(main, dict(defaults, **args), fake, check_mode=check_mode, diff=diff)

        return run


class AwsModuleRunner:
    """Runs an AWS module's main() with AnsibleAWSModule.client returning a fake boto3 client for one service,
    behind amazon.aws's retrying wrapper; what it returns is the ModuleExit."""

    def __init__(self, run_main):
        self.run_main = run_main

    def __call__(self, main, fake, service, args):
        decorators = []

        def client(module, name, retry_decorator=None, **kwargs):
            assert name == service
            decorators.append(retry_decorator)
            return RetryingBotoClientWrapper(fake, retry_decorator or AWSRetry.jittered_backoff())

        with patch_module_args(args), mock.patch.object(AnsibleAWSModule, "client", client):
            result = self.run_main(main)
        return ModuleExit(result, bool(result.get("failed")), decorators)

    def bind(self, main, service, **defaults):
        """run(fake, check_mode=False, diff=False, **params): main() run against fake with defaults updated by
        params."""

        def run(fake, check_mode=False, diff=False, **params):
            args = dict(defaults, **params)
            args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
            return self(main, fake, service, args)

        return run


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def fake_databricks():
    """An empty account, and a workspace with its admin service principal sp-admin (application cid, in the
    admins group) and a second service principal, sp-2 (application app-2)."""
    return FakeDatabricks()


@pytest.fixture
def fake_workspace():
    """fake_databricks with a workspace's objects (no instance profiles, scripts, files or clusters yet)."""
    return FakeWorkspace()


@pytest.fixture
def account_connection():
    """The connection options of the fake account (OAuth client credentials)."""
    return dict(CONNECTION)


@pytest.fixture
def workspace_connection():
    """The connection options of the fake workspace (OAuth client credentials)."""
    return dict(WS_CONNECTION)


@pytest.fixture
def run_account_module(run_main, account_connection):
    """run_account_module(main, args, fake, check_mode=False, diff=False): main() run with the account connection
    and args against fake (a DatabricksModuleRunner: .bind(main, fake, diff=False, **defaults) makes a run(**args))."""
    return DatabricksModuleRunner(run_main, account_connection)


@pytest.fixture
def run_workspace_module(run_main, workspace_connection):
    """run_workspace_module(main, args, fake, check_mode=False, diff=False): as run_account_module, with the
    workspace connection."""
    return DatabricksModuleRunner(run_main, workspace_connection)


@pytest.fixture
def run_aws_module(run_main):
    """run_aws_module(main, fake, service, args): the ModuleExit of main() run with args, its boto3 client for
    service being fake (an AwsModuleRunner: .bind(main, service, **defaults) makes a run(fake, **params))."""
    return AwsModuleRunner(run_main)
