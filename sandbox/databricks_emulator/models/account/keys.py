"""Customer-managed keys: KMS keys (checked in moto's KMS) for managed services and workspace storage."""

from ...aws import validation as aws_checks
from ...errors import invalid
from ..common import get_or_404
from .base import AccountFamily

KEY_USE_CASES = ("MANAGED_SERVICES", "STORAGE")


class KeysBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.keys: dict[str, dict] = {}

    def create_key(self, body: dict) -> dict:
        info = body.get("aws_key_info") or {}
        if not info.get("key_arn"):
            raise invalid("Missing required field: aws_key_info.key_arn")
        use_cases = body.get("use_cases") or []
        if not use_cases or any(u not in KEY_USE_CASES for u in use_cases):
            raise invalid(f"use_cases must be a non-empty subset of {list(KEY_USE_CASES)}")
        region = aws_checks.validate_kms_key(self.state.aws, info["key_arn"], use_cases, self.account_id)
        key = self._base("customer_managed_key_id")
        key.update(aws_key_info={k: v for k, v in info.items() if v is not None} | {"key_region": region},
                   use_cases=list(use_cases))
        self.keys[key["customer_managed_key_id"]] = key
        return key

    def delete_key(self, kid: str) -> dict:
        key = get_or_404(self.keys, kid, "Customer-managed key")
        for field in ("storage_customer_managed_key_id", "managed_services_customer_managed_key_id"):
            self._refuse_if_in_use(field, kid, "Customer-managed key")
        del self.keys[kid]
        return key
