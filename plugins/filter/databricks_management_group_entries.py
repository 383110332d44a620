# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter databricks_management_group_entries.

Documented in databricks_management_group_entries.yml; the logic is in
plugins/plugin_utils/databricks_management_groups.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.databricks_management_groups import (
    databricks_management_group_entries,
)
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module

FilterModule = filter_module("databricks_management_group_entries", databricks_management_group_entries)
