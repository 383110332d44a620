"""The storage_encryption role's KMS keys on the sandbox: one key per use (workspace storage, managed services,
data lake, tokens, logging), each key policy granting only that use's principals; read once (kms_key_estate_info),
amazon.aws.kms_key only for the keys that differ, out-of-band drift planned in check mode and repaired; one shared
datalake key with storage_encryption_separate_keys false, kept by the preflight; destroy schedules every key's
deletion.

Uses the iam_storage playbook with its own deployment_prefix, so it shares the session sandbox with
tests/e2e/test_iam_storage.py without interfering.
"""

import json
import re

from sandbox.databricks_emulator.aws import iam_policy
from tests.e2e.conftest import as_list, aws_actions, ok, run_iam_storage, statements, task_items

KMS_TASK = "Ensure the KMS keys, their aliases, rotation and key policies"
USES = ("workspace_storage", "managed_services", "datalake", "tokens", "logging")
# A no-op reads each of the five keys with DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags.
KMS_NOOP_CALL_LIMIT = 4 * len(USES)
ACCOUNT = "123456789012"
DATABRICKS = "arn:aws:iam::414351767826:root"
REGION = "eu-west-1"
# The deployments this file destroys leave S3 server access logging off: the destroy asserted here is the keys';
# emptying buckets that still receive access logs is the bucket tests' subject.
KEYS_ONLY = {"storage_encryption_access_logging": False}


def aliases(prefix):
    return {use: f"alias/{prefix}-{use.replace('_', '-')}" for use in USES}


def kms_key_ran(stdout):
    """The kms_key loop items that invoked the module (not skipped), by alias."""
    return {alias for line in task_items(stdout, KMS_TASK) if not line.startswith("skipping:")
            for alias in re.findall(r"item=(alias/\S+?)\)", line)}


def key_state(kms, alias):
    meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    key_id = meta["KeyId"]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
    return {"key_id": key_id, "arn": meta["Arn"], "state": meta["KeyState"],
            "rotation": kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
            "policy": json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]), "tags": tags}


def role(prefix, name):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{prefix}-{name}/session"


def decision(policy, principal, action, context=None):
    """The key policy's verdict for a call by principal (the sandbox's policy evaluator): "Allow", "Deny" or None.
    The statement giving the account root kms:* is left out: it delegates to the account's IAM policies (AWS KMS
    Developer Guide, "Default key policy"), so what is left is what the key policy itself grants."""
    granted = dict(policy, Statement=[s for s in statements(policy) if s.get("Sid") != "EnableAccountRootPermissions"])
    return iam_policy.resource_policy_decision([granted], principal, action, "*", context or {})


def via_s3(bucket, **context):
    return {"kms:ViaService": f"s3.{REGION}.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}", **context}


def databricks_principals(policy):
    return {s.get("Sid") for s in statements(policy)
            if DATABRICKS in as_list((s.get("Principal") or {}).get("AWS"))}


def bucket_key(s3, bucket):
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    return encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]


def destroy_keys(sandbox, tmp_path, prefix, **extra_vars):
    """The storage_encryption role's destroy entry point under deployment_prefix prefix."""
    playbook = tmp_path / "destroy_storage.yml"
    playbook.write_text(
        "- hosts: databricks_deployments\n  gather_facts: false\n  environment: \"{{ deployment_environment }}\"\n"
        "  tasks:\n    - ansible.builtin.include_role:\n        name: lakehouse.databricks_aws.storage_encryption\n"
        "        tasks_from: destroy\n", encoding="utf-8")
    return sandbox.playbook(str(playbook), "-e", json.dumps({"deployment_prefix": prefix, **extra_vars}))


