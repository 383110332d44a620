"""The iam and storage_encryption roles on the sandbox: converge, idempotence, security posture,
drift repair, check mode on an empty sandbox, and preflight failures before any AWS change.

Each test uses its own deployment_prefix, so they share the session sandbox without interfering.
"""

import json
import pathlib
import re

import pytest

from tests.e2e.conftest import IAM_STORAGE_VPC_ID, as_list, aws_actions, ok, run_iam_storage, statements, task_items

DATABRICKS_AWS_ACCOUNT = "414351767826"
IAM_STORAGE_SECURITY_GROUP_ID = "sg-0a1b2c3d4e5f60718"  # the iam_storage playbook's stand-in for the workspace's group
BUCKETS = ("rootbucket", "raw", "prepared", "trusted", "s3-logging", "databricks-logging", "audit-logs", "catalog")
IAM_WRITING_TASKS = ("Ensure the IAM roles and their trust policies", "Ensure the inline policies",
                     "Ensure the instance profiles")
IAM_TASKS_TEXT = "\n".join(path.read_text(encoding="utf-8") for path in sorted(
    (pathlib.Path(__file__).resolve().parents[2] / "roles" / "iam" / "tasks").glob("*.yml")))
# What the iam role reads on a no-op: GetRole per role, GetRolePolicy per inline policy, GetInstanceProfile
# per instance profile (6 + 7 + 3), one read module invocation.
IAM_NOOP_CALL_LIMIT = 20


def by_sid(policy):
    return {statement.get("Sid"): statement for statement in statements(policy)}


def principals(statement):
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal]
    values = []
    for value in (principal or {}).values():
        values.extend(value if isinstance(value, list) else [value])
    return values


