#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_cluster
short_description: Manage a Databricks all-purpose cluster (create, edit, start, terminate, delete)
version_added: 0.1.0
description:
  - Creates a cluster, edits it in place when its settings differ, starts or terminates it, or
    deletes it permanently (C(/api/2.1/clusters)).
  - The cluster is found by O(cluster_id) when given, else by O(cluster_name) (which must then be
    unique among the workspace's all-purpose clusters).
  - Only the settings given are managed. Nested settings (O(autoscale), O(aws_attributes),
    O(cluster_log_conf)) are compared on the members given, so Databricks' defaults are not seen
    as drift; O(custom_tags), O(spark_conf) and O(spark_env_vars) are exact.
  - Databricks restarts a running cluster to apply an edit; a terminated cluster stays terminated
    after an edit. With O(state=present) the module never starts or stops an existing cluster.
  - Databricks starts a cluster when it creates it. With O(wait=true) the module waits, bounded by
    O(wait_timeout), until the cluster reaches its target state and fails with Databricks'
    termination reason when it cannot start (for example no route to a NAT gateway).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  cluster_name:
    description: Name of the cluster.
    type: str
    required: true
  cluster_id:
    description: ID of the cluster, to manage a cluster whose name is not unique or to rename one.
    type: str
  spark_version:
    description:
      - Databricks Runtime version key, for example V(16.4.x-scala2.12)
        (see M(lakehouse.databricks_aws.databricks_spark_version_info)). Required to create a cluster.
    type: str
  node_type_id:
    description:
      - Node type of the workers (and of the driver unless O(driver_node_type_id) is set)
        (see M(lakehouse.databricks_aws.databricks_node_type_info)).
        Required to create a cluster without an instance pool.
    type: str
  driver_node_type_id:
    description: Node type of the driver.
    type: str
  num_workers:
    description: Fixed number of workers. Mutually exclusive with O(autoscale).
    type: int
  autoscale:
    description: Autoscaling range. Mutually exclusive with O(num_workers).
    type: dict
    suboptions:
      min_workers:
        description: Fewest workers.
        type: int
        required: true
      max_workers:
        description: Most workers.
        type: int
        required: true
  autotermination_minutes:
    description: Minutes of inactivity after which the cluster terminates (V(0) never).
    type: int
  aws_attributes:
    description: AWS settings of the nodes.
    type: dict
    suboptions:
      availability:
        description: Instance market of the nodes after the first O(aws_attributes.first_on_demand).
        type: str
        choices: [SPOT, ON_DEMAND, SPOT_WITH_FALLBACK]
      first_on_demand:
        description: How many nodes (the driver first) are on-demand instances.
        type: int
      spot_bid_price_percent:
        description: Maximum spot price, as a percentage of the on-demand price.
        type: int
      zone_id:
        description: Availability zone, or V(auto).
        type: str
      instance_profile_arn:
        description:
          Instance profile of the nodes (registered with M(lakehouse.databricks_aws.databricks_instance_profile)).
        type: str
      ebs_volume_type:
        description: Type of the EBS volumes.
        type: str
        choices: [GENERAL_PURPOSE_SSD, THROUGHPUT_OPTIMIZED_HDD]
      ebs_volume_count:
        description: Number of EBS volumes per node.
        type: int
      ebs_volume_size:
        description: Size of each EBS volume in GiB.
        type: int
      ebs_volume_iops:
        description: IOPS of each gp3 volume.
        type: int
      ebs_volume_throughput:
        description: Throughput of each gp3 volume, MiB/s.
        type: int
  custom_tags:
    description: Tags of the cluster's AWS resources (exact; values are strings).
    type: dict
  spark_conf:
    description: Spark configuration key/value pairs (exact; values are strings).
    type: dict
  spark_env_vars:
    description: Environment variables of the Spark processes (exact; values are strings).
    type: dict
  cluster_log_conf:
    description:
      - Where the cluster's logs are delivered, as the API takes it - a dict with one key, C(s3) (members
        C(destination) such as V(s3://bucket/cluster-logs), C(region), C(enable_encryption), C(encryption_type)
        V(sse-s3) or V(sse-kms), C(kms_key), C(canned_acl)) or C(dbfs) (member C(destination)).
      - Compared on the members given.
    type: dict
  init_scripts:
    description: Cluster-scoped init scripts, as the API takes them (exact).
    type: list
    elements: dict
  data_security_mode:
    description: Access mode, for example V(USER_ISOLATION), V(SINGLE_USER), V(NONE).
    type: str
  single_user_name:
    description: The user of a V(SINGLE_USER) cluster.
    type: str
  runtime_engine:
    description: Runtime engine.
    type: str
    choices: [STANDARD, PHOTON]
  enable_elastic_disk:
    description: Autoscale local storage.
    type: bool
  enable_local_disk_encryption:
    description: Encrypt the nodes' local disks.
    type: bool
  policy_id:
    description: Cluster policy.
    type: str
  instance_pool_id:
    description: Instance pool of the workers.
    type: str
  driver_instance_pool_id:
    description: Instance pool of the driver.
    type: str
  ssh_public_keys:
    description: SSH public keys added to each node.
    type: list
    elements: str
  state:
    description:
      - V(present) - the cluster exists with these settings; an existing cluster is left running or
        terminated as it is (a new one starts, as Databricks starts every new cluster).
      - V(running) - as V(present), and started when it is terminated.
      - V(terminated) - as V(present), and terminated when it runs (it can be started again).
      - V(absent) - permanently deleted.
    type: str
    choices: [present, running, terminated, absent]
    default: present
  wait:
    description:
      - Wait until the cluster reaches the state the run leads to (RUNNING after a create, a start, or an
        edit of a running cluster; TERMINATED after a terminate, which Databricks carries out
        asynchronously through TERMINATING).
      - Without the wait, a terminated cluster may still be C(TERMINATING) in the result.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most.
    type: int
    default: 1200
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Shared autoscaling cluster on spot with fallback, logs to S3 with SSE-KMS
  lakehouse.databricks_aws.databricks_cluster:
    workspace_host: "{{ workspace_url }}"
    token: "{{ pat }}"
    cluster_name: prod-High-Concurrency
    spark_version: 16.4.x-scala2.12
    node_type_id: r5.large
    autoscale: {min_workers: 1, max_workers: 2}
    autotermination_minutes: 30
    aws_attributes:
      availability: SPOT_WITH_FALLBACK
      first_on_demand: 1
      spot_bid_price_percent: 60
      ebs_volume_type: GENERAL_PURPOSE_SSD
      ebs_volume_count: 1
      ebs_volume_size: 32
      instance_profile_arn: arn:aws:iam::123456789012:instance-profile/prod-meta-instance-profile
    cluster_log_conf:
      s3:
        destination: s3://prod-databricks-logging/cluster-logs
        region: eu-west-1
        enable_encryption: true
        encryption_type: sse-kms
        kms_key: arn:aws:kms:eu-west-1:123456789012:key/1111-2222
    custom_tags: {Project: lakehouse}
  register: cluster

- name: Stop it for the night
  lakehouse.databricks_aws.databricks_cluster:
    cluster_name: prod-High-Concurrency
    state: terminated
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster (null in check mode before creation, and when absent).
  returned: always
  type: str
  sample: 0123-456789-abcdefgh
state:
  description: State of the cluster after the run (predicted in check mode; null when absent).
  returned: always
  type: str
  sample: RUNNING
cluster:
  description:
    - The cluster as C(clusters/get) returns it after the run.
    - Null when absent, or in check mode before creation.
  returned: always
  type: dict
changed_keys:
  description: Settings that differed and were (or would be) edited.
  returned: always
  type: list
  elements: str
  sample: [autotermination_minutes, custom_tags]
actions:
  description: What the run did (or would do) in order - C(create), C(edit), C(start), C(terminate), C(delete).
  returned: always
  type: list
  elements: str
  sample: [edit]
wait:
  description: The wait for the target state - C(status), C(outcome), C(elapsed) seconds, C(polls), C(history).
  returned: when the module waited
  type: dict
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_compute as compute
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import API_ERRORS
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_waiter import READY

API = "/api/2.1/clusters"
# Clusters that jobs and pipelines create are not all-purpose clusters this module manages.
EPHEMERAL_SOURCES = ("JOB", "PIPELINE", "PIPELINE_MAINTENANCE", "MODELS", "SQL")


class Cluster:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.label = "cluster %s" % self.params["cluster_name"]
        self.actions = []
        self.wait_result = None

    # --- reads ---------------------------------------------------------------------------------
    def get(self, cluster_id):
        try:
            return self.module.call(self.module.workspace.api_client.do, "GET", API + "/get",
                                    query={"cluster_id": cluster_id}, fail=False,
                                    action="read %s" % self.label)
        except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
            # Databricks answers an unknown cluster id with INVALID_PARAMETER_VALUE "... does not exist".
            if "does not exist" in str(exc).lower():
                return None
            self.module.fail_error(exc, action="read %s" % self.label)
        return None  # not reached: fail_error raises

    def list_all(self):
        return self.module.list_pages(API + "/list", "clusters", "list clusters")

    def find(self):
        if self.params["cluster_id"]:
            found = self.get(self.params["cluster_id"])
            if found is None:
                self.module.fail("%s: cluster_id %s does not exist" % (self.label, self.params["cluster_id"]),
                                 error_code="RESOURCE_DOES_NOT_EXIST")
            return found
        matches = [c for c in self.list_all() if c.get("cluster_name") == self.params["cluster_name"]
                   and c.get("cluster_source") not in EPHEMERAL_SOURCES]
        if len(matches) > 1:
            self.module.fail("%s: %d clusters have this name (ids %s); give cluster_id" % (
                self.label, len(matches), ", ".join(c["cluster_id"] for c in matches)), error_code="AMBIGUOUS_MATCH")
        return self.get(matches[0]["cluster_id"]) if matches else None

    # --- waits ---------------------------------------------------------------------------------
    def wait_until(self, cluster_id, ready, failed=()):
        result = self.module.wait_for_status(lambda: self.get(cluster_id), lambda c: (c or {}).get("state"),
                                             ready=ready, failed=failed, timeout=self.params["wait_timeout"])
        self.wait_result = {"status": result.status, "outcome": result.outcome, "elapsed": result.elapsed,
                            "polls": result.polls, "history": result.history}
        if result.outcome != READY:
            why = compute.termination_summary(result.value) if result.status in failed else \
                "still %s after %s seconds (wait_timeout)" % (result.status, self.params["wait_timeout"])
            self.module.fail("%s (%s) did not reach %s: %s" % (self.label, cluster_id, "/".join(ready), why),
                             error_code="CLUSTER_%s" % ("START_FAILED" if result.status in failed else "WAIT_TIMEOUT"),
                             cluster_id=cluster_id, state=result.status, wait=self.wait_result,
                             actions=self.actions)
        return result.value

    def settle(self, cluster):
        """Wait out a transition (PENDING, RESTARTING, ...) before editing, starting or terminating."""
        if cluster.get("state") in compute.TRANSITIONAL:
            return self.wait_until(cluster["cluster_id"], ready=compute.STABLE)
        return cluster

    def post(self, action, body, verb):
        self.actions.append(verb)
        return self.module.request("POST", "%s/%s" % (API, action), body=body, action="%s %s" % (verb, self.label))

    # --- result ---------------------------------------------------------------------------------
    def finish(self, changed, cluster, diff, changed_keys, state=None):
        result = dict(changed=changed, diff=diff, cluster=cluster, changed_keys=changed_keys, actions=self.actions,
                      cluster_id=cluster.get("cluster_id") if cluster else None,
                      state=state or (cluster.get("state") if cluster else None))
        if self.wait_result is not None:
            result["wait"] = self.wait_result
        return self.module.result(**result)

    # --- state=absent ----------------------------------------------------------------------------
    def ensure_absent(self, current):
        if current is None:
            return self.finish(False, None, absent_diff(None), [])
        before = compute.cluster_comparable(current, compute.cluster_desired(current))
        before["state"] = current.get("state")
        if self.module.check_mode:
            self.actions.append("delete")
        else:
            self.post("permanent-delete", {"cluster_id": current["cluster_id"]}, "delete")
        return self.finish(True, None, absent_diff(before), [], state=None)

    # --- state=present/running/terminated -------------------------------------------------------------
    def target_state(self, current_state):
        wanted = self.params["state"]
        if wanted == "running":
            return compute.RUNNING
        if wanted == "terminated":
            return compute.TERMINATED
        return current_state

    def create(self, desired):
        missing = [k for k in ("spark_version",) if not desired.get(k)]
        if not desired.get("node_type_id") and not desired.get("instance_pool_id"):
            missing.append("node_type_id")
        if missing:
            self.module.fail("%s: %s required to create the cluster" % (self.label, " and ".join(missing)),
                             error_code="MISSING_PARAMETER")
        target = compute.TERMINATED if self.params["state"] == "terminated" else compute.RUNNING
        diff = ResourceDiff(desired, None)
        after = dict(diff.after, state=target)
        diff_out = {"before": {}, "after": after}
        if self.module.check_mode:
            self.actions.append("create")
            if target == compute.TERMINATED:
                self.actions.append("terminate")
            return self.finish(True, None, diff_out, sorted(desired), state=target)
        created = self.post("create", desired, "create")
        cluster_id = created["cluster_id"]
        if target == compute.TERMINATED:
            self.terminate(cluster_id)
        elif self.params["wait"]:
            self.wait_until(cluster_id, ready=(compute.RUNNING,), failed=(compute.TERMINATED, "ERROR"))
        cluster = self.get(cluster_id)
        return self.finish(True, cluster, diff_out, sorted(desired))

    def terminate(self, cluster_id):
        """clusters/delete is asynchronous (TERMINATING, then TERMINATED): wait for the end unless wait=false."""
        self.post("delete", {"cluster_id": cluster_id}, "terminate")
        if self.params["wait"]:
            return self.wait_until(cluster_id, ready=(compute.TERMINATED,), failed=("ERROR",))
        return self.get(cluster_id)

    def ensure(self, current):
        desired = compute.cluster_desired(self.params)
        if current is None:
            return self.create(desired)
        if (current.get("state") == compute.TERMINATING and self.params["state"] == "terminated"
                and self.params["wait"] and not self.module.check_mode):
            current = self.wait_until(current["cluster_id"], ready=(compute.TERMINATED,), failed=("ERROR",))
        delta = ResourceDiff(desired, compute.cluster_comparable(current, desired),
                             unordered=("ssh_public_keys",))
        state_now = current.get("state")
        target = self.target_state(state_now)
        edit = bool(delta.changes)
        # A pending/restarting/resizing cluster is on its way to RUNNING: it needs no start.
        start = target == compute.RUNNING and state_now in (compute.TERMINATED, "TERMINATING", "ERROR")
        # A terminating cluster is on its way to TERMINATED: it needs no second clusters/delete.
        stop = target == compute.TERMINATED and state_now not in (compute.TERMINATED, compute.TERMINATING)
        predicted = target
        diff = {"before": dict(delta.before, state=state_now), "after": dict(delta.after, state=predicted)}
        changed = edit or start or stop
        if not changed:
            return self.finish(False, current, diff, [])
        if self.module.check_mode:
            self.actions.extend([a for a, on in (("edit", edit), ("start", start), ("terminate", stop)) if on])
            return self.finish(True, current, diff, delta.changed_keys, state=predicted)
        cluster_id = current["cluster_id"]
        cluster = current
        if stop:  # terminate first: an edit of a terminated cluster does not restart it
            cluster = self.terminate(cluster_id)
        if edit:
            cluster = self.settle(cluster)
            was_running = cluster.get("state") == compute.RUNNING
            self.post("edit", compute.cluster_edit_body(cluster, desired), "edit")
            if was_running and self.params["wait"]:
                self.wait_until(cluster_id, ready=(compute.RUNNING,), failed=(compute.TERMINATED, "ERROR"))
            cluster = self.get(cluster_id)
        if start:
            cluster = self.settle(cluster)
            if cluster.get("state") == compute.TERMINATED:
                self.post("start", {"cluster_id": cluster_id}, "start")
            if self.params["wait"]:
                self.wait_until(cluster_id, ready=(compute.RUNNING,), failed=(compute.TERMINATED, "ERROR"))
            cluster = self.get(cluster_id)
        return self.finish(True, cluster, diff, delta.changed_keys)


def run(module):
    handler = Cluster(module)
    current = handler.find()
    if module.params["state"] == "absent":
        return handler.ensure_absent(current)
    return handler.ensure(current)


def main():
    DatabricksModule(
        argument_spec=dict(
            cluster_name=dict(type="str", required=True),
            cluster_id=dict(type="str"),
            spark_version=dict(type="str"),
            node_type_id=dict(type="str"),
            driver_node_type_id=dict(type="str"),
            num_workers=dict(type="int"),
            autoscale=dict(type="dict", options=dict(min_workers=dict(type="int", required=True),
                                                     max_workers=dict(type="int", required=True))),
            autotermination_minutes=dict(type="int"),
            aws_attributes=dict(type="dict", options=dict(
                availability=dict(type="str", choices=["SPOT", "ON_DEMAND", "SPOT_WITH_FALLBACK"]),
                first_on_demand=dict(type="int"),
                spot_bid_price_percent=dict(type="int"),
                zone_id=dict(type="str"),
                instance_profile_arn=dict(type="str"),
                ebs_volume_type=dict(type="str", choices=["GENERAL_PURPOSE_SSD", "THROUGHPUT_OPTIMIZED_HDD"]),
                ebs_volume_count=dict(type="int"),
                ebs_volume_size=dict(type="int"),
                ebs_volume_iops=dict(type="int"),
                ebs_volume_throughput=dict(type="int"),
            )),
            custom_tags=dict(type="dict"),
            spark_conf=dict(type="dict"),
            spark_env_vars=dict(type="dict"),
            cluster_log_conf=dict(type="dict"),
            init_scripts=dict(type="list", elements="dict"),
            data_security_mode=dict(type="str"),
            single_user_name=dict(type="str"),
            runtime_engine=dict(type="str", choices=["STANDARD", "PHOTON"]),
            enable_elastic_disk=dict(type="bool"),
            enable_local_disk_encryption=dict(type="bool"),
            policy_id=dict(type="str"),
            instance_pool_id=dict(type="str"),
            driver_instance_pool_id=dict(type="str"),
            ssh_public_keys=dict(type="list", elements="str", no_log=False),
            state=dict(type="str", default="present", choices=["present", "running", "terminated", "absent"]),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1200),
        ),
        api="workspace",
        mutually_exclusive=[("num_workers", "autoscale")],
    ).run(run)


if __name__ == "__main__":
    main()
