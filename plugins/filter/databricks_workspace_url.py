# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter databricks_workspace_url: a workspace's URL from its deployment name.

Documented in databricks_workspace_url.yml; the logic is in plugins/plugin_utils/databricks_workspace.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.databricks_workspace import (
    databricks_workspace_url,
)
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module

FilterModule = filter_module("databricks_workspace_url", databricks_workspace_url)
