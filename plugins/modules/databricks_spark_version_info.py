#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_spark_version_info
short_description: Find a Databricks Runtime version, for example the latest LTS
version_added: 0.1.0
description:
  - Reads the workspace's Databricks Runtime versions (C(clusters/spark-versions)) and returns the
    newest one that matches the query, plus every match.
  - The rules are the databricks-sdk's C(select_spark_version) (standard runtimes unless O(ml),
    O(gpu), O(photon), O(graviton), O(genomics) or O(beta) ask otherwise), except that O(scala)
    is optional here; when several Scala builds of the newest version match, the newest Scala wins.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  long_term_support:
    description: Only LTS (long-term support) versions.
    type: bool
    default: false
  ml:
    description: Machine learning runtimes instead of standard ones.
    type: bool
    default: false
  gpu:
    description: GPU runtimes.
    type: bool
    default: false
  photon:
    description: Photon runtimes.
    type: bool
    default: false
  graviton:
    description: Graviton (aarch64) runtimes.
    type: bool
    default: false
  genomics:
    description: Genomics runtimes.
    type: bool
    default: false
  beta:
    description: Beta runtimes instead of released ones.
    type: bool
    default: false
  scala:
    description: Scala version, for example V(2.12). Any when not set.
    type: str
  spark_version:
    description: Apache Spark version the runtime must include, for example V(3.5.2).
    type: str
  key:
    description:
      - Only the runtime with this key, for example V(16.4.x-photon-scala2.12), to check that the workspace offers it
        (the other filters are then ignored). The module fails with C(NO_MATCH) when the workspace does not list it.
    type: str
    version_added: 0.1.0
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.info_attributes
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Latest LTS runtime
  lakehouse.databricks_aws.databricks_spark_version_info:
    workspace_host: "{{ workspace_url }}"
    long_term_support: true
  register: lts

- name: Use it
  ansible.builtin.debug:
    msg: "{{ lts.spark_version }} ({{ lts.name }})"
"""

RETURN = r"""
spark_version:
  description: Key of the newest matching version, to pass as the cluster's C(spark_version).
  returned: always
  type: str
  sample: 16.4.x-scala2.12
name:
  description: Display name of that version.
  returned: always
  type: str
  sample: 16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)
versions:
  description: Every matching version (C(key), C(name)), newest first.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import (
    select_spark_versions,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

FLAGS = ("long_term_support", "ml", "gpu", "photon", "graviton", "genomics", "beta")


def _newest_lts(versions):
    lts = select_spark_versions(versions, long_term_support=True)
    return lts[0]["key"] if lts else "none"


def run(module):
    params = module.params
    reply = module.request("GET", "/api/2.1/clusters/spark-versions", action="list Spark versions")
    versions = reply.get("versions") or []
    if params["key"]:
        found = [{"key": v.get("key"), "name": v.get("name", "")} for v in versions if v.get("key") == params["key"]]
        if not found:
            module.fail("the workspace does not offer the Databricks Runtime %s (%d versions listed, newest LTS: %s)"
                        % (params["key"], len(versions), _newest_lts(versions)), error_code="NO_MATCH")
        return module.result(changed=False, spark_version=found[0]["key"], name=found[0]["name"], versions=found)
    query = dict((k, params[k]) for k in (*FLAGS, "scala", "spark_version"))
    found = select_spark_versions(versions, **query)
    if not found:
        wanted = ", ".join("%s=%s" % (k, v) for k, v in sorted(query.items()) if v)
        module.fail("no Databricks Runtime version matches (%s) among %d versions" % (
            wanted or "no filter", len(versions)), error_code="NO_MATCH")
    return module.result(changed=False, spark_version=found[0]["key"], name=found[0]["name"], versions=found)


def main():
    spec = dict((flag, dict(type="bool", default=False)) for flag in FLAGS)
    spec.update(scala=dict(type="str"), spark_version=dict(type="str"), key=dict(type="str", no_log=False))
    DatabricksModule(argument_spec=spec, api="workspace").run(run)


if __name__ == "__main__":
    main()
