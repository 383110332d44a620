#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_instance_type_offering_info
short_description: Which EC2 instance types the region (or its availability zones) offers
version_added: 0.1.0
description:
  - Asks EC2 (C(DescribeInstanceTypeOfferings), filtered by instance type, paginated) which of O(instance_types) are
    offered in the region or in which of its availability zones.
  - The databricks_management role's preflight uses it to refuse a cluster node type that the region does not offer
    before anything is created (a Databricks node type on AWS is an EC2 instance type), instead of at cluster
    creation, after the whole estate is built.
  - Read-only; runs the same in check mode.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  instance_types:
    description:
      - The instance types to look up, for example V(i3.xlarge).
    type: list
    elements: str
    required: true
  location_type:
    description:
      - V(region) - offered in the region; V(availability-zone) - the zones of the region that offer each.
    type: str
    choices: [region, availability-zone]
    default: region
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Is the cluster's node type offered in the region
  lakehouse.databricks_aws.ec2_instance_type_offering_info:
    instance_types: [i3.xlarge]
    region: eu-west-1
  register: offerings

- name: Refuse a node type the region does not offer
  ansible.builtin.assert:
    that: offerings.not_offered | length == 0
    fail_msg: "{{ offerings.not_offered | join(', ') }} not offered in eu-west-1"
"""

RETURN = r"""
offered:
  description: The instance types of O(instance_types) that are offered, each with the locations offering it.
  returned: always
  type: dict
  sample: {"i3.xlarge": ["eu-west-1"]}
not_offered:
  description: The instance types of O(instance_types) that no location offers, in the order given.
  returned: always
  type: list
  elements: str
  sample: ["i3.xlarg"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws_ec2 import ec2_client
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._runner import ModuleFailure, run_module

try:  # noqa: SIM105 - the guarded-import form ansible-test expects
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def read_offerings(client, instance_types, location_type):
    """{instance type: [locations]} for the instance types offered, following NextToken."""
    offered, token = {}, None
    while True:
        kwargs = {"LocationType": location_type,
                  "Filters": [{"Name": "instance-type", "Values": list(instance_types)}]}
        if token:
            kwargs["NextToken"] = token
        reply = client.describe_instance_type_offerings(aws_retry=True, **kwargs)
        for offering in reply.get("InstanceTypeOfferings", []):
            offered.setdefault(offering["InstanceType"], []).append(offering.get("Location"))
        token = reply.get("NextToken")
        if not token:
            return {name: sorted(locations) for name, locations in offered.items()}


def run(module):
    wanted = [name for name in module.params["instance_types"] if name]
    offered = {}
    if wanted:
        try:
            offered = read_offerings(ec2_client(module), wanted, module.params["location_type"])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ModuleFailure("Failed to read the offerings of %s" % ", ".join(wanted), aws_error=exc) from exc
    return dict(changed=False, offered=offered, not_offered=[name for name in wanted if name not in offered])


def main():
    argument_spec = dict(
        instance_types=dict(type="list", elements="str", required=True),
        location_type=dict(type="str", choices=["region", "availability-zone"], default="region"),
    )
    run_module(AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True), run)


if __name__ == "__main__":
    main()
