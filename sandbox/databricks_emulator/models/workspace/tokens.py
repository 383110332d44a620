"""Personal access tokens and token management (on-behalf-of tokens, every user's tokens); the token
values themselves live in the emulator's token store."""

import uuid

from ...errors import invalid, not_found, permission_denied, require
from .base import WorkspaceFamily

MAX_TOKEN_LIFETIME_S = 730 * 86400


class TokensBackend(WorkspaceFamily):
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
