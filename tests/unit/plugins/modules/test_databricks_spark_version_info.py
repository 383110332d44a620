"""databricks_spark_version_info and the version selection rules."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import (
    select_spark_versions,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_spark_version_info as spark_version_info,
)


def test_latest_lts(run_workspace_module, fake_workspace):
    result = run_workspace_module(spark_version_info.main, dict(long_term_support=True), fake_workspace)
    assert not result["changed"] and result["spark_version"] == "17.3.x-scala2.13"
    assert [v["key"] for v in result["versions"]] == ["17.3.x-scala2.13", "16.4.x-scala2.12", "15.4.x-scala2.12"]


def test_latest_lts_for_scala_212(run_workspace_module, fake_workspace):
    result = run_workspace_module(spark_version_info.main, dict(long_term_support=True, scala="2.12"), fake_workspace)
    assert result["spark_version"] == "16.4.x-scala2.12"


def test_no_match_fails(run_workspace_module, fake_workspace):
    result = run_workspace_module(spark_version_info.main, dict(gpu=True), fake_workspace)
    assert result["failed"] and result["error_code"] == "NO_MATCH" and "gpu=True" in result["msg"]


@pytest.mark.parametrize("query, expected", [
    ({}, "17.3.x-scala2.13"),
    ({"ml": True}, "16.4.x-cpu-ml-scala2.12"),
    ({"photon": True, "long_term_support": True}, "16.4.x-photon-scala2.12"),
    ({"spark_version": "3.5.0"}, "15.4.x-scala2.12"),
])
def test_selection(fake_workspace, query, expected):
    assert select_spark_versions(fake_workspace.spark_versions, **query)[0]["key"] == expected


def test_one_runtime_by_key(run_workspace_module, fake_workspace):
    result = run_workspace_module(spark_version_info.main, dict(key="16.4.x-photon-scala2.12", gpu=True),
                                  fake_workspace)
    assert not result.get("failed") and result["spark_version"] == "16.4.x-photon-scala2.12"
    result = run_workspace_module(spark_version_info.main, dict(key="99.9.x-scala2.12"), fake_workspace)
    assert result["failed"] and result["error_code"] == "NO_MATCH"
    assert result["msg"].startswith("the workspace does not offer the Databricks Runtime 99.9.x-scala2.12 (")
    assert result["msg"].endswith("newest LTS: 17.3.x-scala2.13)")
