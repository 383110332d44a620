"""Tokens: OAuth M2M access tokens (account and workspace), PATs and on-behalf-of tokens.

Token values live only in memory and are never logged. Expiry uses the emulator clock, so
``POST /__sandbox/clock/advance`` makes tokens expire. ``GET /__sandbox/tokens`` lists every value
issued since the last reset, for tests that search outputs for leaked secrets.
"""

import dataclasses
import secrets

from ..errors import ApiError, permission_denied, unauthenticated
from .common import sha256_hex

OAUTH_LIFETIME_S = 3600


@dataclasses.dataclass
class Token:
    kind: str  # "oauth" or "pat" (PATs and on-behalf-of tokens are both PATs to Databricks)
    workspace_id: int | None  # None: an account-level token
    principal_id: str  # SCIM id in the account (account tokens) or workspace directory
    expiry: float | None  # emulator epoch seconds; None = never
    creation: float
    token_id: str = ""
    comment: str = ""
    created_by_id: str = ""
    revoked: bool = False


class TokenStore:
    def __init__(self, clock):
        self.clock = clock
        self._by_hash: dict[str, Token] = {}
        self._issued: list[tuple[str, Token]] = []  # every value issued, for GET /__sandbox/tokens

    def issue(self, kind: str, workspace_id, principal_id: str, lifetime_s: float | None, **extra) -> tuple[str, Token]:
        value = ("dapi" + secrets.token_hex(16)) if kind == "pat" else ("eyJ" + secrets.token_urlsafe(48))
        now = self.clock.now()
        token = Token(kind=kind, workspace_id=workspace_id, principal_id=principal_id, creation=now,
                      expiry=(now + lifetime_s) if lifetime_s else None, **extra)
        self._by_hash[sha256_hex(value)] = token
        self._issued.append((value, token))
        return value, token

    def issued(self) -> list[dict]:
        """Every token issued (revoked and expired ones too), with its value."""
        return [{"kind": t.kind, "workspace_id": t.workspace_id, "principal_id": t.principal_id,
                 "token_id": t.token_id, "token_value": value, "revoked": t.revoked, "expired": self.expired(t)}
                for value, t in self._issued]

    def pats(self, workspace_id) -> list[Token]:
        return [t for t in self._by_hash.values()
                if t.kind == "pat" and t.workspace_id == workspace_id and not t.revoked and not self.expired(t)]

    def expired(self, token: Token) -> bool:
        return token.expiry is not None and self.clock.now() >= token.expiry

    def revoke_where(self, predicate) -> int:
        hits = [t for t in self._by_hash.values() if predicate(t) and not t.revoked]
        for token in hits:
            token.revoked = True
        return len(hits)

    def authenticate(self, authorization: str | None, workspace_id) -> Token:
        """Token behind an ``Authorization: Bearer`` header, for the account (workspace_id None) or a workspace.

        Databricks answers 401 on the account host and 403 "Invalid access token" on a workspace
        host for a token it does not accept there (unknown, expired, revoked, other host's token).
        """
        if not authorization or not authorization.lower().startswith("bearer "):
            raise unauthenticated()
        token = self._by_hash.get(sha256_hex(authorization.split(None, 1)[1].strip()))
        if token is not None and not token.revoked and not self.expired(token) and token.workspace_id == workspace_id:
            return token
        if workspace_id is None:
            raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")
        if token is not None and token.workspace_id is None:
            raise unauthenticated("Invalid access token: an account-level token cannot be used on a workspace.")
        if token is not None and self.expired(token):
            raise permission_denied("Invalid access token. The token has expired.")
        raise permission_denied("Invalid access token.")