def assert_security_posture(sandbox, prefix):
    kms, s3, iam = sandbox.aws_client("kms"), sandbox.aws_client("s3"), sandbox.aws_client("iam")
    account = sandbox.aws_client("sts").get_caller_identity()["Account"]
    databricks_account_id = sandbox.endpoints["databricks_account_id"]

    # Keys: rotation on, no statement allows principal "*", the account root administers them.
    for name in ("workspace-storage", "managed-services", "datalake", "tokens", "logging"):
        key_id = kms.describe_key(KeyId=f"alias/{prefix}-{name}")["KeyMetadata"]["KeyId"]
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"], name
        policy = by_sid(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        for statement in policy.values():
            assert statement["Effect"] == "Allow"
            assert all("*" not in principal for principal in principals(statement)), statement
        assert principals(policy["EnableAccountRootPermissions"]) == [f"arn:aws:iam::{account}:root"]
        # Databricks' grants and the cross-account role's EBS use: on the workspace storage key only.
        assert ("DatabricksGrantsForAWSResources" in policy) == (name == "workspace-storage"), (name, sorted(policy))
        assert ("CrossAccountRoleEBSThroughEC2" in policy) == (name == "workspace-storage"), (name, sorted(policy))
        if name == "workspace-storage":
            grants = policy["DatabricksGrantsForAWSResources"]
            assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
            ebs = policy["CrossAccountRoleEBSThroughEC2"]
            assert principals(ebs) == [f"arn:aws:iam::{account}:role/{prefix}-cross-account-role"]
            assert ebs["Condition"]["StringEquals"] == {"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}
        services = {p for s in policy.values() for p in principals(s) if p.endswith("amazonaws.com")}
        assert services == ({"delivery.logs.amazonaws.com"} if name == "logging" else set()), (name, services)

    datalake_arn = kms.describe_key(KeyId=f"alias/{prefix}-datalake")["KeyMetadata"]["Arn"]
    logging_arn = kms.describe_key(KeyId=f"alias/{prefix}-logging")["KeyMetadata"]["Arn"]

    # Buckets: SSE-KMS with the right key and bucket key (the s3-logging bucket, which takes the S3 server access
    # logs, SSE-S3: S3 delivers access logs to no other), all public access blocked, TLS only, every other bucket's
    # access logged to the s3-logging bucket under its own prefix.
    storage_arn = kms.describe_key(KeyId=f"alias/{prefix}-workspace-storage")["KeyMetadata"]["Arn"]
    for suffix in BUCKETS:
        bucket = f"{prefix}-{suffix}"
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        access_logs = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
        if suffix == "s3-logging":
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, bucket
            assert access_logs is None
        else:
            expected_key = (logging_arn if suffix in ("databricks-logging", "audit-logs")
                            else storage_arn if suffix == "rootbucket" else datalake_arn)
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                                   "KMSMasterKeyID": expected_key}, bucket
            assert rule["BucketKeyEnabled"] is True
            assert access_logs == {"TargetBucket": f"{prefix}-s3-logging",
                                   "TargetPrefix": f"s3-access-logs/{bucket}/"}, bucket
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                         "RestrictPublicBuckets": True}, bucket
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        policy = by_sid(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        tls = policy["DenyInsecureTransport"]
        assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        enforces_sse = "DenyIncorrectEncryptionHeader" in policy and "DenyUnencryptedObjectUploads" in policy
        # Defaults: datalake client-side encryption on (raw, prepared, trusted, catalog), DBFS off, never on log
        # buckets.
        assert enforces_sse == (suffix in ("raw", "prepared", "trusted", "catalog")), bucket
        versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
        assert (versioning == "Enabled") == (suffix != "rootbucket"), bucket

    root = by_sid(s3.get_bucket_policy(Bucket=f"{prefix}-rootbucket")["Policy"])
    assert principals(root["GrantDatabricksObjectAccess"]) == [f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root"]
    assert set(root["GrantDatabricksObjectAccess"]["Action"]) == {
        "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"}
    # No workspace in this playbook: Databricks may write the whole root bucket (site.yml scopes it to the workspace).
    assert root["GrantDatabricksObjectAccess"]["Resource"] == f"arn:aws:s3:::{prefix}-rootbucket/*"
    s3_logging = by_sid(s3.get_bucket_policy(Bucket=f"{prefix}-s3-logging")["Policy"])
    flow_logs = s3_logging["AWSLogDeliveryWrite"]
    assert flow_logs["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"
    access_logs = s3_logging["S3ServerAccessLogsDelivery"]
    assert principals(access_logs) == ["logging.s3.amazonaws.com"]
    assert access_logs["Resource"] == f"arn:aws:s3:::{prefix}-s3-logging/s3-access-logs/*"
    assert access_logs["Condition"]["StringEquals"] == {"aws:SourceAccount": account}
    assert sorted(as_list(access_logs["Condition"]["ArnLike"]["aws:SourceArn"])) == sorted(
        f"arn:aws:s3:::{prefix}-{suffix}" for suffix in BUCKETS if suffix != "s3-logging")
    # Audit logs: Object Lock (GOVERNANCE, 365 days), and no principal but the log-delivery role may put objects.
    audit = f"{prefix}-audit-logs"
    lock = s3.get_object_lock_configuration(Bucket=audit)["ObjectLockConfiguration"]
    assert lock == {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}
    audit_policy = by_sid(s3.get_bucket_policy(Bucket=audit)["Policy"])
    deny = audit_policy["DenyWritesButAuditLogDelivery"]
    assert (deny["Effect"], deny["Action"], deny["Resource"], principals(deny)) == (
        "Deny", ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention",
                 "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention"], f"arn:aws:s3:::{audit}/*", ["*"])
    log_delivery_role = f"arn:aws:iam::{account}:role/{prefix}-log-delivery"
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": log_delivery_role}}
    assert principals(audit_policy["DatabricksLogDeliveryObjects"]) == [log_delivery_role]
    log_delivery = by_sid(s3.get_bucket_policy(Bucket=f"{prefix}-databricks-logging")["Policy"])
    assert principals(log_delivery["DatabricksLogDeliveryObjects"]) == [
        f"arn:aws:iam::{account}:role/{prefix}-log-delivery"]
    for suffix in ("s3-logging", "databricks-logging"):
        rules = s3.get_bucket_lifecycle_configuration(Bucket=f"{prefix}-{suffix}")["Rules"]
        assert [(r["Transitions"][0]["Days"], r["Transitions"][0]["StorageClass"], r["Expiration"]["Days"])
                for r in rules] == [(30, "GLACIER", 180)]

    assert_unity_catalog_role(sandbox, prefix, account)

    # IAM: the cross-account trust needs the Databricks account id as external id.
    trust = iam.get_role(RoleName=f"{prefix}-cross-account-role")["Role"]["AssumeRolePolicyDocument"]
    (statement,) = statements(trust)
    assert principals(statement) == [f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": databricks_account_id}}
    log_trust = iam.get_role(RoleName=f"{prefix}-log-delivery")["Role"]["AssumeRolePolicyDocument"]
    assert statements(log_trust)[0]["Condition"] == {"StringEquals": {"sts:ExternalId": databricks_account_id}}
    policy = by_sid(iam.get_role_policy(RoleName=f"{prefix}-cross-account-role",
                                        PolicyName="databricks-cross-account")["PolicyDocument"])
    vpc_arn = f"arn:aws:ec2:eu-west-1:{account}:vpc/{IAM_STORAGE_VPC_ID}"
    assert policy["AllowEc2RunInstancePerVPCid"]["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc_arn}}
    assert policy["VpcNonresourceSpecificActions"]["Condition"] == {"ArnEquals": {"ec2:Vpc": vpc_arn}}
    assert policy["EC2TerminateInstancesTag"]["Condition"] == {"StringEquals": {"ec2:ResourceTag/Vendor": "Databricks"}}
    assert policy["PassInstanceProfileRoles"]["Resource"] == [
        f"arn:aws:iam::{account}:role/{prefix}-{role}-role" for role in ("meta", "data-read", "data-write")]
    assert policy["PassInstanceProfileRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    # Security-group rules only on the workspace's own group; AMIs only from Databricks' image account (an AMI ARN
    # names no account), any other owner denied; tags only while launching or on resources tagged Vendor=Databricks.
    assert policy["VpcNonresourceSpecificActions"]["Resource"] == (
        f"arn:aws:ec2:eu-west-1:{account}:security-group/{IAM_STORAGE_SECURITY_GROUP_ID}")
    assert policy["AllowEc2RunInstanceDatabricksImages"]["Resource"] == "arn:aws:ec2:eu-west-1::image/*"
    assert policy["AllowEc2RunInstanceDatabricksImages"]["Condition"] == {
        "StringEquals": {"ec2:Owner": ["601306020600"]}}
    assert policy["DenyImagesOfOtherOwners"]["Effect"] == "Deny"
    assert policy["DenyImagesOfOtherOwners"]["Condition"] == {"StringNotEquals": {"ec2:Owner": ["601306020600"]}}
    taggers = [s for s in policy.values() if s["Effect"] == "Allow"
               and {"ec2:CreateTags", "ec2:DeleteTags"} & set(as_list(s["Action"]))]
    assert {s["Sid"] for s in taggers} == {"TagOnlyWhileLaunching", "RetagDatabricksResources"}
    assert policy["TagOnlyWhileLaunching"]["Condition"] == {"StringEquals": {
        "ec2:CreateAction": ["RunInstances", "CreateVolume", "RequestSpotInstances"],
        "aws:RequestTag/Vendor": "Databricks"}}
    assert policy["RetagDatabricksResources"]["Condition"] == {
        "StringEquals": {"ec2:ResourceTag/Vendor": "Databricks"}}
    for profile in ("meta", "data-read", "data-write"):
        roles = iam.get_instance_profile(InstanceProfileName=f"{prefix}-{profile}-instance-profile")
        assert [r["RoleName"] for r in roles["InstanceProfile"]["Roles"]] == [f"{prefix}-{profile}-role"]
    # The meta role chains to the data read role only; the data write role trusts EC2 alone (its own profile).
    read_trust = iam.get_role(RoleName=f"{prefix}-data-read-role")["Role"]["AssumeRolePolicyDocument"]
    assert {p for s in statements(read_trust) for p in principals(s)} == {
        "ec2.amazonaws.com", f"arn:aws:iam::{account}:role/{prefix}-meta-role"}
    write_trust = iam.get_role(RoleName=f"{prefix}-data-write-role")["Role"]["AssumeRolePolicyDocument"]
    assert {p for s in statements(write_trust) for p in principals(s)} == {"ec2.amazonaws.com"}
    meta = by_sid(iam.get_role_policy(RoleName=f"{prefix}-meta-role", PolicyName="databricks-meta")["PolicyDocument"])
    assert [s["Resource"] for s in meta.values() if "sts:AssumeRole" in as_list(s["Action"])] == [
        f"arn:aws:iam::{account}:role/{prefix}-data-read-role"]
    # The meta role writes cluster logs under cluster-logs/ only, and may not touch the audit-log bucket.
    logging, audit = f"arn:aws:s3:::{prefix}-databricks-logging", f"arn:aws:s3:::{prefix}-audit-logs"
    assert meta["ClusterLogObjects"]["Resource"] == f"{logging}/cluster-logs/*"
    allowed = [r for s in meta.values() if s["Effect"] == "Allow" for r in as_list(s["Resource"])]
    assert not [r for r in allowed if r.startswith(audit)], allowed
    assert meta["NoAuditLogBucketAccess"]["Effect"] == "Deny"
    assert set(as_list(meta["NoAuditLogBucketAccess"]["Resource"])) == {audit, f"{audit}/*"}
    assert meta["NoAuditLogKeyUse"]["Condition"] == {
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [audit, f"{audit}/*"]}}
    # Log delivery: billable usage to databricks-logging, audit logs to their own bucket.
    delivery = by_sid(iam.get_role_policy(RoleName=f"{prefix}-log-delivery",
                                          PolicyName="databricks-log-delivery")["PolicyDocument"])
    assert delivery["LogObjectsWrite"]["Resource"] == [f"{logging}/*", f"{audit}/*"]
    # Glue: the catalog and the deployment's databases (prefix with '-' as '_') and "default" only.
    glue = iam.get_role_policy(RoleName=f"{prefix}-data-write-role", PolicyName="databricks-glue-catalog")
    glue_prefix = f"arn:aws:glue:eu-west-1:{account}:"
    database = prefix.replace("-", "_")
    assert statements(glue["PolicyDocument"])[0]["Resource"] == [f"{glue_prefix}catalog"] + [
        f"{glue_prefix}{kind}/{name}{tail}" for name in (database, f"{database}_*", "default")
        for kind, tail in (("database", ""), ("table", "/*"), ("userDefinedFunction", "/*"))]


def assert_unity_catalog_role(sandbox, prefix, account):
    """The storage credential's role: the Terraform provider's trust shape with the placeholder external id (no
    credential in this playbook), its policy on the catalog and data lake buckets and their key through S3, and the
    datalake key (only) naming it."""
    iam, kms = sandbox.aws_client("iam"), sandbox.aws_client("kms")
    role = f"{prefix}-uc-storage-role"
    role_arn = f"arn:aws:iam::{account}:role/{role}"
    trust = by_sid(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"])
    assert set(trust) == {"UnityCatalogAssumeRole", "ExplicitSelfRoleAssumption"}
    assert principals(trust["UnityCatalogAssumeRole"]) == [
        f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"]
    assert trust["UnityCatalogAssumeRole"]["Condition"] == {"StringEquals": {"sts:ExternalId": "0000"}}
    assert principals(trust["ExplicitSelfRoleAssumption"]) == [f"arn:aws:iam::{account}:root"]
    assert trust["ExplicitSelfRoleAssumption"]["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": role_arn}, "StringEquals": {"sts:ExternalId": "0000"}}
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["databricks-unity-catalog"]
    policy = by_sid(iam.get_role_policy(RoleName=role, PolicyName="databricks-unity-catalog")["PolicyDocument"])
    buckets = [f"arn:aws:s3:::{prefix}-{suffix}" for suffix in ("catalog", "raw", "prepared", "trusted")]
    assert as_list(policy["UnityCatalogBuckets"]["Resource"]) == buckets
    assert as_list(policy["UnityCatalogObjects"]["Resource"]) == [f"{bucket}/*" for bucket in buckets]
    assert policy["UnityCatalogSelfAssume"]["Resource"] == role_arn
    assert policy["UnityCatalogDatalakeKeyThroughS3"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": sorted(buckets + [f"{b}/*" for b in buckets])}}
    for name in ("workspace-storage", "managed-services", "datalake", "tokens", "logging"):
        key_id = kms.describe_key(KeyId=f"alias/{prefix}-{name}")["KeyMetadata"]["KeyId"]
        key_policy = by_sid(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        named = [sid for sid, statement in key_policy.items() if role_arn in principals(statement)]
        assert named == (["UnityCatalogRoleThroughS3"] if name == "datalake" else []), (name, named)
        if name == "datalake":
            grant = key_policy["UnityCatalogRoleThroughS3"]
            assert grant["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def ran_items(stdout, task):
    """The loop items of a task that invoked their module (not skipped); none when the task did not run at all (a
    converged estate skips the include of its writers). The name must be a task of the iam role."""
    assert "- name: %s\n" % task in IAM_TASKS_TEXT, f"no task of the iam role is named {task}"
    if not re.search(r"^TASK \[[^\]]*: %s\]" % re.escape(task), stdout, re.MULTILINE):
        return []
    return [line for line in task_items(stdout, task) if not line.startswith("skipping:")]


def assert_writers_not_included(stdout):
    """A converged IAM estate skips the one include of its writers (roles.yml)."""
    results = task_items(stdout, "Converge what differs")
    assert results and all(line.startswith("skipping:") for line in results), results


def test_converge_idempotent_secure_and_drift_repaired(sandbox):
    prefix = "e2e-iamsto"
    first = ok(run_iam_storage(sandbox, prefix), "first run")
    assert first.changed() > 0

    sandbox.clear_aws_requests()
    second = ok(run_iam_storage(sandbox, prefix), "second run")
    assert second.changed() == 0, second.stdout
    # The iam role reads its estate once and runs no iam_role / iam_policy / iam_instance_profile.
    for task in IAM_WRITING_TASKS:
        assert ran_items(second.stdout, task) == [], task
    assert_writers_not_included(second.stdout)
    calls = aws_actions(sandbox, "iam")
    assert len(calls) <= IAM_NOOP_CALL_LIMIT, calls
    # ListAccountAliases: aws_caller_info (this playbook has no site.yml preflight that already asked).
    assert set(calls) <= {"GetRole", "GetRolePolicy", "GetInstanceProfile", "ListAccountAliases"}, calls

    assert_security_posture(sandbox, prefix)

    # Drift out of band: key rotation off, one public-access flag off, a bucket policy removed.
    kms, s3 = sandbox.aws_client("kms"), sandbox.aws_client("s3")
    key_id = kms.describe_key(KeyId=f"alias/{prefix}-datalake")["KeyMetadata"]["KeyId"]
    kms.disable_key_rotation(KeyId=key_id)
    s3.put_public_access_block(Bucket=f"{prefix}-raw", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    s3.delete_bucket_policy(Bucket=f"{prefix}-trusted")

    repair = ok(run_iam_storage(sandbox, prefix), "repair run")
    assert repair.changed() > 0
    assert f"{prefix}-raw: public_access" in repair.stdout
    assert f"{prefix}-trusted: policy" in repair.stdout
    assert_security_posture(sandbox, prefix)

    settled = ok(run_iam_storage(sandbox, prefix), "settled run")
    assert settled.changed() == 0, settled.stdout


def test_iam_drift_repaired_and_only_drifted_items_run(sandbox):
    prefix = "e2e-iamdrift"
    ok(run_iam_storage(sandbox, prefix), "first run")

    # Drift out of band: a trust policy narrowed, a role tag removed, an inline policy deleted,
    # an instance profile tag changed.
    iam = sandbox.aws_client("iam")
    iam.update_assume_role_policy(RoleName=f"{prefix}-data-read-role", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    iam.untag_role(RoleName=f"{prefix}-log-delivery", TagKeys=["Project"])
    iam.delete_role_policy(RoleName=f"{prefix}-meta-role", PolicyName="databricks-meta")
    iam.tag_instance_profile(InstanceProfileName=f"{prefix}-data-write-instance-profile",
                             Tags=[{"Key": "Environment", "Value": "elsewhere"}])

    sandbox.clear_aws_requests()
    plan = ok(run_iam_storage(sandbox, prefix, "--check", "--diff"), "--check --diff")
    for label in (f"role {prefix}-data-read-role: assume_role_policy_document", f"role {prefix}-log-delivery: tags",
                  f"inline policy {prefix}-meta-role/databricks-meta: create",
                  f"instance profile {prefix}-data-write-instance-profile: tags"):
        assert label in plan.stdout, label
    assert sandbox.aws_mutating_requests() == []
    assert "Project" not in {t["Key"] for t in iam.list_role_tags(RoleName=f"{prefix}-log-delivery")["Tags"]}

    repair = ok(run_iam_storage(sandbox, prefix), "repair run")
    assert repair.changed() > 0
    roles_ran = ran_items(repair.stdout, "Ensure the IAM roles and their trust policies")
    assert len(roles_ran) == 2 and all(line.startswith("changed:") for line in roles_ran), roles_ran
    assert {f"{prefix}-data-read-role", f"{prefix}-log-delivery"} == {
        name for line in roles_ran for name in re.findall(r"item=(\S+?)\)", line)}
    (policy_ran,) = ran_items(repair.stdout, "Ensure the inline policies")
    assert f"{prefix}-meta-role/databricks-meta" in policy_ran and policy_ran.startswith("changed:")
    (profile_ran,) = ran_items(repair.stdout, "Ensure the instance profiles")
    assert f"{prefix}-data-write-instance-profile" in profile_ran and profile_ran.startswith("changed:")

    assert_security_posture(sandbox, prefix)
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=f"{prefix}-log-delivery")["Tags"]}
    assert tags.get("Project") == "lakehouse", tags
    profile = iam.get_instance_profile(InstanceProfileName=f"{prefix}-data-write-instance-profile")
    assert {t["Key"]: t["Value"] for t in profile["InstanceProfile"]["Tags"]}["Environment"] == "sandbox"
    iam.get_role_policy(RoleName=f"{prefix}-meta-role", PolicyName="databricks-meta")

    settled = ok(run_iam_storage(sandbox, prefix), "settled run")
    assert settled.changed() == 0, settled.stdout
    for task in IAM_WRITING_TASKS:
        assert ran_items(settled.stdout, task) == [], task
    assert_writers_not_included(settled.stdout)


def test_check_mode_on_empty_sandbox_plans_and_changes_nothing(sandbox):
    prefix = "e2e-iamsto-plan"
    sandbox.clear_aws_requests()
    # As in site.yml --check on a new deployment: the network role has no VPC or security group id yet.
    plan = ok(run_iam_storage(sandbox, prefix, "--check", "--diff", e2e_vpc_id=None, e2e_security_group_id=None),
              "--check --diff")
    assert plan.changed() > 0
    for name in (f"{prefix}-cross-account-role", f"alias/{prefix}-datalake", f"{prefix}-rootbucket",
                 f"{prefix}-databricks-logging", "would put inline policy databricks-cross-account",
                 f"{prefix}-uc-storage-role", f"{prefix}-catalog", "would put inline policy databricks-unity-catalog"):
        assert name in plan.stdout, name
    assert sandbox.aws_mutating_requests() == []
    assert not [b for b in sandbox.aws_client("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)]
    roles = sandbox.aws_client("iam").list_roles()["Roles"]
    assert not [r for r in roles if r["RoleName"].startswith(prefix)]


LIFECYCLE = {"transition_days": 30, "storage_class": "glacier", "expiration_days": 180}

BAD_INPUTS = {
    "prefix-uppercase-underscore": (
        {"deployment_prefix": "LH_Sandbox"},
        "deployment_prefix: 'LH_Sandbox' is used in bucket names, so it may hold only lowercase letters"),
    "prefix-too-long": (
        {"deployment_prefix": "a" * 45},
        "S3 allows at most 63 (use a prefix of at most 44 characters)"),
    "lifecycle-zero-days": (
        {"storage_encryption_logging_lifecycle": dict(LIFECYCLE, transition_days=0)},
        "storage_encryption_lifecycle.s3_logging.transition_days: 0 must be a positive whole number"),
    "expiration-before-transition": (
        {"storage_encryption_logging_lifecycle": dict(LIFECYCLE, transition_days=90, expiration_days=30)},
        "storage_encryption_lifecycle.s3_logging: expiration_days (30) must be greater than transition_days (90)"),
    "deletion-window-3": (
        {"storage_encryption_key_deletion_window_days": 3},
        "storage_encryption_key_deletion_window_days: 3 must be a whole number from 7 to 30 days"),
    "reserved-tag-key": (
        {"deployment_tags": {"aws:owner": "platform"}},
        "deployment_tags: tag key 'aws:owner' uses the reserved prefix 'aws:'"),
    "invalid-databricks-account-id": (
        {"databricks_account_id": "not-a-uuid"},
        "iam_databricks_account_id: 'not-a-uuid' is not a Databricks account id"),
    "missing-databricks-account-id": (
        {"databricks_account_id": ""},
        "iam_databricks_account_id: is required"),
    "bucket-without-prefix": (
        {"storage_encryption_bucket_names": {"root": "e2e-bad-rootbucket", "raw": "other-raw",
                                             "prepared": "e2e-bad-prepared", "trusted": "e2e-bad-trusted",
                                             "s3_logging": "e2e-bad-s3-logging",
                                             "databricks_logging": "e2e-bad-databricks-logging",
                                             "audit_logs": "e2e-bad-audit-logs", "catalog": "e2e-bad-catalog"}},
        "storage_encryption_bucket_names.raw: bucket name 'other-raw' must start with the deployment prefix 'e2e-bad'"),
    "long-tag-value": (
        {"iam_tags": {"Owner": "x" * 300}},
        "iam_tags: value of tag 'Owner' must be a scalar of at most 256 characters"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_in_preflight_before_any_aws_change(sandbox, case):
    overrides, message = BAD_INPUTS[case]
    overrides = dict(overrides)
    sandbox.clear_aws_requests()
    result = run_iam_storage(sandbox, overrides.pop("deployment_prefix", "e2e-bad"), **overrides)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]
    assert "preflight failed" in result.stdout
    assert sandbox.aws_mutating_requests() == []
