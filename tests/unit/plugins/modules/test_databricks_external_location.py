"""databricks_external_location against the fake workspace's Unity Catalog (unity_catalog_fake)."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_external_location as external_location,
)

from tests.unit.plugins.unity_catalog_fake import FakeUnityCatalog

PATH = "/api/2.1/unity-catalog/external-locations"


@pytest.fixture
def uc():
    fake = FakeUnityCatalog()
    mid = fake.add_metastore("lakehouse-eu", "eu-west-1")["metastore_id"]
    fake.assignments[fake.workspace_id] = {"workspace_id": fake.workspace_id, "metastore_id": mid}
    fake.credentials["cred"] = {"name": "cred", "aws_iam_role": {"role_arn": "arn:aws:iam::1:role/r"}}
    return fake


@pytest.fixture
def run(run_workspace_module, uc):
    return run_workspace_module.bind(external_location.main, uc, diff=True, name="raw", url="s3://lakehouse-raw/",
                                     credential_name="cred")


def test_check_mode_then_create_then_a_trailing_slash_is_no_difference(run, uc):
    planned = run(check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert planned["external_location"]["credential_name"] == "cred"
    created = run()
    assert created["changed"] and uc.locations["raw"]["url"] == "s3://lakehouse-raw/"  # sent as given
    assert created["external_location"]["owner"] == "cid"
    assert not run(url="s3://lakehouse-raw")["changed"]
    assert not run()["changed"] and len(uc.bodies) == 1


def test_validation_failing_while_iam_propagates_is_retried(run, uc):
    uc.propagating = 3
    result = run()
    assert result["changed"] and "raw" in uc.locations and uc.propagating == 0
    assert [m for m, p in uc.mutating_calls()].count("POST") == 4


def test_propagation_errors_stop_after_the_timeout(run, uc, monkeypatch):
    clock = iter(range(0, 100000, 50))
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    uc.propagating = 1000
    result = run(propagation_timeout=120)
    assert result["failed"] and result["error_code"] == "PERMISSION_DENIED"
    assert "not configured correctly" in result["msg"] and "raw" not in uc.locations


def test_other_validation_errors_fail_at_once(run, uc):
    uc.locations["other"] = {"name": "other", "url": "s3://lakehouse-raw/sub", "credential_name": "cred"}
    result = run()
    assert result["failed"] and "overlaps with an existing external location" in result["msg"]
    assert [m for m, p in uc.mutating_calls()] == ["POST"]


def test_url_and_owner_are_updated_owner_last(run, uc):
    run()
    result = run(url="s3://lakehouse-raw/landing", owner="group-a", comment="raw layer")
    assert result["changed"] and result["external_location"]["owner"] == "group-a"
    assert uc.bodies[1] == ("PATCH", PATH + "/raw", {"url": "s3://lakehouse-raw/landing", "comment": "raw layer"})
    assert uc.bodies[2] == ("PATCH", PATH + "/raw", {"owner": "group-a"})


def test_absent(run, uc):
    run()
    assert run(state="absent", check_mode=True)["changed"] and "raw" in uc.locations
    result = run(state="absent")
    assert result["changed"] and result["external_location"] is None and uc.locations == {}
    assert result["diff"]["before"]["url"] == "s3://lakehouse-raw"
    assert not run(state="absent")["changed"]


SSE_KMS = {"sse_encryption_details": {"algorithm": "AWS_SSE_KMS", "aws_kms_key_arn": "arn:aws:kms:eu-west-1:1:key/k"}}


def test_encryption_details_are_created_then_converged_and_kept_when_omitted(run, uc):
    created = run(encryption_details=SSE_KMS)
    assert created["changed"] and uc.bodies[0][2]["encryption_details"] == SSE_KMS
    assert not run(encryption_details=SSE_KMS)["changed"]
    assert not run()["changed"]  # not managed when omitted
    sse_s3 = {"sse_encryption_details": {"algorithm": "AWS_SSE_S3"}}
    changed = run(encryption_details=sse_s3)
    assert changed["changed"] and uc.bodies[-1] == ("PATCH", PATH + "/raw", {"encryption_details": sse_s3})
    assert changed["diff"]["before"]["encryption_details"] == SSE_KMS
    assert changed["diff"]["after"]["encryption_details"] == sse_s3


def test_a_kms_key_only_goes_with_sse_kms(run, uc):
    result = run(encryption_details={"sse_encryption_details": {"algorithm": "AWS_SSE_S3",
                                                                "aws_kms_key_arn": "arn:aws:kms:eu-west-1:1:key/k"}})
    assert result["failed"] and "only for AWS_SSE_KMS" in result["msg"] and uc.mutating_calls() == []


@pytest.fixture
def run_many(run_workspace_module, uc):
    return run_workspace_module.bind(external_location.main, uc, diff=True, credential_name="cred")


LAYERS = [{"name": "raw", "url": "s3://lakehouse-raw/", "comment": "raw layer"},
          {"name": "trusted", "url": "s3://lakehouse-trusted/", "encryption_details": SSE_KMS}]


def test_locations_in_one_run_plan_then_create_then_nothing_to_do(run_many, uc):
    uc.propagating = 2  # the first creations meet IAM propagation: retried within the run
    planned = run_many(locations=LAYERS, check_mode=True)
    assert planned["changed"] and uc.mutating_calls() == []
    assert [(loc["name"], loc["changed"]) for loc in planned["locations"]] == [("raw", True), ("trusted", True)]
    assert planned["diff"]["after"]["trusted"]["encryption_details"] == SSE_KMS
    created = run_many(locations=LAYERS, propagation_timeout=30)
    assert created["changed"] and sorted(uc.locations) == ["raw", "trusted"]
    assert uc.locations["raw"]["comment"] == "raw layer" and uc.locations["trusted"]["credential_name"] == "cred"
    assert created["locations"][1]["external_location"]["encryption_details"] == SSE_KMS
    again = run_many(locations=LAYERS)
    assert not again["changed"] and [loc["changed"] for loc in again["locations"]] == [False, False]
    removed = run_many(locations=[{"name": "raw"}, {"name": "trusted"}], state="absent")
    assert removed["changed"] and uc.locations == {}


def test_every_location_is_checked_before_any_is_changed(run_many, uc):
    bad = [*LAYERS, {"name": "gold"}]
    result = run_many(locations=bad)
    assert result["failed"] and "external location gold: " in result["msg"] and "url" in result["msg"]
    sse_s3_with_key = {"sse_encryption_details": {"algorithm": "AWS_SSE_S3", "aws_kms_key_arn": "arn:aws:kms:k"}}
    result = run_many(locations=[*LAYERS, {"name": "gold", "url": "s3://gold", "encryption_details": sse_s3_with_key}])
    assert result["failed"] and "only for AWS_SSE_KMS" in result["msg"]
    assert uc.mutating_calls() == []


def test_one_location_still_needs_a_url_to_be_present(run_workspace_module, uc):
    result = run_workspace_module.bind(external_location.main, uc, name="raw", credential_name="cred")()
    assert result["failed"] and "missing: url" in result["msg"] and uc.mutating_calls() == []
