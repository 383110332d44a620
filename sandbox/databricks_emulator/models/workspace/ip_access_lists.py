"""IP access lists: ALLOW and BLOCK lists, enforced on every authenticated request once enabled in
workspace-conf; a change that would lock out the caller (127.0.0.1) is refused."""

import ipaddress
import uuid

from ...errors import invalid, invalid_state, not_found, permission_denied, require
from .base import WorkspaceFamily


class IpAccessListsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.ip_lists: dict[str, dict] = {}

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
