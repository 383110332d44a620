# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter unity_catalog_input_errors.

Documented in unity_catalog_input_errors.yml; the logic is in plugins/plugin_utils/unity_catalog.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.unity_catalog import unity_catalog_input_errors

FilterModule = filter_module("unity_catalog_input_errors", unity_catalog_input_errors)
