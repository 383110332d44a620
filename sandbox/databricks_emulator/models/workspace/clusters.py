"""Clusters: spec checks against the catalogues, the lazy lifecycle (PENDING/RESTARTING -> RUNNING, or
TERMINATED without NAT egress in moto's EC2; TERMINATING -> TERMINATED), list pages and node types."""

import random
import uuid

from ...aws import validation as aws_checks
from ...errors import ApiError, invalid, invalid_state, permission_denied, require
from ..catalog import NODE_TYPE_IDS, SPARK_VERSION_KEYS, node_type_unavailable, node_types
from ..common import public_view
from ..paging import token_page
from .base import WorkspaceFamily

# Access modes of "No isolation shared" compute and its legacy equivalents (no data_security_mode at all): the ones
# the workspace-conf key enforceUserIsolation forbids creating or starting.
NO_ISOLATION_MODES = (None, "", "NONE")

# clusters/list (2.1) pages: a small default so clients must follow next_page_token; page_size above the cap is cut.
CLUSTER_PAGE_SIZE = 5
CLUSTER_PAGE_MAX = 100


class ClustersBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.clusters: dict[str, dict] = {}

    def _cluster_spec(self, body: dict) -> dict:
        require(body, "spark_version")
        if body["spark_version"] not in SPARK_VERSION_KEYS:
            raise invalid(f"Invalid spark version {body['spark_version']}.")
        if not body.get("instance_pool_id"):
            require(body, "node_type_id")
        for field in ("node_type_id", "driver_node_type_id"):
            if body.get(field) and body[field] not in NODE_TYPE_IDS:
                raise invalid(f"Node type {body[field]} is not supported. Supported node types: "
                              f"{sorted(NODE_TYPE_IDS)}")
            status = node_type_unavailable(body.get(field) or "")
            if status:  # listed by list-node-types, but node_info.status says the provider does not offer it
                usable = sorted(n for n in NODE_TYPE_IDS if not node_type_unavailable(n))
                raise invalid(f"Node type {body[field]} is not available for this workspace ({', '.join(status)}). "
                              f"Supported node types: {usable}")
        if body.get("num_workers") is None and not body.get("autoscale"):
            body = dict(body, num_workers=0)
        autoscale = body.get("autoscale")
        if autoscale and not 0 <= int(autoscale.get("min_workers", 0)) <= int(autoscale.get("max_workers", 0)):
            raise invalid("autoscale.min_workers must be <= autoscale.max_workers")
        profile = (body.get("aws_attributes") or {}).get("instance_profile_arn")
        if profile and profile not in self.instance_profiles:
            raise invalid(f"Instance profile {profile} is not registered in the workspace; add it first.")
        self._refuse_no_isolation(body)
        return {k: v for k, v in body.items() if k != "cluster_id" and v is not None}

    def _refuse_no_isolation(self, spec: dict) -> None:
        """With enforceUserIsolation, "No isolation shared" compute can be neither created nor started
        (Databricks docs, "Enforce user isolation cluster types on a workspace")."""
        if self.conf.get("enforceUserIsolation") == "true" and spec.get("data_security_mode") in NO_ISOLATION_MODES:
            raise invalid("No isolation shared clusters are disabled in this workspace (enforceUserIsolation): set "
                          "data_security_mode to USER_ISOLATION or SINGLE_USER.")

    def _get_cluster(self, cluster_id) -> dict:
        if not cluster_id or cluster_id not in self.clusters:
            # Databricks' shape for an unknown cluster (the SDK maps it to ResourceDoesNotExist).
            raise invalid(f"Cluster {cluster_id} does not exist")
        return self.refresh_cluster(self.clusters[cluster_id])

    def _schedule_start(self, cluster: dict, state: str, message: str) -> None:
        cluster.update(state=state, state_message=message,
                       _ready_at=self.state.clock.now() + self.state.config["cluster_start_seconds"])
        cluster.pop("termination_reason", None)
        cluster.pop("terminated_time", None)

    def refresh_cluster(self, cluster: dict) -> dict:
        """Lazy transitions: PENDING/RESTARTING -> RUNNING when the private subnets have NAT egress, else TERMINATED;
        TERMINATING -> TERMINATED (clusters/delete is asynchronous)."""
        if cluster["state"] == "TERMINATING" and self.state.clock.now() >= cluster["_ready_at"]:
            cluster.update(state="TERMINATED", state_message=cluster.pop("_terminating_message", ""),
                           terminated_time=self.state.clock.now_ms())
        if cluster["state"] in ("PENDING", "RESTARTING") and self.state.clock.now() >= cluster["_ready_at"]:
            problem = self.egress_problem()
            now_ms = self.state.clock.now_ms()
            if problem is None:
                cluster.update(state="RUNNING", state_message="", last_restarted_time=now_ms,
                               spark_context_id=random.randint(10**17, 10**18))
            else:
                cluster.update(state="TERMINATED", terminated_time=now_ms,
                               state_message=f"Cluster terminated: network configuration failure: {problem}",
                               termination_reason={"code": "NETWORK_CONFIGURATION_FAILURE", "type": "CLIENT_ERROR",
                                                   "parameters": {"databricks_error_message": problem}})
        return cluster

    def egress_problem(self) -> str | None:
        network = self.state.account.networks.get(self.ws.get("network_id") or "")
        if network is None:  # Databricks-managed VPC: egress is Databricks' business
            return None
        return aws_checks.egress_problem(self.state.aws, network["_region"], network["subnet_ids"])

    def render_cluster(self, cluster: dict) -> dict:
        out = public_view(self.refresh_cluster(cluster))
        out["spec"] = dict(cluster["_spec"])
        return out

    def create_cluster(self, caller: str, body: dict) -> dict:
        if not self.is_admin(caller) and not self._has_entitlement(caller, "allow-cluster-create"):
            raise permission_denied("You are not authorized to create clusters (allow-cluster-create entitlement "
                                    "required).")
        spec = self._cluster_spec(body)
        cluster_id = f"{random.randint(1000, 9999)}-{random.randint(100000, 999999)}-{uuid.uuid4().hex[:8]}"
        cluster = dict(spec, cluster_id=cluster_id, creator_user_name=self._name_of(caller), cluster_source="API",
                       start_time=self.state.clock.now_ms(), _spec=spec,
                       default_tags={"Vendor": "Databricks", "Creator": self._name_of(caller),
                                     "ClusterName": spec.get("cluster_name", ""), "ClusterId": cluster_id})
        self._schedule_start(cluster, "PENDING", "Finding instances for new nodes, acquiring more instances if "
                                                 "necessary")
        self.clusters[cluster_id] = cluster
        return {"cluster_id": cluster_id}

    @staticmethod
    def _unexpected_state(cluster: dict) -> ApiError:
        # Databricks names the state in title case here, e.g. "Cluster 0123-... is in unexpected state Pending."
        # (terraform-provider-databricks clusters/clusters_api.go StartAndGetInfo matches this message).
        return invalid_state(f"Cluster {cluster['cluster_id']} is in unexpected state "
                             f"{cluster['state'].capitalize()}.")

    def edit_cluster(self, body: dict) -> None:
        cluster = self._get_cluster(body.get("cluster_id"))
        if cluster["state"] not in ("RUNNING", "TERMINATED"):  # SDK ClustersAPI.edit: anything else is INVALID_STATE
            raise self._unexpected_state(cluster)
        spec = self._cluster_spec(body)
        for key in list(cluster["_spec"]):
            cluster.pop(key, None)
        cluster.update(spec, _spec=spec)
        if cluster["state"] == "RUNNING":
            self._schedule_start(cluster, "RESTARTING", "Restarting the cluster to apply the new configuration")

    def start_cluster(self, body: dict) -> None:
        cluster = self._get_cluster(body.get("cluster_id"))
        if cluster["state"] != "TERMINATED":
            raise self._unexpected_state(cluster)
        self._refuse_no_isolation(cluster["_spec"])
        self._schedule_start(cluster, "PENDING", "Starting the cluster")

    def terminate_cluster(self, caller: str, body: dict) -> None:
        """clusters/delete: asynchronous - TERMINATING now, TERMINATED once the nodes are gone (half the start
        time); nothing happens to a TERMINATING or TERMINATED cluster (SDK ClustersAPI.delete)."""
        cluster = self._get_cluster(body.get("cluster_id"))
        if cluster["state"] in ("TERMINATING", "TERMINATED"):
            return
        cluster.update(state="TERMINATING", state_message="Terminating the cluster",
                       _terminating_message="Terminated by the user",
                       _ready_at=self.state.clock.now() + self.state.config["cluster_start_seconds"] / 2,
                       termination_reason={"code": "USER_REQUEST", "type": "SUCCESS",
                                           "parameters": {"username": self._name_of(caller)}})

    def permanent_delete_cluster(self, body: dict) -> None:
        self._get_cluster(body.get("cluster_id"))
        del self.clusters[body["cluster_id"]]

    def list_clusters(self, query: dict, paged: bool = True) -> dict:
        """clusters/list. /api/2.1 pages (page_size, page_token -> next_page_token/prev_page_token; "the server may
        further constrain the maximum number of results returned in a single page", SDK ClustersAPI.list);
        /api/2.0 returns every cluster at once."""
        clusters = [self.render_cluster(c) for c in self.clusters.values()]
        if not paged:
            return {"clusters": clusters}
        try:
            size = int(query.get("page_size") or CLUSTER_PAGE_SIZE)
        except ValueError as exc:
            raise invalid(f"Invalid page_size {query['page_size']!r}") from exc
        return token_page(clusters, "clusters", query.get("page_token"), min(size, CLUSTER_PAGE_MAX))

    @staticmethod
    def node_types() -> dict:
        return {"node_types": node_types()}
