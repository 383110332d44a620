#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_global_init_script
short_description: Manage a Databricks global init script
version_added: 0.1.0
description:
  - Creates, updates or deletes a global init script of a workspace (C(/api/2.0/global-init-scripts)).
    Global init scripts run on every node of every cluster at start.
  - The script is found by O(script_id) when given, else by O(name) (which must then be unique).
  - The content is compared with the stored script (decoded), so a re-run changes nothing; the
    diff shows the script text.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Name of the script.
    type: str
    required: true
  script_id:
    description: ID of the script, to manage a script whose name is not unique or to rename one.
    type: str
  content:
    description:
      - The script (shell). Required when the script is created. Not managed when not set.
      - At most 64 KB.
    type: str
  enabled:
    description:
      - Whether the script runs at cluster start. Databricks creates scripts disabled when this is not set.
        Not managed when not set.
    type: bool
  position:
    description:
      - Position of the script among the global init scripts (V(0) runs first). Databricks appends
        a new script at the end when this is not set. Not managed when not set.
    type: int
  state:
    description: Whether the script should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Apply the S3 SSE-KMS Hadoop settings on every cluster node
  lakehouse.databricks_aws.databricks_global_init_script:
    workspace_host: "{{ workspace_url }}"
    name: encryption_init_script
    content: |
      #!/bin/bash
      cp /dbfs/tmp/core-site.xml /databricks/hive/conf/core-site.xml
    enabled: "{{ dbfs_client_side_enc }}"
    position: 0
  register: init_script
"""

RETURN = r"""
script_id:
  description: ID of the script (null in check mode before creation, and when absent).
  returned: always
  type: str
  sample: 6A1B2C3D4E5F6071
script:
  description: The script's settings as Databricks returns them, without the content (null when absent).
  returned: always
  type: dict
  sample:
    script_id: 6A1B2C3D4E5F6071
    name: encryption_init_script
    enabled: true
    position: 0
    created_by: automation
"""

import base64

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

API = "/api/2.0/global-init-scripts"
MAX_SIZE = 64 * 1024


def encode(text):
    return to_text(base64.b64encode(to_bytes(text, errors="surrogate_or_strict")))


def decode(data):
    return to_text(base64.b64decode(data or ""), errors="surrogate_or_replace")


def comparable(script):
    return {"name": script.get("name"), "content": decode(script.get("script")),
            "enabled": bool(script.get("enabled")), "position": script.get("position")}


def public(script):
    return dict((k, v) for k, v in (script or {}).items() if k != "script") if script else None


def find(module):
    params = module.params
    if params["script_id"]:
        return module.request("GET", "%s/%s" % (API, params["script_id"]), not_found_ok=True,
                              action="read global init script %s" % params["script_id"])
    scripts = module.request("GET", API, action="list global init scripts").get("scripts") or []
    matches = [s for s in scripts if s.get("name") == params["name"]]
    if len(matches) > 1:
        module.fail("%d global init scripts are named %s (ids %s); give script_id" % (
            len(matches), params["name"], ", ".join(s["script_id"] for s in matches)), error_code="AMBIGUOUS_MATCH")
    if not matches:
        return None
    return module.request("GET", "%s/%s" % (API, matches[0]["script_id"]),
                          action="read global init script %s" % params["name"])


def finish(module, changed, script, diff):
    return module.result(changed=changed, diff=diff, script=public(script),
                         script_id=script.get("script_id") if script else None)


def run(module):
    params = module.params
    label = "global init script %s" % params["name"]
    if params["content"] is not None and len(to_bytes(params["content"])) > MAX_SIZE:
        module.fail("%s: content is larger than 64 KB" % label, error_code="INVALID_PARAMETER_VALUE")
    if params["position"] is not None and params["position"] < 0:
        module.fail("%s: position must be >= 0" % label, error_code="INVALID_PARAMETER_VALUE")
    current = find(module)
    if params["state"] == "absent":
        if current is None:
            return finish(module, False, None, absent_diff(None))
        if not module.check_mode:
            module.request("DELETE", "%s/%s" % (API, current["script_id"]), action="delete %s" % label,
                           not_found_ok=True)
        return finish(module, True, None, absent_diff(comparable(current)))

    if current is None and params["content"] is None:
        module.fail("%s: content is required to create the script" % label, error_code="MISSING_PARAMETER")
    desired = {"name": params["name"], "content": params["content"], "enabled": params["enabled"],
               "position": params["position"]}
    have = comparable(current) if current else None
    delta = ResourceDiff(desired, have)
    if not delta.changed:
        return finish(module, False, current, delta.diff)
    planned = dict(have or {"enabled": False}, **dict((k, v) for k, v in desired.items() if v is not None))
    if module.check_mode:
        preview = dict(public(current) or {}, name=planned["name"], enabled=planned["enabled"])
        if planned.get("position") is not None:
            preview["position"] = planned["position"]
        return finish(module, True, preview, delta.diff)
    body = {"name": planned["name"], "script": encode(planned["content"]), "enabled": planned["enabled"]}
    if params["position"] is not None:
        body["position"] = params["position"]
    if current is None:
        created = module.request("POST", API, body=body, action="create %s" % label)
        script_id = created["script_id"]
    else:
        script_id = current["script_id"]
        module.request("PATCH", "%s/%s" % (API, script_id), body=body, action="update %s" % label)
    script = module.request("GET", "%s/%s" % (API, script_id), action="read %s" % label)
    return finish(module, True, script, delta.diff)


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            script_id=dict(type="str"),
            content=dict(type="str"),
            enabled=dict(type="bool"),
            position=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
    ).run(run)


if __name__ == "__main__":
    main()
