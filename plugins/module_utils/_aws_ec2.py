# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared plumbing for the collection's EC2 modules (vpc_endpoint, vpc_flow_log).

Everything AWS-specific that is not a resource's own logic lives here: the retrying client,
tag reconciliation honouring check mode, and the before/after bookkeeping behind ``diff``.
Modules stay "read -> normalise -> compare -> act on the difference -> re-read".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import retrying_client

# EC2's eventual consistency right after a create (the new id is not visible to every endpoint yet).
EVENTUALLY_CONSISTENT_CODES = ["InvalidVpcEndpointId.NotFound", "InvalidFlowLogId.NotFound"]


def ec2_client(module):
    """The EC2 client of an AnsibleAWSModule, retrying its eventual-consistency codes too."""
    return retrying_client(module, "ec2", EVENTUALLY_CONSISTENT_CODES)


def describe_all(client, operation, result_key, filters, filter_parameter="Filters"):
    """Every item an EC2 Describe* call returns for the filters, following NextToken.

    filter_parameter: the name the operation gives its filter list (DescribeNatGateways calls it Filter).
    """
    items, token = [], None
    while True:
        kwargs = {filter_parameter: filters}
        if token:
            kwargs["NextToken"] = token
        reply = getattr(client, operation)(aws_retry=True, **kwargs)
        items.extend(reply.get(result_key, []))
        token = reply.get("NextToken")
        if not token:
            return items


def tags_of(resource):
    """A resource's boto3 ``Tags`` list as a plain dict."""
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def desired_tags(current, wanted, purge):
    """The tag dict a resource will carry once ``wanted`` is applied (``None``: tags unmanaged)."""
    if wanted is None:
        return dict(current)
    to_set, to_unset = compare_aws_tags(current, wanted, purge_tags=purge)
    result = {key: value for key, value in current.items() if key not in to_unset}
    result.update({key: str(value) for key, value in to_set.items()})
    return result


def ensure_tags(client, module, resource_id, current, wanted, purge):
    """Make the tags of ``resource_id`` match; returns whether anything changes (acts only outside check mode)."""
    if wanted is None:
        return False
    to_set, to_unset = compare_aws_tags(current, wanted, purge_tags=purge)
    if not (to_set or to_unset):
        return False
    if module.check_mode:
        return True
    if to_unset:
        client.delete_tags(Resources=[resource_id], Tags=[{"Key": key} for key in to_unset], aws_retry=True)
    if to_set:
        client.create_tags(Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)
    return True


def tag_specifications(resource_type, tags):
    """``TagSpecifications`` for a create call, or an empty list when there are no tags."""
    if not tags:
        return []
    return [{"ResourceType": resource_type, "Tags": ansible_dict_to_boto3_tag_list(tags)}]
