# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter results_by_item: a registered loop's results by an attribute of their items.

Documented in results_by_item.yml; the logic is in plugins/plugin_utils/loop_results.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.loop_results import results_by_item

FilterModule = filter_module("results_by_item", results_by_item)
