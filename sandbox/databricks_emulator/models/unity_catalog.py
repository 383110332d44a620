"""Unity Catalog: the objects of one metastore (storage credentials, external locations, catalogs, schemas), their
grants and workspace bindings, as the workspace API serves them (``/api/2.1/unity-catalog/...``).

Every object belongs to the metastore, not to a workspace: two workspaces assigned to one metastore see the same
objects (Databricks, "What is Unity Catalog?": a metastore is the top-level container, shared by the workspaces
of a region). A call is made in a workspace (``Caller``): isolated securables answer only in the workspaces they are
bound to. Names are case-insensitive and stored in lower case, as Databricks returns them.

Shapes are the databricks-sdk's (``service/catalog.py``: ``StorageCredentialInfo``, ``ExternalLocationInfo``,
``CatalogInfo``, ``SchemaInfo``, ``PrivilegeAssignment``, ``WorkspaceBinding``). Not modelled: the metastore
privilege model (a workspace admin may create every object; metastore admins and ``CREATE_*`` metastore grants
are not checked), tables, volumes, functions and the effective-permissions view.
"""

import dataclasses
import uuid

from ..aws import validation
from ..errors import ApiError, invalid, permission_denied
from .paging import token_page

SERVER_PAGE_SIZE = 50  # what max_results=0 means, and the most a page holds
READ_WRITE, READ_ONLY = "BINDING_TYPE_READ_WRITE", "BINDING_TYPE_READ_ONLY"
SYSTEM_SCHEMA = "information_schema"