def test_each_use_has_a_key_granting_only_its_principals(sandbox, tmp_path):
    prefix = "e2e-kmsuses"
    names = aliases(prefix)
    ok(run_iam_storage(sandbox, prefix, **KEYS_ONLY), "first run")
    kms, s3 = sandbox.aws_client("kms"), sandbox.aws_client("s3")
    keys = {use: key_state(kms, alias) for use, alias in names.items()}
    assert len({key["key_id"] for key in keys.values()}) == len(USES), keys
    assert all(key["rotation"] and key["state"] == "Enabled" for key in keys.values())
    assert all(key["tags"].get("lakehouse:kms-alias") == names[use] for use, key in keys.items())
    policies = {use: key["policy"] for use, key in keys.items()}
    tag = {"aws:PrincipalTag/DatabricksAccountId": sandbox.endpoints["databricks_account_id"]}
    other_tag = {"aws:PrincipalTag/DatabricksAccountId": "00000000-0000-0000-0000-000000000000"}
    databricks = "arn:aws:sts::414351767826:assumed-role/databricks/session"

    # Databricks (with its account's principal tag) uses the workspace storage and managed services keys only.
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:DescribeKey"):
        assert decision(policies["workspace_storage"], databricks, action, tag) == "Allow", action
        assert decision(policies["workspace_storage"], databricks, action, other_tag) is None, action
    assert decision(policies["workspace_storage"], databricks, "kms:CreateGrant",
                    dict(tag, **{"kms:GrantIsForAWSResource": "true"})) == "Allow"
    assert decision(policies["workspace_storage"], databricks, "kms:CreateGrant",
                    dict(tag, **{"kms:GrantIsForAWSResource": "false"})) is None
    assert decision(policies["managed_services"], databricks, "kms:Decrypt", tag) == "Allow"
    assert decision(policies["managed_services"], databricks, "kms:GenerateDataKey", tag) is None
    assert {use for use, policy in policies.items() if databricks_principals(policy)} == {
        "workspace_storage", "managed_services"}
    # The cross-account role: EBS through EC2 on the workspace storage key, its grants only for AWS resources.
    cross = role(prefix, "cross-account-role")
    ec2 = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}
    assert decision(policies["workspace_storage"], cross, "kms:GenerateDataKeyWithoutPlaintext", ec2) == "Allow"
    assert decision(policies["workspace_storage"], cross, "kms:CreateGrant",
                    dict(ec2, **{"kms:GrantIsForAWSResource": "true"})) == "Allow"
    assert decision(policies["workspace_storage"], cross, "kms:CreateGrant", ec2) is None
    assert decision(policies["workspace_storage"], cross, "kms:Decrypt") is None
    assert all(decision(policies[use], cross, "kms:Decrypt", ec2) is None for use in USES if use != "workspace_storage")
    # The data roles through S3 on the datalake key only; read decrypts, write encrypts too.
    read, write = role(prefix, "data-read-role"), role(prefix, "data-write-role")
    raw = via_s3(f"{prefix}-raw/file")
    assert decision(policies["datalake"], read, "kms:Decrypt", raw) == "Allow"
    assert decision(policies["datalake"], read, "kms:GenerateDataKey", raw) is None
    assert decision(policies["datalake"], write, "kms:GenerateDataKey", raw) == "Allow"
    assert decision(policies["datalake"], write, "kms:Decrypt") is None
    assert all(decision(policies[use], write, "kms:Decrypt", raw) is None for use in USES if use != "datalake")
    # The Unity Catalog role through S3 on the datalake key only (the catalog bucket and the external locations).
    catalog = role(prefix, "uc-storage-role")
    catalog_object = via_s3(f"{prefix}-catalog/__unitystorage/catalogs/1/part-0.parquet")
    assert decision(policies["datalake"], catalog, "kms:GenerateDataKey", catalog_object) == "Allow"
    assert decision(policies["datalake"], catalog, "kms:Decrypt", raw) == "Allow"
    assert decision(policies["datalake"], catalog, "kms:Decrypt") is None
    assert all(decision(policies[use], catalog, "kms:Decrypt", catalog_object) is None
               for use in USES if use != "datalake")
    # The tokens key: only through Secrets Manager, for this account.
    runner = f"arn:aws:sts::{ACCOUNT}:assumed-role/runner/session"
    secrets = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    assert decision(policies["tokens"], runner, "kms:Decrypt", secrets) == "Allow"
    assert decision(policies["tokens"], runner, "kms:Decrypt", dict(secrets, **{
        "kms:CallerAccount": "210987654321"})) is None
    assert decision(policies["tokens"], runner, "kms:Decrypt",
                    {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}) is None
    assert all(decision(policies[use], runner, "kms:Decrypt", secrets) is None for use in USES if use != "tokens")
    # The logging key: the log-delivery role for audit and billable usage logs, the meta role for its cluster logs
    # only (not the audit logs), VPC flow log delivery; nobody else.
    delivery, meta = role(prefix, "log-delivery"), role(prefix, "meta-role")
    audit, logging_bucket = via_s3(f"{prefix}-audit-logs"), via_s3(f"{prefix}-databricks-logging/cluster-logs/x")
    assert decision(policies["logging"], delivery, "kms:GenerateDataKey", audit) == "Allow"
    assert decision(policies["logging"], delivery, "kms:GenerateDataKey", logging_bucket) == "Allow"
    assert decision(policies["logging"], meta, "kms:GenerateDataKey", logging_bucket) == "Allow"
    assert decision(policies["logging"], meta, "kms:Decrypt", audit) is None
    assert decision(policies["logging"], meta, "kms:Decrypt", via_s3(f"{prefix}-raw")) is None
    assert decision(policies["logging"], "delivery.logs.amazonaws.com", "kms:GenerateDataKey",
                    {"aws:SourceAccount": ACCOUNT}) == "Allow"
    assert decision(policies["logging"], "cloudtrail.amazonaws.com", "kms:GenerateDataKey",
                    {"aws:SourceAccount": ACCOUNT}) is None
    assert decision(policies["logging"], databricks, "kms:Decrypt", tag) is None

    # The buckets: root with the workspace storage key, the data lake with the datalake key.
    assert bucket_key(s3, f"{prefix}-rootbucket") in (keys["workspace_storage"]["arn"],
                                                       keys["workspace_storage"]["key_id"])
    assert bucket_key(s3, f"{prefix}-raw") in (keys["datalake"]["arn"], keys["datalake"]["key_id"])
    assert bucket_key(s3, f"{prefix}-catalog") in (keys["datalake"]["arn"], keys["datalake"]["key_id"])

    # One shared key on this estate would leave the workspace storage key behind: refused before any change.
    sandbox.clear_aws_requests()
    refused = run_iam_storage(sandbox, prefix, storage_encryption_separate_keys=False, **KEYS_ONLY)
    assert refused.returncode != 0
    assert f"storage_encryption_separate_keys: false, but {names['workspace_storage']} names a key" in refused.stdout
    assert sandbox.aws_mutating_requests() == []

    # Destroy schedules the deletion of every key.
    ok(destroy_keys(sandbox, tmp_path, prefix, **KEYS_ONLY), "destroy")
    states = {use: kms.describe_key(KeyId=key["key_id"])["KeyMetadata"]["KeyState"] for use, key in keys.items()}
    assert set(states.values()) == {"PendingDeletion"}, states


