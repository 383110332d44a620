"""Preflight rules of databricks_provisioning (_validation.provisioning_input_errors, the filter
databricks_provisioning_input_errors)."""

from ansible_collections.lakehouse.databricks_aws.plugins.filter.databricks_provisioning_input_errors import (
    databricks_provisioning_input_errors,
)
from ansible_collections.lakehouse.databricks_aws.plugins.filter.databricks_workspace_url import (
    databricks_workspace_url,
)

GOOD = {
    "aws_region": "eu-west-1",
    "databricks_provisioning_account_id": "963af181-2808-4449-b05f-95d62613089e",
    "databricks_provisioning_client_id": "cid",
    "databricks_provisioning_client_secret": "very-secret-value",
    "databricks_provisioning_workspace_name": "lh-sandbox-workspace",
    "databricks_provisioning_deployment_name": "",
    "databricks_provisioning_credentials_name": "lh-credentials",
    "databricks_provisioning_storage_configuration_name": "lh-storage",
    "databricks_provisioning_network_name": "lh-network",
    "databricks_provisioning_token_lifetime_seconds": 518400,
    "databricks_provisioning_token_rotate_before_seconds": 86400,
    "databricks_provisioning_workspace_wait_timeout": 1800,
    "databricks_provisioning_token_secret_name": "lh/databricks/tokens",
    "databricks_provisioning_cross_account_role_arn": "",
    "databricks_provisioning_storage_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/1234-abcd",
    "databricks_provisioning_logging_key_arn": "",
    "databricks_provisioning_service_principal_entitlements": ["allow-cluster-create"],
    "databricks_provisioning_custom_tags": {"Project": "lakehouse"},
}


def errors(**overrides):
    return databricks_provisioning_input_errors(dict(GOOD, **overrides))


def test_good_inputs_pass():
    assert errors() == []


def test_token_lifetime_is_capped_at_730_days_and_longer_than_the_margin():
    assert "more than 730 days" in errors(databricks_provisioning_token_lifetime_seconds=731 * 86400)[0]
    assert "must be less than" in errors(databricks_provisioning_token_rotate_before_seconds=518400)[0]
    assert "positive whole number" in errors(databricks_provisioning_token_lifetime_seconds=0)[0]


def test_names_and_ids():
    assert "workspace name" in errors(databricks_provisioning_workspace_name="x")[0]
    assert "deployment name" in errors(databricks_provisioning_deployment_name="Bad_Name")[0]
    assert "UUID" in errors(databricks_provisioning_account_id="123")[0]
    assert "IAM role ARN" in errors(databricks_provisioning_cross_account_role_arn="arn:aws:iam::1:user/x")[0]
    assert "entitlements" in errors(databricks_provisioning_service_principal_entitlements=["root"])[0]


def test_secret_is_reported_missing_but_never_echoed():
    assert "client_secret" in errors(databricks_provisioning_client_secret="")[0]
    assert not any("very-secret-value" in message for message in errors(aws_region="nowhere"))


def test_workspace_url():
    assert databricks_workspace_url("dbc-1") == "https://dbc-1.cloud.databricks.com"
    assert databricks_workspace_url("dbc-1", {"dbc-1": "http://127.0.0.1:5/"}) == "http://127.0.0.1:5"


def test_the_vpc_id_and_root_bucket_of_the_earlier_roles_are_checked_when_known():
    assert errors(databricks_provisioning_vpc_id="", databricks_provisioning_root_bucket="") == []
    assert errors(databricks_provisioning_vpc_id="vpc-0a1b2c3d4e5f60718",
                  databricks_provisioning_root_bucket="lh-sandbox-rootbucket") == []
    assert errors(databricks_provisioning_vpc_id="vpc-0a1b2c3d4e5f60718\n") == [
        "databricks_provisioning_vpc_id: 'vpc-0a1b2c3d4e5f60718\n' is not a VPC id such as vpc-0a1b2c3d4e5f60718"]
    assert errors(databricks_provisioning_root_bucket="lh-sandbox-rootbucket\n") == [
        "databricks_provisioning_root_bucket: bucket name 'lh-sandbox-rootbucket\n' must start and end with a letter "
        "or digit"]
