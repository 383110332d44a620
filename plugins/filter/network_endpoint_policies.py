# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter network_endpoint_policies: the VPC endpoint policies of a deployment.

Documented in network_endpoint_policies.yml; the logic is in plugins/plugin_utils/network_endpoint_policies.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_endpoint_policies import (
    network_endpoint_policies,
)

FilterModule = filter_module("network_endpoint_policies", network_endpoint_policies)
