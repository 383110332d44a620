from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.storage_encryption_preflight import (
    storage_encryption_input_errors,
)

PREFIX = "lh-sandbox"
LOGS = {"transition_days": 30, "storage_class": "glacier", "expiration_days": 180,
        "noncurrent_version_expiration_days": 180}
BUCKETS = ("root", "raw", "prepared", "trusted", "s3_logging", "databricks_logging", "audit_logs", "catalog")


def valid(**overrides):
    inputs = {
        "deployment_prefix": PREFIX,
        "deployment_tags": {"Project": "lakehouse"},
        "storage_encryption_aws_region": "eu-west-1",
        "storage_encryption_bucket_names": {
            "root": PREFIX + "-rootbucket", "raw": PREFIX + "-raw", "prepared": PREFIX + "-prepared",
            "trusted": PREFIX + "-trusted", "s3_logging": PREFIX + "-s3-logging",
            "databricks_logging": PREFIX + "-databricks-logging", "audit_logs": PREFIX + "-audit-logs",
            "catalog": PREFIX + "-catalog"},
        "storage_encryption_catalog_bucket_enabled": True,
        "storage_encryption_separate_keys": True,
        "storage_encryption_workspace_storage_key_alias": "alias/lh-sandbox-workspace-storage",
        "storage_encryption_managed_services_key_alias": "alias/lh-sandbox-managed-services",
        "storage_encryption_datalake_key_alias": "alias/lh-sandbox-datalake",
        "storage_encryption_tokens_key_alias": "alias/lh-sandbox-tokens",
        "storage_encryption_logging_key_alias": "alias/lh-sandbox-logging",
        "storage_encryption_key_rotation": True,
        "storage_encryption_key_deletion_window_days": 7,
        "storage_encryption_dbfs_client_side_enc": False,
        "storage_encryption_datalake_client_side_enc": True,
        "storage_encryption_versioning": dict.fromkeys(BUCKETS, True),
        "storage_encryption_lifecycle": {"root": {}, "raw": {}, "prepared": {}, "trusted": {},
                                         "s3_logging": LOGS, "databricks_logging": LOGS, "audit_logs": {},
                                         "catalog": {}},
        "storage_encryption_object_ownership": dict.fromkeys(BUCKETS, "BucketOwnerEnforced"),
        "storage_encryption_audit_logs_object_lock_mode": "GOVERNANCE",
        "storage_encryption_audit_logs_object_lock_days": 365,
        "storage_encryption_access_logging": True,
        "storage_encryption_access_log_prefix": "s3-access-logs/",
        "storage_encryption_root_bucket_workspace_id": "",
        "storage_encryption_databricks_region_name": "ireland",
        "storage_encryption_databricks_principal_tag_condition": True,
        "storage_encryption_databricks_account_id": "0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d",
        "storage_encryption_cross_account_role_arn": "arn:aws:iam::123456789012:role/lh-sandbox-cross-account-role",
        "storage_encryption_log_delivery_role_arn": "",
        "storage_encryption_tags": {},
    }
    inputs.update(overrides)
    return inputs


def only_error(**overrides):
    errors = storage_encryption_input_errors(valid(**overrides))
    assert len(errors) == 1, errors
    return errors[0]


def lifecycle(rule):
    return dict(valid()["storage_encryption_lifecycle"], s3_logging=rule)


def test_valid_inputs_have_no_errors():
    assert storage_encryption_input_errors(valid()) == []


def test_deletion_window_between_7_and_30():
    assert storage_encryption_input_errors(valid(storage_encryption_key_deletion_window_days=30)) == []
    message = only_error(storage_encryption_key_deletion_window_days=3)
    assert message == "storage_encryption_key_deletion_window_days: 3 must be a whole number from 7 to 30 days"
    assert "7 to 30" in only_error(storage_encryption_key_deletion_window_days=31)
    assert "7 to 30" in only_error(storage_encryption_key_deletion_window_days="7")


