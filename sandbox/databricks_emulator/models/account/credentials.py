"""Credential configurations: the cross-account IAM role Databricks assumes, validated against moto's IAM."""

from ...aws import validation as aws_checks
from ...errors import invalid, require
from ..common import get_or_404
from .base import AccountFamily


class CredentialsBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.credentials: dict[str, dict] = {}
        self.role_first_seen: dict[str, float] = {}  # role or instance profile ARN -> emulator time first seen

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
        cred = get_or_404(self.credentials, cid, "Credential configuration")
        self._refuse_if_in_use("credentials_id", cid, "Credential configuration")
        self._refuse_if_delivering_with("credentials_id", cid, "Credential configuration")
        del self.credentials[cid]
        return cred
