#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_network
short_description: Manage a Databricks network configuration (customer-managed VPC)
version_added: 0.1.0
description:
  - Registers a customer-managed VPC, its private subnets and security groups with Databricks.
  - The configuration is found by O(name), so a re-run adopts the existing one.
  - Databricks cannot change a network configuration; when the VPC, subnets, security groups or
    VPC endpoints differ it is deleted and created again, unless a workspace uses it, in which case
    the module fails with a clear message.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the network configuration (C(network_name)).
    type: str
    required: true
  vpc_id:
    description: ID of the VPC (DNS hostnames and DNS resolution enabled). Required when O(state=present).
    type: str
  subnet_ids:
    description:
      - Private subnets, at least two in different availability zones, netmasks between /17 and /26.
        Order does not matter. Required when O(state=present).
    type: list
    elements: str
  security_group_ids:
    description: Security groups of the cluster nodes (one to five). Required when O(state=present).
    type: list
    elements: str
  vpc_endpoints:
    description: Databricks VPC endpoint registrations (PrivateLink), by Databricks VPC endpoint ID.
    type: dict
    suboptions:
      rest_api:
        description: Endpoints for the workspace REST API.
        type: list
        elements: str
      dataplane_relay:
        description: Endpoints for the secure cluster connectivity relay.
        type: list
        elements: str
  state:
    description: Whether the network configuration should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the VPC
  lakehouse.databricks_aws.databricks_account_network:
    name: prod-network
    vpc_id: "{{ network_outputs.vpc_id }}"
    subnet_ids: "{{ network_outputs.private_subnet_ids }}"
    security_group_ids: ["{{ network_outputs.security_group_id }}"]
  register: network
"""

RETURN = r"""
network_id:
  description: ID of the network configuration; null in check mode before it exists.
  returned: always
  type: str
  sample: 2b3c4d5e-1111-2222-3333-444455556666
network:
  description: The network configuration as Databricks returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    network_id: 2b3c4d5e-1111-2222-3333-444455556666
    network_name: prod-network
    vpc_id: vpc-0123456789abcdef0
    subnet_ids: [subnet-0aaa, subnet-0bbb]
    security_group_ids: [sg-0ccc]
    vpc_status: UNATTACHED
replaced:
  description: Whether an existing configuration with another spec was deleted and created again.
  returned: when state=present and the configuration was created
  type: bool
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    AccountObjectSpec,
    ImmutableAccountObject,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

SPEC = AccountObjectSpec(noun="network configuration", path="/networks", id_field="network_id",
                         result_key="network", usage_fields=("network_id",),
                         unordered=("subnet_ids", "security_group_ids"))


def endpoints_of(value):
    value = value or {}
    return {key: sorted(value.get(key) or []) for key in ("rest_api", "dataplane_relay")}


def comparable(obj):
    return {"vpc_id": obj.get("vpc_id"), "subnet_ids": obj.get("subnet_ids") or [],
            "security_group_ids": obj.get("security_group_ids") or [],
            "vpc_endpoints": endpoints_of(obj.get("vpc_endpoints"))}


def run(module):
    params = module.params
    endpoints = endpoints_of(params["vpc_endpoints"])
    body = {"network_name": params["name"], "vpc_id": params["vpc_id"], "subnet_ids": params["subnet_ids"],
            "security_group_ids": params["security_group_ids"]}
    if any(endpoints.values()):
        body["vpc_endpoints"] = {key: value for key, value in endpoints.items() if value}
    return ImmutableAccountObject(
        module, SPEC,
        match=lambda obj: obj.get("network_name") == params["name"],
        comparable=comparable,
        desired={"vpc_id": params["vpc_id"], "subnet_ids": params["subnet_ids"],
                 "security_group_ids": params["security_group_ids"], "vpc_endpoints": endpoints},
        body=body,
        label="network configuration %s" % params["name"],
        required=["vpc_id", "subnet_ids", "security_group_ids"],
    ).run(params["state"])


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            vpc_id=dict(type="str"),
            subnet_ids=dict(type="list", elements="str"),
            security_group_ids=dict(type="list", elements="str"),
            vpc_endpoints=dict(type="dict", options=dict(
                rest_api=dict(type="list", elements="str"),
                dataplane_relay=dict(type="list", elements="str"),
            )),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
