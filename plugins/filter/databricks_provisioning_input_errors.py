# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter databricks_provisioning_input_errors (documented in databricks_provisioning_input_errors.yml): the
databricks_provisioning role's preflight, whose rules are in plugins/module_utils/_validation.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._validation import (
    provisioning_input_errors,
)


def databricks_provisioning_input_errors(inputs):
    return provisioning_input_errors(dict(inputs or {}))


class FilterModule(object):
    def filters(self):
        return {"databricks_provisioning_input_errors": databricks_provisioning_input_errors}
