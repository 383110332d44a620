#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_vpc_endpoint
short_description: Manage the set of VPC endpoints of one VPC, updating them in place
version_added: 0.1.0
description:
  - Ensures a list of VPC endpoints (Gateway or Interface) exists in a VPC, or does not, in one invocation.
  - State-aware, unlike M(amazon.aws.ec2_vpc_endpoint) - endpoints that are C(deleted), C(deleting), C(failed),
    C(rejected) or C(expired) are ignored, so an endpoint deleted out of band is created again.
  - An existing endpoint is found by VPC, service name and type (preferring the one whose C(Name) tag matches the
    desired tags) and updated in place with C(ModifyVpcEndpoint) - route tables, subnets, security groups,
    private DNS and policy - and its tags with C(CreateTags)/C(DeleteTags). It is never replaced.
  - Check mode predicts the result without calling any API that changes something; C(diff) shows each endpoint
    before and after, keyed by service name.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  vpc_id:
    description:
      - The ID of the VPC the endpoints belong to.
    required: true
    type: str
  state:
    description:
      - V(present) creates the listed endpoints that are missing and updates the others to match.
      - V(absent) deletes the live endpoints of the VPC whose service (and type) is listed; only O(endpoints[].service)
        and O(endpoints[].type) are used then.
    type: str
    choices: [present, absent]
    default: present
  endpoints:
    description:
      - The endpoints of the VPC to manage. Endpoints of the VPC that are not listed are left alone.
    required: true
    type: list
    elements: dict
    suboptions:
      service:
        description:
          - The service name, for example V(com.amazonaws.eu-west-1.s3).
          - A short name without dots (V(s3), V(sts), V(kinesis-streams)) is expanded to
            C(com.amazonaws.<region>.<name>) using the module's region.
        required: true
        type: str
      type:
        description:
          - The endpoint type.
        type: str
        choices: [Gateway, Interface, GatewayLoadBalancer]
        default: Gateway
      route_table_ids:
        description:
          - The exact set of route tables of a Gateway endpoint. Omit to leave the route tables unmanaged.
        type: list
        elements: str
      subnet_ids:
        description:
          - The exact set of subnets of an Interface or GatewayLoadBalancer endpoint (one per availability zone).
            Omit to leave them unmanaged.
        type: list
        elements: str
      security_group_ids:
        description:
          - The exact set of security groups of an Interface endpoint. Omit to leave them unmanaged (AWS uses
            the VPC's default security group when an endpoint is created without any).
        type: list
        elements: str
      private_dns_enabled:
        description:
          - Whether an Interface endpoint associates a private hosted zone with the VPC, so the service's
            public DNS name resolves to the endpoint. Ignored for other types.
        type: bool
        default: true
      policy:
        description:
          - The endpoint policy, as a JSON string or a dictionary.
          - When omitted the endpoint carries AWS's default policy (full access); an endpoint with another policy
            is reset to it.
        type: json
      tags:
        description:
          - Tags of this endpoint, merged over the module-level O(tags).
        type: dict
  wait:
    description:
      - Wait until every created or modified endpoint leaves the C(pending) state.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
    type: int
    default: 320
attributes:
  check_mode:
    support: full
    description: Reports what would change; makes only read calls.
  diff_mode:
    support: full
    description: Returns each endpoint's specification before and after.
notes:
  - Changing the type or service of an endpoint is not possible in AWS; a listed endpoint whose type differs from
    the existing one's is created as a new endpoint.
  - The default policy is applied by sending AWS's full-access document, which AWS stores as its default.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: S3 gateway endpoint on the route tables, STS and Kinesis interface endpoints in the private subnets
  lakehouse.databricks_aws.ec2_vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    region: eu-west-1
    tags:
      Project: lakehouse
    endpoints:
      - service: s3
        type: Gateway
        route_table_ids: [rtb-0aaa, rtb-0bbb]
        tags:
          Name: demo-s3-endpoint
      - service: sts
        type: Interface
        subnet_ids: [subnet-0aaa, subnet-0bbb, subnet-0ccc]
        security_group_ids: [sg-0aaa]
        tags:
          Name: demo-sts-endpoint
      - service: com.amazonaws.eu-west-1.kinesis-streams
        type: Interface
        subnet_ids: [subnet-0aaa, subnet-0bbb, subnet-0ccc]
        security_group_ids: [sg-0aaa]
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream"]
              Resource: "arn:aws:kinesis:eu-west-1:123456789012:stream/*"
  register: endpoints

- name: Delete the interface endpoints (sleep an idle environment)
  lakehouse.databricks_aws.ec2_vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    region: eu-west-1
    state: absent
    endpoints:
      - service: sts
        type: Interface
      - service: kinesis-streams
        type: Interface
"""

RETURN = r"""
endpoints:
  description:
    - The endpoints in the order of O(endpoints), as they are after the run (predicted in check mode).
    - With O(state=absent), the endpoints that were deleted (or would be).
  returned: always
  type: list
  elements: dict
  contains:
    vpc_endpoint_id:
      description: The endpoint ID; V(null) in check mode for an endpoint that would be created.
      type: str
      sample: vpce-0123456789abcdef0
    vpc_id:
      description: The VPC ID.
      type: str
    service_name:
      description: The full service name.
      type: str
      sample: com.amazonaws.eu-west-1.s3
    vpc_endpoint_type:
      description: Gateway, Interface or GatewayLoadBalancer.
      type: str
    state:
      description: The endpoint state (C(pending) for one that would be created).
      type: str
      sample: available
    route_table_ids:
      description: Route tables of a Gateway endpoint.
      type: list
      elements: str
    subnet_ids:
      description: Subnets of an Interface endpoint.
      type: list
      elements: str
    security_group_ids:
      description: Security groups of an Interface endpoint.
      type: list
      elements: str
    private_dns_enabled:
      description: Whether private DNS is enabled.
      type: bool
    policy:
      description: The endpoint policy, as a dictionary.
      type: dict
    tags:
      description: The endpoint's tags.
      type: dict
    dns_entries:
      description: DNS names of an Interface endpoint.
      type: list
      elements: dict
    network_interface_ids:
      description: Network interfaces of an Interface endpoint.
      type: list
      elements: str
vpc_endpoint_ids:
  description: The endpoint IDs in the order of O(endpoints) (V(null) for one check mode would create).
  returned: always
  type: list
  elements: str
  sample: [vpce-0123456789abcdef0, vpce-0fedcba9876543210]
"""

import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import parse_policy, policies_differ
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws_ec2 import (
    describe_all,
    desired_tags,
    ec2_client,
    ensure_tags,
    tag_specifications,
    tags_of,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

# States of an endpoint that is gone or going: never matched, never updated.
DEAD_STATES = ("deleted", "deleting", "failed", "rejected", "expired")
DEFAULT_POLICY = {
    "Version": "2008-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
POLL_INTERVAL = 5


def full_service_name(service, region):
    return service if "." in service else "com.amazonaws.%s.%s" % (region, service)


def describe_live_endpoints(client, vpc_id):
    """Every endpoint of the VPC that is not deleted or on its way out."""
    endpoints = describe_all(client, "describe_vpc_endpoints", "VpcEndpoints", [{"Name": "vpc-id", "Values": [vpc_id]}])
    return [endpoint for endpoint in endpoints
            if endpoint.get("VpcId") == vpc_id and str(endpoint.get("State", "")).lower() not in DEAD_STATES]


def endpoint_type(endpoint):
    return endpoint.get("VpcEndpointType") or "Gateway"


def current_spec(endpoint):
    """An existing endpoint in the module's own shape (the shape of the result and of the diff)."""
    policy = parse_policy(endpoint.get("PolicyDocument")) if endpoint.get("PolicyDocument") else None
    return {
        "vpc_endpoint_id": endpoint["VpcEndpointId"],
        "vpc_id": endpoint.get("VpcId"),
        "service_name": endpoint["ServiceName"],
        "vpc_endpoint_type": endpoint_type(endpoint),
        "state": endpoint.get("State"),
        "route_table_ids": sorted(endpoint.get("RouteTableIds") or []),
        "subnet_ids": sorted(endpoint.get("SubnetIds") or []),
        "security_group_ids": sorted(group["GroupId"] for group in endpoint.get("Groups") or []),
        "private_dns_enabled": bool(endpoint.get("PrivateDnsEnabled")),
        "policy": policy,
        "tags": tags_of(endpoint),
        "dns_entries": [{"dns_name": entry.get("DnsName"), "hosted_zone_id": entry.get("HostedZoneId")}
                        for entry in endpoint.get("DnsEntries") or []],
        "network_interface_ids": sorted(endpoint.get("NetworkInterfaceIds") or []),
    }


class EndpointSet:
    """The listed endpoints of one VPC: match them to what exists, then create, modify or delete."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.vpc_id = module.params["vpc_id"]
        self.purge_tags = module.params["purge_tags"]
        self.wanted = [self._desired(item) for item in module.params["endpoints"]]
        self.touched = []

    def _desired(self, item):
        module_tags = self.module.params.get("tags")
        tags = None
        if module_tags is not None or item.get("tags") is not None:
            tags = dict(module_tags or {}, **(item.get("tags") or {}))
        try:
            policy = parse_policy(item.get("policy"))
        except ValueError as exc:
            raise ModuleFailure("endpoints: the policy of %s is not valid JSON: %s" % (item["service"], exc)) from exc
        return {
            "service_name": full_service_name(item["service"], self.module.region),
            "vpc_endpoint_type": item["type"],
            "route_table_ids": item.get("route_table_ids"),
            "subnet_ids": item.get("subnet_ids"),
            "security_group_ids": item.get("security_group_ids"),
            "private_dns_enabled": item["private_dns_enabled"] if item["type"] == "Interface" else None,
            "policy": policy,
            "tags": tags,
        }

    def diff_key(self, spec):
        services = [wanted["service_name"] for wanted in self.wanted]
        if services.count(spec["service_name"]) > 1:
            return "%s (%s)" % (spec["service_name"], spec["vpc_endpoint_type"])
        return spec["service_name"]

    # --- matching ------------------------------------------------------------------------
    def match(self, live):
        """Pair each wanted endpoint with one live endpoint (or None); no endpoint is claimed twice."""
        claimed, pairs = set(), []
        for wanted in self.wanted:
            candidates = [endpoint for endpoint in live
                          if endpoint["ServiceName"] == wanted["service_name"]
                          and endpoint_type(endpoint) == wanted["vpc_endpoint_type"]
                          and endpoint["VpcEndpointId"] not in claimed]
            name = (wanted["tags"] or {}).get("Name")
            candidates.sort(key=lambda endpoint, name=name: (tags_of(endpoint).get("Name") != name,
                                                             str(endpoint.get("CreationTimestamp", ""))))
            found = candidates[0] if candidates else None
            if found:
                claimed.add(found["VpcEndpointId"])
            pairs.append((wanted, found))
        return pairs

    # --- present -------------------------------------------------------------------------
    def ensure_present(self):
        live = describe_live_endpoints(self.client, self.vpc_id)
        changed, results, before, after = False, [], {}, {}
        for wanted, found in self.match(live):
            key = self.diff_key(wanted)
            if found is None:
                changed = True
                result = self.create(wanted)
            else:
                current = current_spec(found)
                before[key] = current
                item_changed, result = self.update(wanted, found, current)
                changed |= item_changed
            after[key] = result
            results.append(result)
        if self.touched and not self.module.check_mode:
            results = self.reread(results)
            after = {self.diff_key(result): result for result in results}
        return changed, results, before, after

    def create(self, wanted):
        predicted = self.predicted(wanted)
        if self.module.check_mode:
            return predicted
        params = {
            "VpcId": self.vpc_id,
            "ServiceName": wanted["service_name"],
            "VpcEndpointType": wanted["vpc_endpoint_type"],
        }
        if wanted["route_table_ids"]:
            params["RouteTableIds"] = wanted["route_table_ids"]
        if wanted["subnet_ids"]:
            params["SubnetIds"] = wanted["subnet_ids"]
        if wanted["security_group_ids"]:
            params["SecurityGroupIds"] = wanted["security_group_ids"]
        if wanted["vpc_endpoint_type"] == "Interface":
            params["PrivateDnsEnabled"] = wanted["private_dns_enabled"]
        if wanted["policy"] is not None:
            params["PolicyDocument"] = json.dumps(wanted["policy"])
        if wanted["tags"]:
            params["TagSpecifications"] = tag_specifications("vpc-endpoint", wanted["tags"])
        try:
            endpoint = self.client.create_vpc_endpoint(aws_retry=True, **params)["VpcEndpoint"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            message = "Failed to create the %s endpoint in %s" % (wanted["service_name"], self.vpc_id)
            raise ModuleFailure(message, aws_error=exc) from exc
        self.touched.append(endpoint["VpcEndpointId"])
        return current_spec(endpoint)

    def predicted(self, wanted, current=None):
        """What an endpoint looks like once ``wanted`` is applied to ``current`` (None: a new endpoint)."""
        base = current or {
            "vpc_endpoint_id": None, "vpc_id": self.vpc_id, "service_name": wanted["service_name"],
            "vpc_endpoint_type": wanted["vpc_endpoint_type"], "state": "pending", "route_table_ids": [],
            "subnet_ids": [], "security_group_ids": [], "private_dns_enabled": False, "policy": DEFAULT_POLICY,
            "tags": {}, "dns_entries": [], "network_interface_ids": [],
        }
        result = dict(base)
        for field in ("route_table_ids", "subnet_ids", "security_group_ids"):
            if wanted[field] is not None:
                result[field] = sorted(wanted[field])
        if wanted["private_dns_enabled"] is not None:
            result["private_dns_enabled"] = wanted["private_dns_enabled"]
        wanted_policy = DEFAULT_POLICY if wanted["policy"] is None else wanted["policy"]
        if policies_differ(result["policy"], wanted_policy):
            result["policy"] = wanted_policy
        result["tags"] = desired_tags(base["tags"], wanted["tags"], self.purge_tags)
        return result

    def modification(self, wanted, current):
        """The ModifyVpcEndpoint arguments that bring ``current`` to ``wanted`` (empty: nothing to do)."""
        params = {}
        for field, add, remove in (("route_table_ids", "AddRouteTableIds", "RemoveRouteTableIds"),
                                   ("subnet_ids", "AddSubnetIds", "RemoveSubnetIds"),
                                   ("security_group_ids", "AddSecurityGroupIds", "RemoveSecurityGroupIds")):
            if wanted[field] is None:
                continue
            to_add = sorted(set(wanted[field]) - set(current[field]))
            to_remove = sorted(set(current[field]) - set(wanted[field]))
            if to_add:
                params[add] = to_add
            if to_remove:
                params[remove] = to_remove
        private_dns = wanted["private_dns_enabled"]
        if private_dns is not None and private_dns != current["private_dns_enabled"]:
            params["PrivateDnsEnabled"] = private_dns
        wanted_policy = DEFAULT_POLICY if wanted["policy"] is None else wanted["policy"]
        if policies_differ(current["policy"], wanted_policy):
            params["PolicyDocument"] = json.dumps(wanted_policy)
        return params

    def update(self, wanted, found, current):
        endpoint_id = current["vpc_endpoint_id"]
        params = self.modification(wanted, current)
        predicted = self.predicted(wanted, current)
        if params and not self.module.check_mode:
            try:
                self.client.modify_vpc_endpoint(aws_retry=True, VpcEndpointId=endpoint_id, **params)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                message = "Failed to update endpoint %s (%s)" % (endpoint_id, wanted["service_name"])
                raise ModuleFailure(message, aws_error=exc) from exc
        try:
            tags_changed = ensure_tags(self.client, self.module, endpoint_id, current["tags"], wanted["tags"],
                                       self.purge_tags)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to tag endpoint %s" % endpoint_id, aws_error=exc) from exc
        changed = bool(params) or tags_changed
        if changed:
            self.touched.append(endpoint_id)
        return changed, predicted

    def reread(self, results):
        """The real state of the endpoints after the changes (waiting for them when asked to)."""
        deadline = time.time() + self.module.params["wait_timeout"]
        while True:
            live = {endpoint["VpcEndpointId"]: endpoint
                    for endpoint in describe_live_endpoints(self.client, self.vpc_id)}
            fresh = [current_spec(live[result["vpc_endpoint_id"]]) if result["vpc_endpoint_id"] in live else result
                     for result in results]
            pending = [result["vpc_endpoint_id"] for result in fresh
                       if result["vpc_endpoint_id"] in self.touched and str(result["state"]).lower() == "pending"]
            if not self.module.params["wait"] or not pending:
                return fresh
            if time.time() >= deadline:
                raise ModuleFailure("Timed out after %ss waiting for endpoints %s to become available"
                                    % (self.module.params["wait_timeout"], ", ".join(pending)), endpoints=fresh)
            time.sleep(POLL_INTERVAL)

    # --- absent --------------------------------------------------------------------------
    def ensure_absent(self):
        live = describe_live_endpoints(self.client, self.vpc_id)
        doomed, before = [], {}
        for wanted in self.wanted:
            for endpoint in live:
                if (endpoint["ServiceName"] == wanted["service_name"]
                        and endpoint_type(endpoint) == wanted["vpc_endpoint_type"]
                        and endpoint not in doomed):
                    doomed.append(endpoint)
                    before[self.diff_key(wanted)] = current_spec(endpoint)
        ids = [endpoint["VpcEndpointId"] for endpoint in doomed]
        if ids and not self.module.check_mode:
            try:
                reply = self.client.delete_vpc_endpoints(aws_retry=True, VpcEndpointIds=ids)
            except is_boto3_error_code("InvalidVpcEndpoint.NotFound"):
                reply = {}
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # pylint: disable=duplicate-except
                raise ModuleFailure("Failed to delete endpoints %s" % ", ".join(ids), aws_error=exc) from exc
            failures = [item for item in reply.get("Unsuccessful", [])
                        if item.get("Error", {}).get("Code") not in ("InvalidVpcEndpoint.NotFound",
                                                                     "InvalidVpcEndpointId.NotFound")]
            if failures:
                raise ModuleFailure("Failed to delete endpoints: %s" % "; ".join(
                    "%s: %s" % (item.get("ResourceId"), item.get("Error", {}).get("Message")) for item in failures))
        return bool(ids), [current_spec(endpoint) for endpoint in doomed], before, {}


def run(module):
    for item in module.params["endpoints"]:
        if item["type"] == "Gateway" and (item.get("subnet_ids") or item.get("security_group_ids")):
            raise ModuleFailure("endpoints: %s is a Gateway endpoint; subnet_ids and security_group_ids apply only "
                                "to Interface endpoints" % item["service"])
        if item["type"] != "Gateway" and item.get("route_table_ids"):
            raise ModuleFailure("endpoints: %s is an %s endpoint; route_table_ids apply only to Gateway endpoints"
                                % (item["service"], item["type"]))

    endpoints = EndpointSet(module, ec2_client(module))
    try:
        if module.params["state"] == "present":
            changed, results, before, after = endpoints.ensure_present()
        else:
            changed, results, before, after = endpoints.ensure_absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise ModuleFailure("Failed to read the endpoints of %s" % module.params["vpc_id"], aws_error=exc) from exc

    result = dict(changed=changed, endpoints=results,
                  vpc_endpoint_ids=[item["vpc_endpoint_id"] for item in results])
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    return result


def main():
    endpoint_options = dict(
        service=dict(type="str", required=True),
        type=dict(type="str", default="Gateway", choices=["Gateway", "Interface", "GatewayLoadBalancer"]),
        route_table_ids=dict(type="list", elements="str"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        private_dns_enabled=dict(type="bool", default=True),
        policy=dict(type="json"),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        endpoints=dict(type="list", elements="dict", required=True, options=endpoint_options),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=320),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    run_module(AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
