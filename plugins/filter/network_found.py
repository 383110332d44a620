# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter network_found: the network resources sleep and destroy found by their Name tags.

Documented in network_found.yml; the logic is in plugins/plugin_utils/network_resources.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_resources import network_found

FilterModule = filter_module("network_found", network_found)
