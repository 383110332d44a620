"""Workspaces: creation with Databricks' checks of everything a workspace points at, the lazy status
machine (PROVISIONING -> RUNNING or FAILED; CANCELLING -> gone), updates by status and deletion. Each
workspace gets its own ``WorkspaceBackend``."""

import secrets

from ...aws import validation as aws_checks
from ...errors import already_exists, invalid, invalid_state, require
from ..common import get_or_404, numeric_id, public_view
from ..workspace import WorkspaceBackend
from .base import AccountFamily

LIVE_STATES = ("PROVISIONING", "RUNNING", "FAILED", "NOT_PROVISIONED", "CANCELLING")
# The fields PATCH /workspaces/{id} may change, by the workspace's status (the SDK's WorkspacesAPI.update
# docstring, "Update a failed workspace" / "Update a running workspace"): the storage configuration only
# while FAILED; keys, network and private access settings with the rules of _check_workspace_update.
UPDATABLE_WHEN = {
    "RUNNING": ("credentials_id", "network_id", "storage_customer_managed_key_id",
                "managed_services_customer_managed_key_id", "private_access_settings_id", "custom_tags",
                "network_connectivity_config_id"),
    "FAILED": ("credentials_id", "storage_configuration_id", "network_id", "storage_customer_managed_key_id",
               "managed_services_customer_managed_key_id", "private_access_settings_id", "custom_tags",
               "network_connectivity_config_id"),
}
UPDATABLE_WORKSPACE_FIELDS = UPDATABLE_WHEN["FAILED"]
# Once set, these can be changed (where allowed) but never removed.
NOT_REMOVABLE = ("network_id", "private_access_settings_id", "storage_customer_managed_key_id",
                 "managed_services_customer_managed_key_id", "network_connectivity_config_id")
COMPUTE_STATES = ("PENDING", "RUNNING", "RESTARTING", "RESIZING")


class WorkspacesBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.workspaces: dict[int, dict] = {}

    def live_workspaces(self) -> list[dict]:
        """Every workspace not yet gone (a deletion that has finished removes it)."""
        self._sweep_deleted()
        return list(self.workspaces.values())

    def _users_of(self, field: str, oid: str) -> list[int]:
        return [w["workspace_id"] for w in self.live_workspaces() if w.get(field) == oid]

    def _refuse_if_in_use(self, field: str, oid: str, noun: str) -> None:
        users = self._users_of(field, oid)
        if users:
            # Databricks' wording (Terraform provider mws tests): "Unable to delete, Network is being used by
            # active workspace <id>"; a CANCELLING workspace still counts until its deletion finishes.
            raise invalid_state(f"Unable to delete, {noun} {oid} is being used by active workspace {users[0]}")

    @staticmethod
    def _check_custom_tags(tags) -> None:
        """SDK Workspace.custom_tags: "The value can be an empty string, with maximum length of 255 characters.
        The key can be of maximum length of 127 characters, and cannot be empty." """
        for key, value in (tags or {}).items():
            if not key or len(key) > 127:
                raise invalid(f"Custom tag key {key!r} must be 1 to 127 characters long.")
            if len(str(value)) > 255:
                raise invalid(f"Custom tag value of {key!r} must be at most 255 characters long.")

    def _check_workspace_refs(self, ws: dict) -> None:
        """Everything a workspace points at exists, fits its region and is free (Databricks' checks)."""
        self._check_custom_tags(ws.get("custom_tags"))
        region = ws["aws_region"]
        for field, collection, noun in (("credentials_id", self.credentials, "Credential configuration"),
                                        ("storage_configuration_id", self.storage, "Storage configuration"),
                                        ("network_id", self.networks, "Network"),
                                        ("private_access_settings_id", self.private_access, "Private access settings"),
                                        ("storage_customer_managed_key_id", self.keys, "Customer-managed key"),
                                        ("managed_services_customer_managed_key_id", self.keys,
                                         "Customer-managed key")):
            if ws.get(field) and ws[field] not in collection:
                raise invalid(f"{noun} {ws[field]} does not exist.")
        for field, use_case in (("storage_customer_managed_key_id", "STORAGE"),
                                ("managed_services_customer_managed_key_id", "MANAGED_SERVICES")):
            if ws.get(field):
                key = self.keys[ws[field]]
                if use_case not in key["use_cases"]:
                    raise invalid(f"Customer-managed key {ws[field]} does not have use case {use_case}.")
                if key["aws_key_info"]["key_region"] != region:
                    raise invalid(f"Customer-managed key {ws[field]} is in {key['aws_key_info']['key_region']}, "
                                  f"not in the workspace region {region}.")
        if ws.get("private_access_settings_id"):
            pas = self.private_access[ws["private_access_settings_id"]]
            if pas["region"] != region:
                raise invalid(f"Private access settings {pas['private_access_settings_id']} are for {pas['region']}, "
                              f"not for the workspace region {region}.")
            network = self.networks.get(ws.get("network_id")) or {}
            rest = (network.get("vpc_endpoints") or {}).get("rest_api", [])
            not_allowed = [eid for eid in rest if eid not in pas["allowed_vpc_endpoint_ids"]]
            if pas["private_access_level"] == "ENDPOINT" and not_allowed:
                raise invalid(f"Private access settings {pas['private_access_settings_id']} (level ENDPOINT) do not "
                              f"allow the network's REST API endpoints {not_allowed}.")
        bucket = self.storage[ws["storage_configuration_id"]]["root_bucket_info"]["bucket_name"]
        bucket_region = aws_checks.bucket_region(self.state.aws, bucket)
        if bucket_region != region:
            raise invalid(f"Root bucket {bucket} is in {bucket_region}; it must be in the workspace region {region}.")
        aws_checks.validate_root_bucket_policy(self.state.aws, bucket, self.account_id, ws.get("workspace_id"), region)
        if ws.get("network_id"):
            net = self.networks[ws["network_id"]]
            users = [w for w in self._users_of("network_id", net["network_id"]) if w != ws.get("workspace_id")]
            if users:
                raise invalid(f"Network {net['network_id']} is already used by workspace {users[0]}.")
            if net["_region"] != region:
                raise invalid(f"Network {net['network_id']} (VPC {net['vpc_id']}) is in {net['_region']}, "
                              f"not in the workspace region {region}.")
            # "you cannot reuse subnets or Security Groups between workspaces" (SDK WorkspacesAPI.create)
            for other in self.live_workspaces():
                other_net = self.networks.get(other.get("network_id")) or {}
                if other["workspace_id"] == ws.get("workspace_id") or not other_net:
                    continue
                shared = sorted((set(net.get("subnet_ids") or []) & set(other_net.get("subnet_ids") or []))
                                | (set(net.get("security_group_ids") or [])
                                   & set(other_net.get("security_group_ids") or [])))
                if shared:
                    raise invalid(f"Subnets and security groups cannot be shared between workspaces: {shared} of "
                                  f"network {net['network_id']} are used by workspace {other['workspace_id']}.")
        if ws.get("private_access_settings_id") and self.private_access[ws["private_access_settings_id"]][
                "region"] != region:
            raise invalid("Private access settings must be in the workspace region.")

    def create_workspace(self, body: dict) -> dict:
        require(body, "workspace_name", "aws_region", "credentials_id", "storage_configuration_id")
        self._sweep_deleted()
        if any(w["workspace_name"] == body["workspace_name"] for w in self.workspaces.values()):
            raise already_exists(f"Workspace with name {body['workspace_name']} already exists.")
        deployment = body.get("deployment_name") or f"dbc-{secrets.token_hex(4)}-{secrets.token_hex(2)}"
        if any(w["deployment_name"] == deployment for w in self.workspaces.values()):
            raise invalid(f"Deployment name {deployment} is already taken.")
        ws = {"workspace_id": numeric_id(), "account_id": self.account_id, "cloud": "aws",
              "pricing_tier": body.get("pricing_tier") or "ENTERPRISE", "deployment_name": deployment,
              "creation_time": self._now_ms(), "workspace_status": "PROVISIONING",
              "workspace_status_message": "Workspace resources are being set up."}
        ws.update({k: body[k] for k in ("workspace_name", "aws_region", "custom_tags", "location") if body.get(k)})
        ws.update({k: body[k] for k in UPDATABLE_WORKSPACE_FIELDS if body.get(k) and k not in ws})
        self._check_workspace_refs(ws)
        self.state.aws.note_region(ws["aws_region"])
        ws["_ready_at"] = self.state.clock.now() + self.state.config["provisioning_delay"]
        ws["_fail_message"] = self.state.config.pop_fail_next_workspace()
        ws["_ever_running"] = False
        self.workspaces[ws["workspace_id"]] = ws
        # The creating service principal becomes a workspace admin (as with Databricks).
        backend = WorkspaceBackend(self.state, ws)
        creator = self.directory.get("ServicePrincipals", self.admin_sp_id)
        backend.add_admin_service_principal(creator["applicationId"], creator["displayName"])
        self.assignments[ws["workspace_id"]] = {self.admin_sp_id: ["ADMIN"]}
        self.state.attach_workspace(ws, backend)
        return self.render_workspace(ws)

    def refresh(self, ws: dict) -> dict:
        """Lazy state machine, as the SDK's WorkspaceStatus docstring lists the transitions: PROVISIONING ->
        RUNNING (or FAILED) once the emulator clock passes _ready_at; CANCELLING (deletion under way) -> gone
        once it passes _gone_at."""
        now = self.state.clock.now()
        if ws["workspace_status"] == "PROVISIONING" and now >= ws["_ready_at"]:
            if ws["_fail_message"]:
                ws.update(workspace_status="FAILED", workspace_status_message=ws["_fail_message"])
            else:
                ws.update(workspace_status="RUNNING", workspace_status_message="Workspace is running.",
                          _ever_running=True)
        if ws["workspace_status"] == "CANCELLING" and now >= ws["_gone_at"]:
            self.workspaces.pop(ws["workspace_id"], None)
            self.assignments.pop(ws["workspace_id"], None)
        return ws

    def _sweep_deleted(self) -> None:
        for ws in list(self.workspaces.values()):
            self.refresh(ws)

    def get_workspace(self, wid) -> dict:
        try:
            wid = int(wid)
        except ValueError as exc:
            raise invalid(f"Invalid workspace id {wid}") from exc
        self._sweep_deleted()
        return self.refresh(get_or_404(self.workspaces, wid, "Workspace"))

    def render_workspace(self, ws: dict) -> dict:
        out = public_view(self.refresh(ws))
        if ws.get("network_id") and ws["network_id"] in self.networks:
            out["network"] = {"network_id": ws["network_id"]}
        return out

    def _running_compute(self, ws: dict) -> list[str]:
        backend = self.state.workspace_backend(ws["workspace_id"])
        if backend is None:
            return []
        return [c["cluster_id"] for c in backend.clusters.values()
                if backend.refresh_cluster(c)["state"] in COMPUTE_STATES]

    def _check_workspace_update(self, ws: dict, changes: dict) -> None:
        """The update rules of the SDK's WorkspacesAPI.update docstring (see UPDATABLE_WHEN)."""
        status = ws["workspace_status"]
        allowed = UPDATABLE_WHEN[status]
        refused = [f for f in changes if f not in allowed]
        if refused:
            raise invalid(f"Cannot update {', '.join(refused)} of workspace {ws['workspace_id']} while it is "
                          f"{status}; a {status} workspace can update only {', '.join(allowed)}.")
        removed = [f for f in changes if f in NOT_REMOVABLE and ws.get(f) and not changes[f]]
        if removed:
            raise invalid(f"Cannot remove {', '.join(removed)} from workspace {ws['workspace_id']}: it can be "
                          "changed, not removed.")
        if changes.get("network_id") and not ws.get("network_id") and status == "RUNNING":
            raise invalid(f"Workspace {ws['workspace_id']} uses a Databricks-managed VPC: a running workspace "
                          "cannot be converted to a customer-managed VPC.")
        if changes.get("storage_customer_managed_key_id"):
            if status == "RUNNING" and ws.get("storage_customer_managed_key_id"):
                raise invalid(f"Workspace {ws['workspace_id']} already has a storage customer-managed key "
                              "configuration; it can only be added to a workspace without one.")
            if status == "FAILED" and ws.get("_ever_running"):
                raise invalid(f"Workspace {ws['workspace_id']} was running before it failed: a storage "
                              "customer-managed key configuration cannot be added to it.")
        compute = self._running_compute(ws) if status == "RUNNING" else []
        if compute:
            raise invalid_state(f"Workspace {ws['workspace_id']} has running compute resources (clusters "
                                f"{', '.join(compute)}): terminate all cluster instances in the workspace before "
                                "updating it.")

    def update_workspace(self, wid, body: dict, update_mask: str | None) -> dict:
        ws = self.get_workspace(wid)
        if ws["workspace_status"] not in UPDATABLE_WHEN:
            raise invalid_state(f"Workspace {wid} is {ws['workspace_status']}; it can only be updated when RUNNING "
                                "or FAILED.")
        fields = [f for f in update_mask.split(",")] if update_mask and update_mask != "*" else list(body)
        unknown = [f for f in fields if f not in UPDATABLE_WORKSPACE_FIELDS and f not in ws and f not in body]
        if update_mask and unknown:
            raise invalid(f"Fields {unknown} cannot be updated.")
        changes = {f: body.get(f) for f in fields if f not in ("workspace_id", "workspace_status")}
        if not changes.get("custom_tags", True):
            changes.pop("custom_tags")  # "Given you provide an empty custom tags, the update would not be applied."
        changes = {k: v for k, v in changes.items() if v != ws.get(k)}
        self._check_workspace_update(ws, changes)
        candidate = dict(ws, **changes)
        self._check_workspace_refs(candidate)
        ws.update(changes)
        if ws["workspace_status"] == "FAILED":  # any update of a failed workspace deploys it again
            ws.update(workspace_status="PROVISIONING", _fail_message=self.state.config.pop_fail_next_workspace(),
                      _ready_at=self.state.clock.now() + self.state.config["provisioning_delay"],
                      workspace_status_message="Workspace resources are being set up.")
        elif not ws.get("network_id") and changes:  # a Databricks-managed VPC workspace re-provisions briefly
            ws.update(workspace_status="PROVISIONING", _fail_message=None,
                      _ready_at=self.state.clock.now() + self.state.config["provisioning_delay"],
                      workspace_status_message="Workspace is being updated.")
        return self.render_workspace(ws)

    def delete_workspace(self, wid) -> dict:
        """Deletion is asynchronous: the workspace is CANCELLING, still listed and still holding its network,
        until workspace_deletion_seconds pass; then GET answers 404."""
        ws = self.get_workspace(wid)
        if ws["workspace_status"] == "CANCELLING":
            return self.render_workspace(ws)
        ws.update(workspace_status="CANCELLING", workspace_status_message="Workspace is being deleted.",
                  _gone_at=self.state.clock.now() + self.state.config["workspace_deletion_seconds"])
        self.state.detach_workspace(ws["workspace_id"])
        out = self.render_workspace(ws)
        self.refresh(ws)
        return out
