# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter network_identity_errors: settings of the deployed network that AWS cannot change in place.

Documented in network_identity_errors.yml; the logic is in plugins/plugin_utils/network_identity.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_identity import network_identity_errors

FilterModule = filter_module("network_identity_errors", network_identity_errors)
