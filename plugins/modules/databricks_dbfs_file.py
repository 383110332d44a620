#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_dbfs_file
short_description: Manage a file on the Databricks File System (DBFS)
version_added: 0.1.0
description:
  - Uploads a file to DBFS from O(content) or from a local file O(src), or deletes it.
  - The file is read back and compared byte for byte, so a re-run uploads nothing when the content
    is already there. Files up to 1 MB go in one C(dbfs/put); larger ones in 1 MB blocks
    (C(dbfs/create), C(dbfs/add-block), C(dbfs/close)).
  - Under C(--diff) the diff shows the text of small text files, otherwise their size and SHA-256.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  path:
    description: DBFS path of the file, V(dbfs:/tmp/core-site.xml) or V(/tmp/core-site.xml).
    type: str
    required: true
  content:
    description: Content of the file (text). Mutually exclusive with O(src).
    type: str
  src:
    description: Path of a local file (on the host running the module) to upload. Mutually exclusive with O(content).
    type: path
  state:
    description: Whether the file should exist. O(content) or O(src) is required with V(present).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Hadoop settings for SSE-KMS on S3, read by a global init script
  lakehouse.databricks_aws.databricks_dbfs_file:
    workspace_host: "{{ workspace_url }}"
    token: "{{ pat }}"
    path: dbfs:/tmp/core-site.xml
    content: "{{ lookup('ansible.builtin.template', 'core-site.xml.j2') }}"

- name: Upload a wheel
  lakehouse.databricks_aws.databricks_dbfs_file:
    path: dbfs:/FileStore/wheels/etl-1.0-py3-none-any.whl
    src: dist/etl-1.0-py3-none-any.whl
"""

RETURN = r"""
path:
  description: The DBFS path, as V(dbfs:/...).
  returned: always
  type: str
  sample: dbfs:/tmp/core-site.xml
size:
  description: Size of the file in bytes after the run (null when absent).
  returned: always
  type: int
  sample: 412
sha256:
  description: SHA-256 of the file's content after the run (null when absent).
  returned: always
  type: str
  sample: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
"""

import base64
import hashlib

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

API = "/api/2.0/dbfs"
BLOCK = 1024 * 1024          # DBFS block / put limit
DIFF_TEXT_LIMIT = 64 * 1024  # show text up to this size in the diff


def normalise(path):
    bare = path[len("dbfs:"):] if path.startswith("dbfs:") else path
    return bare if bare.startswith("/") else "/" + bare


def read(module, path):
    """The file's bytes, or None when it does not exist."""
    status = module.request("GET", API + "/get-status", query={"path": path}, not_found_ok=True,
                            action="read the status of dbfs:%s" % path)
    if status is None:
        return None
    if status.get("is_dir"):
        module.fail("dbfs:%s is a directory" % path, error_code="INVALID_PARAMETER_VALUE")
    size = int(status.get("file_size") or 0)
    data = b""
    while len(data) < size:
        chunk = module.request("GET", API + "/read", query={"path": path, "offset": len(data), "length": BLOCK},
                               action="read dbfs:%s" % path)
        piece = base64.b64decode(chunk.get("data") or "")
        if not piece:
            break
        data += piece
    return data


def write(module, path, data):
    label = "upload dbfs:%s" % path
    if len(data) <= BLOCK:
        module.request("POST", API + "/put", body={"path": path, "contents": to_text(base64.b64encode(data)),
                                                   "overwrite": True}, action=label)
        return
    handle = module.request("POST", API + "/create", body={"path": path, "overwrite": True}, action=label)["handle"]
    for offset in range(0, len(data), BLOCK):
        module.request("POST", API + "/add-block",
                       body={"handle": handle, "data": to_text(base64.b64encode(data[offset:offset + BLOCK]))},
                       action=label)
    module.request("POST", API + "/close", body={"handle": handle}, action=label)


def describe(data):
    """What the diff shows of a file's content."""
    if data is None:
        return {}
    summary = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if len(data) <= DIFF_TEXT_LIMIT:
        try:
            summary["content"] = data.decode("utf-8")
        except UnicodeDecodeError:
            summary["binary"] = True
    return summary


def finish(module, changed, path, data, before):
    return module.result(changed=changed, diff={"before": describe(before), "after": describe(data)},
                         path="dbfs:" + path, size=len(data) if data is not None else None,
                         sha256=hashlib.sha256(data).hexdigest() if data is not None else None)


def run(module):
    params = module.params
    path = normalise(params["path"])
    if path == "/":
        module.fail("path must name a file, not the DBFS root", error_code="INVALID_PARAMETER_VALUE")
    current = read(module, path)
    if params["state"] == "absent":
        if current is None:
            return finish(module, False, path, None, None)
        if not module.check_mode:
            module.request("POST", API + "/delete", body={"path": path, "recursive": False},
                           action="delete dbfs:%s" % path, not_found_ok=True)
        return finish(module, True, path, None, current)

    if params["src"] is not None:
        try:
            with open(params["src"], "rb") as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            module.fail("cannot read src %s: %s" % (params["src"], to_text(exc)), error_code="SRC_UNREADABLE")
    else:
        data = to_bytes(params["content"], errors="surrogate_or_strict")
    if current == data:
        return finish(module, False, path, data, current)
    if not module.check_mode:
        write(module, path, data)
    return finish(module, True, path, data, current)


def main():
    DatabricksModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            content=dict(type="str"),
            src=dict(type="path"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="workspace",
        mutually_exclusive=[("content", "src")],
        required_if=[("state", "present", ("content", "src"), True)],
    ).run(run)


if __name__ == "__main__":
    main()
