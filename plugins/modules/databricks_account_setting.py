#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_setting
short_description: Set one setting of the settings API of a Databricks account
version_added: 0.1.0
description:
  - Reads one setting of the account's settings API
    (C(GET /api/2.0/accounts/<account_id>/settings/types/<setting>/names/default)) with its etag and, when its
    value differs, updates it with that etag (C(PATCH), C(allow_missing=true), C(field_mask=<setting>.<field>)),
    for example V(disable_legacy_features).
  - An account setting applies to the whole account. V(disable_legacy_features), for example, takes effect on
    every workspace created afterwards in the account, not only one deployment's.
  - Databricks refuses an update whose etag is no longer current with C(409 RESOURCE_CONFLICT) naming the
    current etag; the module retries once with it, so a concurrent change is overwritten with the wanted value.
  - Needs an account admin. A setting the account does not know fails the module before anything is changed.
  - For the settings of a workspace, see M(lakehouse.databricks_aws.databricks_workspace_setting).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  setting:
    description: The setting type, as in the API path, for example V(disable_legacy_features).
    type: str
    required: true
  value:
    description:
      - The wanted value of O(field). For a boolean setting, V(true)/V(false) (strings such as V("yes") are
        converted).
    type: raw
    required: true
  field:
    description:
      - The member of the setting's message that holds the value (V(value) for boolean settings), under the member
        named after the setting; the update's field mask is C(<setting>.<field>).
      - A dotted path (V(namespace.value) for the setting V(default_namespace_ws)) is the value's path from the
        message's root and is the field mask as it is.
    type: str
    default: value
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Disable legacy features for the account's new workspaces
  lakehouse.databricks_aws.databricks_account_setting:
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    setting: disable_legacy_features
    value: true
"""

RETURN = r"""
setting:
  description: The setting type managed.
  returned: always
  type: str
  sample: disable_legacy_features
value:
  description:
    - The value the account holds after the run (a boolean left unset reads as false). In check mode, as it
      would be.
  returned: always
  type: raw
  sample: true
etag:
  description: The setting's etag after the run (before it, in check mode).
  returned: always
  type: str
  sample: MTo2ZDNhYmU0Zg==
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_settings import (
    run_setting,
    settings_argument_spec,
)


def run(module):
    return run_setting(module, module.account_path())


def main():
    DatabricksModule(argument_spec=settings_argument_spec(), api="account").run(run)


if __name__ == "__main__":
    main()