def test_lifecycle_days_positive_and_expiration_after_transition():
    assert "transition_days: 0 must be a positive" in only_error(
        storage_encryption_lifecycle=lifecycle(dict(LOGS, transition_days=0)))
    assert "expiration_days: -1 must be a positive" in only_error(
        storage_encryption_lifecycle=lifecycle(dict(LOGS, expiration_days=-1)))
    message = only_error(storage_encryption_lifecycle=lifecycle(dict(LOGS, transition_days=90, expiration_days=30)))
    assert message.startswith("storage_encryption_lifecycle.s3_logging: expiration_days (30) must be greater")
    assert "equal" not in message
    assert "greater than transition_days" in only_error(
        storage_encryption_lifecycle=lifecycle(dict(LOGS, transition_days=30, expiration_days=30)))
    assert "is not one of" in only_error(storage_encryption_lifecycle=lifecycle(dict(LOGS, storage_class="tape")))
    assert "storage_class is required" in only_error(
        storage_encryption_lifecycle=lifecycle({"transition_days": 30}))
    assert "must be a dictionary" in only_error(storage_encryption_lifecycle=lifecycle("30 days"))
    assert "'archive' is not a bucket" in only_error(
        storage_encryption_lifecycle=dict(valid()["storage_encryption_lifecycle"], archive={}))


def test_bucket_names():
    names = valid()["storage_encryption_bucket_names"]
    assert "must start with the deployment prefix" in only_error(
        storage_encryption_bucket_names=dict(names, raw="other-raw"))
    assert "3 to 63" in only_error(storage_encryption_bucket_names=dict(names, raw=PREFIX + "-" + "r" * 60))
    assert "lowercase" in only_error(storage_encryption_bucket_names=dict(names, raw=PREFIX + "-Raw"))
    assert "own name" in only_error(storage_encryption_bucket_names=dict(names, raw=names["root"]))
    assert "exactly the buckets" in only_error(storage_encryption_bucket_names={"root": names["root"]})


def test_catalog_bucket():
    names = valid()["storage_encryption_bucket_names"]
    without_catalog = {bucket: name for bucket, name in names.items() if bucket != "catalog"}
    # Required while the catalog bucket is enabled, optional while it is not.
    assert "exactly the buckets" in only_error(storage_encryption_bucket_names=without_catalog)
    assert storage_encryption_input_errors(valid(storage_encryption_bucket_names=without_catalog,
                                                 storage_encryption_catalog_bucket_enabled=False)) == []
    assert "must start with the deployment prefix" in only_error(
        storage_encryption_bucket_names=dict(names, catalog="other-catalog"))
    assert "own name" in only_error(storage_encryption_bucket_names=dict(names, catalog=names["raw"]))
    assert "must be true or false" in only_error(storage_encryption_catalog_bucket_enabled="maybe")
    assert storage_encryption_input_errors(valid(storage_encryption_bucket_names=without_catalog,
                                                 storage_encryption_catalog_bucket_enabled="false")) == []
    assert "is not an IAM role ARN" in only_error(storage_encryption_unity_catalog_role_arn="uc-role")
    assert storage_encryption_input_errors(valid(storage_encryption_unity_catalog_role_arn="")) == []


def test_prefix_rules():
    errors = storage_encryption_input_errors(valid(deployment_prefix="LH_Sandbox"))
    assert errors[0].startswith("deployment_prefix: 'LH_Sandbox' is used in bucket names")
    errors = storage_encryption_input_errors(valid(deployment_prefix="a" * 45))
    assert any("S3 allows at most 63 (use a prefix of at most 44 characters)" in e for e in errors)


def test_other_rules():
    assert "not a KMS alias" in only_error(storage_encryption_datalake_key_alias="datalake")
    assert "not a KMS alias" in only_error(storage_encryption_logging_key_alias="alias/aws/s3")
    assert "must be true or false" in only_error(storage_encryption_key_rotation="yes")
    assert "must be true or false" in only_error(
        storage_encryption_versioning=dict(valid()["storage_encryption_versioning"], raw="on"))
    assert "object ownership" in only_error(
        storage_encryption_object_ownership=dict(valid()["storage_encryption_object_ownership"], raw="Mine"))
    assert "not an IAM role ARN" in only_error(storage_encryption_log_delivery_role_arn="log-delivery")
    assert storage_encryption_input_errors(valid(storage_encryption_cross_account_role_arn=None)) == []
    assert "Databricks account id" in only_error(storage_encryption_databricks_account_id="abc")
    assert storage_encryption_input_errors(valid(storage_encryption_databricks_principal_tag_condition=False,
                                                 storage_encryption_databricks_account_id="")) == []
    assert "reserved prefix" in only_error(storage_encryption_tags={"aws:cloudformation": "x"})
    assert "not an AWS region" in only_error(storage_encryption_aws_region="EU")


