#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_grants
short_description: Manage the Unity Catalog privileges granted on a securable
version_added: 0.1.0
description:
  - Reads the direct grants of a securable (C(GET /api/2.1/unity-catalog/permissions/<securable_type>/<full_name>))
    and sends every change in one C(PATCH) of the same path (a list of C(principal), C(add), C(remove)), as the
    Terraform provider's C(databricks_grants) does.
  - With O(exclusive=true) (the default) the grants converge exactly to O(grants) - privileges and principals
    not listed are revoked, so a grant added by hand is reported (C(--check --diff)) and removed; with
    O(exclusive=false) the listed privileges are only added. With O(state=absent) the listed privileges of the
    listed principals are revoked and nothing else changes.
  - Privileges are the API's names (V(USE_CATALOG), V(USE_SCHEMA), V(SELECT), V(READ_FILES), V(WRITE_FILES),
    V(MODIFY), V(CREATE_TABLE), V(ALL_PRIVILEGES), ...); a space or a hyphen between words and lower case are
    accepted (V(USE CATALOG)), as Unity Catalog itself accepts them. An unknown name fails the module before any
    change.
  - Principals are account-level users (user name), service principals (application id) or account groups
    (display name); Unity Catalog refuses workspace-local groups.
  - Needs the securable's ownership, C(MANAGE) on it, or a metastore admin.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  securable_type:
    description:
      - The kind of securable, as in the API path.
      - Required unless O(securables) is given.
    type: str
    choices: [metastore, catalog, schema, external_location, storage_credential, table, volume]
  full_name:
    description:
      - The securable's full name (V(<catalog>.<schema>) for a schema, V(<catalog>.<schema>.<table>) for a table or
        volume, the metastore id for the metastore, the name otherwise).
      - Required with O(securable_type).
    type: str
  grants:
    description: The wanted grants. A principal listed twice gets both lists of privileges.
    type: list
    elements: dict
    default: []
    suboptions:
      principal:
        description: User name, service principal application id or account group name.
        type: str
        required: true
      privileges:
        description: Privileges of the principal on the securable.
        type: list
        elements: str
        required: true
  exclusive:
    description:
      - Whether O(grants) is the whole set (V(true), others are revoked) or only added (V(false)).
      - Not used with O(state=absent).
    type: bool
    default: true
  securables:
    description:
      - The grants of several securables, converged in one run instead of a loop of tasks. The grants of all of
        them are read side by side (up to 8 requests in flight), and each securable's changes are one C(PATCH).
      - An unknown privilege on any of them fails the module before any change.
      - O(state) applies to every one of them. Mutually exclusive with O(securable_type) and O(full_name).
    type: list
    elements: dict
    suboptions:
      securable_type:
        description: As O(securable_type).
        type: str
        required: true
        choices: [metastore, catalog, schema, external_location, storage_credential, table, volume]
      full_name:
        description: As O(full_name).
        type: str
        required: true
      grants:
        description: As O(grants).
        type: list
        elements: dict
        default: []
        suboptions:
          principal:
            description: User name, service principal application id or account group name.
            type: str
            required: true
          privileges:
            description: Privileges of the principal on the securable.
            type: list
            elements: str
            required: true
      exclusive:
        description: As O(exclusive).
        type: bool
        default: true
  state:
    description: Whether the listed grants should be held (V(present)) or revoked (V(absent)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Read-only and read-write access to the deployment's catalog
  lakehouse.databricks_aws.databricks_grants:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    securable_type: catalog
    full_name: lakehouse_dev
    grants:
      - principal: Read only
        privileges: [USE CATALOG, USE SCHEMA, SELECT]
      - principal: All access
        privileges: [USE_CATALOG, USE_SCHEMA, SELECT, MODIFY, CREATE_TABLE]

- name: The grants of the catalog and its schemas, in one task
  lakehouse.databricks_aws.databricks_grants:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    securables:
      - securable_type: catalog
        full_name: lakehouse_dev
        grants:
          - principal: Read only
            privileges: [USE_CATALOG]
      - securable_type: schema
        full_name: lakehouse_dev.bronze
        grants:
          - principal: Read only
            privileges: [USE_SCHEMA, SELECT]
"""

RETURN = r"""
grants:
  description:
    - The direct grants after the run, C(principal -> [privileges]) with the privileges sorted. In check mode, as
      they would be.
  returned: with O(securable_type)
  type: dict
  sample: {"Read only": [SELECT, USE_CATALOG, USE_SCHEMA]}
changes:
  description: The changes made (in check mode, that would be made), one per principal, sorted by principal.
  returned: with O(securable_type)
  type: list
  elements: dict
  sample:
    - {principal: Read only, add: [SELECT], remove: []}
    - {principal: someone@example.com, add: [], remove: [MODIFY]}
securables:
  description:
    - One entry per securable of O(securables), in the order given, each with its C(securable_type),
      C(full_name), C(changed), C(grants) and C(changes) as above.
  returned: with O(securables)
  type: list
  elements: dict
  sample:
    - securable_type: catalog
      full_name: lakehouse_dev
      changed: true
      grants: {"Read only": [USE_CATALOG]}
      changes: [{principal: Read only, add: [USE_CATALOG], remove: []}]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_unity_catalog import (
    assignments_to_grants,
    grant_changes,
    paged,
    permissions_path,
    revoke_changes,
    wanted_grants,
)

SECURABLE_TYPES = ["metastore", "catalog", "schema", "external_location", "storage_credential", "table", "volume"]
GRANT_OPTIONS = dict(
    principal=dict(type="str", required=True),
    privileges=dict(type="list", elements="str", required=True),
)


def describe(params):
    return "%s %s" % (params["securable_type"].replace("_", " "), params["full_name"])


def wanted_or_fail(module, params):
    """{principal: privileges} of params' grants; an unknown privilege fails the module."""
    wanted, unknown = wanted_grants(params["grants"])
    if unknown:
        module.fail("grants: unknown privileges %s on %s (the API's names are like USE_CATALOG, SELECT, READ_FILES)"
                    % (", ".join(sorted(set(unknown))), describe(params)), error_code="INVALID_PARAMETER_VALUE")
    return wanted


def converge(module):
    """The grants of one securable (module.params) to what is wanted: read, compare, one PATCH, re-read."""
    params = module.params
    what = describe(params)
    wanted = wanted_or_fail(module, params)
    path = permissions_path(params["securable_type"], params["full_name"])
    current = assignments_to_grants(paged(module, path, "privilege_assignments", "read the grants on %s" % what))
    if params["state"] == "absent":
        changes, after = revoke_changes(current, wanted)
    else:
        changes, after = grant_changes(current, wanted, exclusive=params["exclusive"])
    diff = {"before": {"grants": current}, "after": {"grants": after}}
    if not changes:
        return module.result(changed=False, diff=diff, grants=current, changes=[])
    if not module.check_mode:
        body = {"changes": [dict((k, v) for k, v in change.items() if v) for change in changes]}
        module.request("PATCH", path, body=body, action="update the grants on %s" % what)
        after = assignments_to_grants(paged(module, path, "privilege_assignments", "read the grants on %s" % what))
    return module.result(changed=True, diff=diff, grants=after, changes=changes)


def run(module):
    securables = module.params["securables"]
    if securables is None:
        return converge(module)
    for securable in securables:  # every securable's privileges are checked before any is read or changed
        wanted_or_fail(module, securable)
    return module.run_each(converge, securables, "securables", identity=("securable_type", "full_name"))


def main():
    DatabricksModule(
        argument_spec=dict(
            securable_type=dict(type="str", choices=SECURABLE_TYPES),
            full_name=dict(type="str"),
            grants=dict(type="list", elements="dict", default=[], options=GRANT_OPTIONS),
            exclusive=dict(type="bool", default=True),
            securables=dict(type="list", elements="dict", options=dict(
                securable_type=dict(type="str", required=True, choices=SECURABLE_TYPES),
                full_name=dict(type="str", required=True),
                grants=dict(type="list", elements="dict", default=[], options=GRANT_OPTIONS),
                exclusive=dict(type="bool", default=True),
            )),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
        required_one_of=[("securable_type", "securables")],
        mutually_exclusive=[("securable_type", "securables"), ("full_name", "securables")],
        required_together=[("securable_type", "full_name")],
    ).run(run)


if __name__ == "__main__":
    main()
