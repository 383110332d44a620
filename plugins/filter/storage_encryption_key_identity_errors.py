# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter storage_encryption_key_identity_errors: a key alias changed on a deployed estate.

Documented in storage_encryption_key_identity_errors.yml; the logic is in
plugins/plugin_utils/storage_encryption_keys.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_keys import (
    key_identity_errors,
)

FilterModule = filter_module("storage_encryption_key_identity_errors", key_identity_errors)