# Privileges each securable type accepts (Databricks, "Unity Catalog privileges and securable objects", the
# privilege types by securable object; the names are the SDK's ``Privilege`` values).
PRIVILEGES = {
    "metastore": {"CREATE_CATALOG", "CREATE_CLEAN_ROOM", "CREATE_CONNECTION", "CREATE_EXTERNAL_LOCATION",
                  "CREATE_PROVIDER", "CREATE_RECIPIENT", "CREATE_SERVICE_CREDENTIAL", "CREATE_SHARE",
                  "CREATE_STORAGE_CREDENTIAL", "MANAGE_ALLOWLIST", "SET_SHARE_PERMISSION", "USE_MARKETPLACE_ASSETS",
                  "USE_PROVIDER", "USE_RECIPIENT", "USE_SHARE"},
    "catalog": {"ALL_PRIVILEGES", "APPLY_TAG", "BROWSE", "CREATE_FUNCTION", "CREATE_MATERIALIZED_VIEW",
                "CREATE_MODEL", "CREATE_SCHEMA", "CREATE_TABLE", "CREATE_VOLUME", "EXECUTE", "EXTERNAL_USE_SCHEMA",
                "MANAGE", "MODIFY", "READ_VOLUME", "REFRESH", "SELECT", "USE_CATALOG", "USE_SCHEMA",
                "WRITE_VOLUME"},
    "schema": {"ALL_PRIVILEGES", "APPLY_TAG", "CREATE_FUNCTION", "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL",
               "CREATE_TABLE", "CREATE_VOLUME", "EXECUTE", "EXTERNAL_USE_SCHEMA", "MANAGE", "MODIFY", "READ_VOLUME",
               "REFRESH", "SELECT", "USE_SCHEMA", "WRITE_VOLUME"},
    "external_location": {"ALL_PRIVILEGES", "BROWSE", "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME",
                          "CREATE_FOREIGN_SECURABLE", "CREATE_MANAGED_STORAGE", "EXTERNAL_USE_LOCATION", "MANAGE",
                          "READ_FILES", "WRITE_FILES"},
    "storage_credential": {"ALL_PRIVILEGES", "CREATE_EXTERNAL_LOCATION", "CREATE_EXTERNAL_TABLE", "MANAGE",
                           "READ_FILES", "WRITE_FILES"},
    "table": {"ALL_PRIVILEGES", "APPLY_TAG", "BROWSE", "MANAGE", "MODIFY", "SELECT"},
    "volume": {"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "READ_VOLUME", "WRITE_VOLUME"},
}
BINDABLE = ("catalog", "external_location", "storage_credential", "credential")
NOUNS = {"catalog": "Catalog", "schema": "Schema", "external_location": "External Location",
         "storage_credential": "Storage Credential", "credential": "Credential", "table": "Table",
         "volume": "Volume", "metastore": "Metastore"}
CODES = {"catalog": "CATALOG", "schema": "SCHEMA", "external_location": "EXTERNAL_LOCATION",
         "storage_credential": "STORAGE_CREDENTIAL", "credential": "STORAGE_CREDENTIAL", "table": "TABLE",
         "volume": "VOLUME", "metastore": "METASTORE"}


def does_not_exist(kind: str, name: str) -> ApiError:
    return ApiError(404, f"{CODES[kind]}_DOES_NOT_EXIST", f"{NOUNS[kind]} '{name}' does not exist.")


def already_exists(kind: str, name: str) -> ApiError:
    return ApiError(409, f"{CODES[kind]}_ALREADY_EXISTS", f"{NOUNS[kind]} '{name}' already exists")


def not_empty(kind: str, name: str, what: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE",
                    f"{NOUNS[kind]} '{name}' is not empty. {what} Use force to delete it with its contents.")


def page(items: list, key: str, query: dict) -> dict:
    """A list reply as Unity Catalog pages it (SDK ``CatalogsAPI.list`` docstring): without max_results every item;
    max_results=0 a page of the server's size; >0 at most that many (capped by the server); <0 refused."""
    if "max_results" not in query:
        return {key: items}
    try:
        size = int(query["max_results"])
    except (TypeError, ValueError) as exc:
        raise invalid(f"Invalid max_results {query['max_results']!r}") from exc
    if size < 0:
        raise invalid("max_results must be greater than or equal to 0")
    result = token_page(items, key, query.get("page_token") or None, min(size or SERVER_PAGE_SIZE, SERVER_PAGE_SIZE))
    result.pop("prev_page_token", None)
    return result


def checked_url(url) -> str:
    """An s3:// URL, kept as given (a trailing slash included: it is not a difference, see url_covers)."""
    validation.split_s3_url(url)
    return url


def url_covers(parent: str, child: str) -> bool:
    """Whether the path child lies in parent (or is it); a trailing slash makes no difference."""
    parent, child = parent.rstrip("/"), child.rstrip("/")
    return child == parent or child.startswith(parent + "/")


def _encryption_details(value) -> dict:
    """An external location's encryption_details as the SDK types it (EncryptionDetails -> SseEncryptionDetails:
    algorithm AWS_SSE_KMS or AWS_SSE_S3; aws_kms_key_arn only with AWS_SSE_KMS); {} clears it."""
    if not isinstance(value, dict) or not isinstance(value.get("sse_encryption_details", {}), dict):
        raise invalid("encryption_details: expected an object with sse_encryption_details.")
    sse = value.get("sse_encryption_details") or {}
    if not sse:
        return {}
    algorithm, key = sse.get("algorithm"), sse.get("aws_kms_key_arn")
    if algorithm not in validation.UC_SSE_HEADERS:
        raise invalid(f"encryption_details.sse_encryption_details.algorithm: {algorithm!r} is not one of "
                      f"{', '.join(validation.UC_SSE_HEADERS)}.")
    # The key header takes a key or alias ARN (S3 API reference, PutObject x-amz-server-side-encryption-aws-kms-key-id).
    if key is not None and (algorithm != "AWS_SSE_KMS" or not str(key).startswith("arn:aws")
                            or not (":key/" in key or ":alias/" in key)):
        raise invalid(f"encryption_details.sse_encryption_details.aws_kms_key_arn: {key!r} must be a KMS key ARN, "
                      "and only with AWS_SSE_KMS.")
    return {"sse_encryption_details": {k: v for k, v in (("algorithm", algorithm), ("aws_kms_key_arn", key)) if v}}


def _flag(value) -> bool:
    return str(value).lower() == "true" if not isinstance(value, bool) else value


@dataclasses.dataclass
class Caller:
    """Who calls, from which workspace: the name objects record (owner, created_by), the workspace bindings apply
    to, whether the workspace admits the call as an admin, and how principals are checked."""

    name: str
    workspace_id: int
    is_admin: bool
    check_principal: object  # callable(name) raising ApiError for a principal Unity Catalog cannot grant to


class MetastoreObjects:
    def __init__(self, state, metastore: dict):
        self.state = state
        self.metastore = metastore
        self.credentials: dict[str, dict] = {}
        self.locations: dict[str, dict] = {}
        self.catalogs: dict[str, dict] = {}
        self.schemas: dict[str, dict] = {}  # full name -> schema
        self.grants: dict[tuple, dict[str, set]] = {}  # (securable type, full name) -> principal -> privileges
        self.bindings: dict[tuple, dict[int, str]] = {}  # (securable type, name) -> workspace id -> binding type
        self.role_seen: dict = {}  # role ARN -> (fingerprint, first seen): IAM propagation of UC roles

    # --- shared ---------------------------------------------------------------------------------
    @property
    def metastore_id(self) -> str:
        return self.metastore["metastore_id"]

    def empty(self) -> bool:
        return not (self.credentials or self.locations or self.catalogs)

    def _stamp(self, obj: dict, caller: Caller, created: bool = False) -> dict:
        now = self.state.clock.now_ms()
        if created:
            obj.update(created_at=now, created_by=caller.name, owner=caller.name, metastore_id=self.metastore_id)
        obj.update(updated_at=now, updated_by=caller.name)
        return obj

    @staticmethod
    def _require_admin(caller: Caller, what: str) -> None:
        if not caller.is_admin:
            raise permission_denied(f"User does not have permission to {what}: only workspace admins may change "
                                    "Unity Catalog objects here.")

    @staticmethod
    def _name(body: dict, field: str = "name") -> str:
        value = body.get(field)
        if not isinstance(value, str) or not value.strip():
            raise invalid(f"Missing required field: {field}")
        if "." in value or "/" in value or value != value.strip():
            raise invalid(f"Invalid name '{value}': names cannot contain '.', '/' or leading/trailing spaces.")
        return value.lower()

    def _bound(self, kind: str, name: str, obj: dict, caller: Caller, write: bool = False) -> None:
        """An isolated securable answers only in the workspaces bound to it (read-only bindings refuse writes)."""
        if obj.get("isolation_mode") not in ("ISOLATED", "ISOLATION_MODE_ISOLATED"):
            return
        binding = self.bindings.get((kind, name), {}).get(caller.workspace_id)
        if binding is None:
            raise permission_denied(f"{NOUNS[kind]} '{name}' is not accessible in current workspace")
        if write and binding == READ_ONLY:
            raise permission_denied(f"{NOUNS[kind]} '{name}' is read-only in current workspace")

    def _owner(self, body: dict, obj: dict, caller: Caller) -> None:
        if body.get("owner"):
            caller.check_principal(body["owner"])
            obj["owner"] = body["owner"]

    def _rename(self, collection: dict, kind: str, name: str, body: dict) -> str:
        new = body.get("new_name")
        if not new or new.lower() == name:
            return name
        new = self._name(body, "new_name")
        if new in collection:
            raise already_exists(kind, new)
        collection[new] = collection.pop(name)
        collection[new]["name"] = new
        if "full_name" in collection[new]:
            collection[new]["full_name"] = new
        for store in (self.grants, self.bindings):
            if (kind, name) in store:
                store[(kind, new)] = store.pop((kind, name))
        return new

    # --- storage credentials -------------------------------------------------------------------
    def credential(self, name: str, caller: Caller, write: bool = False) -> dict:
        found = self.credentials.get(str(name).lower())
        if found is None:
            raise does_not_exist("storage_credential", name)
        self._bound("storage_credential", found["name"], found, caller, write)
        return found

    def create_credential(self, caller: Caller, body: dict) -> dict:
        self._require_admin(caller, "create a storage credential")
        name = self._name(body)
        if name in self.credentials:
            raise already_exists("storage_credential", name)
        others = [k for k in ("azure_managed_identity", "azure_service_principal", "cloudflare_api_token",
                              "databricks_gcp_service_account") if body.get(k)]
        if others:
            raise invalid(f"{others[0]} is not supported on AWS: use aws_iam_role.")
        role_arn = (body.get("aws_iam_role") or {}).get("role_arn")
        if not role_arn:
            raise invalid("Missing required field: aws_iam_role.role_arn")
        self._check_role_arn(role_arn)
        cred = {"id": str(uuid.uuid4()), "name": name, "full_name": name, "comment": body.get("comment"),
                "read_only": _flag(body.get("read_only", False)), "isolation_mode": "ISOLATION_MODE_OPEN",
                "used_for_managed_storage": False,
                "aws_iam_role": {"role_arn": role_arn, "external_id": str(uuid.uuid4()),
                                 "unity_catalog_iam_arn": validation.UC_MASTER_ROLE}}
        self.credentials[name] = self._stamp(cred, caller, created=True)
        return cred

    @staticmethod
    def _check_role_arn(role_arn: str) -> None:
        parts = str(role_arn).split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
            raise invalid(f"Invalid role ARN {role_arn!r}: expected arn:aws:iam::<account id>:role/<name>.")

    def update_credential(self, caller: Caller, name: str, body: dict) -> dict:
        self._require_admin(caller, "update a storage credential")
        cred = self.credential(name, caller, write=True)
        name = cred["name"]
        role_arn = (body.get("aws_iam_role") or {}).get("role_arn")
        if role_arn and role_arn != cred["aws_iam_role"]["role_arn"]:
            self._check_role_arn(role_arn)
            dependents = self._dependent_locations(name)
            if dependents and not _flag(body.get("force", False)):
                raise invalid(f"Storage Credential '{name}' has {len(dependents)} dependent external location(s) "
                              f"({', '.join(dependents)}): use force to change its role.")
            if dependents and not _flag(body.get("skip_validation", False)):
                for location in dependents:
                    loc = self.locations[location]
                    validation.validate_uc_storage(
                        self.state.aws, role_arn, cred["aws_iam_role"]["external_id"], loc["url"],
                        loc["read_only"] or _flag(body.get("read_only", cred["read_only"])), self.state.clock.now(),
                        float(self.state.config["iam_propagation_seconds"]), self.role_seen)
            cred["aws_iam_role"]["role_arn"] = role_arn
        for field in ("comment", "read_only"):
            if field in body:
                cred[field] = _flag(body[field]) if field == "read_only" else body[field]
        if body.get("isolation_mode"):
            cred["isolation_mode"] = self._isolation(body["isolation_mode"], prefixed=True)
            self._auto_bind("storage_credential", name, cred, caller)
        self._owner(body, cred, caller)
        name = self._rename(self.credentials, "storage_credential", name, body)
        for loc in self.locations.values():
            if loc["credential_id"] == cred["id"]:
                loc["credential_name"] = name
        return self._stamp(cred, caller)

    def _dependent_locations(self, name: str) -> list[str]:
        cred_id = self.credentials[name]["id"]
        return sorted(n for n, loc in self.locations.items() if loc["credential_id"] == cred_id)

    def delete_credential(self, caller: Caller, name: str, force) -> None:
        self._require_admin(caller, "delete a storage credential")
        cred = self.credential(name, caller, write=True)
        dependents = self._dependent_locations(cred["name"])
        if dependents and not _flag(force):
            raise invalid(f"Storage Credential '{cred['name']}' has {len(dependents)} dependent external "
                          f"location(s) ({', '.join(dependents)}). Use force to delete it anyway.")
        self._forget("storage_credential", cred["name"])
        del self.credentials[cred["name"]]

    def list_credentials(self, caller: Caller, query: dict) -> dict:
        visible = [c for n, c in sorted(self.credentials.items()) if self._visible("storage_credential", n, c, caller)]
        return page(visible, "storage_credentials", query)

    def _visible(self, kind: str, name: str, obj: dict, caller: Caller) -> bool:
        try:
            self._bound(kind, name, obj, caller)
        except ApiError:
            return False
        return True

    def _forget(self, kind: str, name: str) -> None:
        self.grants.pop((kind, name), None)
        self.bindings.pop((kind, name), None)

    # --- external locations --------------------------------------------------------------------
    def location(self, name: str, caller: Caller, write: bool = False) -> dict:
        found = self.locations.get(str(name).lower())
        if found is None:
            raise does_not_exist("external_location", name)
        self._bound("external_location", found["name"], found, caller, write)
        return found

    def _check_overlap(self, url: str, name: str | None) -> None:
        for other in self.locations.values():
            if other["name"] != name and (url_covers(other["url"], url) or url_covers(url, other["url"])):
                raise invalid(f"Input path url '{url}' overlaps with an existing external location "
                              f"'{other['name']}' (url '{other['url']}'). External locations within a metastore "
                              "cannot overlap.")
        root = self.metastore.get("storage_root")
        if root and (url_covers(root, url) or url_covers(url, root)):
            raise invalid(f"Input path url '{url}' overlaps with the metastore's storage root '{root}'.")

    def _validate_location(self, loc: dict, cred: dict) -> None:
        validation.validate_uc_storage(
            self.state.aws, cred["aws_iam_role"]["role_arn"], cred["aws_iam_role"]["external_id"], loc["url"],
            bool(loc["read_only"] or cred["read_only"]), self.state.clock.now(),
            float(self.state.config["iam_propagation_seconds"]), self.role_seen,
            (loc.get("encryption_details") or {}).get("sse_encryption_details"))

    def create_location(self, caller: Caller, body: dict) -> dict:
        self._require_admin(caller, "create an external location")
        name = self._name(body)
        if name in self.locations:
            raise already_exists("external_location", name)
        if not body.get("url"):
            raise invalid("Missing required field: url")
        if not body.get("credential_name"):
            raise invalid("Missing required field: credential_name")
        url = checked_url(body["url"])
        cred = self.credential(body["credential_name"], caller)
        self._check_overlap(url, None)
        loc = {"name": name, "url": url, "credential_name": cred["name"],
               "credential_id": cred["id"], "comment": body.get("comment"),
               "read_only": _flag(body.get("read_only", False)), "isolation_mode": "ISOLATION_MODE_OPEN",
               "browse_only": False, "fallback": _flag(body.get("fallback", False))}
        if body.get("encryption_details"):
            loc["encryption_details"] = _encryption_details(body["encryption_details"])
        if not _flag(body.get("skip_validation", False)):
            self._validate_location(loc, cred)
        self.locations[name] = self._stamp(loc, caller, created=True)
        return loc

    def update_location(self, caller: Caller, name: str, body: dict) -> dict:
        self._require_admin(caller, "update an external location")
        loc = self.location(name, caller, write=True)
        name = loc["name"]
        candidate = dict(loc)
        if body.get("url"):
            candidate["url"] = checked_url(body["url"])
        if body.get("credential_name"):
            cred = self.credential(body["credential_name"], caller)
            candidate.update(credential_name=cred["name"], credential_id=cred["id"])
        if "read_only" in body:
            candidate["read_only"] = _flag(body["read_only"])
        if "encryption_details" in body:
            candidate["encryption_details"] = _encryption_details(body["encryption_details"] or {})
        url_changed = candidate["url"].rstrip("/") != loc["url"].rstrip("/")
        if not url_changed:
            candidate["url"] = loc["url"]
        if url_changed:
            self._check_overlap(candidate["url"], name)
            dependents = self._dependent_storage(loc["url"])
            if dependents and not _flag(body.get("force", False)):
                raise invalid(f"External Location '{name}' is used by {', '.join(dependents)}: use force to change "
                              "its url.")
        storage_changed = any(candidate.get(k) != loc.get(k)
                              for k in ("url", "credential_id", "read_only", "encryption_details"))
        if storage_changed and not _flag(body.get("skip_validation", False)):
            cred = next(c for c in self.credentials.values() if c["id"] == candidate["credential_id"])
            self._validate_location(candidate, cred)
        loc.update(candidate)
        if "comment" in body:
            loc["comment"] = body["comment"]
        if body.get("isolation_mode"):
            loc["isolation_mode"] = self._isolation(body["isolation_mode"], prefixed=True)
            self._auto_bind("external_location", name, loc, caller)
        self._owner(body, loc, caller)
        self._rename(self.locations, "external_location", name, body)
        return self._stamp(loc, caller)

    def _dependent_storage(self, url: str) -> list[str]:
        found = [f"catalog '{n}'" for n, c in sorted(self.catalogs.items())
                 if c.get("storage_root") and url_covers(url, c["storage_root"])]
        return found + [f"schema '{n}'" for n, s in sorted(self.schemas.items())
                        if s.get("storage_root") and url_covers(url, s["storage_root"])]

    def delete_location(self, caller: Caller, name: str, force) -> None:
        self._require_admin(caller, "delete an external location")
        loc = self.location(name, caller, write=True)
        dependents = self._dependent_storage(loc["url"])
        if dependents and not _flag(force):
            raise invalid(f"External Location '{loc['name']}' is used as managed storage by "
                          f"{', '.join(dependents)}. Use force to delete it anyway.")
        self._forget("external_location", loc["name"])
        del self.locations[loc["name"]]

    def list_locations(self, caller: Caller, query: dict) -> dict:
        visible = [x for n, x in sorted(self.locations.items()) if self._visible("external_location", n, x, caller)]
        return page(visible, "external_locations", query)

    # --- catalogs ------------------------------------------------------------------------------
    @staticmethod
    def _isolation(value: str, prefixed: bool = False) -> str:
        short = str(value).replace("ISOLATION_MODE_", "")
        if short not in ("OPEN", "ISOLATED"):
            raise invalid(f"Invalid isolation_mode {value!r}: OPEN or ISOLATED.")
        return f"ISOLATION_MODE_{short}" if prefixed else short

    def _auto_bind(self, kind: str, name: str, obj: dict, caller: Caller) -> None:
        """Making a securable ISOLATED binds the workspace that does it (read-write), so it keeps access."""
        if obj["isolation_mode"] in ("ISOLATED", "ISOLATION_MODE_ISOLATED"):
            self.bindings.setdefault((kind, name), {}).setdefault(caller.workspace_id, READ_WRITE)

    def catalog(self, name: str, caller: Caller, write: bool = False) -> dict:
        found = self.catalogs.get(str(name).lower())
        if found is None:
            raise does_not_exist("catalog", name)
        self._bound("catalog", found["name"], found, caller, write)
        return found

    def _managed_storage(self, url: str, caller: Caller) -> str:
        """A managed storage root must lie under an external location the caller may use for managed storage."""
        url = checked_url(url)
        for loc in self.locations.values():
            if url_covers(loc["url"], url):
                if loc["read_only"]:
                    raise invalid(f"External Location '{loc['name']}' is read-only: it cannot hold managed storage.")
                granted = self.grants.get(("external_location", loc["name"]), {})
                usable = loc["owner"] == caller.name or any(
                    p in granted.get(name, set()) for name in (caller.name,)
                    for p in ("CREATE_MANAGED_STORAGE", "ALL_PRIVILEGES"))
                if not usable:
                    raise permission_denied(f"User does not have CREATE MANAGED STORAGE on External Location "
                                            f"'{loc['name']}'.")
                self._bound("external_location", loc["name"], loc, caller)
                return url
        raise invalid(f"Input path url '{url}' is not covered by any external location: create an external location "
                      "for it first.")

    def create_catalog(self, caller: Caller, body: dict) -> dict:
        self._require_admin(caller, "create a catalog")
        name = self._name(body)
        if name in self.catalogs:
            raise already_exists("catalog", name)
        if any(body.get(k) for k in ("connection_name", "provider_name", "share_name")):
            raise invalid("Foreign and Delta Sharing catalogs are not supported by the emulator.")
        storage_root = body.get("storage_root")
        if storage_root:
            storage_root = self._managed_storage(storage_root, caller)
        elif not self.metastore.get("storage_root"):
            raise invalid("Metastore storage root URL does not exist. Please provide a storage location for the "
                          "catalog (for example 'CREATE CATALOG myCatalog MANAGED LOCATION '<location-path>'). "
                          "Alternatively set up a metastore root storage location to provide a storage location "
                          "for all catalogs in the metastore.")
        base = (storage_root or self.metastore["storage_root"]).rstrip("/")
        cat = {"name": name, "full_name": name, "comment": body.get("comment"),
               "properties": dict(body.get("properties") or {}), "storage_root": storage_root,
               "storage_location": f"{base}/__unitystorage/catalogs/{uuid.uuid4()}", "isolation_mode": "OPEN",
               "catalog_type": "MANAGED_CATALOG", "securable_type": "CATALOG", "browse_only": False,
               "enable_predictive_optimization": "INHERIT"}
        self.catalogs[name] = self._stamp(cat, caller, created=True)
        for schema in (SYSTEM_SCHEMA, "default"):  # every catalog is created with these two schemas
            self._new_schema(caller, name, {"name": schema, "comment": None if schema == "default" else
                                            "Information schema (auto-created)"}, system=schema == SYSTEM_SCHEMA)
        return cat

    def update_catalog(self, caller: Caller, name: str, body: dict) -> dict:
        self._require_admin(caller, "update a catalog")
        cat = self.catalog(name, caller, write=True)
        name = cat["name"]
        if "comment" in body:
            cat["comment"] = body["comment"]
        if "properties" in body:
            cat["properties"] = dict(body.get("properties") or {})
        if body.get("enable_predictive_optimization"):
            cat["enable_predictive_optimization"] = body["enable_predictive_optimization"]
        if body.get("isolation_mode"):
            cat["isolation_mode"] = self._isolation(body["isolation_mode"])
            self._auto_bind("catalog", name, cat, caller)
        self._owner(body, cat, caller)
        new = self._rename(self.catalogs, "catalog", name, body)
        if new != name:
            for full in [f for f in self.schemas if f.startswith(f"{name}.")]:
                schema = self.schemas.pop(full)
                schema.update(catalog_name=new, full_name=f"{new}.{schema['name']}")
                self.schemas[schema["full_name"]] = schema
                if ("schema", full) in self.grants:
                    self.grants[("schema", schema["full_name"])] = self.grants.pop(("schema", full))
        return self._stamp(cat, caller)

    def delete_catalog(self, caller: Caller, name: str, force) -> None:
        self._require_admin(caller, "delete a catalog")
        cat = self.catalog(name, caller, write=True)
        name = cat["name"]
        schemas = [f for f, s in self.schemas.items() if s["catalog_name"] == name]
        user_schemas = [f for f in schemas if self.schemas[f]["name"] != SYSTEM_SCHEMA]
        if user_schemas and not _flag(force):
            raise not_empty("catalog", name, f"The catalog has {len(user_schemas)} schemas(s), 0 functions(s), "
                                             "0 volumes(s).")
        for full in schemas:
            self._forget("schema", full)
            del self.schemas[full]
        self._forget("catalog", name)
        del self.catalogs[name]

    def list_catalogs(self, caller: Caller, query: dict) -> dict:
        unbound = _flag(query.get("include_unbound", False)) and caller.is_admin
        visible = [c for n, c in sorted(self.catalogs.items()) if unbound or self._visible("catalog", n, c, caller)]
        return page(visible, "catalogs", query)

    # --- schemas -------------------------------------------------------------------------------
    def schema(self, full_name: str, caller: Caller, write: bool = False) -> dict:
        full_name = str(full_name).lower()
        catalog_name = full_name.split(".", 1)[0]
        self.catalog(catalog_name, caller, write)
        found = self.schemas.get(full_name)
        if found is None:
            raise does_not_exist("schema", full_name)
        return found

    def _new_schema(self, caller: Caller, catalog_name: str, body: dict, system: bool = False) -> dict:
        name = self._name(body)
        full = f"{catalog_name}.{name}"
        if full in self.schemas:
            raise already_exists("schema", full)
        storage_root = self._managed_storage(body["storage_root"], caller) if body.get("storage_root") else None
        base = (storage_root or self.catalogs[catalog_name]["storage_location"].rsplit("/__unitystorage/", 1)[0]
                ).rstrip("/")
        schema = {"name": name, "catalog_name": catalog_name, "full_name": full, "comment": body.get("comment"),
                  "properties": dict(body.get("properties") or {}), "storage_root": storage_root,
                  "storage_location": f"{base}/__unitystorage/schemas/{uuid.uuid4()}", "schema_id": str(uuid.uuid4()),
                  "catalog_type": "MANAGED_CATALOG", "browse_only": False}
        self.schemas[full] = self._stamp(schema, caller, created=True)
        if system:
            schema["owner"] = "System user"
        return schema

    def create_schema(self, caller: Caller, body: dict) -> dict:
        self._require_admin(caller, "create a schema")
        if not body.get("catalog_name"):
            raise invalid("Missing required field: catalog_name")
        cat = self.catalog(body["catalog_name"], caller, write=True)
        return self._new_schema(caller, cat["name"], body)

    def _user_schema(self, full_name: str, caller: Caller) -> dict:
        schema = self.schema(full_name, caller, write=True)
        if schema["name"] == SYSTEM_SCHEMA:
            raise permission_denied(f"Schema '{schema['full_name']}' is a system schema and cannot be changed.")
        return schema

    def update_schema(self, caller: Caller, full_name: str, body: dict) -> dict:
        self._require_admin(caller, "update a schema")
        schema = self._user_schema(full_name, caller)
        if "comment" in body:
            schema["comment"] = body["comment"]
        if "properties" in body:
            schema["properties"] = dict(body.get("properties") or {})
        self._owner(body, schema, caller)
        new = body.get("new_name")
        if new and new.lower() != schema["name"]:
            new = self._name(body, "new_name")
            full = f"{schema['catalog_name']}.{new}"
            if full in self.schemas:
                raise already_exists("schema", full)
            old = schema["full_name"]
            self.schemas[full] = self.schemas.pop(old)
            schema.update(name=new, full_name=full)
            if ("schema", old) in self.grants:
                self.grants[("schema", full)] = self.grants.pop(("schema", old))
        return self._stamp(schema, caller)

    def delete_schema(self, caller: Caller, full_name: str, force) -> None:
        """A schema holds no tables here (not modelled), so it is always empty and force changes nothing."""
        del force
        self._require_admin(caller, "delete a schema")
        schema = self._user_schema(full_name, caller)
        self._forget("schema", schema["full_name"])
        del self.schemas[schema["full_name"]]

    def list_schemas(self, caller: Caller, query: dict) -> dict:
        if not query.get("catalog_name"):
            raise invalid("Missing required field: catalog_name")
        cat = self.catalog(query["catalog_name"], caller)
        items = [s for f, s in sorted(self.schemas.items()) if s["catalog_name"] == cat["name"]]
        return page(items, "schemas", query)

    # --- grants --------------------------------------------------------------------------------
    def _securable(self, kind: str, full_name: str, caller: Caller, write: bool = False) -> str:
        """The securable's canonical name (404 when it does not exist, 403 when it is not bound here)."""
        kind = str(kind).lower()
        if kind not in PRIVILEGES:
            raise invalid(f"Invalid securable type {kind!r}: one of {', '.join(sorted(PRIVILEGES))}.")
        if kind == "metastore":
            if full_name != self.metastore_id:
                raise does_not_exist("metastore", full_name)
            return full_name
        if kind in ("table", "volume"):
            raise does_not_exist(kind, full_name)
        getter = {"catalog": self.catalog, "schema": self.schema, "external_location": self.location,
                  "storage_credential": self.credential}[kind]
        found = getter(full_name, caller, write)
        return found.get("full_name") or found["name"]

    def get_grants(self, caller: Caller, kind: str, full_name: str, query: dict) -> dict:
        name = self._securable(kind, full_name, caller)
        granted = self.grants.get((str(kind).lower(), name), {})
        principal = query.get("principal")
        items = [{"principal": p, "privileges": sorted(privs)} for p, privs in sorted(granted.items())
                 if privs and (not principal or p == principal)]
        return page(items, "privilege_assignments", query)

    def update_grants(self, caller: Caller, kind: str, full_name: str, body: dict) -> dict:
        kind = str(kind).lower()
        name = self._securable(kind, full_name, caller, write=True)
        self._require_admin(caller, "change grants")
        changes = body.get("changes")
        if not isinstance(changes, list):
            raise invalid("Missing required field: changes")
        for change in changes:  # all checked before any is applied
            if not isinstance(change, dict) or not change.get("principal"):
                raise invalid("Each change needs a principal.")
            for privilege in [*(change.get("add") or []), *(change.get("remove") or [])]:
                if privilege not in PRIVILEGES[kind]:
                    raise invalid(f"Privilege {privilege} is not applicable to this entity [{kind}:{name}]. "
                                  f"Applicable privileges: {', '.join(sorted(PRIVILEGES[kind]))}.")
            if change.get("add"):
                caller.check_principal(change["principal"])
        granted = self.grants.setdefault((kind, name), {})
        for change in changes:
            privs = granted.setdefault(change["principal"], set())
            privs.update(change.get("add") or [])
            privs.difference_update(change.get("remove") or [])
            if not privs:
                del granted[change["principal"]]
        return {"privilege_assignments": [{"principal": p, "privileges": sorted(v)}
                                          for p, v in sorted(granted.items())]}

    # --- workspace bindings --------------------------------------------------------------------
    def _bindable(self, kind: str, name: str, caller: Caller) -> str:
        kind = str(kind).lower()
        if kind not in BINDABLE:
            raise invalid(f"Invalid securable type {kind!r} for workspace bindings: one of {', '.join(BINDABLE)}.")
        kind = "storage_credential" if kind == "credential" else kind
        collection = {"catalog": self.catalogs, "external_location": self.locations,
                      "storage_credential": self.credentials}[kind]
        if str(name).lower() not in collection:
            raise does_not_exist(kind, name)
        return kind

    def get_bindings(self, caller: Caller, kind: str, name: str, query: dict) -> dict:
        kind = self._bindable(kind, name, caller)
        bound = self.bindings.get((kind, str(name).lower()), {})
        items = [{"workspace_id": ws, "binding_type": t} for ws, t in sorted(bound.items())]
        return page(items, "bindings", query)

    def update_bindings(self, caller: Caller, kind: str, name: str, add: list, remove: list,
                        assigned: set) -> list[dict]:
        """Bind and unbind workspaces; each added workspace must be assigned to this metastore."""
        self._require_admin(caller, "update workspace bindings")
        kind = self._bindable(kind, name, caller)
        for entry in [*add, *remove]:
            if not isinstance(entry, dict) or not isinstance(entry.get("workspace_id"), int):
                raise invalid("Each binding needs an integer workspace_id.")
        for entry in add:
            if entry["workspace_id"] not in assigned:
                raise invalid(f"Workspace {entry['workspace_id']} is not assigned to metastore {self.metastore_id}: "
                              "only workspaces of the metastore can be bound.")
            if entry.get("binding_type", READ_WRITE) not in (READ_WRITE, READ_ONLY):
                raise invalid(f"Invalid binding_type {entry.get('binding_type')!r}.")
        bound = self.bindings.setdefault((kind, str(name).lower()), {})
        for entry in remove:
            bound.pop(entry["workspace_id"], None)
        for entry in add:
            bound[entry["workspace_id"]] = entry.get("binding_type") or READ_WRITE
        return [{"workspace_id": ws, "binding_type": t} for ws, t in sorted(bound.items())]
