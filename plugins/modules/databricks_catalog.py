#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_catalog
short_description: Manage a Unity Catalog catalog
version_added: 0.1.0
description:
  - Creates (C(POST /api/2.1/unity-catalog/catalogs)), updates (C(PATCH .../catalogs/<name>)) or deletes a catalog
    of the metastore assigned to the workspace, found by O(name).
  - O(storage_root), the catalog's managed location, is set on creation only; it must lie under an external
    location the caller may use. A different storage root of an existing catalog fails the module; a trailing
    slash does not count as a difference.
  - O(isolation_mode) and O(owner) are set by an update after the creation, as the API takes them. An
    C(ISOLATED) catalog is reachable only from the workspaces bound to it
    (M(lakehouse.databricks_aws.databricks_workspace_binding)); Databricks binds the workspace that isolates it.
  - Needs a metastore admin or the C(CREATE_CATALOG) privilege on the metastore.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the catalog, unique in the metastore.
    type: str
    required: true
  storage_root:
    description: The managed location of the catalog's tables and volumes, for example V(s3://lakehouse-dev-catalog/).
      Not managed when omitted (the metastore's storage root is used on creation).
    type: str
  comment:
    description: Free-text comment (not managed when omitted).
    type: str
  properties:
    description: Key-value properties of the catalog; the whole set (not managed when omitted).
    type: dict
  owner:
    description: The owning user, service principal (application id) or account group (not managed when omitted;
      Databricks makes the caller the owner).
    type: str
  isolation_mode:
    description: V(ISOLATED) limits the catalog to the workspaces bound to it; V(OPEN) lets every workspace of the
      metastore reach it (not managed when omitted).
    type: str
    choices: [OPEN, ISOLATED]
  force:
    description: With O(state=absent), delete the catalog with its schemas, tables and volumes.
    type: bool
    default: false
  state:
    description: Whether the catalog should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: The deployment's catalog on its own bucket, isolated to this workspace
  lakehouse.databricks_aws.databricks_catalog:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    name: lakehouse_dev
    storage_root: s3://lakehouse-dev-catalog/
    isolation_mode: ISOLATED
    comment: Managed by Ansible
"""

RETURN = r"""
catalog:
  description: The catalog as Databricks holds it (null when absent). In check mode, as it would be.
  returned: always
  type: dict
  sample:
    name: lakehouse_dev
    full_name: lakehouse_dev
    storage_root: s3://lakehouse-dev-catalog/
    storage_location: s3://lakehouse-dev-catalog/__unitystorage/catalogs/1b2c3d4e
    isolation_mode: ISOLATED
    owner: 8f4e3d2c-1111-2222-3333-444455556666
    metastore_id: 11111111-2222-3333-4444-555555555555
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    Securable,
    SecurableSpec,
    ensure_absent,
    ensure_present,
    strip_slash,
)


def project(catalog):
    return {"storage_root": strip_slash(catalog.get("storage_root")), "comment": catalog.get("comment"),
            "properties": catalog.get("properties") or {}, "owner": catalog.get("owner"),
            "isolation_mode": catalog.get("isolation_mode") or "OPEN"}


def run(module):
    params = module.params
    catalog = Securable(module, "catalogs", params["name"], "catalog")
    if params["state"] == "absent":
        return ensure_absent(module, catalog, params["force"], "catalog", project=project)
    properties = params["properties"]
    desired = dict(storage_root=strip_slash(params["storage_root"]), comment=params["comment"],
                   properties=dict((k, str(v)) for k, v in properties.items()) if properties is not None else None,
                   isolation_mode=params["isolation_mode"], owner=params["owner"])
    spec = SecurableSpec(desired, project, ("storage_root", "comment", "properties"), create_only=("storage_root",),
                         to_api=lambda fields: dict(fields, storage_root=params["storage_root"])
                         if "storage_root" in fields else fields,
                         create_extra=dict(name=params["name"]))
    return ensure_present(module, catalog, spec, "catalog")


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            storage_root=dict(type="str"),
            comment=dict(type="str"),
            properties=dict(type="dict"),
            owner=dict(type="str"),
            isolation_mode=dict(type="str", choices=["OPEN", "ISOLATED"]),
            force=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
