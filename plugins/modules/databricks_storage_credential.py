#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_storage_credential
short_description: Manage a Unity Catalog storage credential (an AWS IAM role) of a Databricks metastore
version_added: 0.1.0
description:
  - Creates (C(POST /api/2.1/unity-catalog/storage-credentials)), updates (C(PATCH .../storage-credentials/<name>))
    or deletes a storage credential of the metastore assigned to the workspace, found by O(name).
  - Databricks gives the credential an external id (RV(storage_credential.aws_iam_role.external_id)); the role's
    trust must require it for Databricks' Unity Catalog principal and let the role assume itself, so the role is
    usually created first with a placeholder external id and its trust updated with the returned one.
  - The owner is set by an update after the creation (the create call does not take it).
  - Needs a metastore admin or the C(CREATE_STORAGE_CREDENTIAL) privilege on the metastore.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the storage credential, unique in the metastore.
    type: str
    required: true
  role_arn:
    description: ARN of the IAM role Unity Catalog assumes to reach the storage. Required when O(state=present).
    type: str
  comment:
    description: Free-text comment (not managed when omitted).
    type: str
  read_only:
    description: Whether the credential may only be used for read operations.
    type: bool
    default: false
  owner:
    description: The owning user, service principal (application id) or account group (not managed when omitted;
      Databricks makes the caller the owner).
    type: str
  skip_validation:
    description: Skip Databricks' validation of the role on creation and update.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), delete the credential even when external locations or tables depend on it.
      - With O(state=present), sent with an update, so Databricks accepts a new role for a credential external
        locations depend on.
    type: bool
    default: false
  state:
    description: Whether the storage credential should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Register the Unity Catalog role as a storage credential
  lakehouse.databricks_aws.databricks_storage_credential:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    name: lakehouse-dev-credential
    role_arn: arn:aws:iam::123456789012:role/lakehouse-dev-uc-storage-role
    owner: "{{ sp_application_id }}"
  register: credential

- name: Its external id, for the role's trust
  ansible.builtin.debug:
    msg: "{{ credential.storage_credential.aws_iam_role.external_id }}"
"""

RETURN = r"""
storage_credential:
  description:
    - The storage credential as Databricks holds it (null when absent). In check mode, as it would be (no id and
      no external id for a credential still to be created).
  returned: always
  type: dict
  contains:
    id:
      description: The credential's id.
      type: str
      sample: 6f1c7c1e-0c0e-4a43-9f0e-9b3c0d8a1c11
    name:
      description: The credential's name.
      type: str
      sample: lakehouse-dev-credential
    aws_iam_role:
      description: The IAM role and what its trust must name.
      type: dict
      contains:
        role_arn:
          description: The role Unity Catalog assumes.
          type: str
          sample: arn:aws:iam::123456789012:role/lakehouse-dev-uc-storage-role
        external_id:
          description: The external id the role's trust must require (C(sts:ExternalId)).
          type: str
          sample: 3b1c2d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d
        unity_catalog_iam_arn:
          description: Databricks' Unity Catalog principal the role's trust must allow.
          type: str
          sample: arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL
    read_only:
      description: Whether the credential is for read operations only.
      type: bool
      sample: false
    owner:
      description: The owner.
      type: str
      sample: 8f4e3d2c-1111-2222-3333-444455556666
    metastore_id:
      description: The metastore holding the credential.
      type: str
      sample: 11111111-2222-3333-4444-555555555555
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    Securable,
    SecurableSpec,
    ensure_absent,
    ensure_present,
)


def project(credential):
    return {"role_arn": (credential.get("aws_iam_role") or {}).get("role_arn"), "comment": credential.get("comment"),
            "read_only": bool(credential.get("read_only")), "owner": credential.get("owner")}


def to_api(fields):
    body = dict(fields)
    if "role_arn" in body:
        body["aws_iam_role"] = {"role_arn": body.pop("role_arn")}
    return body


def run(module):
    params = module.params
    credential = Securable(module, "storage-credentials", params["name"], "storage credential")
    if params["state"] == "absent":
        return ensure_absent(module, credential, params["force"], "storage_credential", project=project)
    desired = dict(role_arn=params["role_arn"], comment=params["comment"], read_only=params["read_only"],
                   owner=params["owner"])
    spec = SecurableSpec(desired, project, ("role_arn", "comment", "read_only"), to_api=to_api,
                         create_extra=dict(name=params["name"], skip_validation=params["skip_validation"] or None),
                         update_extra=dict(skip_validation=params["skip_validation"] or None,
                                           force=params["force"] or None))
    return ensure_present(module, credential, spec, "storage_credential")


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            role_arn=dict(type="str"),
            comment=dict(type="str"),
            read_only=dict(type="bool", default=False),
            owner=dict(type="str"),
            skip_validation=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
        required_if=[("state", "present", ("role_arn",))],
    ).run(run)


if __name__ == "__main__":
    main()