def test_kms_noop_reads_once_and_drift_is_planned_then_repaired(sandbox):
    prefix = "e2e-kmsdrift"
    names = aliases(prefix)
    storage, logging = names["workspace_storage"], names["logging"]
    first = ok(run_iam_storage(sandbox, prefix), "first run")
    assert kms_key_ran(first.stdout) == set(names.values())
    kms = sandbox.aws_client("kms")
    converged = {alias: key_state(kms, alias) for alias in names.values()}

    # No-op: the keys are read once, kms_key runs for none.
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
    assert bucket_key(s3, f"{prefix}-raw").endswith("key/" + converged[names["datalake"]]["key_id"])
    assert bucket_key(s3, f"{prefix}-rootbucket").endswith("key/" + converged[storage]["key_id"])
    assert converged[names["tokens"]]["key_id"] in noop.stdout

    # Drift out of band: rotation off and the policy changed on one key, a tag added to another.
    storage_id, logging_id = converged[storage]["key_id"], converged[logging]["key_id"]
    kms.disable_key_rotation(KeyId=storage_id)
    policy = converged[storage]["policy"]
    narrowed = dict(policy, Statement=[s for s in policy["Statement"]
                                       if s.get("Sid") != "DatabricksUseKeyForWorkspaceStorage"])
    kms.put_key_policy(KeyId=storage_id, PolicyName="default", Policy=json.dumps(narrowed))
    kms.tag_resource(KeyId=logging_id, Tags=[{"TagKey": "Owner", "TagValue": "someone-else"}])

    sandbox.clear_aws_requests()
    plan = ok(run_iam_storage(sandbox, prefix, "--check", "--diff"), "--check --diff")
    assert plan.changed() > 0
    assert f"{storage}: enable_key_rotation, policy" in plan.stdout
    assert f"{logging}: tags" in plan.stdout
    assert sandbox.aws_mutating_requests() == []
    assert key_state(kms, logging)["tags"].get("Owner") == "someone-else"

    repair = ok(run_iam_storage(sandbox, prefix), "repair run")
    assert repair.changed() > 0
    assert kms_key_ran(repair.stdout) == {storage, logging}
    assert all(line.startswith("changed:") for line in task_items(repair.stdout, KMS_TASK)
               if not line.startswith("skipping:")), repair.stdout
    repaired = {alias: key_state(kms, alias) for alias in (storage, logging)}
    assert repaired[storage]["rotation"] is True
    assert "DatabricksUseKeyForWorkspaceStorage" in {s.get("Sid") for s in repaired[storage]["policy"]["Statement"]}
    assert "Owner" not in repaired[logging]["tags"]
    assert repaired[logging]["tags"] == converged[logging]["tags"]

    settled = ok(run_iam_storage(sandbox, prefix), "settled run")
    assert settled.changed() == 0, settled.stdout
    assert kms_key_ran(settled.stdout) == set()


