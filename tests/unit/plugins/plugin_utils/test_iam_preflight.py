from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.iam_preflight import iam_input_errors

ACCOUNT_ID = "0d2a9b6e-1c3f-4a5b-8c7d-9e0f1a2b3c4d"


def valid(**overrides):
    inputs = {
        "deployment_prefix": "lh-sandbox",
        "deployment_tags": {"Project": "lakehouse"},
        "iam_aws_region": "eu-west-1",
        "iam_databricks_account_id": ACCOUNT_ID,
        "iam_databricks_aws_account_id": "414351767826",
        "iam_cross_account_role_name": "lh-sandbox-cross-account-role",
        "iam_log_delivery_role_name": "lh-sandbox-log-delivery",
        "iam_meta_role_name": "lh-sandbox-meta-role",
        "iam_data_read_role_name": "lh-sandbox-data-read-role",
        "iam_data_write_role_name": "lh-sandbox-data-write-role",
        "iam_meta_instance_profile_name": "lh-sandbox-meta-instance-profile",
        "iam_data_read_instance_profile_name": "lh-sandbox-data-read-instance-profile",
        "iam_data_write_instance_profile_name": "lh-sandbox-data-write-instance-profile",
        "iam_raw_bucket": "lh-sandbox-raw",
        "iam_databricks_logging_bucket": "lh-sandbox-databricks-logging",
        "iam_audit_log_bucket": "lh-sandbox-audit-logs",
        "iam_prepared_bucket": "lh-sandbox-prepared",
        "iam_trusted_bucket": "lh-sandbox-trusted",
        "iam_catalog_bucket": "lh-sandbox-catalog",
        "iam_unity_catalog_enabled": True,
        "iam_unity_catalog_role_name": "lh-sandbox-uc-storage-role",
        "iam_unity_catalog_master_role_arn":
            "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL",
        "iam_unity_catalog_external_id": "",
        "iam_cluster_log_prefix": "cluster-logs",
        "iam_databricks_image_owners": ["601306020600"],
        "iam_glue_database_patterns": ["lh_sandbox", "lh_sandbox_*", "default"],
        "iam_vpc_id": "vpc-0a1b2c3d4e5f60718",
        "iam_security_group_id": "sg-0a1b2c3d4e5f60718",
        "iam_max_session_duration": 3600,
        "iam_tags": {},
    }
    inputs.update(overrides)
    return inputs


def only_error(**overrides):
    errors = iam_input_errors(valid(**overrides))
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_inputs_have_no_errors():
    assert iam_input_errors(valid()) == []


def test_unknown_vpc_is_not_checked_in_preflight():
    assert iam_input_errors(valid(iam_vpc_id=None)) == []
    assert iam_input_errors(valid(iam_vpc_id="")) == []  # before the network role has run
    assert iam_input_errors(valid(iam_security_group_id=None)) == []
    assert iam_input_errors(valid(iam_security_group_id="")) == []


def test_security_group_id_shape():
    assert "is not a security group id" in only_error(iam_security_group_id="sg-xyz")
    assert "is not a security group id" in only_error(iam_security_group_id="vpc-0a1b2c3d4e5f60718")
    assert iam_input_errors(valid(iam_security_group_id="sg-0a1b2c3d")) == []


def test_image_owners_are_account_ids():
    assert "12 digits" in only_error(iam_databricks_image_owners=["601306020600", "6013"])
    assert "non-empty list" in only_error(iam_databricks_image_owners=[])
    assert "non-empty list" in only_error(iam_databricks_image_owners="601306020600")
    assert iam_input_errors(valid(iam_databricks_image_owners=["044732911619", "601306020600"])) == []


def test_glue_database_patterns():
    assert "is not a Glue database name or pattern" in only_error(iam_glue_database_patterns=["lh-sandbox"])
    assert "is not a Glue database name or pattern" in only_error(iam_glue_database_patterns=["Sales"])
    assert "is not a Glue database name or pattern" in only_error(iam_glue_database_patterns=[""])
    assert "non-empty list" in only_error(iam_glue_database_patterns=[])
    assert iam_input_errors(valid(iam_glue_database_patterns=["sales_?", "*"])) == []


