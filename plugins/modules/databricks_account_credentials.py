#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_credentials
short_description: Manage a Databricks credential configuration (cross-account IAM role)
version_added: 0.1.0
description:
  - Registers the cross-account IAM role that Databricks assumes to run compute in the AWS account.
  - The configuration is found by O(name), so a re-run adopts the existing one.
  - Databricks cannot change a credential configuration; when O(role_arn) differs it is deleted
    and created again, unless a workspace uses it, in which case the module fails with a clear message.
  - Right after the IAM role is created, Databricks rejects it with
    C(MALFORMED_REQUEST Failed credential validation checks) until IAM has propagated; the module retries
    that error with jittered backoff for up to O(propagation_timeout) seconds.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the credential configuration (C(credentials_name)).
    type: str
    required: true
  role_arn:
    description:
      - ARN of the cross-account IAM role. Its trust policy must allow Databricks' AWS account with
        C(sts:ExternalId) set to the Databricks account ID.
      - Required when O(state=present).
    type: str
  propagation_timeout:
    description: Seconds to keep retrying the IAM-propagation validation error on creation.
    type: int
    default: 120
  state:
    description: Whether the credential configuration should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the cross-account role with Databricks
  lakehouse.databricks_aws.databricks_account_credentials:
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    name: prod-credentials
    role_arn: arn:aws:iam::123456789012:role/prod-cross-account-role
  register: credentials

- name: Remove it (fails while a workspace uses it)
  lakehouse.databricks_aws.databricks_account_credentials:
    name: prod-credentials
    state: absent
"""

RETURN = r"""
credentials_id:
  description: ID of the credential configuration; null in check mode before it exists.
  returned: always
  type: str
  sample: 0c7a5a1e-1111-2222-3333-444455556666
credentials:
  description: The credential configuration as Databricks returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    credentials_id: 0c7a5a1e-1111-2222-3333-444455556666
    credentials_name: prod-credentials
    aws_credentials:
      sts_role:
        role_arn: arn:aws:iam::123456789012:role/prod-cross-account-role
        external_id: 7f0f3c9e-aaaa-bbbb-cccc-ddddeeeeffff
    creation_time: 1700000000000
replaced:
  description: Whether an existing configuration with another role was deleted and created again.
  returned: when state=present and the configuration was created
  type: bool
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    AccountObjectSpec,
    ImmutableAccountObject,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    has_error_code,
    message_contains,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

SPEC = AccountObjectSpec(noun="credential configuration", path="/credentials", id_field="credentials_id",
                         result_key="credentials", usage_fields=("credentials_id",))


def is_iam_propagation_error(exc):
    """Databricks' answer while a new IAM role has not propagated yet."""
    return has_error_code(exc, "MALFORMED_REQUEST", "INVALID_PARAMETER_VALUE") and \
        message_contains(exc, "Failed credential validation checks")


def comparable(obj):
    return {"role_arn": ((obj.get("aws_credentials") or {}).get("sts_role") or {}).get("role_arn")}


def run(module):
    name = module.params["name"]
    return ImmutableAccountObject(
        module, SPEC,
        match=lambda obj: obj.get("credentials_name") == name,
        comparable=comparable,
        desired={"role_arn": module.params["role_arn"]},
        body={"credentials_name": name, "aws_credentials": {"sts_role": {"role_arn": module.params["role_arn"]}}},
        label="credential configuration %s" % name,
        required=["role_arn"],
        create_call_kwargs=dict(retry_if=is_iam_propagation_error,
                                retry_timeout=max(module.params["propagation_timeout"],
                                                  module.params["retry_timeout"])),
    ).run(module.params["state"])


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            role_arn=dict(type="str"),
            propagation_timeout=dict(type="int", default=120),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
