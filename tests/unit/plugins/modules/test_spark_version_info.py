"""spark_version_info and the version selection rules."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_compute import (
    select_spark_versions,
)
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_spark_version_info as spark_version_info,
)
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import SPARK_VERSIONS, FakeWorkspace


@pytest.fixture
def fake():
    return FakeWorkspace()


def test_latest_lts(fake):
    result = run_module(spark_version_info.main, dict(WS_CONNECTION, long_term_support=True), fake)
    assert not result["changed"] and result["spark_version"] == "17.3.x-scala2.13"
    assert [v["key"] for v in result["versions"]] == ["17.3.x-scala2.13", "16.4.x-scala2.12", "15.4.x-scala2.12"]


def test_latest_lts_for_scala_212(fake):
    result = run_module(spark_version_info.main, dict(WS_CONNECTION, long_term_support=True, scala="2.12"), fake)
    assert result["spark_version"] == "16.4.x-scala2.12"


def test_no_match_fails(fake):
    result = run_module(spark_version_info.main, dict(WS_CONNECTION, gpu=True), fake)
    assert result["failed"] and result["error_code"] == "NO_MATCH" and "gpu=True" in result["msg"]


@pytest.mark.parametrize("query, expected", [
    ({}, "17.3.x-scala2.13"),
    ({"ml": True}, "16.4.x-cpu-ml-scala2.12"),
    ({"photon": True, "long_term_support": True}, "16.4.x-photon-scala2.12"),
    ({"spark_version": "3.5.0"}, "15.4.x-scala2.12"),
])
def test_selection(query, expected):
    assert select_spark_versions(SPARK_VERSIONS, **query)[0]["key"] == expected
