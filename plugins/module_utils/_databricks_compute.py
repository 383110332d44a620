# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compute helpers for the cluster, spark_version_info and node_type_info modules (pure Python).

* ``select_spark_versions(versions, ...)``: the Databricks Runtime keys matching a query, newest
  first (the databricks-sdk ``select_spark_version`` rules, with Scala optional);
* ``select_node_types(node_types, ...)``: the node types matching a query, smallest first (the
  databricks-sdk ``select_node_type`` order: cores, memory, local disks, GPUs), where
  ``local_disk=False`` means *without* local disks; node types with any ``node_info.status``
  (unavailable in the region or not enabled on the subscription) are skipped as the SDKs do, and
  hidden or deprecated ones too (the SDKs only sort deprecated ones last);
* ``cluster_desired(params)`` / ``cluster_comparable(cluster, desired)`` / ``cluster_edit_body(...)``:
  the managed part of a cluster spec, the current cluster flattened to the same keys (nested
  dicts such as ``aws_attributes`` compare only on the sub-keys the user set, so Databricks'
  defaults are not drift), and the full body ``clusters/edit`` needs (it replaces the spec).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# --- Spark versions ------------------------------------------------------------------------------
_VERSION = re.compile(r"^(\d+)\.(\d+)")
_SCALA = re.compile(r"-scala(\d+)\.(\d+)")


def version_sort_key(key):
    """(major, minor, scala major, scala minor) of a runtime key such as 16.4.x-scala2.12."""
    found = _VERSION.match(key or "")
    scala = _SCALA.search(key or "")
    numbers = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    return numbers + ((int(scala.group(1)), int(scala.group(2))) if scala else (0, 0))


def select_spark_versions(versions, long_term_support=False, ml=False, gpu=False, photon=False, graviton=False,
                          genomics=False, beta=False, scala=None, spark_version=None):
    """Matching versions ({key, name}), newest first."""
    found = []
    for version in versions or []:
        key, name = version.get("key", ""), version.get("name", "")
        if scala and "-scala%s" % scala not in key:
            continue
        if "apache-spark-" in key:
            continue
        if ("-ml-" in key) != ml or ("-hls-" in key) != genomics or ("-gpu-" in key) != gpu:
            continue
        if ("-photon-" in key) != photon or ("-aarch64-" in key) != graviton or ("Beta" in name) != beta:
            continue
        if long_term_support and "LTS" not in name and "-esr-" not in key:
            continue
        if spark_version and "Apache Spark %s" % spark_version not in name:
            continue
        found.append({"key": key, "name": name})
    return sorted(found, key=lambda v: version_sort_key(v["key"]), reverse=True)


# --- node types ----------------------------------------------------------------------------------
# node_info.status values (databricks-sdk CloudProviderNodeStatus: "NotAvailableInRegion",
# "NotEnabledOnSubscription"). Any status at all means the cloud provider does not offer the node type to
# this workspace, so a value added to the enum later is treated as unavailable too.


def node_unavailable(node):
    """The node_info.status list of a node type the workspace cannot use ([] when it can)."""
    return list((node.get("node_info") or {}).get("status") or [])


def _disks(node):
    instance = node.get("node_instance_type") or {}
    return (int(instance.get("local_disks") or 0), float(instance.get("local_disk_size_gb") or 0),
            int(instance.get("local_nvme_disks") or 0), float(instance.get("local_nvme_disk_size_gb") or 0))


def node_sort_key(node):
    disks, disk_gb, nvme, nvme_gb = _disks(node)
    return (bool(node.get("is_deprecated")), float(node.get("num_cores") or 0), int(node.get("memory_mb") or 0),
            disks, disk_gb, nvme, nvme_gb, int(node.get("num_gpus") or 0), node.get("instance_type_id") or "")


