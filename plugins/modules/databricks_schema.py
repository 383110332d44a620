#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_schema
short_description: Manage a Unity Catalog schema
version_added: 0.1.0
description:
  - Creates (C(POST /api/2.1/unity-catalog/schemas)), updates (C(PATCH .../schemas/<catalog>.<name>)) or deletes a
    schema of a catalog, found by its full name C(<catalog_name>.<name>).
  - O(storage_root) is set on creation only; a different storage root of an existing schema fails the module.
    The owner is set by an update after the creation.
  - Needs the C(USE_CATALOG) and C(CREATE_SCHEMA) privileges on the catalog (or its ownership).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  catalog_name:
    description: Name of the catalog holding the schema.
    type: str
    required: true
  name:
    description:
      - Name of the schema in the catalog.
      - Required unless O(schemas) is given.
    type: str
  schemas:
    description:
      - Several schemas of the catalog, converged in one run instead of a loop of tasks; they are read and changed
        side by side (up to 8 requests in flight).
      - An option an entry does not set is the module's (O(comment), O(properties), O(storage_root),
        O(owner)); O(force) and O(state) apply to every one. Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the schema in the catalog.
        type: str
        required: true
      comment:
        description: As O(comment).
        type: str
      properties:
        description: As O(properties).
        type: dict
      storage_root:
        description: As O(storage_root).
        type: str
      owner:
        description: As O(owner).
        type: str
  comment:
    description: Free-text comment (not managed when omitted).
    type: str
  properties:
    description: Key-value properties of the schema; the whole set (not managed when omitted).
    type: dict
  storage_root:
    description: Managed location of the schema's tables (not managed when omitted; the catalog's is used then).
    type: str
  owner:
    description: The owning user, service principal (application id) or account group (not managed when omitted;
      Databricks makes the caller the owner).
    type: str
  force:
    description: With O(state=absent), delete the schema with its tables and volumes.
    type: bool
    default: false
  state:
    description: Whether the schema should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: One schema per data layer
  lakehouse.databricks_aws.databricks_schema:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    catalog_name: lakehouse_dev
    name: "{{ item }}"
  loop: [raw, prepared, trusted]

- name: The same in one task
  lakehouse.databricks_aws.databricks_schema:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    catalog_name: lakehouse_dev
    schemas:
      - name: raw
        comment: Raw data as it arrives
      - name: prepared
      - name: trusted
"""

RETURN = r"""
schema:
  description: The schema as Databricks holds it (null when absent). In check mode, as it would be.
  returned: with O(name)
  type: dict
  sample:
    name: raw
    catalog_name: lakehouse_dev
    full_name: lakehouse_dev.raw
    owner: 8f4e3d2c-1111-2222-3333-444455556666
    metastore_id: 11111111-2222-3333-4444-555555555555
schemas:
  description: One entry per schema of O(schemas), in the order given, each with its C(name), C(changed) and
    C(schema) as above.
  returned: with O(schemas)
  type: list
  elements: dict
  sample:
    - name: raw
      changed: false
      schema: {name: raw, catalog_name: lakehouse_dev, full_name: lakehouse_dev.raw}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    Securable,
    SecurableSpec,
    ensure_absent,
    ensure_present,
    strip_slash,
)


def project(schema):
    return {"storage_root": strip_slash(schema.get("storage_root")), "comment": schema.get("comment"),
            "properties": schema.get("properties") or {}, "owner": schema.get("owner")}


def converge(module):
    """One schema (module.params) as wanted."""
    params = module.params
    full_name = "%s.%s" % (params["catalog_name"], params["name"])
    schema = Securable(module, "schemas", full_name, "schema")
    if params["state"] == "absent":
        return ensure_absent(module, schema, params["force"], "schema", project=project)
    properties = params["properties"]
    desired = dict(storage_root=strip_slash(params["storage_root"]), comment=params["comment"],
                   properties=dict((k, str(v)) for k, v in properties.items()) if properties is not None else None,
                   owner=params["owner"])
    spec = SecurableSpec(desired, project, ("storage_root", "comment", "properties"), create_only=("storage_root",),
                         to_api=lambda fields: dict(fields, storage_root=params["storage_root"])
                         if "storage_root" in fields else fields,
                         create_extra=dict(name=params["name"], catalog_name=params["catalog_name"]))
    result = ensure_present(module, schema, spec, "schema")
    if module.check_mode and result["schema"] is not None:
        result["schema"].update(name=params["name"], catalog_name=params["catalog_name"], full_name=full_name)
    return result


def run(module):
    if module.params["schemas"] is None:
        return converge(module)
    return module.run_each(converge, module.params["schemas"], "schemas", identity=("name",))


def per_schema_options():
    """The options an entry of schemas may set as well as the module (unset there, the module's hold)."""
    return dict(comment=dict(type="str"), properties=dict(type="dict"), storage_root=dict(type="str"),
                owner=dict(type="str"))


def main():
    DatabricksModule(
        argument_spec=dict(
            catalog_name=dict(type="str", required=True),
            name=dict(type="str"),
            schemas=dict(type="list", elements="dict",
                         options=dict(name=dict(type="str", required=True), **per_schema_options())),
            force=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **per_schema_options()
        ),
        api="workspace",
        required_one_of=[("name", "schemas")],
        mutually_exclusive=[("name", "schemas")],
    ).run(run)


if __name__ == "__main__":
    main()
