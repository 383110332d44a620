"""Unity Catalog metastores of the account and their workspace assignments (account API ``/metastores``,
``/workspaces/{id}/metastore(s)``).

Databricks allows one metastore per region and account (terraform-provider-databricks issue 1665) and assigns a
workspace only to a metastore of its own region (databricks-cli PR 547: "the metastore <> region matching
constraint"); a workspace has at most one metastore. Shapes: databricks-sdk ``service/catalog.py``
(``MetastoreInfo``, ``AccountsCreateMetastoreResponse``, ``MetastoreAssignment``); the account API wraps them in
``metastore_info`` / ``metastore_assignment``.
"""

import uuid

from ...aws.validation import split_s3_url
from ...errors import ApiError, invalid
from ..unity_catalog import MetastoreObjects
from .base import AccountFamily


def metastore_view(metastore: dict) -> dict:
    return {k: v for k, v in metastore.items() if not k.startswith("_") and v is not None}


class MetastoresBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.metastores: dict[str, dict] = {}
        self.metastore_assignments: dict[int, dict] = {}  # workspace id -> {metastore_id, default_catalog_name}

    # --- metastores ----------------------------------------------------------------------------
    def metastore(self, metastore_id: str) -> dict:
        found = self.metastores.get(metastore_id)
        if found is None:
            raise ApiError(404, "METASTORE_DOES_NOT_EXIST", f"Metastore '{metastore_id}' does not exist.")
        return found

    def _caller_name(self, caller: str) -> str:
        kind = self.directory.kind_of(caller)
        resource = self.directory.resources[kind][caller] if kind else {}
        return resource.get("userName") or resource.get("applicationId") or resource.get("displayName", "")

    def create_metastore(self, caller: str, body: dict) -> dict:
        info = body.get("metastore_info") or {}
        name, region = info.get("name"), info.get("region")
        if not name:
            raise invalid("Missing required field: metastore_info.name")
        if not region:  # required on the account API (terraform-provider-databricks issue 2849)
            raise invalid("Missing required field: metastore_info.region")
        if any(m["region"] == region for m in self.metastores.values()):
            raise ApiError(400, "INVALID_STATE", f"This account with id {self.account_id} has reached the limit for "
                                                 f"metastores in region {region}")
        metastore_id = str(uuid.uuid4())
        storage_root = info.get("storage_root")
        if storage_root:
            split_s3_url(storage_root)
            storage_root = f"{storage_root.rstrip('/')}/{metastore_id}"  # Databricks appends the metastore id
        now, who = self._now_ms(), self._caller_name(caller)
        metastore = {"metastore_id": metastore_id, "name": name, "region": region, "cloud": "aws",
                     "storage_root": storage_root, "owner": who, "created_by": who, "created_at": now,
                     "updated_by": who, "updated_at": now, "global_metastore_id": f"aws:{region}:{metastore_id}",
                     "privilege_model_version": "1.0", "delta_sharing_scope": "INTERNAL",
                     "external_access_enabled": bool(info.get("external_access_enabled", False))}
        metastore["_objects"] = MetastoreObjects(self.state, metastore)
        self.metastores[metastore_id] = metastore
        return {"metastore_info": metastore_view(metastore)}

    def get_metastore(self, metastore_id: str) -> dict:
        return {"metastore_info": metastore_view(self.metastore(metastore_id))}

    def list_metastores(self) -> dict:
        return {"metastores": [metastore_view(m) for m in self.metastores.values()]}

    def update_metastore(self, caller: str, metastore_id: str, body: dict) -> dict:
        metastore = self.metastore(metastore_id)
        info = body.get("metastore_info") or {}
        for field in ("owner", "delta_sharing_scope", "delta_sharing_organization_name",
                      "delta_sharing_recipient_token_lifetime_in_seconds", "external_access_enabled",
                      "privilege_model_version", "storage_root_credential_id"):
            if field in info:
                metastore[field] = info[field]
        metastore.update(updated_at=self._now_ms(), updated_by=self._caller_name(caller))
        return {"metastore_info": metastore_view(metastore)}

    def delete_metastore(self, metastore_id: str, force) -> dict:
        metastore = self.metastore(metastore_id)
        force = str(force).lower() == "true"
        assigned = self.metastore_workspaces(metastore_id)
        if not force and (assigned or not metastore["_objects"].empty()):
            raise invalid(f"Metastore '{metastore_id}' is not empty (assigned workspaces: {len(assigned)}; it still "
                          "holds catalogs, storage credentials or external locations). Use force to delete it.")
        for workspace_id in assigned:
            del self.metastore_assignments[workspace_id]
        del self.metastores[metastore_id]
        return {}

    # --- assignments ---------------------------------------------------------------------------
    def _live_assignments(self) -> dict[int, dict]:
        """Assignments of workspaces that still exist (deleting a workspace ends its assignment)."""
        for workspace_id in [w for w in self.metastore_assignments if w not in self.workspaces]:
            del self.metastore_assignments[workspace_id]
        return self.metastore_assignments

    def metastore_workspaces(self, metastore_id: str) -> list[int]:
        return sorted(w for w, a in self._live_assignments().items() if a["metastore_id"] == metastore_id)

    def workspace_metastore(self, workspace_id: int) -> dict | None:
        """The metastore assigned to a workspace, or None."""
        assignment = self._live_assignments().get(workspace_id)
        return self.metastores.get(assignment["metastore_id"]) if assignment else None

    def _workspace(self, workspace_id) -> dict:
        try:
            workspace_id = int(workspace_id)
        except (TypeError, ValueError) as exc:
            raise invalid(f"Invalid workspace id {workspace_id!r}") from exc
        ws = self.workspaces.get(workspace_id)
        if ws is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Workspace {workspace_id} does not exist.")
        return ws

    def assign_metastore(self, workspace_id, metastore_id: str, body: dict) -> dict:
        ws = self._workspace(workspace_id)
        metastore = self.metastore(metastore_id)
        if ws.get("aws_region") != metastore["region"]:
            raise invalid(f"Workspace {ws['workspace_id']} is in region {ws.get('aws_region')} and metastore "
                          f"{metastore_id} in region {metastore['region']}: a workspace can only be assigned a "
                          "metastore of its own region.")
        current = self._live_assignments().get(ws["workspace_id"])
        if current is not None:
            raise ApiError(409, "RESOURCE_ALREADY_EXISTS",
                           f"Workspace {ws['workspace_id']} already has metastore {current['metastore_id']} assigned. "
                           "Delete that assignment first.")
        assignment = (body.get("metastore_assignment") or {})
        self.metastore_assignments[ws["workspace_id"]] = {
            "metastore_id": metastore_id, "default_catalog_name": assignment.get("default_catalog_name")}
        return {}

    def _assignment(self, workspace_id, metastore_id: str | None = None) -> tuple[dict, dict]:
        ws = self._workspace(workspace_id)
        current = self._live_assignments().get(ws["workspace_id"])
        if current is None or (metastore_id is not None and current["metastore_id"] != metastore_id):
            target = f" to {metastore_id}" if metastore_id else ""
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                           f"Workspace {ws['workspace_id']} has no metastore assignment{target}.")
        return ws, current

    def update_metastore_assignment(self, workspace_id, metastore_id: str, body: dict) -> dict:
        _, current = self._assignment(workspace_id, metastore_id)
        assignment = body.get("metastore_assignment") or {}
        if "default_catalog_name" in assignment:
            current["default_catalog_name"] = assignment["default_catalog_name"]
        return {}

    def delete_metastore_assignment(self, workspace_id, metastore_id: str) -> dict:
        ws, _ = self._assignment(workspace_id, metastore_id)
        del self.metastore_assignments[ws["workspace_id"]]
        return {}

    def get_metastore_assignment(self, workspace_id) -> dict:
        ws, current = self._assignment(workspace_id)
        rendered = {"workspace_id": ws["workspace_id"], "metastore_id": current["metastore_id"]}
        if current.get("default_catalog_name"):
            rendered["default_catalog_name"] = current["default_catalog_name"]
        return {"metastore_assignment": rendered}
