"""The storage_encryption role's KMS keys on the sandbox: read once (kms_key_estate_info), amazon.aws.kms_key
only for the keys that differ, out-of-band drift planned in check mode and repaired.

Uses the iam_storage playbook with its own deployment_prefix, so it shares the session sandbox with
tests/e2e/test_iam_storage.py without interfering.
"""

import json
import re

from tests.e2e.conftest import aws_actions, ok, run_iam_storage, task_items

KMS_TASK = "Ensure the KMS keys, their aliases, rotation and key policies"
# A no-op reads each of the two keys with DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags.
KMS_NOOP_CALL_LIMIT = 8


def kms_key_ran(stdout):
    """The kms_key loop items that invoked the module (not skipped), by alias."""
    return {alias for line in task_items(stdout, KMS_TASK) if not line.startswith("skipping:")
            for alias in re.findall(r"item=(alias/\S+?)\)", line)}


def key_state(kms, alias):
    key_id = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
    return {"key_id": key_id, "rotation": kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
            "policy": json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]), "tags": tags}


def test_kms_noop_reads_once_and_drift_is_planned_then_repaired(sandbox):
    prefix = "e2e-kmsdrift"
    datalake, logging = f"alias/{prefix}-datalake", f"alias/{prefix}-logging"
    first = ok(run_iam_storage(sandbox, prefix), "first run")
    assert kms_key_ran(first.stdout) == {datalake, logging}
    kms = sandbox.aws_client("kms")
    converged = {alias: key_state(kms, alias) for alias in (datalake, logging)}

    # No-op: the keys are read once, kms_key runs for neither.
    sandbox.clear_aws_requests()
    noop = ok(run_iam_storage(sandbox, prefix), "no-op run")
    assert noop.changed() == 0, noop.stdout
    assert kms_key_ran(noop.stdout) == set()
    assert all(line.startswith("skipping:") for line in task_items(noop.stdout, KMS_TASK))
    calls = aws_actions(sandbox, "kms")
    assert len(calls) <= KMS_NOOP_CALL_LIMIT, calls
    assert set(calls) <= {"DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags"}, calls
    # The buckets still name the keys' ARNs (from the read).
    s3 = sandbox.aws_client("s3")
    encryption = s3.get_bucket_encryption(Bucket=f"{prefix}-raw")["ServerSideEncryptionConfiguration"]
    key_arn = encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert key_arn.endswith("key/" + converged[datalake]["key_id"]), key_arn
    assert f"{prefix}-datalake" in noop.stdout and converged[datalake]["key_id"] in noop.stdout

    # Drift out of band: rotation off and the policy changed on one key, a tag added to the other.
    datalake_id, logging_id = converged[datalake]["key_id"], converged[logging]["key_id"]
    kms.disable_key_rotation(KeyId=datalake_id)
    policy = converged[datalake]["policy"]
    narrowed = dict(policy, Statement=[s for s in policy["Statement"] if s.get("Sid") != "DatabricksUseKey"])
    kms.put_key_policy(KeyId=datalake_id, PolicyName="default", Policy=json.dumps(narrowed))
    kms.tag_resource(KeyId=logging_id, Tags=[{"TagKey": "Owner", "TagValue": "someone-else"}])

    sandbox.clear_aws_requests()
    plan = ok(run_iam_storage(sandbox, prefix, "--check", "--diff"), "--check --diff")
    assert plan.changed() > 0
    assert f"{datalake}: enable_key_rotation, policy" in plan.stdout
    assert f"{logging}: tags" in plan.stdout
    assert sandbox.aws_mutating_requests() == []
    assert key_state(kms, logging)["tags"].get("Owner") == "someone-else"

    repair = ok(run_iam_storage(sandbox, prefix), "repair run")
    assert repair.changed() > 0
    assert kms_key_ran(repair.stdout) == {datalake, logging}
    assert all(line.startswith("changed:") for line in task_items(repair.stdout, KMS_TASK)), repair.stdout
    repaired = {alias: key_state(kms, alias) for alias in (datalake, logging)}
    assert repaired[datalake]["rotation"] is True
    assert "DatabricksUseKey" in {s.get("Sid") for s in repaired[datalake]["policy"]["Statement"]}
    assert "Owner" not in repaired[logging]["tags"]
    assert repaired[logging]["tags"] == converged[logging]["tags"]

    settled = ok(run_iam_storage(sandbox, prefix), "settled run")
    assert settled.changed() == 0, settled.stdout
    assert kms_key_ran(settled.stdout) == set()

