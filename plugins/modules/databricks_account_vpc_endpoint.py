#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_vpc_endpoint
short_description: Register an AWS PrivateLink VPC endpoint with the Databricks account
version_added: 0.1.0
description:
  - Registers an AWS interface VPC endpoint to one of Databricks' PrivateLink endpoint services (the workspace
    REST API service or the secure cluster connectivity relay) with the account, so that a network configuration
    (O(lakehouse.databricks_aws.databricks_account_network#module:vpc_endpoints) of
    M(lakehouse.databricks_aws.databricks_account_network)) and private access settings can use it.
    Databricks accepts the endpoint connection when it is registered.
  - The registration is found by O(name), so a re-run adopts the existing one. Databricks derives its use case
    (C(WORKSPACE_ACCESS) or C(DATAPLANE_RELAY_ACCESS)) from the endpoint's service.
  - Databricks cannot change a registration; when O(aws_vpc_endpoint_id) or O(region) differ it is deleted and
    registered again. Databricks refuses to delete one that a network configuration or private access settings
    use; the module reports that refusal.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the registration (C(vpc_endpoint_name)).
    type: str
    required: true
  aws_vpc_endpoint_id:
    description: ID of the AWS interface VPC endpoint (C(vpce-...)). Required when O(state=present).
    type: str
  region:
    description: AWS region of the endpoint. Required when O(state=present).
    type: str
  state:
    description: Whether the registration should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the workspace (REST API) endpoint
  lakehouse.databricks_aws.databricks_account_vpc_endpoint:
    name: prod-workspace-vpce
    aws_vpc_endpoint_id: "{{ network_outputs.privatelink.workspace_endpoint_id }}"
    region: eu-west-1
  register: rest_endpoint
"""

RETURN = r"""
vpc_endpoint_id:
  description: Databricks ID of the registration; null in check mode before it exists.
  returned: always
  type: str
  sample: 9c7e8a52-1111-2222-3333-444455556666
vpc_endpoint:
  description: The registration as Databricks returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    vpc_endpoint_id: 9c7e8a52-1111-2222-3333-444455556666
    vpc_endpoint_name: prod-workspace-vpce
    aws_vpc_endpoint_id: vpce-0123456789abcdef0
    use_case: WORKSPACE_ACCESS
    state: available
replaced:
  description: Whether an existing registration with another endpoint was deleted and registered again.
  returned: when state=present and the registration was created
  type: bool
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    AccountObjectSpec,
    ImmutableAccountObject,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

SPEC = AccountObjectSpec(noun="VPC endpoint registration", path="/vpc-endpoints", id_field="vpc_endpoint_id",
                         result_key="vpc_endpoint")


def comparable(obj):
    return {"aws_vpc_endpoint_id": obj.get("aws_vpc_endpoint_id"), "region": obj.get("region")}


def run(module):
    params = module.params
    desired = {"aws_vpc_endpoint_id": params["aws_vpc_endpoint_id"], "region": params["region"]}
    return ImmutableAccountObject(
        module, SPEC,
        match=lambda obj: obj.get("vpc_endpoint_name") == params["name"],
        comparable=comparable,
        desired=desired,
        body=dict(desired, vpc_endpoint_name=params["name"]),
        label="VPC endpoint registration %s" % params["name"],
        required=["aws_vpc_endpoint_id", "region"],
    ).run(params["state"])


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            aws_vpc_endpoint_id=dict(type="str"),
            region=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