def select_node_types(node_types, min_memory_gb=None, gb_per_core=None, min_cores=None, min_gpus=None,
                      local_disk=None, local_disk_min_size=None, category=None, graviton=None,
                      photon_worker_capable=None, photon_driver_capable=None, is_io_cache_enabled=None,
                      support_port_forwarding=None, fleet=None, include_deprecated=False):
    """Matching node types, smallest first. local_disk: True needs local disks, False excludes them."""
    found = []
    for node in sorted(node_types or [], key=node_sort_key):
        if node_unavailable(node) or (node.get("is_deprecated") and not include_deprecated):
            continue
        if node.get("is_hidden"):
            continue
        gbs = int(node.get("memory_mb") or 0) // 1024
        cores = float(node.get("num_cores") or 0)
        gpus = int(node.get("num_gpus") or 0)
        disks, disk_gb, nvme, nvme_gb = _disks(node)
        has_disk = disks + nvme > 0
        checks = [
            fleet is None or fleet in node.get("node_type_id", ""),
            min_memory_gb is None or gbs >= min_memory_gb,
            gb_per_core is None or (cores and gbs // cores >= gb_per_core),
            min_cores is None or cores >= min_cores,
            min_gpus is None or (gpus >= min_gpus and not (min_gpus == 0 and gpus > 0)),
            local_disk is None or has_disk == local_disk,
            local_disk_min_size is None or (has_disk and disk_gb + nvme_gb >= local_disk_min_size),
            category is None or (node.get("category") or "").lower() == category.lower(),
            graviton is None or bool(node.get("is_graviton")) == graviton,
            not photon_worker_capable or node.get("photon_worker_capable"),
            not photon_driver_capable or node.get("photon_driver_capable"),
            not is_io_cache_enabled or node.get("is_io_cache_enabled"),
            not support_port_forwarding or node.get("support_port_forwarding"),
        ]
        if all(checks):
            found.append(node)
    return found


# --- clusters ------------------------------------------------------------------------------------
# Options of the cluster module that are part of the cluster spec (same names as the API).
SPEC_KEYS = ("cluster_name", "spark_version", "node_type_id", "driver_node_type_id", "num_workers", "autoscale",
             "autotermination_minutes", "aws_attributes", "custom_tags", "spark_conf", "spark_env_vars",
             "cluster_log_conf", "init_scripts", "data_security_mode", "single_user_name", "runtime_engine",
             "enable_elastic_disk", "enable_local_disk_encryption", "policy_id", "instance_pool_id",
             "driver_instance_pool_id", "ssh_public_keys")
# Dicts whose members are compared only when the user sets them (Databricks fills in defaults).
PARTIAL_DICTS = ("aws_attributes", "autoscale")
# Dicts managed exactly (a member not listed is removed).
EXACT_DICTS = ("custom_tags", "spark_conf", "spark_env_vars")
# Keys of clusters/get that clusters/edit accepts back (everything else is computed by Databricks).
EDITABLE_KEYS = (*SPEC_KEYS, "apply_policy_default_values", "docker_image", "workload_type", "is_single_node",
                 "kind", "use_ml_runtime")
# Cluster states.
RUNNING = "RUNNING"
TERMINATED = "TERMINATED"
TERMINATING = "TERMINATING"
TRANSITIONAL = ("PENDING", "RESTARTING", "RESIZING", "TERMINATING")
STABLE = (RUNNING, TERMINATED, "ERROR", "UNKNOWN")


def _drop_none(value):
    if isinstance(value, dict):
        return dict((k, _drop_none(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def cluster_desired(params):
    """The managed spec from the module params: keys set by the user, None members dropped."""
    desired = {}
    for key in SPEC_KEYS:
        value = params.get(key)
        if value is None:
            continue
        desired[key] = _drop_none(value)
    for key in EXACT_DICTS:
        if key in desired:
            desired[key] = dict((k, str(v)) for k, v in desired[key].items())
    return desired


def _partial(current, wanted):
    """current restricted to the members of wanted (recursively for nested dicts)."""
    if not isinstance(current, dict) or not isinstance(wanted, dict):
        return current
    return dict((k, _partial(current.get(k), v)) for k, v in wanted.items() if current.get(k) is not None)


def cluster_comparable(cluster, desired):
    """The current cluster flattened to the keys of desired, for ResourceDiff."""
    if cluster is None:
        return None
    flat = {}
    for key, want in desired.items():
        have = cluster.get(key)
        if key in PARTIAL_DICTS or key == "cluster_log_conf":
            have = _partial(have, want)
        elif key in EXACT_DICTS:
            have = dict((k, str(v)) for k, v in (have or {}).items())
        elif key == "num_workers" and cluster.get("autoscale"):
            have = None  # an autoscaling cluster has no fixed size
        flat[key] = have
    return flat


def _merge(current, wanted):
    if isinstance(current, dict) and isinstance(wanted, dict):
        merged = dict(current)
        for key, value in wanted.items():
            merged[key] = _merge(current.get(key), value)
        return merged
    return wanted


def cluster_edit_body(cluster, desired):
    """The full clusters/edit body: the current editable spec with the desired keys laid over it."""
    source = cluster.get("spec") or cluster
    body = dict((k, v) for k, v in source.items() if k in EDITABLE_KEYS and v is not None)
    for key, value in desired.items():
        if key in PARTIAL_DICTS or key == "cluster_log_conf":
            body[key] = _merge(body.get(key), value)
        else:
            body[key] = value
    if "num_workers" in desired:
        body.pop("autoscale", None)
    elif "autoscale" in desired:
        body.pop("num_workers", None)
    body["cluster_id"] = cluster["cluster_id"]
    return body


def termination_summary(cluster):
    """'CODE: message' of a terminated cluster's termination reason ('' when there is none)."""
    reason = (cluster or {}).get("termination_reason") or {}
    parameters = reason.get("parameters") or {}
    detail = parameters.get("databricks_error_message") or (cluster or {}).get("state_message") or ""
    code = reason.get("code") or ""
    return ("%s: %s" % (code, detail)).strip(": ") if code or detail else ""
