# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter iam_drift: the IAM roles, inline policies and instance profiles that differ.

Documented in iam_drift.yml; the logic is in plugins/plugin_utils/iam_drift.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.iam_drift import iam_drift

FilterModule = filter_module("iam_drift", iam_drift)
