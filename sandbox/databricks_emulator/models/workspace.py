"""Workspace API state: tokens, token management, token permissions, SCIM, instance profiles,
global init scripts, DBFS, clusters, workspace-conf and IP access lists."""

import base64
import binascii
import ipaddress
import posixpath
import random
import uuid

from ..aws import validation as aws_checks
from ..errors import ApiError, ScimError, already_exists, invalid, invalid_state, not_found, permission_denied, require
from .catalog import NODE_TYPE_IDS, SPARK_VERSION_KEYS, WORKSPACE_CONF_DEFAULTS, node_type_unavailable, node_types
from .paging import token_page
from .scim import ScimDirectory

MAX_TOKEN_LIFETIME_S = 730 * 86400
# clusters/list (2.1) pages: a small default so clients must follow next_page_token; page_size above the cap is cut.
CLUSTER_PAGE_SIZE = 5
CLUSTER_PAGE_MAX = 100
DBFS_BLOCK_LIMIT = 1024 * 1024
TOKEN_LEVELS = ("CAN_USE", "CAN_MANAGE")
ACL_KEYS = {"user_name": "Users", "group_name": "Groups", "service_principal_name": "ServicePrincipals"}


def _b64decode(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"{field} must be base64-encoded") from exc


class WorkspaceBackend:
    def __init__(self, state, ws: dict):
        self.state = state
        self.ws = ws
        self.workspace_id = ws["workspace_id"]
        self.directory = ScimDirectory(role_validator=self._known_instance_profile)
        self.admins_id = self.directory.create("Groups", {"displayName": "admins"})["id"]
        self.users_id = self.directory.create("Groups", {
            "displayName": "users",
            "entitlements": [{"value": "workspace-access"}, {"value": "databricks-sql-access"}]})["id"]
        self.instance_profiles: dict[str, dict] = {}
        self.init_scripts: dict[str, dict] = {}
        self.files: dict[str, bytes] = {}
        self.file_mtime: dict[str, int] = {}
        self.dirs: set[str] = {"/"}
        self.handles: dict[int, dict] = {}
        self.clusters: dict[str, dict] = {}
        self.conf: dict = dict(WORKSPACE_CONF_DEFAULTS)
        self.ip_lists: dict[str, dict] = {}
        self.token_acl: dict[tuple, str] = {}  # (SCIM kind, name) -> permission level

    # --- principals ---------------------------------------------------------------------------
    def _known_instance_profile(self, arn: str) -> None:
        if arn not in self.instance_profiles:
            raise ScimError(400, f"Instance profile {arn} is not registered in the workspace.", "invalidValue")

    def scim_create(self, kind: str, body: dict) -> dict:
        """SCIM create; Databricks puts every new user and service principal in the ``users`` group."""
        resource = self.directory.create(kind, body)
        if kind != "Groups":
            users = self.directory.resources["Groups"][self.users_id]
            users.setdefault("members", []).append({"value": resource["id"], "display": resource["displayName"],
                                                    "$ref": f"{kind}/{resource['id']}"})
        return resource

    def add_admin_service_principal(self, application_id: str, display_name: str) -> dict:
        sp = self.scim_create("ServicePrincipals", {"applicationId": application_id, "displayName": display_name})
        self.directory.patch("Groups", self.admins_id, {"Operations": [
            {"op": "add", "path": "members", "value": [{"value": sp["id"]}]}]})
        return sp

    def sync_account_principal(self, kind: str, principal: dict, admin: bool) -> None:
        """A permission assignment from the account brings the principal into the workspace."""
        key = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
        local = self.directory.find(kind, key, principal.get(key))
        if local is None:
            body = {k: principal[k] for k in ("userName", "applicationId", "displayName") if principal.get(k)}
            local = self.scim_create(kind, body)
        is_admin = self.directory.is_member(local["id"], "admins")
        if admin and not is_admin:
            self.directory.patch("Groups", self.admins_id, {"Operations": [
                {"op": "add", "path": "members", "value": [{"value": local["id"]}]}]})

    def principal_by_application_id(self, application_id: str) -> dict | None:
        return self.directory.find("ServicePrincipals", "applicationId", application_id)

    def is_admin(self, principal_id: str) -> bool:
        return self.directory.is_member(principal_id, "admins")

    def principal(self, principal_id: str) -> tuple[str, dict]:
        kind = self.directory.kind_of(principal_id)
        if kind is None:
            raise permission_denied("Invalid access token: the token's principal no longer exists.")
        return kind, self.directory.resources[kind][principal_id]

    def require_admin(self, principal_id: str, what: str = "this API") -> None:
        if not self.is_admin(principal_id):
            raise permission_denied(f"Only workspace admins can access {what}.")

    def _has_entitlement(self, principal_id: str, entitlement: str) -> bool:
        _, resource = self.principal(principal_id)
        holders = [resource, *self.directory.groups_of(principal_id)]
        return any(e.get("value") == entitlement for h in holders for e in h.get("entitlements", []))

    def me(self, principal_id: str) -> dict:
        kind, resource = self.principal(principal_id)
        out = self.directory.render(kind, resource)
        if kind == "ServicePrincipals":  # Databricks answers /Me for an SP as a user named by its application id
            out.update(userName=resource["applicationId"], schemas=["urn:ietf:params:scim:schemas:core:2.0:User"])
        return out

    def _name_of(self, principal_id: str) -> str:
        resource = self.principal(principal_id)[1]
        return resource.get("userName") or resource.get("applicationId") or resource.get("displayName", "")

    # --- token permissions ----------------------------------------------------------------------
    def can_use_tokens(self, principal_id: str) -> bool:
        if self.is_admin(principal_id):
            return True
        kind, resource = self.principal(principal_id)
        names = {(kind, resource.get("userName") or resource.get("applicationId"))}
        names |= {("Groups", g["displayName"]) for g in self.directory.groups_of(principal_id)}
        return any(key in self.token_acl for key in names)

    def token_permissions(self) -> dict:
        acl = [{"group_name": "admins", "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}]}]
        for (kind, name), level in sorted(self.token_acl.items()):
            key = {v: k for k, v in ACL_KEYS.items()}[kind]
            entry = {key: name, "all_permissions": [{"permission_level": level, "inherited": False}]}
            resource = self.directory.find(kind, {"Users": "userName", "ServicePrincipals": "applicationId",
                                                  "Groups": "displayName"}[kind], name)
            if resource and resource.get("displayName"):
                entry["display_name"] = resource["displayName"]
            acl.append(entry)
        return {"object_id": "authorization/tokens", "object_type": "tokens", "access_control_list": acl}

    def set_token_permissions(self, body: dict, replace: bool) -> dict:
        entries = body.get("access_control_list") or []
        grants = {}
        for entry in entries:
            keys = [k for k in ACL_KEYS if entry.get(k)]
            if len(keys) != 1:
                raise invalid("Each access control entry needs exactly one of user_name, group_name, "
                              "service_principal_name")
            kind, name = ACL_KEYS[keys[0]], entry[keys[0]]
            level = entry.get("permission_level")
            if level not in TOKEN_LEVELS:
                raise invalid(f"Permission level {level} is not supported for tokens; use one of {TOKEN_LEVELS}")
            attr = {"Users": "userName", "ServicePrincipals": "applicationId", "Groups": "displayName"}[kind]
            if self.directory.find(kind, attr, name) is None:
                raise invalid(f"Principal {keys[0]}={name} does not exist in the workspace.")
            if kind == "Groups" and name == "admins":
                raise invalid("The admins group's permission on tokens cannot be changed.")
            grants[(kind, name)] = level
        if replace:
            self.token_acl = grants
        else:
            self.token_acl.update(grants)
        return self.token_permissions()

    # --- tokens -------------------------------------------------------------------------------
    def _lifetime(self, body: dict) -> float | None:
        lifetime = body.get("lifetime_seconds")
        lifetime = int(lifetime) if lifetime not in (None, "") else None
        max_days = self.conf.get("maxTokenLifetimeDays")
        cap = MAX_TOKEN_LIFETIME_S
        if max_days not in (None, "", "0"):
            cap = min(cap, int(max_days) * 86400)
        if lifetime is not None and lifetime > cap:
            raise invalid(f"Token lifetime {lifetime} seconds exceeds the maximum lifetime of {cap // 86400} days "
                          "allowed in this workspace.")
        if lifetime is None or lifetime <= 0:
            return cap if max_days not in (None, "", "0") else None
        return lifetime

    def _check_tokens_enabled(self):
        if self.conf.get("enableTokensConfig") == "false":
            raise permission_denied("Personal access tokens are disabled in this workspace.")

    def _token_info(self, token, management: bool) -> dict:
        info = {"token_id": token.token_id, "creation_time": int(token.creation * 1000),
                "expiry_time": int(token.expiry * 1000) if token.expiry else -1, "comment": token.comment}
        if management:
            info.update(owner_id=int(token.principal_id), created_by_id=int(token.created_by_id),
                        created_by_username=self._name_of(token.created_by_id) if self.directory.kind_of(
                            token.created_by_id) else "", workspace_id=self.workspace_id)
        return info

    def create_token(self, caller: str, body: dict) -> dict:
        self._check_tokens_enabled()
        if not self.can_use_tokens(caller):
            raise permission_denied("You do not have permission to create personal access tokens (CAN_USE on "
                                    "authorization/tokens is required).")
        lifetime = self._lifetime(body)
        value, token = self.state.tokens.issue("pat", self.workspace_id, caller, lifetime,
                                               token_id=uuid.uuid4().hex, comment=body.get("comment") or "",
                                               created_by_id=caller)
        return {"token_value": value, "token_info": self._token_info(token, management=False)}

    def list_own_tokens(self, caller: str) -> dict:
        own = [t for t in self.state.tokens.pats(self.workspace_id) if t.principal_id == caller]
        return {"token_infos": [self._token_info(t, management=False) for t in own]}

    def _find_token(self, token_id: str, owner: str | None = None):
        for token in self.state.tokens.pats(self.workspace_id):
            if token.token_id == token_id and (owner is None or token.principal_id == owner):
                return token
        raise not_found(f"Token with id {token_id} does not exist.")

    def delete_own_token(self, caller: str, body: dict) -> None:
        require(body, "token_id")
        self._find_token(body["token_id"], owner=caller).revoked = True

    def create_obo_token(self, caller: str, body: dict) -> dict:
        self.require_admin(caller, "token management")
        self._check_tokens_enabled()
        require(body, "application_id")
        sp = self.principal_by_application_id(body["application_id"])
        if sp is None:
            raise not_found(f"Service principal with application id {body['application_id']} does not exist in "
                            "the workspace.")
        if not self.can_use_tokens(sp["id"]):
            raise permission_denied(f"Service principal {body['application_id']} does not have CAN_USE permission "
                                    "on tokens.")
        lifetime = self._lifetime(body)
        value, token = self.state.tokens.issue("pat", self.workspace_id, sp["id"], lifetime,
                                               token_id=uuid.uuid4().hex, comment=body.get("comment") or "",
                                               created_by_id=caller)
        return {"token_value": value, "token_info": self._token_info(token, management=True)}

    def list_all_tokens(self, caller: str, query: dict) -> dict:
        self.require_admin(caller, "token management")
        tokens = self.state.tokens.pats(self.workspace_id)
        if query.get("created_by_id"):
            tokens = [t for t in tokens if t.created_by_id == str(query["created_by_id"])]
        infos = [self._token_info(t, management=True) for t in tokens]
        if query.get("created_by_username"):
            infos = [i for i in infos if i["created_by_username"] == query["created_by_username"]]
        return {"token_infos": infos}

    def get_any_token(self, caller: str, token_id: str) -> dict:
        self.require_admin(caller, "token management")
        return {"token_info": self._token_info(self._find_token(token_id), management=True)}

    def delete_any_token(self, caller: str, token_id: str) -> None:
        self.require_admin(caller, "token management")
        self._find_token(token_id).revoked = True

    # --- instance profiles ------------------------------------------------------------------------
    def add_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        arn = body["instance_profile_arn"]
        if arn in self.instance_profiles:
            raise already_exists(f"Instance profile {arn} already exists.")
        if not body.get("skip_validation"):
            account = self.state.account
            credentials = account.credentials.get(self.ws.get("credentials_id")) or {}
            role_arn = ((credentials.get("aws_credentials") or {}).get("sts_role") or {}).get("role_arn")
            aws_checks.validate_instance_profile(
                self.state.aws, arn, role_arn, self.ws["aws_region"], self.state.clock.now(),
                self.state.config["iam_propagation_seconds"], account.role_first_seen)
        self.instance_profiles[arn] = {"instance_profile_arn": arn,
                                       "is_meta_instance_profile": bool(body.get("is_meta_instance_profile"))}
        if body.get("iam_role_arn"):
            self.instance_profiles[arn]["iam_role_arn"] = body["iam_role_arn"]

    def edit_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        profile = self.instance_profiles.get(body["instance_profile_arn"])
        if profile is None:
            raise not_found(f"Instance profile {body['instance_profile_arn']} does not exist.")
        for key in ("iam_role_arn", "is_meta_instance_profile"):
            if key in body:
                profile[key] = body[key]

    def remove_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        if self.instance_profiles.pop(body["instance_profile_arn"], None) is None:
            raise not_found(f"Instance profile {body['instance_profile_arn']} does not exist.")

    # --- global init scripts ----------------------------------------------------------------------
    def _script_fields(self, body: dict, script: dict | None) -> dict:
        require(body, "name", "script")
        content = _b64decode(body["script"], "script")
        if len(content) > 64 * 1024:
            raise invalid("Init script size exceeds the 64 KB limit.")
        position = body.get("position")
        if position is not None and int(position) < 0:
            raise invalid("position must be >= 0")
        return {"name": body["name"], "script": body["script"], "enabled": bool(body.get("enabled", False)),
                "position": int(position) if position is not None else (script or {}).get(
                    "position", len(self.init_scripts))}

    def _reorder_scripts(self, moved: dict) -> None:
        others = sorted((s for s in self.init_scripts.values() if s is not moved), key=lambda s: s["position"])
        others.insert(min(moved["position"], len(others)), moved)
        for position, script in enumerate(others):
            script["position"] = position

    def create_init_script(self, caller: str, body: dict) -> dict:
        self.require_admin(caller, "global init scripts")
        now = self.state.clock.now_ms()
        script = dict(self._script_fields(body, None), script_id=uuid.uuid4().hex[:16].upper(), created_at=now,
                      updated_at=now, created_by=self._name_of(caller), updated_by=self._name_of(caller))
        self.init_scripts[script["script_id"]] = script
        self._reorder_scripts(script)
        return {"script_id": script["script_id"]}

    def get_init_script(self, caller: str, script_id: str) -> dict:
        self.require_admin(caller, "global init scripts")
        if script_id not in self.init_scripts:
            raise not_found(f"The global init script {script_id} does not exist.")
        return self.init_scripts[script_id]

    def list_init_scripts(self, caller: str) -> dict:
        self.require_admin(caller, "global init scripts")
        scripts = sorted(self.init_scripts.values(), key=lambda s: s["position"])
        return {"scripts": [{k: v for k, v in s.items() if k != "script"} for s in scripts]}

    def update_init_script(self, caller: str, script_id: str, body: dict) -> None:
        script = self.get_init_script(caller, script_id)
        script.update(self._script_fields(body, script), updated_at=self.state.clock.now_ms(),
                      updated_by=self._name_of(caller))
        self._reorder_scripts(script)

    def delete_init_script(self, caller: str, script_id: str) -> None:
        self.get_init_script(caller, script_id)
        del self.init_scripts[script_id]

    # --- DBFS ---------------------------------------------------------------------------------
    @staticmethod
    def dbfs_path(path) -> str:
        if not path:
            raise invalid("Missing required field: path")
        path = str(path)
        if path.startswith("dbfs:"):
            path = path[len("dbfs:"):]
        if not path.startswith("/"):
            raise invalid(f"Path must be absolute: {path}")
        return posixpath.normpath(path).replace("//", "/")

    def _exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def _mkdirs(self, path: str) -> None:
        parts = [p for p in path.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            if current in self.files:
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A file exists at the path dbfs:{current}.")
            self.dirs.add(current)

    def _write(self, path: str, data: bytes, overwrite: bool) -> None:
        if path in self.dirs:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A directory already exists at the path dbfs:{path}.")
        if path in self.files and not overwrite:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                           f"A file or directory already exists at the input path dbfs:{path}.")
        self._mkdirs(posixpath.dirname(path))
        self.files[path] = data
        self.file_mtime[path] = self.state.clock.now_ms()

    def dbfs_put(self, body: dict) -> None:
        path = self.dbfs_path(body.get("path"))
        data = _b64decode(body.get("contents", ""), "contents")
        if len(data) > DBFS_BLOCK_LIMIT:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "The contents of put exceed the 1 MB limit; use "
                                                           "create/add-block/close.")
        self._write(path, data, bool(body.get("overwrite")))

    def dbfs_create(self, body: dict) -> dict:
        path = self.dbfs_path(body.get("path"))
        if self._exists(path) and not body.get("overwrite"):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                           f"A file or directory already exists at the input path dbfs:{path}.")
        handle = random.randint(1, 2**31)
        self.handles[handle] = {"path": path, "data": bytearray(), "overwrite": bool(body.get("overwrite"))}
        return {"handle": handle}

    def _handle(self, handle) -> dict:
        try:
            return self.handles[int(handle)]
        except (KeyError, TypeError, ValueError) as exc:
            raise not_found(f"Handle {handle} does not exist.") from exc

    def dbfs_add_block(self, body: dict) -> None:
        data = _b64decode(body.get("data", ""), "data")
        if len(data) > DBFS_BLOCK_LIMIT:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "A block must not exceed 1 MB.")
        self._handle(body.get("handle"))["data"].extend(data)

    def dbfs_close(self, body: dict) -> None:
        pending = self._handle(body.get("handle"))
        del self.handles[int(body["handle"])]
        self._write(pending["path"], bytes(pending["data"]), True)

    def _status(self, path: str) -> dict:
        if path in self.dirs:
            return {"path": path, "is_dir": True, "file_size": 0, "modification_time": 0}
        if path in self.files:
            return {"path": path, "is_dir": False, "file_size": len(self.files[path]),
                    "modification_time": self.file_mtime[path]}
        raise not_found(f"No file or directory exists on path dbfs:{path}.")

    def dbfs_get_status(self, query: dict) -> dict:
        return self._status(self.dbfs_path(query.get("path")))

    def dbfs_list(self, query: dict) -> dict:
        path = self.dbfs_path(query.get("path"))
        status = self._status(path)
        if not status["is_dir"]:
            return {"files": [status]}
        children = sorted(p for p in self.files.keys() | self.dirs if p != path and posixpath.dirname(p) == path)
        return {"files": [self._status(p) for p in children]}

    def dbfs_read(self, query: dict) -> dict:
        path = self.dbfs_path(query.get("path"))
        if path in self.dirs:
            raise invalid(f"Cannot read a directory: dbfs:{path}")
        if path not in self.files:
            raise not_found(f"No file or directory exists on path dbfs:{path}.")
        offset, length = int(query.get("offset") or 0), int(query.get("length") or 512 * 1024)
        if offset < 0 or length < 0 or length > DBFS_BLOCK_LIMIT:
            raise invalid("offset must be >= 0 and length between 0 and 1 MB")
        chunk = self.files[path][offset:offset + length]
        return {"bytes_read": len(chunk), "data": base64.b64encode(chunk).decode()}

    def dbfs_delete(self, body: dict) -> None:
        path = self.dbfs_path(body.get("path"))
        if path == "/":
            raise invalid("Cannot delete the root directory")
        if path in self.files:
            del self.files[path]
            return
        if path in self.dirs:
            inside = [p for p in self.files.keys() | self.dirs if p.startswith(path + "/")]
            if inside and not body.get("recursive"):
                raise ApiError(400, "IO_ERROR", f"Directory dbfs:{path} is not empty; use recursive.")
            for p in [*inside, path]:
                self.files.pop(p, None)
                self.dirs.discard(p)

    def dbfs_mkdirs(self, body: dict) -> None:
        self._mkdirs(self.dbfs_path(body.get("path")))

    def dbfs_move(self, body: dict) -> None:
        source, target = self.dbfs_path(body.get("source_path")), self.dbfs_path(body.get("destination_path"))
        self._status(source)
        if self._exists(target):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A file or directory already exists at dbfs:{target}.")
        self._mkdirs(posixpath.dirname(target))
        for p in sorted(p for p in self.files.keys() | self.dirs if p == source or p.startswith(source + "/")):
            new = target + p[len(source):]
            if p in self.files:
                self.files[new] = self.files.pop(p)
                self.file_mtime[new] = self.file_mtime.pop(p)
            else:
                self.dirs.discard(p)
                self.dirs.add(new)

    # --- clusters -----------------------------------------------------------------------------
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
        return {k: v for k, v in body.items() if k != "cluster_id" and v is not None}

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
        out = {k: v for k, v in self.refresh_cluster(cluster).items() if not k.startswith("_")}
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

    # --- workspace-conf and IP access lists -------------------------------------------------------------
    def get_conf(self, caller: str, keys: str) -> dict:
        self.require_admin(caller, "workspace configuration")
        names = [k for k in (keys or "").split(",") if k]
        unknown = [k for k in names if k not in self.conf]
        if not names or unknown:
            raise invalid(f"Some of the keys are not supported: {unknown or names}")
        return {k: self.conf[k] for k in names}

    def set_conf(self, caller: str, body: dict) -> None:
        self.require_admin(caller, "workspace configuration")
        unknown = [k for k in body if k not in self.conf]
        if unknown:
            raise invalid(f"Some of the keys are not supported: {unknown}")
        for key, value in body.items():
            if value is not None and not isinstance(value, str):
                raise invalid(f"Value of {key} must be a string")
            if key == "maxTokenLifetimeDays" and value not in (None, "") and (
                    not value.isdigit() or int(value) > 730):
                raise invalid("maxTokenLifetimeDays must be an integer number of days between 0 and 730")
            if key.startswith("enable") and value not in (None, "true", "false"):
                raise invalid(f"Value of {key} must be 'true' or 'false'")
        merged = dict(self.conf, **body)
        self._check_not_locked_out(self.ip_lists, merged)
        self.conf = merged

    @staticmethod
    def _blocked(ip: str, lists: dict, conf: dict) -> bool:
        if conf.get("enableIpAccessLists") != "true":
            return False
        address = ipaddress.ip_address(ip)
        enabled = [entry for entry in lists.values() if entry["enabled"]]

        def contains(entry):
            return any(address in ipaddress.ip_network(n, strict=False) for n in entry.get("ip_addresses", []))

        if any(e["list_type"] == "BLOCK" and contains(e) for e in enabled):
            return True
        allows = [e for e in enabled if e["list_type"] == "ALLOW"]
        return bool(allows) and not any(contains(e) for e in allows)

    def _check_not_locked_out(self, lists: dict, conf: dict) -> None:
        if self._blocked("127.0.0.1", lists, conf):
            raise invalid_state("Your current IP 127.0.0.1 will not be allowed to access the workspace under the "
                                "current configuration.")

    def check_ip(self, ip: str) -> None:
        if self._blocked(ip, self.ip_lists, self.conf):
            raise permission_denied(f"Source IP address: {ip} is blocked by Databricks IP ACL for workspace: "
                                    f"{self.workspace_id}")

    def _ip_list_fields(self, body: dict, partial: bool) -> dict:
        if not partial:
            require(body, "label", "list_type")
        fields = {k: body[k] for k in ("label", "list_type", "ip_addresses", "enabled") if k in body}
        if "list_type" in fields and fields["list_type"] not in ("ALLOW", "BLOCK"):
            raise invalid("list_type must be ALLOW or BLOCK")
        for value in fields.get("ip_addresses") or []:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise invalid(f"Invalid IP address or CIDR: {value}") from exc
        return fields

    def put_ip_list(self, caller: str, body: dict, list_id: str | None = None, partial: bool = False) -> dict:
        self.require_admin(caller, "IP access lists")
        fields = self._ip_list_fields(body, partial)
        now = self.state.clock.now_ms()
        if list_id is None:
            entry = {"list_id": str(uuid.uuid4()), "created_at": now, "created_by": int(caller), "enabled": True,
                     "ip_addresses": []}
        else:
            entry = dict(self.get_ip_list(caller, list_id)["ip_access_list"])
        entry.update(fields, updated_at=now, updated_by=int(caller))
        entry["address_count"] = len(entry.get("ip_addresses") or [])
        self._check_not_locked_out(dict(self.ip_lists, **{entry["list_id"]: entry}), self.conf)
        self.ip_lists[entry["list_id"]] = entry
        return {"ip_access_list": entry}

    def get_ip_list(self, caller: str, list_id: str) -> dict:
        self.require_admin(caller, "IP access lists")
        if list_id not in self.ip_lists:
            raise not_found(f"IP access list {list_id} does not exist.")
        return {"ip_access_list": self.ip_lists[list_id]}

    def delete_ip_list(self, caller: str, list_id: str) -> None:
        self.get_ip_list(caller, list_id)
        remaining = {k: v for k, v in self.ip_lists.items() if k != list_id}
        self._check_not_locked_out(remaining, self.conf)
        self.ip_lists = remaining
