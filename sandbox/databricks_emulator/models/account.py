"""Account API state: credentials, storage configurations, networks, keys, workspaces, log delivery,
VPC endpoints, private access settings, permission assignments, account SCIM and SP secrets."""

import datetime
import hashlib
import random
import secrets
import uuid

from ..aws import validation as aws_checks
from ..errors import already_exists, invalid, invalid_state, not_found, permission_denied, require
from .catalog import PRIVATELINK_SERVICES
from .paging import token_page
from .scim import ScimDirectory
from .workspace import WorkspaceBackend

LIVE_STATES = ("PROVISIONING", "RUNNING", "FAILED", "NOT_PROVISIONED", "CANCELLING")
LOG_FORMATS = {"BILLABLE_USAGE": "CSV", "AUDIT_LOGS": "JSON"}
LOG_DELIVERY_PAGE_SIZE = 5
KEY_USE_CASES = ("MANAGED_SERVICES", "STORAGE")
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


def public_view(obj: dict) -> dict:
    """A stored object without its private (underscore) fields."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class AccountBackend:
    def __init__(self, state):
        self.state = state  # EmulatorState: config, clock, aws, tokens, workspace listeners
        self.account_id = state.account_id
        self.credentials: dict[str, dict] = {}
        self.storage: dict[str, dict] = {}
        self.networks: dict[str, dict] = {}
        self.keys: dict[str, dict] = {}
        self.workspaces: dict[int, dict] = {}
        self.log_delivery: dict[str, dict] = {}
        self.vpc_endpoints: dict[str, dict] = {}
        self.private_access: dict[str, dict] = {}
        self.assignments: dict[int, dict[str, list]] = {}  # workspace id -> principal id -> permissions
        self.directory = ScimDirectory()
        self.sp_secrets: dict[str, dict[str, dict]] = {}  # SP SCIM id -> secret id -> record
        self.role_first_seen: dict[str, float] = {}
        # The account service principal the emulator is driven with (account admin).
        sp = self.directory.create("ServicePrincipals", {
            "applicationId": state.client_id, "displayName": "Account automation service principal",
            "roles": [{"value": "account_admin"}]})
        self.admin_sp_id = sp["id"]
        self.sp_secrets[sp["id"]] = {"env": {"_hash": self._hash(state.client_secret), "id": "env",
                                             "status": "ACTIVE", "create_time": "", "update_time": ""}}

    # --- helpers --------------------------------------------------------------------------
    @staticmethod
    def _hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def _now_ms(self) -> int:
        return self.state.clock.now_ms()

    def _base(self, id_field: str) -> dict:
        return {id_field: str(uuid.uuid4()), "account_id": self.account_id, "creation_time": self._now_ms()}

    @staticmethod
    def _get(collection: dict, oid, noun: str) -> dict:
        if oid not in collection:
            raise not_found(f"{noun} {oid} does not exist.")
        return collection[oid]

    def _unique_name(self, collection: dict, field: str, name: str, noun: str) -> None:
        if any(o.get(field) == name for o in collection.values()):
            raise already_exists(f"{noun} with name {name} already exists.")

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

    # --- OAuth client credentials -------------------------------------------------------------
    def check_client_secret(self, client_id: str, client_secret: str) -> dict | None:
        """The account SP owning client_id when the secret matches one of its active secrets."""
        sp = self.directory.find("ServicePrincipals", "applicationId", client_id)
        if sp is None or not client_secret:
            return None
        digest = self._hash(client_secret)
        ok = any(s["_hash"] == digest and s["status"] == "ACTIVE" for s in self.sp_secrets.get(sp["id"], {}).values())
        return sp if ok else None

    def is_account_admin(self, principal_id: str) -> bool:
        sp = self.directory.resources["ServicePrincipals"].get(principal_id) or \
            self.directory.resources["Users"].get(principal_id) or {}
        return any(r.get("value") == "account_admin" for r in sp.get("roles", []))

    def create_secret(self, sp_id: str, lifetime: str | None) -> dict:
        self.directory.get("ServicePrincipals", sp_id)
        value = "dose" + secrets.token_hex(16)
        now = self.state.clock.now()
        iso = _iso(now)
        expire = now + float(str(lifetime).rstrip("s")) if lifetime else now + 730 * 86400
        record = {"id": uuid.uuid4().hex[:16], "_hash": self._hash(value), "secret_hash": self._hash(value)[:8],
                  "status": "ACTIVE", "create_time": iso, "update_time": iso, "expire_time": _iso(expire)}
        self.sp_secrets.setdefault(sp_id, {})[record["id"]] = record
        return dict(public_view(record), secret=value)

    def list_secrets(self, sp_id: str) -> dict:
        self.directory.get("ServicePrincipals", sp_id)
        return {"secrets": [public_view(s) for s in self.sp_secrets.get(sp_id, {}).values() if s["id"] != "env"]}

    def delete_secret(self, sp_id: str, secret_id: str) -> None:
        self.directory.get("ServicePrincipals", sp_id)
        if secret_id not in self.sp_secrets.get(sp_id, {}) or secret_id == "env":
            raise not_found(f"Secret {secret_id} does not exist.")
        del self.sp_secrets[sp_id][secret_id]

    # --- credentials ------------------------------------------------------------------------
    def create_credentials(self, body: dict) -> dict:
        require(body, "credentials_name")
        role_arn = ((body.get("aws_credentials") or {}).get("sts_role") or {}).get("role_arn")
        if not role_arn:
            raise invalid("Missing required field: aws_credentials.sts_role.role_arn")
        self._unique_name(self.credentials, "credentials_name", body["credentials_name"], "Credential")
        aws_checks.validate_cross_account_role(self.state.aws, role_arn, self.account_id, self.state.clock.now(),
                                               self.state.config["iam_propagation_seconds"], self.role_first_seen)
        cred = self._base("credentials_id")
        cred.update(credentials_name=body["credentials_name"],
                    aws_credentials={"sts_role": {"role_arn": role_arn}})
        self.credentials[cred["credentials_id"]] = cred
        return cred

    def delete_credentials(self, cid: str) -> dict:
        cred = self._get(self.credentials, cid, "Credential configuration")
        self._refuse_if_in_use("credentials_id", cid, "Credential configuration")
        if any(c["credentials_id"] == cid and c["status"] == "ENABLED" for c in self.log_delivery.values()):
            raise invalid_state(f"Credential configuration {cid} is used by an enabled log delivery configuration.")
        del self.credentials[cid]
        return cred

    # --- storage configurations ---------------------------------------------------------------
    def create_storage(self, body: dict) -> dict:
        require(body, "storage_configuration_name")
        bucket = (body.get("root_bucket_info") or {}).get("bucket_name")
        if not bucket:
            raise invalid("Missing required field: root_bucket_info.bucket_name")
        self._unique_name(self.storage, "storage_configuration_name", body["storage_configuration_name"],
                          "Storage configuration")
        aws_checks.bucket_region(self.state.aws, bucket)
        conf = self._base("storage_configuration_id")
        conf.update(storage_configuration_name=body["storage_configuration_name"],
                    root_bucket_info={"bucket_name": bucket})
        if body.get("role_arn"):
            conf["role_arn"] = body["role_arn"]
        self.storage[conf["storage_configuration_id"]] = conf
        return conf

    def delete_storage(self, sid: str) -> dict:
        conf = self._get(self.storage, sid, "Storage configuration")
        self._refuse_if_in_use("storage_configuration_id", sid, "Storage configuration")
        if any(c["storage_configuration_id"] == sid and c["status"] == "ENABLED" for c in self.log_delivery.values()):
            raise invalid_state(f"Storage configuration {sid} is used by an enabled log delivery configuration.")
        del self.storage[sid]
        return conf

    # --- networks -----------------------------------------------------------------------------
    def create_network(self, body: dict) -> dict:
        require(body, "network_name", "vpc_id", "subnet_ids", "security_group_ids")
        self._unique_name(self.networks, "network_name", body["network_name"], "Network")
        region = aws_checks.validate_network(self.state.aws, body["vpc_id"], body["subnet_ids"],
                                             body["security_group_ids"])
        endpoints = body.get("vpc_endpoints") or {}
        for purpose, use_case in (("rest_api", "WORKSPACE_ACCESS"), ("dataplane_relay", "DATAPLANE_RELAY_ACCESS")):
            for eid in endpoints.get(purpose, []):
                ep = self._get(self.vpc_endpoints, eid, "VPC endpoint")
                if ep["use_case"] != use_case:
                    raise invalid(f"VPC endpoint {eid} is registered for {ep['use_case']}; vpc_endpoints.{purpose} "
                                  f"needs {use_case}.")
                if ep.get("_vpc_id") and ep["_vpc_id"] != body["vpc_id"]:
                    raise invalid(f"VPC endpoint {eid} ({ep['aws_vpc_endpoint_id']}) is in {ep['_vpc_id']}, not in "
                                  f"the network's VPC {body['vpc_id']}.")
        net = self._base("network_id")
        net.update(network_name=body["network_name"], vpc_id=body["vpc_id"], subnet_ids=list(body["subnet_ids"]),
                   security_group_ids=list(body["security_group_ids"]), vpc_status="UNATTACHED", _region=region)
        if endpoints:
            net["vpc_endpoints"] = {k: list(v) for k, v in endpoints.items() if v}
        self.networks[net["network_id"]] = net
        return net

    def render_network(self, net: dict) -> dict:
        users = self._users_of("network_id", net["network_id"])
        out = public_view(net)
        if users:
            out.update(workspace_id=users[0], vpc_status="VALID")
        return out

    def delete_network(self, nid: str) -> dict:
        net = self._get(self.networks, nid, "Network")
        self._refuse_if_in_use("network_id", nid, "Network")
        del self.networks[nid]
        return self.render_network(net)

    # --- customer-managed keys ------------------------------------------------------------------
    def create_key(self, body: dict) -> dict:
        info = body.get("aws_key_info") or {}
        if not info.get("key_arn"):
            raise invalid("Missing required field: aws_key_info.key_arn")
        use_cases = body.get("use_cases") or []
        if not use_cases or any(u not in KEY_USE_CASES for u in use_cases):
            raise invalid(f"use_cases must be a non-empty subset of {list(KEY_USE_CASES)}")
        region = aws_checks.validate_kms_key(self.state.aws, info["key_arn"])
        key = self._base("customer_managed_key_id")
        key.update(aws_key_info={k: v for k, v in info.items() if v is not None} | {"key_region": region},
                   use_cases=list(use_cases))
        self.keys[key["customer_managed_key_id"]] = key
        return key

    def delete_key(self, kid: str) -> dict:
        key = self._get(self.keys, kid, "Customer-managed key")
        for field in ("storage_customer_managed_key_id", "managed_services_customer_managed_key_id"):
            self._refuse_if_in_use(field, kid, "Customer-managed key")
        del self.keys[kid]
        return key

    # --- VPC endpoints and private access settings -----------------------------------------------
    def create_vpc_endpoint(self, body: dict) -> dict:
        require(body, "vpc_endpoint_name", "aws_vpc_endpoint_id", "region")
        self._unique_name(self.vpc_endpoints, "vpc_endpoint_name", body["vpc_endpoint_name"], "VPC endpoint")
        aws_id, region = body["aws_vpc_endpoint_id"], body["region"]
        endpoint = aws_checks.validate_vpc_endpoint(self.state.aws, aws_id, region)
        services = PRIVATELINK_SERVICES.get(region)
        if services is None:
            raise invalid(f"AWS PrivateLink is not supported for Databricks in region {region}.")
        if endpoint.get("VpcEndpointType") != "Interface":
            raise invalid(f"VPC endpoint {aws_id} is a {endpoint.get('VpcEndpointType')} endpoint; PrivateLink needs "
                          "an Interface endpoint.")
        service = endpoint.get("ServiceName", "")
        use_case = {services["workspace"]: "WORKSPACE_ACCESS", services["relay"]: "DATAPLANE_RELAY_ACCESS"}.get(service)
        if use_case is None:
            raise invalid(f"VPC endpoint {aws_id} connects to {service}, not to a Databricks endpoint service in "
                          f"{region} ({services['workspace']} or {services['relay']}).")
        if endpoint.get("State", "available").lower() in ("deleting", "deleted", "failed", "rejected", "expired"):
            raise invalid(f"VPC endpoint {aws_id} is {endpoint.get('State')}.")
        ep = {"vpc_endpoint_id": str(uuid.uuid4()), "account_id": self.account_id,
              "vpc_endpoint_name": body["vpc_endpoint_name"], "aws_vpc_endpoint_id": aws_id,
              "aws_account_id": endpoint.get("OwnerId", "123456789012"),
              "aws_endpoint_service_id": service.rsplit(".", 1)[-1], "region": region,
              "state": "available", "use_case": use_case, "_vpc_id": endpoint.get("VpcId")}
        self.vpc_endpoints[ep["vpc_endpoint_id"]] = ep
        return ep

    def delete_vpc_endpoint(self, eid: str) -> dict:
        ep = self._get(self.vpc_endpoints, eid, "VPC endpoint")
        for net in self.networks.values():
            if any(eid in ids for ids in (net.get("vpc_endpoints") or {}).values()):
                raise invalid_state(f"VPC endpoint {eid} cannot be deleted: it is used by network {net['network_id']}.")
        for pas in self.private_access.values():
            if eid in pas.get("allowed_vpc_endpoint_ids", []):
                raise invalid_state(f"VPC endpoint {eid} is used by private access settings "
                                    f"{pas['private_access_settings_id']}.")
        del self.vpc_endpoints[eid]
        return ep

    def put_private_access(self, body: dict, pid: str | None = None) -> dict:
        require(body, "private_access_settings_name", "region")
        level = body.get("private_access_level") or "ACCOUNT"
        if level not in ("ACCOUNT", "ENDPOINT"):
            raise invalid(f"private_access_level must be ACCOUNT or ENDPOINT, not {level}")
        for eid in body.get("allowed_vpc_endpoint_ids") or []:
            self._get(self.vpc_endpoints, eid, "VPC endpoint")
        if pid is None:
            pas = {"private_access_settings_id": str(uuid.uuid4()), "account_id": self.account_id}
        else:
            pas = self._get(self.private_access, pid, "Private access settings")
        pas.update(private_access_settings_name=body["private_access_settings_name"], region=body["region"],
                   public_access_enabled=bool(body.get("public_access_enabled", False)), private_access_level=level,
                   allowed_vpc_endpoint_ids=list(body.get("allowed_vpc_endpoint_ids") or []))
        self.private_access[pas["private_access_settings_id"]] = pas
        return pas

    def delete_private_access(self, pid: str) -> dict:
        pas = self._get(self.private_access, pid, "Private access settings")
        self._refuse_if_in_use("private_access_settings_id", pid, "Private access settings")
        del self.private_access[pid]
        return pas

    # --- workspaces ---------------------------------------------------------------------------
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
        aws_checks.validate_root_bucket_policy(self.state.aws, bucket)
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
        ws = {"workspace_id": random.randint(10**15, 10**16 - 1), "account_id": self.account_id, "cloud": "aws",
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
        return self.refresh(self._get(self.workspaces, wid, "Workspace"))

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

    # --- log delivery -------------------------------------------------------------------------
    def _check_log_limit(self, conf: dict, exclude: str | None = None) -> None:
        limit = int(self.state.config["log_delivery_enabled_limit"])
        scope = tuple(sorted(conf.get("workspace_ids_filter") or []))
        enabled = [c for c in self.log_delivery.values()
                   if c["config_id"] != exclude and c["status"] == "ENABLED" and c["log_type"] == conf["log_type"]
                   and tuple(sorted(c.get("workspace_ids_filter") or [])) == scope]
        if len(enabled) >= limit:
            where = "account-level" if not scope else f"workspace {list(scope)}"
            raise invalid(f"Only {limit} {where} log delivery configurations of type {conf['log_type']} can be "
                          f"enabled; disable one first.")

    def create_log_delivery(self, body: dict) -> dict:
        conf_in = body.get("log_delivery_configuration") or {}
        require(conf_in, "log_type", "output_format", "credentials_id", "storage_configuration_id")
        if conf_in["log_type"] not in LOG_FORMATS:
            raise invalid(f"log_type must be one of {list(LOG_FORMATS)}")
        if LOG_FORMATS[conf_in["log_type"]] != conf_in["output_format"]:
            raise invalid(f"log_type {conf_in['log_type']} requires output_format {LOG_FORMATS[conf_in['log_type']]}")
        self._get(self.credentials, conf_in["credentials_id"], "Credential configuration")
        self._get(self.storage, conf_in["storage_configuration_id"], "Storage configuration")
        prefix = conf_in.get("delivery_path_prefix") or ""
        if prefix.startswith("/") or prefix.endswith("/"):
            raise invalid("delivery_path_prefix must not start or end with a slash")
        for wid in conf_in.get("workspace_ids_filter") or []:
            self.get_workspace(wid)
        conf = {k: v for k, v in conf_in.items() if v is not None}
        conf.setdefault("status", "ENABLED")
        if conf["status"] == "ENABLED":
            self._check_log_limit(conf)
        now = self._now_ms()
        conf.update(config_id=str(uuid.uuid4()), account_id=self.account_id, creation_time=now, update_time=now,
                    log_delivery_status={"status": "NOT_FOUND", "message": "No logs delivered yet."})
        self.log_delivery[conf["config_id"]] = conf
        return {"log_delivery_configuration": conf}

    def list_log_delivery(self, query: dict) -> dict:
        """One page of the configurations, oldest first. The list is paged (SDK service/billing.py
        LogDeliveryAPI.list follows next_page_token); the real page size is not documented, so a small one
        makes every client read past the first page once an account holds a few (disabled ones stay forever)."""
        confs = list(self.log_delivery.values())  # in creation order
        for key in ("status", "credentials_id", "storage_configuration_id"):
            if query.get(key):
                confs = [c for c in confs if c.get(key) == query[key]]
        return token_page(confs, "log_delivery_configurations", query.get("page_token"), LOG_DELIVERY_PAGE_SIZE)

    def patch_log_delivery(self, cid: str, body: dict) -> None:
        conf = self._get(self.log_delivery, cid, "Log delivery configuration")
        status = body.get("status")
        if status not in ("ENABLED", "DISABLED"):
            raise invalid("status must be ENABLED or DISABLED")
        if status == "ENABLED" and conf["status"] != "ENABLED":
            self._check_log_limit(conf, exclude=cid)
        conf.update(status=status, update_time=self._now_ms())

    # --- workspace permission assignments ---------------------------------------------------------
    def _principal(self, pid: str) -> tuple[str, dict]:
        kind = self.directory.kind_of(str(pid))
        if kind is None:
            raise not_found(f"Principal {pid} does not exist.")
        return kind, self.directory.resources[kind][str(pid)]

    def list_assignments(self, wid) -> dict:
        ws = self.get_workspace(wid)
        out = []
        for pid, perms in self.assignments.get(ws["workspace_id"], {}).items():
            if self.directory.kind_of(pid) is None:
                continue
            kind, p = self._principal(pid)
            principal = {"principal_id": int(pid), "display_name": p.get("displayName")}
            principal[{"Users": "user_name", "ServicePrincipals": "service_principal_name",
                       "Groups": "group_name"}[kind]] = p.get("userName") or p.get("applicationId") or p["displayName"]
            out.append({"principal": principal, "permissions": perms})
        return {"permission_assignments": out}

    def put_assignment(self, wid, pid: str, permissions: list) -> dict:
        ws = self.get_workspace(wid)
        if not permissions or any(p not in ("USER", "ADMIN") for p in permissions):
            raise invalid("permissions must be a non-empty subset of [USER, ADMIN]")
        kind, principal = self._principal(pid)
        self.assignments.setdefault(ws["workspace_id"], {})[str(pid)] = list(permissions)
        backend = self.state.workspace_backend(ws["workspace_id"])
        if backend is not None:
            backend.sync_account_principal(kind, principal, "ADMIN" in permissions)
        return {"principal": {"principal_id": int(pid)}, "permissions": list(permissions)}

    def delete_assignment(self, wid, pid: str) -> None:
        ws = self.get_workspace(wid)
        if str(pid) not in self.assignments.get(ws["workspace_id"], {}):
            raise not_found(f"Principal {pid} is not assigned to workspace {wid}.")
        if str(pid) == self.admin_sp_id:
            raise permission_denied("The workspace creator's assignment cannot be removed.")
        del self.assignments[ws["workspace_id"]][str(pid)]


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
