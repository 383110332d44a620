#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_node_type_info
short_description: Find the smallest Databricks node type that matches a specification
version_added: 0.1.0
description:
  - Reads the workspace's node types (C(clusters/list-node-types)) and returns the smallest one
    that matches, plus every match, smallest first.
  - The order is the databricks-sdk's C(select_node_type) order (cores, then memory, then local
    disks, then GPUs).
  - Node types the workspace cannot use are skipped - those whose C(node_info.status) lists anything
    (V(NotAvailableInRegion), V(NotEnabledOnSubscription)). Databricks lists them but refuses clusters on
    them. Deprecated and hidden node types are skipped too.
  - Unlike the SDK, O(local_disk=false) selects node types B(without) local disks; leave it unset
    for either.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  min_memory_gb:
    description: Least memory, GB.
    type: int
  gb_per_core:
    description: Least memory per core, GB.
    type: int
  min_cores:
    description: Fewest cores.
    type: int
  min_gpus:
    description: Fewest GPUs. V(0) excludes GPU node types.
    type: int
  local_disk:
    description: V(true) - with local disks (instance store or NVMe); V(false) - without; unset - either.
    type: bool
  local_disk_min_size:
    description: Least total local disk, GB (implies local disks).
    type: int
  category:
    description: Category, for example V(General Purpose), V(Memory Optimized).
    type: str
  graviton:
    description: V(true) - Graviton only; V(false) - no Graviton; unset - either.
    type: bool
  photon_worker_capable:
    description: Only node types Photon workers can run on.
    type: bool
    default: false
  photon_driver_capable:
    description: Only node types a Photon driver can run on.
    type: bool
    default: false
  is_io_cache_enabled:
    description: Only node types with the disk (IO) cache.
    type: bool
    default: false
  support_port_forwarding:
    description: Only node types that support port forwarding.
    type: bool
    default: false
  fleet:
    description: Only node types whose ID contains this text, for example V(rd-fleet).
    type: str
  node_type_id:
    description:
      - Only this node type, for example V(i3.xlarge), to check that the workspace can use it (the other filters are
        then ignored). The module fails with C(NO_MATCH) when the workspace does not list it, or lists it as
        unavailable (C(node_info.status), for example V(NotAvailableInRegion)) or deprecated.
    type: str
    version_added: 0.1.0
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.info_attributes
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Smallest node with at least 15 GB and 2 cores, without local disks
  lakehouse.databricks_aws.databricks_node_type_info:
    workspace_host: "{{ workspace_url }}"
    min_memory_gb: 15
    min_cores: 2
    local_disk: false
  register: node

- name: Use it
  ansible.builtin.debug:
    msg: "{{ node.node_type_id }}"
"""

RETURN = r"""
node_type_id:
  description: ID of the smallest matching node type.
  returned: always
  type: str
  sample: r5.large
node_type:
  description: That node type as the API describes it.
  returned: always
  type: dict
  sample:
    node_type_id: r5.large
    num_cores: 2.0
    memory_mb: 16384
    category: Memory Optimized
matches:
  description: IDs of every matching node type, smallest first.
  returned: always
  type: list
  elements: str
  sample: [r5.large, m5.xlarge, m6i.xlarge]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import (
    node_unavailable,
    select_node_types,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

QUERY = dict(
    min_memory_gb=dict(type="int"),
    gb_per_core=dict(type="int"),
    min_cores=dict(type="int"),
    min_gpus=dict(type="int"),
    local_disk=dict(type="bool"),
    local_disk_min_size=dict(type="int"),
    category=dict(type="str"),
    graviton=dict(type="bool"),
    photon_worker_capable=dict(type="bool", default=False),
    photon_driver_capable=dict(type="bool", default=False),
    is_io_cache_enabled=dict(type="bool", default=False),
    support_port_forwarding=dict(type="bool", default=False),
    fleet=dict(type="str"),
)


def only(module, available, node_type_id):
    """The node type node_type_id when the workspace can use it; fails NO_MATCH saying why not."""
    listed = [n for n in available if n.get("node_type_id") == node_type_id]
    if not listed:
        module.fail("the workspace does not list the node type %s (%d node types listed)"
                    % (node_type_id, len(available)), error_code="NO_MATCH")
    node = listed[0]
    if node_unavailable(node) or node.get("is_deprecated"):
        why = ", ".join(node_unavailable(node)) or "deprecated"
        module.fail("the workspace lists the node type %s but cannot use it (%s)" % (node_type_id, why),
                    error_code="NO_MATCH")
    return module.result(changed=False, node_type_id=node_type_id, node_type=node, matches=[node_type_id])


def run(module):
    query = dict((k, module.params[k]) for k in QUERY)
    reply = module.request("GET", "/api/2.1/clusters/list-node-types", action="list node types")
    available = reply.get("node_types") or []
    if module.params["node_type_id"]:
        return only(module, available, module.params["node_type_id"])
    found = select_node_types(available, **query)
    if not found:
        wanted = ", ".join("%s=%s" % (k, v) for k, v in sorted(query.items()) if v not in (None, False))
        unavailable = len([n for n in available if node_unavailable(n)])
        module.fail("no node type matches (%s) among %d node types (%d of them unavailable to this workspace)"
                    % (wanted or "no filter", len(available), unavailable), error_code="NO_MATCH")
    return module.result(changed=False, node_type_id=found[0]["node_type_id"], node_type=found[0],
                         matches=[n["node_type_id"] for n in found])


def main():
    DatabricksModule(argument_spec=dict(QUERY, node_type_id=dict(type="str")), api="workspace").run(run)


if __name__ == "__main__":
    main()
