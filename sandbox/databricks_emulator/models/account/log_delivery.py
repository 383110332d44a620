"""Log delivery configurations (billable usage, audit logs): never deleted, only disabled; a limit of
enabled ones per log type and scope; listed in pages."""

import uuid

from ...errors import invalid, invalid_state, require
from ..common import get_or_404
from ..paging import token_page
from .base import AccountFamily

LOG_FORMATS = {"BILLABLE_USAGE": "CSV", "AUDIT_LOGS": "JSON"}
LOG_DELIVERY_PAGE_SIZE = 5


class LogDeliveryBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.log_delivery: dict[str, dict] = {}

    def _refuse_if_delivering_with(self, field: str, oid: str, noun: str) -> None:
        """Credentials or a storage configuration an enabled log delivery configuration uses cannot be deleted."""
        if any(c[field] == oid and c["status"] == "ENABLED" for c in self.log_delivery.values()):
            raise invalid_state(f"{noun} {oid} is used by an enabled log delivery configuration.")

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
        get_or_404(self.credentials, conf_in["credentials_id"], "Credential configuration")
        get_or_404(self.storage, conf_in["storage_configuration_id"], "Storage configuration")
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
        conf = get_or_404(self.log_delivery, cid, "Log delivery configuration")
        status = body.get("status")
        if status not in ("ENABLED", "DISABLED"):
            raise invalid("status must be ENABLED or DISABLED")
        if status == "ENABLED" and conf["status"] != "ENABLED":
            self._check_log_limit(conf, exclude=cid)
        conf.update(status=status, update_time=self._now_ms())
