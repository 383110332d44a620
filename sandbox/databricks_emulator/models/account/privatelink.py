"""PrivateLink: VPC endpoint registrations (interface endpoints in moto to Databricks' endpoint services)
and private access settings."""

import uuid

from ...aws import validation as aws_checks
from ...errors import invalid, invalid_state, require
from ..catalog import PRIVATELINK_SERVICES
from ..common import get_or_404
from .base import AccountFamily


class PrivateLinkBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.vpc_endpoints: dict[str, dict] = {}
        self.private_access: dict[str, dict] = {}

    def create_vpc_endpoint(self, body: dict) -> dict:
        require(body, "vpc_endpoint_name", "aws_vpc_endpoint_id", "region")
        self._unique_name(self.vpc_endpoints, "vpc_endpoint_name", body["vpc_endpoint_name"], "VPC endpoint")
        aws_id, region = body["aws_vpc_endpoint_id"], body["region"]
        endpoint = aws_checks.validate_vpc_endpoint(self.state.aws, aws_id, region)
        services = PRIVATELINK_SERVICES.get(region)
        if services is None:
            raise invalid(f"AWS PrivateLink is not supported for Databricks in region {region}.")
        if endpoint.get("VpcEndpointType") != "Interface":
            raise invalid(f"VPC endpoint {aws_id} is a {endpoint.get('VpcEndpointType')} endpoint; PrivateLink needs "
                          "an Interface endpoint.")
        service = endpoint.get("ServiceName", "")
        use_case = {services["workspace"]: "WORKSPACE_ACCESS", services["relay"]: "DATAPLANE_RELAY_ACCESS"}.get(service)
        if use_case is None:
            raise invalid(f"VPC endpoint {aws_id} connects to {service}, not to a Databricks endpoint service in "
                          f"{region} ({services['workspace']} or {services['relay']}).")
        if endpoint.get("State", "available").lower() in ("deleting", "deleted", "failed", "rejected", "expired"):
            raise invalid(f"VPC endpoint {aws_id} is {endpoint.get('State')}.")
        ep = {"vpc_endpoint_id": str(uuid.uuid4()), "account_id": self.account_id,
              "vpc_endpoint_name": body["vpc_endpoint_name"], "aws_vpc_endpoint_id": aws_id,
              "aws_account_id": endpoint.get("OwnerId", "123456789012"),
              "aws_endpoint_service_id": service.rsplit(".", 1)[-1], "region": region,
              "state": "available", "use_case": use_case, "_vpc_id": endpoint.get("VpcId")}
        self.vpc_endpoints[ep["vpc_endpoint_id"]] = ep
        return ep

    def delete_vpc_endpoint(self, eid: str) -> dict:
        ep = get_or_404(self.vpc_endpoints, eid, "VPC endpoint")
        for net in self.networks.values():
            if any(eid in ids for ids in (net.get("vpc_endpoints") or {}).values()):
                raise invalid_state(f"VPC endpoint {eid} cannot be deleted: it is used by network {net['network_id']}.")
        for pas in self.private_access.values():
            if eid in pas.get("allowed_vpc_endpoint_ids", []):
                raise invalid_state(f"VPC endpoint {eid} is used by private access settings "
                                    f"{pas['private_access_settings_id']}.")
        del self.vpc_endpoints[eid]
        return ep

    def put_private_access(self, body: dict, pid: str | None = None) -> dict:
        require(body, "private_access_settings_name", "region")
        level = body.get("private_access_level") or "ACCOUNT"
        if level not in ("ACCOUNT", "ENDPOINT"):
            raise invalid(f"private_access_level must be ACCOUNT or ENDPOINT, not {level}")
        for eid in body.get("allowed_vpc_endpoint_ids") or []:
            get_or_404(self.vpc_endpoints, eid, "VPC endpoint")
        if pid is None:
            pas = {"private_access_settings_id": str(uuid.uuid4()), "account_id": self.account_id}
        else:
            pas = get_or_404(self.private_access, pid, "Private access settings")
        pas.update(private_access_settings_name=body["private_access_settings_name"], region=body["region"],
                   public_access_enabled=bool(body.get("public_access_enabled", False)), private_access_level=level,
                   allowed_vpc_endpoint_ids=list(body.get("allowed_vpc_endpoint_ids") or []))
        self.private_access[pas["private_access_settings_id"]] = pas
        return pas

    def delete_private_access(self, pid: str) -> dict:
        pas = get_or_404(self.private_access, pid, "Private access settings")
        self._refuse_if_in_use("private_access_settings_id", pid, "Private access settings")
        del self.private_access[pid]
        return pas
