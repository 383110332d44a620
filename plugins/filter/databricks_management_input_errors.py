# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter databricks_management_input_errors: the databricks_management role's preflight.

Documented in databricks_management_input_errors.yml; the rules are in
plugins/module_utils/_databricks_management_validation.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_management_validation import (
    management_input_errors,
)
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module, preflight

databricks_management_input_errors = preflight(management_input_errors)

FilterModule = filter_module("databricks_management_input_errors", databricks_management_input_errors)