def test_every_key_needs_an_alias_of_its_own():
    message = ("storage_encryption_logging_key_alias: 'alias/lh-key' is also storage_encryption_datalake_key_alias; "
               "each key needs an alias of its own")
    assert only_error(storage_encryption_datalake_key_alias="alias/lh-key",
                      storage_encryption_logging_key_alias="alias/lh-key") == message
    assert only_error(storage_encryption_workspace_storage_key_alias="alias/lh-key",
                      storage_encryption_tokens_key_alias="alias/lh-key") == (
        "storage_encryption_tokens_key_alias: 'alias/lh-key' is also storage_encryption_workspace_storage_key_alias; "
        "each key needs an alias of its own")
    assert "not a KMS alias" in only_error(storage_encryption_managed_services_key_alias="alias/aws/secretsmanager")


def test_shared_keys_ignore_the_aliases_of_the_keys_not_created():
    # With one shared datalake key, the workspace storage, managed services and tokens aliases name no key.
    shared = valid(storage_encryption_separate_keys=False, storage_encryption_workspace_storage_key_alias="alias/lh-x",
                   storage_encryption_managed_services_key_alias="alias/lh-x",
                   storage_encryption_tokens_key_alias="alias/lh-sandbox-datalake")
    assert storage_encryption_input_errors(shared) == []
    assert storage_encryption_input_errors(dict(shared, storage_encryption_separate_keys=True)) != []
    assert "must be true or false" in only_error(storage_encryption_separate_keys="no")


def test_tags_with_the_tags_the_role_adds_fit_the_limit():
    forty_nine = {"k%d" % index: "v" for index in range(49)}
    assert storage_encryption_input_errors(valid(deployment_tags=forty_nine)) == []
    assert only_error(deployment_tags=forty_nine, storage_encryption_tags={"one": "more"}) == (
        "storage_encryption_tags: 51 tags per resource (deployment_tags and storage_encryption_tags merged plus the "
        "role's own lakehouse:kms-alias); AWS allows at most 50, so the role can take at most 49 of your own")


def test_audit_logs_object_lock_access_logging_and_root_bucket_scope():
    assert "not an S3 Object Lock mode" in only_error(storage_encryption_audit_logs_object_lock_mode="governance")
    assert storage_encryption_input_errors(valid(storage_encryption_audit_logs_object_lock_mode="COMPLIANCE")) == []
    assert "from 1 to 36500 days" in only_error(storage_encryption_audit_logs_object_lock_days=0)
    assert "needs versioning" in only_error(
        storage_encryption_versioning=dict(valid()["storage_encryption_versioning"], audit_logs=False))
    assert "must be true or false" in only_error(storage_encryption_access_logging="yes")
    for prefix in ("/logs/", "logs", "logs/*/"):
        assert "storage_encryption_access_log_prefix" in only_error(storage_encryption_access_log_prefix=prefix)
    assert storage_encryption_input_errors(valid(storage_encryption_access_log_prefix="")) == []
    assert storage_encryption_input_errors(valid(storage_encryption_root_bucket_workspace_id=1234567890123456)) == []
    assert "not a Databricks workspace id" in only_error(storage_encryption_root_bucket_workspace_id="eu-west-1-prod/1")
    assert "set it" in only_error(storage_encryption_root_bucket_workspace_id="123",
                                  storage_encryption_databricks_region_name="")
    # No workspace yet: the region name is not needed.
    assert storage_encryption_input_errors(valid(storage_encryption_databricks_region_name="")) == []
