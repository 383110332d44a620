"""Network configurations (customer-managed VPC): VPC, subnets and security groups checked in moto's EC2,
and the VPC endpoint registrations for the REST API and the relay."""

from ...aws import validation as aws_checks
from ...errors import invalid, require
from ..common import get_or_404, public_view
from .base import AccountFamily


class NetworksBackend(AccountFamily):
    def __init__(self, state):
        super().__init__(state)
        self.networks: dict[str, dict] = {}

    def create_network(self, body: dict) -> dict:
        require(body, "network_name", "vpc_id", "subnet_ids", "security_group_ids")
        self._unique_name(self.networks, "network_name", body["network_name"], "Network")
        region = aws_checks.validate_network(self.state.aws, body["vpc_id"], body["subnet_ids"],
                                             body["security_group_ids"])
        endpoints = body.get("vpc_endpoints") or {}
        for purpose, use_case in (("rest_api", "WORKSPACE_ACCESS"), ("dataplane_relay", "DATAPLANE_RELAY_ACCESS")):
            for eid in endpoints.get(purpose, []):
                ep = get_or_404(self.vpc_endpoints, eid, "VPC endpoint")
                if ep["use_case"] != use_case:
                    raise invalid(f"VPC endpoint {eid} is registered for {ep['use_case']}; vpc_endpoints.{purpose} "
                                  f"needs {use_case}.")
                if ep.get("_vpc_id") and ep["_vpc_id"] != body["vpc_id"]:
                    raise invalid(f"VPC endpoint {eid} ({ep['aws_vpc_endpoint_id']}) is in {ep['_vpc_id']}, not in "
                                  f"the network's VPC {body['vpc_id']}.")
        net = self._base("network_id")
        net.update(network_name=body["network_name"], vpc_id=body["vpc_id"], subnet_ids=list(body["subnet_ids"]),
                   security_group_ids=list(body["security_group_ids"]), vpc_status="UNATTACHED", _region=region)
        if endpoints:
            net["vpc_endpoints"] = {k: list(v) for k, v in endpoints.items() if v}
        self.networks[net["network_id"]] = net
        return net

    def render_network(self, net: dict) -> dict:
        users = self._users_of("network_id", net["network_id"])
        out = public_view(net)
        if users:
            out.update(workspace_id=users[0], vpc_status="VALID")
        return out

    def delete_network(self, nid: str) -> dict:
        net = get_or_404(self.networks, nid, "Network")
        self._refuse_if_in_use("network_id", nid, "Network")
        del self.networks[nid]
        return self.render_network(net)
