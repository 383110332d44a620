"""databricks_cluster against the fake clusters API: create and wait, in-place edit, start/terminate, delete,
check mode."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_compute as compute
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_cluster as cluster

SPEC = dict(
    cluster_name="lh-High-Concurrency", spark_version="16.4.x-scala2.12", node_type_id="r5.large",
    autoscale={"min_workers": 1, "max_workers": 2}, autotermination_minutes=30,
    aws_attributes={"availability": "SPOT_WITH_FALLBACK", "first_on_demand": 1, "spot_bid_price_percent": 60,
                    "ebs_volume_count": 1, "ebs_volume_size": 32,
                    "instance_profile_arn": "arn:aws:iam::123456789012:instance-profile/meta"},
    custom_tags={"Project": "lakehouse"},
    cluster_log_conf={"s3": {"destination": "s3://b/cluster-logs", "region": "eu-west-1", "enable_encryption": True,
                             "encryption_type": "sse-kms", "kms_key": "arn:aws:kms:eu-west-1:1:key/k"}},
)


@pytest.fixture
def run(run_workspace_module, fake_workspace):
    """run(check_mode=False, **args): databricks_cluster with SPEC updated by args (None: left out) run against
    fake_workspace."""

    def run_cluster(check_mode=False, **args):
        merged = dict(SPEC, **args)
        merged = {k: v for k, v in merged.items() if v is not None}  # as a playbook's omit
        return run_workspace_module(cluster.main, merged, fake_workspace, check_mode=check_mode, diff=True)

    return run_cluster


def only(fake):
    assert len(fake.clusters) == 1
    return next(iter(fake.clusters.values()))


def test_created_waited_for_then_unchanged(run, fake_workspace):
    first = run()
    assert first["changed"] and first["state"] == "RUNNING" and first["actions"] == ["create"]
    assert first["wait"]["outcome"] == "ready" and first["wait"]["history"][0]["status"] == "PENDING"
    assert only(fake_workspace)["autoscale"] == {"min_workers": 1, "max_workers": 2}
    before = len(fake_workspace.mutating_calls())
    second = run()
    assert not second["changed"] and second["cluster_id"] == first["cluster_id"]
    assert len(fake_workspace.mutating_calls()) == before


def test_check_mode_create(run, fake_workspace):
    result = run(check_mode=True)
    assert result["changed"] and result["cluster_id"] is None and result["state"] == "RUNNING"
    assert result["diff"]["after"]["autotermination_minutes"] == 30 and fake_workspace.mutating_calls() == []


def test_start_failure_reports_the_reason(run, fake_workspace):
    fake_workspace.start_fails = "no route to a NAT gateway"
    result = run()
    assert result["failed"] and result["error_code"] == "CLUSTER_START_FAILED"
    assert "no route to a NAT gateway" in result["msg"] and result["cluster_id"]


def test_edit_in_place_keeps_terminated_cluster_terminated(run, fake_workspace):
    first = run()
    fake_workspace.clusters[first["cluster_id"]]["state"] = "TERMINATED"
    result = run(autoscale={"min_workers": 1, "max_workers": 4}, autotermination_minutes=60,
                 custom_tags={"Project": "lakehouse", "Team": "data"})
    assert result["changed"] and result["actions"] == ["edit"] and result["state"] == "TERMINATED"
    assert result["changed_keys"] == ["autoscale", "autotermination_minutes", "custom_tags"]
    assert result["cluster_id"] == first["cluster_id"] and len(fake_workspace.clusters) == 1
    edited = only(fake_workspace)
    assert edited["autoscale"]["max_workers"] == 4 and edited["custom_tags"]["Team"] == "data"
    # the edit body is the full spec: settings not given stay
    assert fake_workspace.last_edit["cluster_log_conf"] == SPEC["cluster_log_conf"]
    assert fake_workspace.last_edit["spark_version"] == SPEC["spark_version"]


def test_edit_running_cluster_waits_for_restart(run, fake_workspace):
    run()
    result = run(num_workers=3, autoscale=None)
    assert result["changed"] and result["state"] == "RUNNING" and result["wait"]["history"][0]["status"] == \
        "RESTARTING"
    assert "autoscale" not in fake_workspace.last_edit and fake_workspace.last_edit["num_workers"] == 3


def test_databricks_defaults_are_not_drift(run, fake_workspace):
    run()
    # the fake_workspace adds zone_id/ebs_volume_type defaults to aws_attributes on reads
    assert not run()["changed"]


def test_check_mode_edit_predicts(run, fake_workspace):
    run()
    before = len(fake_workspace.mutating_calls())
    result = run(check_mode=True, autotermination_minutes=45)
    assert result["changed"] and result["changed_keys"] == ["autotermination_minutes"]
    assert result["diff"]["before"]["autotermination_minutes"] == 30
    assert result["diff"]["after"]["autotermination_minutes"] == 45
    assert len(fake_workspace.mutating_calls()) == before


def test_running_starts_terminated_and_terminated_stops(run, fake_workspace):
    first = run()
    stopped = run(state="terminated")
    assert stopped["changed"] and stopped["actions"] == ["terminate"] and stopped["state"] == "TERMINATED"
    assert not run()["changed"]  # present: a terminated cluster is not restarted
    started = run(state="running")
    assert started["changed"] and started["actions"] == ["start"] and started["state"] == "RUNNING"
    assert started["cluster_id"] == first["cluster_id"]


def test_spark_conf_exact(run, fake_workspace):
    run(spark_conf={"a": "1", "b": "2"})
    result = run(spark_conf={"a": "1"})
    assert result["changed"] and only(fake_workspace)["spark_conf"] == {"a": "1"}
    assert not run(spark_conf={"a": 1})["changed"]


def test_absent(run, fake_workspace):
    run()
    assert run(state="absent", check_mode=True)["changed"] and fake_workspace.clusters
    result = run(state="absent")
    assert result["changed"] and result["actions"] == ["delete"] and fake_workspace.clusters == {}
    assert not run(state="absent")["changed"]


def test_ambiguous_name_and_missing_id(run, fake_workspace):
    fake_workspace.add_cluster(cluster_name=SPEC["cluster_name"])
    fake_workspace.add_cluster(cluster_name=SPEC["cluster_name"])
    assert run()["error_code"] == "AMBIGUOUS_MATCH"
    assert run(cluster_id="nope")["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_create_needs_version_and_node_type(run, fake_workspace):
    result = run(spark_version=None, node_type_id=None)
    assert result["failed"] and "spark_version" in result["msg"] and "node_type_id" in result["msg"]


def test_edit_body_merges_partial_dicts():
    current = {"cluster_id": "c1", "spec": {"spark_version": "v", "aws_attributes": {"zone_id": "auto",
                                                                                     "first_on_demand": 1},
                                            "num_workers": 2}}
    body = compute.cluster_edit_body(current, {"aws_attributes": {"first_on_demand": 2},
                                               "autoscale": {"min_workers": 1, "max_workers": 2}})
    assert body == {"cluster_id": "c1", "spark_version": "v", "aws_attributes": {"zone_id": "auto",
                                                                                 "first_on_demand": 2},
                    "autoscale": {"min_workers": 1, "max_workers": 2}}


def test_terminate_waits_out_terminating(run, fake_workspace):
    """clusters/delete is asynchronous: the module reports TERMINATED only once Databricks does."""
    run()
    stopped = run(state="terminated")
    assert stopped["state"] == "TERMINATED" and stopped["wait"]["history"][0]["status"] == "TERMINATING"
    # A cluster already TERMINATING gets no second delete; the module waits for the end.
    only(fake_workspace).update(state="RUNNING")
    fake_workspace.cl_terminate(None, {"cluster_id": only(fake_workspace)["cluster_id"]})
    calls = len(fake_workspace.calls)
    again = run(state="terminated")
    assert not again["changed"] and again["state"] == "TERMINATED"
    assert not [c for c in fake_workspace.calls[calls:] if c[2].endswith("/clusters/delete")]
    # wait=false: the result says TERMINATING, and a following start waits the termination out.
    only(fake_workspace).update(state="RUNNING")
    quick = run(state="terminated", wait=False)
    assert quick["changed"] and quick["state"] == "TERMINATING"
    started = run(state="running")
    assert started["actions"] == ["start"] and started["state"] == "RUNNING"


def test_cluster_found_on_a_later_list_page(run, fake_workspace):
    fake_workspace.cluster_page_size = 1
    for name in ("a", "b", "c"):
        fake_workspace.add_cluster(cluster_name=name, spark_version="16.4.x-scala2.12", node_type_id="r5.large")
    created = run()
    assert created["changed"] and len(fake_workspace.clusters) == 4
    assert not run()["changed"] and len(fake_workspace.clusters) == 4  # found on page 4, not created again
