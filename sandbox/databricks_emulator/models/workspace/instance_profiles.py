"""Instance profiles registered in the workspace, added after Databricks' dry run against moto's IAM."""

from ...aws import validation as aws_checks
from ...errors import ScimError, already_exists, not_found, require
from .base import WorkspaceFamily


class InstanceProfilesBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.instance_profiles: dict[str, dict] = {}

    def _known_instance_profile(self, arn: str) -> None:
        if arn not in self.instance_profiles:
            raise ScimError(400, f"Instance profile {arn} is not registered in the workspace.", "invalidValue")

    def add_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        arn = body["instance_profile_arn"]
        if arn in self.instance_profiles:
            raise already_exists(f"Instance profile {arn} already exists.")
        if not body.get("skip_validation"):
            account = self.state.account
            credentials = account.credentials.get(self.ws.get("credentials_id")) or {}
            role_arn = ((credentials.get("aws_credentials") or {}).get("sts_role") or {}).get("role_arn")
            aws_checks.validate_instance_profile(
                self.state.aws, arn, role_arn, self.ws["aws_region"], self.state.clock.now(),
                self.state.config["iam_propagation_seconds"], account.role_first_seen)
        self.instance_profiles[arn] = {"instance_profile_arn": arn,
                                       "is_meta_instance_profile": bool(body.get("is_meta_instance_profile"))}
        if body.get("iam_role_arn"):
            self.instance_profiles[arn]["iam_role_arn"] = body["iam_role_arn"]

    def edit_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        profile = self.instance_profiles.get(body["instance_profile_arn"])
        if profile is None:
            raise not_found(f"Instance profile {body['instance_profile_arn']} does not exist.")
        for key in ("iam_role_arn", "is_meta_instance_profile"):
            if key in body:
                profile[key] = body[key]

    def remove_instance_profile(self, body: dict) -> None:
        require(body, "instance_profile_arn")
        if self.instance_profiles.pop(body["instance_profile_arn"], None) is None:
            raise not_found(f"Instance profile {body['instance_profile_arn']} does not exist.")
