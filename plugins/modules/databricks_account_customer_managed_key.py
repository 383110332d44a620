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
    description:
      - ARN of the KMS key. Its key policy must let Databricks use the key.
      - Required unless O(configurations) is given.
    type: str
  configurations:
    description:
      - Several key configurations, converged in one run instead of a loop of tasks; the account's key configurations
        are listed once for all of them, and they are created or replaced side by side.
      - An option an entry does not set is the module's (O(key_alias), O(use_cases), O(reuse_key_for_cluster_volumes));
        O(state) applies to every one. A key may be listed once per use case (C([STORAGE]) and
        C([MANAGED_SERVICES]) apart); two entries of one key whose use cases overlap fail before any call.
        Mutually exclusive with O(key_arn).
    type: list
    elements: dict
    suboptions:
      key_arn:
        description: ARN of the KMS key.
        type: str
        required: true
      name:
        description:
          - A name for the entry, returned with its result (Databricks key configurations have none), for example
            the key's use in the deployment.
        type: str
      key_alias:
        description: As O(key_alias).
        type: str
      use_cases:
        description: As O(use_cases).
        type: list
        elements: str
        choices: [STORAGE, MANAGED_SERVICES]
      reuse_key_for_cluster_volumes:
        description: As O(reuse_key_for_cluster_volumes).
        type: bool
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

- name: The workspace's storage key and managed-services key, in one run
  lakehouse.databricks_aws.databricks_account_customer_managed_key:
    configurations:
      - name: storage
        key_arn: "{{ storage_encryption_outputs.datalake_key_arn }}"
        use_cases: [STORAGE]
      - name: managed_services
        key_arn: "{{ storage_encryption_outputs.managed_services_key_arn }}"
        use_cases: [MANAGED_SERVICES]
  register: workspace_keys

- name: Their IDs by name
  ansible.builtin.debug:
    msg: "{{ workspace_keys.configurations | items2dict(key_name='name', value_name='customer_managed_key_id') }}"
"""

RETURN = r"""
customer_managed_key_id:
  description: ID of the key configuration; null in check mode before it exists.
  returned: with O(key_arn)
  type: str
  sample: 9a8b7c6d-1111-2222-3333-444455556666
customer_managed_key:
  description: The key configuration as Databricks returns it (null when absent or not yet created).
  returned: with O(key_arn)
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
configurations:
  description: One entry per key configuration of O(configurations), in the order given, each with its C(key_arn), its
    C(use_cases) (the entry's, else the module's), its C(name) when it has one, C(changed), C(customer_managed_key_id),
    C(customer_managed_key) and C(replaced) as above.
  returned: with O(configurations)
  type: list
  elements: dict
  sample:
    - key_arn: arn:aws:kms:eu-west-1:123456789012:key/11112222-3333-4444-5555-666677778888
      use_cases: [STORAGE]
      name: storage
      changed: false
      customer_managed_key_id: 9a8b7c6d-1111-2222-3333-444455556666
      customer_managed_key:
        customer_managed_key_id: 9a8b7c6d-1111-2222-3333-444455556666
        aws_key_info:
          key_arn: arn:aws:kms:eu-west-1:123456789012:key/11112222-3333-4444-5555-666677778888
          key_region: eu-west-1
        use_cases: [STORAGE]
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


def converge(module):
    params = module.params
    key_info = {"key_arn": params["key_arn"]}
    for option in ("key_alias", "reuse_key_for_cluster_volumes"):
        if params[option] is not None:
            key_info[option] = params[option]
    result = ImmutableAccountObject(
        module, SPEC,
        match=key_configuration(params["key_arn"], params["use_cases"]),
        comparable=comparable,
        desired={"key_arn": params["key_arn"], "key_alias": params["key_alias"], "use_cases": params["use_cases"],
                 "reuse_key_for_cluster_volumes": params["reuse_key_for_cluster_volumes"]},
        body={"aws_key_info": key_info, "use_cases": params["use_cases"]},
        label="customer-managed key %s" % params["key_arn"],
        required=["use_cases"],
    ).run(params["state"])
    if params.get("name"):  # an entry of configurations
        result["name"] = params["name"]
    return result


def refuse_overlaps(module, entries):
    """Fail when two entries of one key would manage the same configuration: their use cases overlap (no use cases
    matches any configuration of the key)."""
    for index, entry in enumerate(entries):
        for other in entries[index + 1:]:
            if entry["key_arn"] != other["key_arn"]:
                continue
            shared = set(entry["use_cases"] or ()) & set(other["use_cases"] or ())
            if shared or not entry["use_cases"] or not other["use_cases"]:
                module.fail("configurations: %s is listed twice for the same configuration (use cases %s and %s); "
                            "list a key once per use case" % (entry["key_arn"], entry["use_cases"], other["use_cases"]),
                            error_code="INVALID_PARAMETER")


def run(module):
    params = module.params
    if params["configurations"] is None:
        return converge(module)
    # An entry's use cases are its own, else the module's: they tell its configuration apart, so they name it.
    entries = [dict(entry, use_cases=sorted(entry["use_cases"] or params["use_cases"] or []))
               for entry in params["configurations"]]
    refuse_overlaps(module, entries)
    return module.run_each(converge, entries, "configurations", identity=("key_arn", "use_cases"))


def per_key_options():
    """The options an entry of configurations may set as well as the module (unset there, the module's hold)."""
    return dict(
        key_alias=dict(type="str", no_log=False),
        use_cases=dict(type="list", elements="str", choices=["STORAGE", "MANAGED_SERVICES"]),
        reuse_key_for_cluster_volumes=dict(type="bool"),
    )


def main():
    DatabricksModule(
        argument_spec=dict(
            key_arn=dict(type="str", no_log=False),
            configurations=dict(
                type="list", elements="dict", no_log=False,
                options=dict(key_arn=dict(type="str", required=True, no_log=False), name=dict(type="str"),
                             **per_key_options()),
            ),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **per_key_options()
        ),
        api="account",
        required_one_of=[("key_arn", "configurations")],
        mutually_exclusive=[("key_arn", "configurations")],
    ).run(run)


if __name__ == "__main__":
    main()
