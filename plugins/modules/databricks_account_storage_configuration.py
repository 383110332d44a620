#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_storage_configuration
short_description: Manage a Databricks storage configuration (workspace root bucket)
version_added: 0.1.0
description:
  - Registers the S3 bucket that holds a workspace's root storage (DBFS root).
  - The configuration is found by O(name), so a re-run adopts the existing one.
  - Databricks cannot change a storage configuration; when O(bucket_name) or O(role_arn) differ it is
    deleted and created again, unless a workspace uses it, in which case the module fails with a clear message.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description:
      - Name of the storage configuration (C(storage_configuration_name)).
      - Required unless O(configurations) is given.
    type: str
  configurations:
    description:
      - Several storage configurations, converged in one run instead of a loop of tasks; the account's storage
        configurations are listed once for all of them, and they are created or replaced side by side.
      - An option an entry does not set is the module's (O(bucket_name), O(role_arn)); O(state) applies to every
        one. Each name once. Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the storage configuration.
        type: str
        required: true
      bucket_name:
        description: As O(bucket_name).
        type: str
      role_arn:
        description: As O(role_arn).
        type: str
  bucket_name:
    description:
      - Name of the root S3 bucket. It must be in the workspace region and its bucket policy must let
        Databricks read and write it. Required when O(state=present).
    type: str
  role_arn:
    description: Optional IAM role for Unity Catalog access to the root bucket.
    type: str
  state:
    description: Whether the storage configuration should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the root bucket
  lakehouse.databricks_aws.databricks_account_storage_configuration:
    name: prod-storage
    bucket_name: prod-rootbucket
  register: storage

- name: Storage configurations of the two log buckets, in one run
  lakehouse.databricks_aws.databricks_account_storage_configuration:
    configurations:
      - {name: prod-log-delivery-storage, bucket_name: prod-databricks-logging}
      - {name: prod-audit-log-storage, bucket_name: prod-audit-logs}
  register: log_storages
"""

RETURN = r"""
storage_configuration_id:
  description: ID of the storage configuration; null in check mode before it exists.
  returned: with O(name)
  type: str
  sample: 6f1e2d3c-1111-2222-3333-444455556666
storage_configuration:
  description: The storage configuration as Databricks returns it (null when absent or not yet created).
  returned: with O(name)
  type: dict
  sample:
    storage_configuration_id: 6f1e2d3c-1111-2222-3333-444455556666
    storage_configuration_name: prod-storage
    root_bucket_info:
      bucket_name: prod-rootbucket
replaced:
  description: Whether an existing configuration with another spec was deleted and created again.
  returned: when state=present and the configuration was created
  type: bool
configurations:
  description: One entry per storage configuration of O(configurations), in the order given, each with its
    C(name), C(changed), C(storage_configuration_id), C(storage_configuration) and C(replaced) as above.
  returned: with O(configurations)
  type: list
  elements: dict
  sample:
    - name: prod-log-delivery-storage
      changed: false
      storage_configuration_id: 6f1e2d3c-1111-2222-3333-444455556666
      storage_configuration:
        storage_configuration_id: 6f1e2d3c-1111-2222-3333-444455556666
        storage_configuration_name: prod-log-delivery-storage
        root_bucket_info: {bucket_name: prod-databricks-logging}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    AccountObjectSpec,
    ImmutableAccountObject,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

SPEC = AccountObjectSpec(noun="storage configuration", path="/storage-configurations",
                         id_field="storage_configuration_id", result_key="storage_configuration",
                         usage_fields=("storage_configuration_id",))


def comparable(obj):
    return {"bucket_name": (obj.get("root_bucket_info") or {}).get("bucket_name"), "role_arn": obj.get("role_arn")}


def converge(module):
    params = module.params
    body = {"storage_configuration_name": params["name"], "root_bucket_info": {"bucket_name": params["bucket_name"]}}
    if params["role_arn"]:
        body["role_arn"] = params["role_arn"]
    return ImmutableAccountObject(
        module, SPEC,
        match=lambda obj: obj.get("storage_configuration_name") == params["name"],
        comparable=comparable,
        desired={"bucket_name": params["bucket_name"], "role_arn": params["role_arn"]},
        body=body,
        label="storage configuration %s" % params["name"],
        required=["bucket_name"],
    ).run(params["state"])


def run(module):
    if module.params["configurations"] is None:
        return converge(module)
    return module.run_each(converge, module.params["configurations"], "configurations", identity=("name",))


def per_configuration_options():
    """The options an entry of configurations may set as well as the module (unset there, the module's hold)."""
    return dict(bucket_name=dict(type="str"), role_arn=dict(type="str"))


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str"),
            configurations=dict(type="list", elements="dict",
                                options=dict(name=dict(type="str", required=True), **per_configuration_options())),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **per_configuration_options()
        ),
        api="account",
        required_one_of=[("name", "configurations")],
        mutually_exclusive=[("name", "configurations")],
    ).run(run)


if __name__ == "__main__":
    main()
