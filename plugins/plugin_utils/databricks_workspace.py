# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a Databricks workspace answers: its URL from its deployment name (the filter databricks_workspace_url)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

URL_TEMPLATE = "https://%s.cloud.databricks.com"


def databricks_workspace_url(deployment_name, overrides=None):
    """The workspace URL for a deployment name: overrides[deployment_name] when given (for example a
    local emulator's listener), else https://<deployment_name>.cloud.databricks.com."""
    overrides = overrides or {}
    if overrides.get(deployment_name):
        return str(overrides[deployment_name]).rstrip("/")
    return URL_TEMPLATE % deployment_name
