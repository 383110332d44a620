#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_customer_managed_key
short_description: Manage a Databricks customer-managed key configuration (AWS KMS)
version_added: 0.1.0
description:
  - Registers an AWS KMS key with Databricks for workspace storage and/or managed services encryption.
  - Databricks key configurations have no name; the configuration is found by O(key_arn), so a re-run
    adopts the existing one. A key may be registered more than once with use cases that do not overlap
    (C([STORAGE]) and C([MANAGED_SERVICES]), attached to a workspace separately). The module manages the
    configuration of the key whose use cases overlap O(use_cases), and leaves the others alone.
  - Databricks cannot change a key configuration; when O(use_cases) or O(key_alias) differ it is deleted
    and created again, unless a workspace uses it, in which case the module fails with a clear message.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  key_arn:
    description: ARN of the KMS key. Its key policy must let Databricks use the key.
    type: str
    required: true
  key_alias:
    description: Alias of the key (C(alias/...)), recorded by Databricks.
    type: str
  use_cases:
    description: What Databricks may use the key for. Required when O(state=present).
    type: list
    elements: str
    choices: [STORAGE, MANAGED_SERVICES]
  reuse_key_for_cluster_volumes:
    description: For O(use_cases=[STORAGE]), whether the key also encrypts cluster EBS volumes.
    type: bool
  state:
    description: Whether the key configuration should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the data lake key for workspace storage
  lakehouse.databricks_aws.databricks_account_customer_managed_key:
    key_arn: "{{ storage_encryption_outputs.datalake_key_arn }}"
    use_cases: [STORAGE]
  register: storage_key
"""

RETURN = r"""
customer_managed_key_id:
  description: ID of the key configuration; null in check mode before it exists.
  returned: always
  type: str
  sample: 9a8b7c6d-1111-2222-3333-444455556666
customer_managed_key:
  description: The key configuration as Databricks returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    customer_managed_key_id: 9a8b7c6d-1111-2222-3333-444455556666
    aws_key_info:
      key_arn: arn:aws:kms:eu-west-1:123456789012:key/11112222-3333-4444-5555-666677778888
      key_region: eu-west-1
    use_cases: [STORAGE]
replaced:
  description: Whether an existing configuration with another spec was deleted and created again.
  returned: when state=present and the configuration was created
  type: bool
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    AccountObjectSpec,
    ImmutableAccountObject,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

SPEC = AccountObjectSpec(noun="customer-managed key configuration", path="/customer-managed-keys",
                         id_field="customer_managed_key_id", result_key="customer_managed_key",
                         usage_fields=("storage_customer_managed_key_id", "managed_services_customer_managed_key_id"),
                         unordered=("use_cases",))


def comparable(obj):
    info = obj.get("aws_key_info") or {}
    return {"key_arn": info.get("key_arn"), "key_alias": info.get("key_alias"),
            "use_cases": obj.get("use_cases") or [],
            "reuse_key_for_cluster_volumes": info.get("reuse_key_for_cluster_volumes")}


def key_configuration(key_arn, use_cases):
    """Is obj the configuration to manage: this key, and use cases overlapping the wanted ones (any, when none given).

    A configuration of the same key whose use cases share none with these is another registration of it
    (STORAGE and MANAGED_SERVICES registered apart), left alone.
    """
    wanted = set(use_cases or [])

    def match(obj):
        if (obj.get("aws_key_info") or {}).get("key_arn") != key_arn:
            return False
        return not wanted or bool(wanted & set(obj.get("use_cases") or []))

    return match


def run(module):
    params = module.params
    key_info = {"key_arn": params["key_arn"]}
    for option in ("key_alias", "reuse_key_for_cluster_volumes"):
        if params[option] is not None:
            key_info[option] = params[option]
    return ImmutableAccountObject(
        module, SPEC,
        match=key_configuration(params["key_arn"], params["use_cases"]),
        comparable=comparable,
        desired={"key_arn": params["key_arn"], "key_alias": params["key_alias"], "use_cases": params["use_cases"],
                 "reuse_key_for_cluster_volumes": params["reuse_key_for_cluster_volumes"]},
        body={"aws_key_info": key_info, "use_cases": params["use_cases"]},
        label="customer-managed key %s" % params["key_arn"],
        required=["use_cases"],
    ).run(params["state"])


def main():
    DatabricksModule(
        argument_spec=dict(
            key_arn=dict(type="str", required=True, no_log=False),
            key_alias=dict(type="str", no_log=False),
            use_cases=dict(type="list", elements="str", choices=["STORAGE", "MANAGED_SERVICES"]),
            reuse_key_for_cluster_volumes=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