def test_one_shared_datalake_key_is_kept_by_the_preflight(sandbox, tmp_path):
    prefix = "e2e-kmsshared"
    names = aliases(prefix)
    first = ok(run_iam_storage(sandbox, prefix, storage_encryption_separate_keys=False, **KEYS_ONLY), "shared keys")
    assert kms_key_ran(first.stdout) == {names["datalake"], names["logging"]}
    kms, s3 = sandbox.aws_client("kms"), sandbox.aws_client("s3")
    existing = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    assert {names["datalake"], names["logging"]} <= existing
    assert not existing & {names["workspace_storage"], names["managed_services"], names["tokens"]}
    datalake = key_state(kms, names["datalake"])
    # The one key serves the four uses: root bucket, Databricks' keys, the data roles, Secrets Manager.
    assert bucket_key(s3, f"{prefix}-rootbucket") in (datalake["arn"], datalake["key_id"])
    sids = {s.get("Sid") for s in statements(datalake["policy"])}
    assert {"DatabricksUseKeyForWorkspaceStorage", "DatabricksControlPlaneManagedServices", "DataWriteRoleThroughS3",
            "SecretsManagerInThisAccount"} <= sids, sids
    # storage_encryption_outputs (the play's debug, YAML) names the datalake key for the shared uses.
    for use in ("workspace_storage", "managed_services", "tokens"):
        published = re.search(rf"{use}_key_arn: (\S+)", first.stdout)
        assert published and published.group(1) == datalake["arn"], (use, first.stdout[-3000:])
    noop = ok(run_iam_storage(sandbox, prefix, storage_encryption_separate_keys=False, **KEYS_ONLY), "no-op")
    assert noop.changed() == 0, noop.stdout

    # Separate keys on this estate would move the root bucket to a new key Databricks cannot take: refused first.
    sandbox.clear_aws_requests()
    refused = run_iam_storage(sandbox, prefix, **KEYS_ONLY)
    assert refused.returncode != 0
    assert "storage_encryption_workspace_storage_key_alias" in refused.stdout
    assert "set storage_encryption_separate_keys to false" in refused.stdout
    assert sandbox.aws_mutating_requests() == []

    ok(destroy_keys(sandbox, tmp_path, prefix, storage_encryption_separate_keys=False, **KEYS_ONLY), "destroy")
    for alias in (names["datalake"], names["logging"]):
        assert kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyState"] == "PendingDeletion"
