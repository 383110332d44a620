# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter iam_input_errors: the iam role's preflight.

Documented in iam_input_errors.yml; the logic is in plugins/plugin_utils/iam_preflight.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.iam_preflight import iam_input_errors

FilterModule = filter_module("iam_input_errors", iam_input_errors)
