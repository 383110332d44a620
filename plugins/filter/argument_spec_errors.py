# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter argument_spec_errors: the roles' argument specs over the variables a host sets.

Documented in argument_spec_errors.yml; the logic is in plugins/plugin_utils/role_variables.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.filter_plugin import filter_module
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.role_variables import argument_spec_errors

FilterModule = filter_module("argument_spec_errors", argument_spec_errors)
