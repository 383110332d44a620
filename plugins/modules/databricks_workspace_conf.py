#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_workspace_conf
short_description: Set workspace configuration keys of a Databricks workspace
version_added: 0.1.0
description:
  - Reads the given keys of the workspace configuration (C(GET /api/2.0/workspace-conf)) and sets
    only those whose value differs (one C(PATCH /api/2.0/workspace-conf)), for example
    C(maxTokenLifetimeDays), C(enableIpAccessLists), C(enableResultsDownloading),
    C(enableExportNotebook), C(enableDbfsFileBrowser) or C(enableVerboseAuditLogs).
  - Keys not given are left as they are; the workspace has no call that removes a key.
  - Needs a workspace admin. A key the workspace does not know fails the module before anything
    is changed (the read rejects it).
  - Databricks refuses C(enableIpAccessLists=true) when the IP access lists would block the
    caller; the module reports that refusal as it is.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  settings:
    description:
      - The keys to manage and their values. Booleans are sent as C("true")/C("false") and numbers
        as their decimal string, as the workspace stores every value as a string.
      - An empty string (C("")) sets a key such as C(maxTokenLifetimeDays) back to unset (no limit).
    type: dict
    required: true
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Harden the workspace
  lakehouse.databricks_aws.databricks_workspace_conf:
    workspace_host: "{{ workspace_url }}"
    token: "{{ sp_token }}"
    settings:
      maxTokenLifetimeDays: 90
      enableResultsDownloading: false
      enableExportNotebook: false
      enableDbfsFileBrowser: false
      enableVerboseAuditLogs: true
"""

RETURN = r"""
settings:
  description:
    - The managed keys as the workspace holds them after the run (strings, null when unset).
    - In check mode, as they would be.
  returned: always
  type: dict
  sample:
    maxTokenLifetimeDays: "90"
    enableVerboseAuditLogs: "true"
changed_keys:
  description: The keys that were (in check mode, would be) set.
  returned: always
  type: list
  elements: str
  sample: [enableVerboseAuditLogs]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import ResourceDiff
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

API = "/api/2.0/workspace-conf"


def conf_value(value):
    """A setting as the workspace stores it: a string ("true"/"false" for booleans), None stays None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return None
    return str(value)


def read(module, keys):
    """The keys as the workspace holds them; an unset key (null) as "", the value that unsets it."""
    reply = module.request("GET", API, query={"keys": ",".join(keys)}, action="read workspace-conf %s" % ",".join(keys))
    return dict((key, reply.get(key) if reply.get(key) is not None else "") for key in keys)


def run(module):
    wanted = dict((str(key), conf_value(value)) for key, value in module.params["settings"].items())
    if not wanted:
        return module.result(changed=False, settings={}, changed_keys=[])
    if any(value is None for value in wanted.values()):
        unset = ", ".join(sorted(key for key, value in wanted.items() if value is None))
        module.fail("settings: give each key a value (\"\" unsets a key such as maxTokenLifetimeDays): %s" % unset,
                    error_code="INVALID_PARAMETER_VALUE")
    keys = sorted(wanted)
    current = read(module, keys)
    delta = ResourceDiff(wanted, current)
    patch = dict((key, wanted[key]) for key in delta.changed_keys)
    if patch and not module.check_mode:
        module.request("PATCH", API, body=patch, action="set workspace-conf %s" % ", ".join(sorted(patch)))
        settings = read(module, keys)
    else:
        settings = dict(current, **patch)
    return module.result(changed=bool(patch), diff=delta.diff, settings=settings, changed_keys=delta.changed_keys)


def main():
    DatabricksModule(argument_spec=dict(settings=dict(type="dict", required=True)), api="workspace").run(run)


if __name__ == "__main__":
    main()