def test_cluster_log_prefix_and_audit_bucket():
    for bad in ("/cluster-logs", "cluster-logs/", "a//b", "", "logs here", None):
        assert "is not an S3 key prefix" in only_error(iam_cluster_log_prefix=bad), bad
    assert iam_input_errors(valid(iam_cluster_log_prefix="logs/clusters")) == []
    assert "must start with the deployment prefix" in only_error(iam_audit_log_bucket="other-audit-logs")


def test_account_id_required_and_uuid_shaped():
    assert only_error(iam_databricks_account_id="").startswith("iam_databricks_account_id: is required")
    assert only_error(iam_databricks_account_id=None).startswith("iam_databricks_account_id: is required")
    assert "is not a Databricks account id" in only_error(iam_databricks_account_id="12345")
    assert "is not a Databricks account id" in only_error(iam_databricks_account_id=ACCOUNT_ID.upper())


def test_prefix_must_be_bucket_safe_and_short_enough():
    assert "lowercase letters, digits and hyphens" in iam_input_errors(valid(deployment_prefix="LH_Sandbox"))[0]
    assert "start and end with a letter or digit" in iam_input_errors(valid(deployment_prefix="-lh"))[0]
    errors = iam_input_errors(valid(deployment_prefix="a" * 45))
    assert any("at most 44 characters" in e for e in errors)
    assert iam_input_errors(valid(deployment_prefix=None))[0].startswith("deployment_prefix: must be a non-empty")


def test_names_buckets_vpc_duration_region_and_tags():
    assert "not a valid IAM name" in only_error(iam_meta_role_name="meta role")
    assert "not a valid IAM name" in only_error(iam_cross_account_role_name="x" * 65)
    assert "must start with the deployment prefix" in only_error(iam_raw_bucket="other-raw")
    assert "lowercase" in only_error(iam_raw_bucket="lh-sandbox_raw")
    assert "is not a VPC id" in only_error(iam_vpc_id="vpc-xyz")
    assert "3600 to 43200" in only_error(iam_max_session_duration=60)
    assert "not an AWS region" in only_error(iam_aws_region="europe")
    assert "12 digits" in only_error(iam_databricks_aws_account_id="4143")
    assert "reserved prefix 'aws:'" in only_error(iam_tags={"aws:x": "y"})
    assert only_error(deployment_tags={"k": "v" * 300}).startswith("deployment_tags: value of tag 'k'")


def test_non_dict_input():
    assert "expected a dictionary" in iam_input_errors(["x"])[0]


def test_unity_catalog_inputs():
    assert iam_input_errors(valid(iam_unity_catalog_external_id="6a5b8f3e-0c1d-4e2f-9a8b-7c6d5e4f3a2b")) == []
    assert iam_input_errors(valid(iam_unity_catalog_external_id=None)) == []
    assert "is not an external id" in only_error(iam_unity_catalog_external_id="has space")
    assert "is not an external id" in only_error(iam_unity_catalog_external_id="x")
    assert "must be true or false" in only_error(iam_unity_catalog_enabled="maybe")
    assert iam_input_errors(valid(iam_unity_catalog_enabled="false")) == []
    assert "is not an IAM role ARN" in only_error(iam_unity_catalog_master_role_arn="unity-catalog-prod")
    assert iam_input_errors(valid(
        iam_unity_catalog_master_role_arn="arn:aws-us-gov:iam::044793339203:role/unity-catalog-prod-UCMasterRole-1QRFA8SGY15OJ"
    )) == []
    assert "64" in only_error(iam_unity_catalog_role_name="r" * 65)
    assert "must start with the deployment prefix" in only_error(iam_catalog_bucket="other-catalog")
    assert "must start with the deployment prefix" in only_error(iam_prepared_bucket="other-prepared")
