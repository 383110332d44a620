"""Account principals: the account SCIM directory (users, service principals, groups), the account
admin role, and the service principals' OAuth secrets the token endpoints check."""

import secrets
import uuid

from ...errors import not_found
from ..common import iso_time, public_view, sha256_hex
from ..scim import ScimDirectory
from .base import AccountFamily


class AccountPrincipalsBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.directory = ScimDirectory()
        self.sp_secrets: dict[str, dict[str, dict]] = {}  # SP SCIM id -> secret id -> record
        # The account service principal the emulator is driven with (account admin).
        sp = self.directory.create("ServicePrincipals", {
            "applicationId": state.client_id, "displayName": "Account automation service principal",
            "roles": [{"value": "account_admin"}]})
        self.admin_sp_id = sp["id"]
        self.sp_secrets[sp["id"]] = {"env": {"_hash": sha256_hex(state.client_secret), "id": "env",
                                             "status": "ACTIVE", "create_time": "", "update_time": ""}}

    def check_client_secret(self, client_id: str, client_secret: str) -> dict | None:
        """The account SP owning client_id when the secret matches one of its active secrets."""
        sp = self.directory.find("ServicePrincipals", "applicationId", client_id)
        if sp is None or not client_secret:
            return None
        digest = sha256_hex(client_secret)
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
        iso = iso_time(now)
        expire = now + float(str(lifetime).rstrip("s")) if lifetime else now + 730 * 86400
        record = {"id": uuid.uuid4().hex[:16], "_hash": sha256_hex(value), "secret_hash": sha256_hex(value)[:8],
                  "status": "ACTIVE", "create_time": iso, "update_time": iso, "expire_time": iso_time(expire)}
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
