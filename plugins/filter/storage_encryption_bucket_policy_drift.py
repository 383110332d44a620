# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter storage_encryption_bucket_policy_drift: whether one bucket's policy differs from the desired one.

Documented in storage_encryption_bucket_policy_drift.yml; the logic is in
plugins/plugin_utils/storage_encryption_buckets.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_buckets import (
    bucket_policy_drift,
)

FilterModule = filter_module("storage_encryption_bucket_policy_drift", bucket_policy_drift)
