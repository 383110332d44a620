# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter unknown_variables: misspelt role and inventory-level variables.

Documented in unknown_variables.yml; the logic is in plugins/plugin_utils/role_variables.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.role_variables import unknown_variables

FilterModule = filter_module("unknown_variables", unknown_variables)
