"""In-memory workspace objects for the databricks_management modules' unit tests.

``FakeWorkspace`` extends test_account_fakes.FakeDatabricks (same seam: ``api_client.do``) with
instance profiles, global init scripts, DBFS, clusters (PENDING -> RUNNING after
``start_polls`` reads, or TERMINATED with a reason when ``start_fails``), Spark versions, node
types and account log delivery. Shared by test_instance_profile.py, test_group.py,
test_global_init_script.py, test_dbfs_file.py, test_cluster.py, test_spark_version_info.py,
test_node_type_info.py and test_account_log_delivery.py.
"""

import base64
import itertools

from databricks.sdk import errors as sdk_errors
from test_account_fakes import A, FakeDatabricks, not_found

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


class FakeWorkspace(FakeDatabricks):
    def __init__(self):
        super().__init__()
        self.profiles = {}
        self.scripts = {}
        self.files = {}
        self.handles = {}
        self.clusters = {}
        self.log_delivery = {}
        self.log_delivery_page_size = 100
        self.start_polls = 1
        self.cluster_page_size = None
        self.start_fails = None
        self.cluster_ids = itertools.count(1)

    def _routes(self):
        p = "/api/2.0/instance-profiles"
        g = "/api/2.0/global-init-scripts"
        d = "/api/2.0/dbfs"
        c = "/api/2.1/clusters"
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
            (c + "/spark-versions", "GET", lambda query, body: {"versions": SPARK_VERSIONS}),
            (c + "/list-node-types", "GET", lambda query, body: {"node_types": NODE_TYPES}),
            (A + "/log-delivery", "GET", self.ld_list), (A + "/log-delivery", "POST", self.ld_create),
            (A + r"/log-delivery/(?P<cid>[^/]+)", "GET", self.ld_get),
            (A + r"/log-delivery/(?P<cid>[^/]+)", "PATCH", self.ld_patch),
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
