"""Storage configurations: the workspace root bucket, which must exist in moto's S3."""

from ...aws import validation as aws_checks
from ...errors import invalid, require
from ..common import get_or_404
from .base import AccountFamily


class StorageBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.storage: dict[str, dict] = {}

    def create_storage(self, body: dict) -> dict:
        require(body, "storage_configuration_name")
        bucket = (body.get("root_bucket_info") or {}).get("bucket_name")
        if not bucket:
            raise invalid("Missing required field: root_bucket_info.bucket_name")
        self._unique_name(self.storage, "storage_configuration_name", body["storage_configuration_name"],
                          "Storage configuration")
        aws_checks.bucket_region(self.state.aws, bucket)
        conf = self._base("storage_configuration_id")
        conf.update(storage_configuration_name=body["storage_configuration_name"],
                    root_bucket_info={"bucket_name": bucket})
        if body.get("role_arn"):
            conf["role_arn"] = body["role_arn"]
        self.storage[conf["storage_configuration_id"]] = conf
        return conf

    def delete_storage(self, sid: str) -> dict:
        conf = get_or_404(self.storage, sid, "Storage configuration")
        self._refuse_if_in_use("storage_configuration_id", sid, "Storage configuration")
        self._refuse_if_delivering_with("storage_configuration_id", sid, "Storage configuration")
        del self.storage[sid]
        return conf
