import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.unity_catalog import (
    privilege,
    unity_catalog_desired,
    unity_catalog_input_errors,
)

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def valid(**overrides):
    inputs = {
        "deployment_prefix": "lh-sandbox",
        "unity_catalog_metastore_name": "eu-west-1-metastore",
        "unity_catalog_catalog_name": "lh_sandbox",
        "unity_catalog_schemas": ["raw", "prepared", "trusted"],
        "unity_catalog_storage_credential_name": "lh-sandbox-uc-storage",
        "unity_catalog_external_location_prefix": "lh-sandbox",
        "unity_catalog_catalog_bucket": "lh-sandbox-catalog",
        "unity_catalog_layer_buckets": {"raw": "lh-sandbox-raw", "prepared": "lh-sandbox-prepared",
                                        "trusted": "lh-sandbox-trusted"},
        "unity_catalog_read_only_group": "Read only",
        "unity_catalog_all_access_group": "All access",
        "unity_catalog_read_only_catalog_privileges": ["USE_CATALOG", "USE_SCHEMA", "SELECT"],
        "unity_catalog_all_access_catalog_privileges": ["USE CATALOG", "use_schema", "SELECT", "MODIFY"],
        "unity_catalog_read_only_location_privileges": ["READ_FILES"],
        "unity_catalog_all_access_location_privileges": ["READ_FILES", "WRITE_FILES"],
        "unity_catalog_externally_managed_grants": ["schema:lh_sandbox.raw"],
        "unity_catalog_propagation_timeout": 180,
        "unity_catalog_storage_kms_key_arn": KEY_ARN,
    }
    inputs.update(overrides)
    return inputs


def test_valid_inputs_have_no_errors():
    assert unity_catalog_input_errors(valid()) == []


def test_privilege_names_are_normalised():
    assert privilege("use catalog") == "USE_CATALOG"
    assert privilege(" read-files ") == "READ_FILES"


def test_desired_locations_schemas_and_grants():
    desired = unity_catalog_desired(valid())
    assert desired["storage_root"] == "s3://lh-sandbox-catalog/"
    assert [(loc["name"], loc["url"]) for loc in desired["external_locations"]] == [
        ("lh-sandbox-catalog", "s3://lh-sandbox-catalog/"),
        ("lh-sandbox-prepared", "s3://lh-sandbox-prepared/"),
        ("lh-sandbox-raw", "s3://lh-sandbox-raw/"),
        ("lh-sandbox-trusted", "s3://lh-sandbox-trusted/"),
    ]
    assert all(loc["encryption_details"] == {"sse_encryption_details": {"algorithm": "AWS_SSE_KMS",
                                                                        "aws_kms_key_arn": KEY_ARN}}
               for loc in desired["external_locations"])
    # Entries as databricks_external_location's locations and databricks_schema's schemas take them.
    assert all(set(loc) == {"name", "url", "comment", "encryption_details"} for loc in desired["external_locations"])
    assert desired["schemas"] == [{"name": name, "comment": "Layer %s of deployment lh-sandbox" % name}
                                  for name in ("raw", "prepared", "trusted")]
    by_name = {(g["securable_type"], g["full_name"]): g for g in desired["grants"]}
    catalog = by_name[("catalog", "lh_sandbox")]
    assert catalog["exclusive"] is True
    assert catalog["grants"] == [
        {"principal": "Read only", "privileges": ["USE_CATALOG", "USE_SCHEMA", "SELECT"]},
        {"principal": "All access", "privileges": ["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY"]},
    ]
    # Listed as externally managed: grants are added, never revoked.
    assert by_name[("schema", "lh_sandbox.raw")]["exclusive"] is False
    assert by_name[("schema", "lh_sandbox.prepared")] == {
        "securable_type": "schema", "full_name": "lh_sandbox.prepared", "grants": [], "exclusive": True}
    assert by_name[("storage_credential", "lh-sandbox-uc-storage")]["grants"] == []
    assert by_name[("external_location", "lh-sandbox-catalog")]["grants"] == []
    assert by_name[("external_location", "lh-sandbox-raw")]["grants"][0] == {
        "principal": "Read only", "privileges": ["READ_FILES"]}


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"unity_catalog_catalog_name": "LH_Sandbox"},
         "unity_catalog_catalog_name: 'LH_Sandbox' is not a catalog name"),
        ({"unity_catalog_catalog_name": "lh.sandbox"}, "unity_catalog_catalog_name: 'lh.sandbox'"),
        ({"unity_catalog_schemas": []}, "unity_catalog_schemas: must be a non-empty list"),
        ({"unity_catalog_schemas": ["raw", "raw"]}, "unity_catalog_schemas: names repeat (raw)"),
        ({"unity_catalog_schemas": ["Raw Data"]}, "unity_catalog_schemas: 'Raw Data' is not a schema name"),
        ({"unity_catalog_storage_credential_name": "a/b"}, "unity_catalog_storage_credential_name: 'a/b'"),
        ({"unity_catalog_read_only_group": " "}, "unity_catalog_read_only_group: must name an account group"),
        ({"unity_catalog_read_only_catalog_privileges": ["READ_FILES"]},
         "unity_catalog_read_only_catalog_privileges: READ_FILES cannot be granted on a catalog"),
        ({"unity_catalog_all_access_location_privileges": ["SELECT"]},
         "unity_catalog_all_access_location_privileges: SELECT cannot be granted on an external location"),
        ({"unity_catalog_externally_managed_grants": ["lh_sandbox.raw"]},
         "unity_catalog_externally_managed_grants: 'lh_sandbox.raw' is not '<securable type>:<full name>'"),
        ({"unity_catalog_catalog_bucket": "LH_catalog"}, "unity_catalog_catalog_bucket: bucket name 'LH_catalog'"),
        ({"unity_catalog_layer_buckets": {"raw": "x"}}, "unity_catalog_layer_buckets.raw: bucket name 'x'"),
        ({"unity_catalog_propagation_timeout": 0}, "unity_catalog_propagation_timeout: 0 must be a positive"),
        ({"unity_catalog_storage_kms_key_arn": "alias/lh-datalake"},
         "unity_catalog_storage_kms_key_arn: 'alias/lh-datalake' is not a KMS key ARN or alias ARN"),
    ],
)
def test_bad_inputs_are_named(overrides, fragment):
    errors = unity_catalog_input_errors(valid(**overrides))
    assert any(fragment in error for error in errors), errors


def test_without_a_key_the_locations_carry_no_encryption_details():
    desired = unity_catalog_desired(valid(unity_catalog_storage_kms_key_arn=""))
    assert not any("encryption_details" in loc for loc in desired["external_locations"])
    assert unity_catalog_input_errors(valid(unity_catalog_storage_kms_key_arn="")) == []
