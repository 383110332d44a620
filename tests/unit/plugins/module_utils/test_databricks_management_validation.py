"""Preflight rules of the databricks_management role (_databricks_management_validation, the filter
databricks_management_input_errors)."""

import copy

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_management_validation import (
    check_cluster,
    management_input_errors,
)

VALID = {
    "aws_region": "eu-west-1",
    "databricks_management_account_id": "0d2a9b6e-1111-2222-3333-444455556666",
    "databricks_management_dbfs_client_side_enc": False,
    "databricks_management_datalake_client_side_enc": True,
    "databricks_management_log_delivery_enabled": True,
    "databricks_management_log_delivery_per_workspace": True,
    "databricks_management_meta_instance_profile_arn": "arn:aws:iam::123456789012:instance-profile/lh-meta",
    "databricks_management_data_read_instance_profile_arn": "",
    "databricks_management_data_write_instance_profile_arn": "",
    "databricks_management_log_delivery_role_arn": "arn:aws:iam::123456789012:role/lh-log-delivery",
    "databricks_management_datalake_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab",
    "databricks_management_logging_key_arn": "",
    "databricks_management_logging_bucket": "lh-databricks-logging",
    "databricks_management_audit_logs_bucket": "lh-audit-logs",
    "databricks_management_log_delivery_storage_name": "lh-log-delivery-storage",
    "databricks_management_audit_log_storage_name": "lh-audit-log-storage",
    "databricks_management_billable_usage_prefix": "billable-usage",
    "databricks_management_audit_logs_prefix": "audit-logs",
    "databricks_management_cluster_log_prefix": "cluster-logs",
    "databricks_management_core_site_path": "dbfs:/tmp/core-site.xml",
    "databricks_management_groups": [{"name": "Read only", "instance_profile": "data_read", "entitlements": []},
                                     {"name": "All access", "instance_profile": "data_write"}],
    "databricks_management_cluster_name": "lh-High-Concurrency",
    "databricks_management_cluster_min_workers": 1,
    "databricks_management_cluster_max_workers": 2,
    "databricks_management_cluster_autotermination_minutes": 30,
    "databricks_management_cluster_availability": "SPOT_WITH_FALLBACK",
    "databricks_management_cluster_first_on_demand": 1,
    "databricks_management_cluster_spot_bid_price_percent": 60,
    "databricks_management_cluster_ebs_volume_type": "GENERAL_PURPOSE_SSD",
    "databricks_management_cluster_ebs_volume_count": 1,
    "databricks_management_cluster_ebs_volume_size": 32,
    "databricks_management_cluster_min_memory_gb": 15,
    "databricks_management_cluster_min_cores": 2,
    "databricks_management_cluster_wait_timeout": 1200,
    "databricks_management_cluster_state": "present",
    "databricks_management_cluster_custom_tags": {"Team": "data"},
    "databricks_management_cluster_spark_conf": {},
    "databricks_management_cluster_data_security_mode": "USER_ISOLATION",
    "databricks_management_cluster_single_user_name": "",
    "databricks_management_hardening_enabled": True,
    "databricks_management_disable_legacy_dbfs": True,
    "databricks_management_disable_legacy_access": False,
    "databricks_management_disable_legacy_features_account": False,
    "databricks_management_max_token_lifetime_days": 90,
    "databricks_management_token_lifetime_seconds": 518400,
    "databricks_management_workspace_conf": {"enableExportNotebook": False, "enableVerboseAuditLogs": True,
                                             "enforceUserIsolation": True},
    "databricks_management_ip_access_lists_enabled": True,
    "databricks_management_ip_access_lists": [
        {"label": "office", "list_type": "ALLOW", "ip_addresses": ["203.0.113.0/24", "198.51.100.7"]},
        {"label": "bad", "list_type": "BLOCK", "ip_addresses": ["192.0.2.0/24"]},
        {"label": "old", "list_type": "ALLOW", "ip_addresses": ["10.0.0.0/8"], "enabled": False},
    ],
    "databricks_management_runner_ip": "198.51.100.7",
}


def errors_with(**changes):
    inputs = copy.deepcopy(VALID)
    inputs.update(changes)
    return management_input_errors(inputs)


def test_valid_inputs():
    assert management_input_errors(VALID) == []


@pytest.mark.parametrize("changes, variable", [
    ({"databricks_management_cluster_min_workers": 3}, "databricks_management_cluster_min_workers"),
    ({"databricks_management_cluster_autotermination_minutes": 5}, "autotermination_minutes"),
    ({"databricks_management_cluster_ebs_volume_size": 16}, "ebs_volume_size"),
    ({"databricks_management_cluster_availability": "CHEAP"}, "availability"),
    ({"databricks_management_cluster_state": "stopped"}, "cluster_state"),
    ({"databricks_management_dbfs_client_side_enc": "yes"}, "dbfs_client_side_enc"),
    ({"databricks_management_meta_instance_profile_arn": "arn:aws:iam::1:role/x"}, "meta_instance_profile_arn"),
    ({"databricks_management_datalake_key_arn": "alias/datalake"}, "datalake_key_arn"),
    ({"databricks_management_audit_logs_prefix": "/audit-logs/"}, "audit_logs_prefix"),
    ({"databricks_management_core_site_path": "tmp/core-site.xml"}, "core_site_path"),
    ({"databricks_management_logging_bucket": "Bad_Bucket"}, "logging_bucket"),
    ({"databricks_management_account_id": "not-a-uuid"}, "account_id"),
    ({"databricks_management_groups": [{"name": "admins", "instance_profile": "meta"}]}, "built-in"),
    ({"databricks_management_groups": [{"name": "A", "instance_profile": "data"}]}, "instance_profile"),
    ({"databricks_management_groups": [{"name": "A", "instance_profile": "meta", "entitlements": ["root"]}]},
     "entitlements"),
    ({"databricks_management_groups": [{"name": "A", "instance_profile": "meta"},
                                       {"name": "a", "instance_profile": "meta"}]}, "twice"),
    ({"databricks_management_data_access_model": "hive"}, "databricks_management_data_access_model"),
    ({"databricks_management_data_access_model": "unity_catalog",
      "databricks_management_groups": [{"name": "A", "instance_profile": "data"}]}, "instance_profile"),
    ({"databricks_management_group_workspace_permissions": []}, "group_workspace_permissions"),
    ({"databricks_management_group_workspace_permissions": ["OWNER"]}, "group_workspace_permissions"),
    ({"databricks_management_hardening_enabled": "yes"}, "hardening_enabled"),
    ({"databricks_management_disable_legacy_dbfs": "yes"}, "disable_legacy_dbfs"),
    ({"databricks_management_disable_legacy_access": None}, "disable_legacy_access"),
    ({"databricks_management_disable_legacy_features_account": "true"}, "disable_legacy_features_account"),
    ({"databricks_management_audit_logs_bucket": "Bad_Bucket"}, "audit_logs_bucket"),
    ({"databricks_management_audit_logs_bucket": "lh-databricks-logging"}, "a bucket of their own"),
    ({"databricks_management_audit_log_storage_name": "lh-log-delivery-storage"}, "audit_log_storage_name"),
    ({"databricks_management_cluster_data_security_mode": "SHARED"}, "data_security_mode"),
    ({"databricks_management_cluster_data_security_mode": "NONE"}, "enforces user isolation"),
    ({"databricks_management_cluster_data_security_mode": "SINGLE_USER"}, "single_user_name: required"),
    ({"databricks_management_cluster_single_user_name": "someone@example.com"}, "only for"),
    ({"databricks_management_max_token_lifetime_days": 1000}, "max_token_lifetime_days: 1000 must be"),
    ({"databricks_management_max_token_lifetime_days": 5}, "5 days is shorter than the lifetime"),
    ({"databricks_management_workspace_conf": {"maxTokenLifetimeDays": "9"}}, "set it with"),
    ({"databricks_management_workspace_conf": {"enableExportNotebook": ["no"]}}, "enableExportNotebook"),
    ({"databricks_management_ip_access_lists": [{"label": "x", "ip_addresses": ["300.1.1.1"]}]},
     "'300.1.1.1' is not an IP address"),
    ({"databricks_management_ip_access_lists": [{"label": "x", "list_type": "DENY", "ip_addresses": ["1.2.3.4"]}]},
     "list_type"),
    ({"databricks_management_ip_access_lists": [{"label": "x", "ip_addresses": []}]}, "non-empty list"),
    ({"databricks_management_ip_access_lists": [{"label": "x", "ip_addresses": ["198.51.100.7"]},
                                                {"label": "x", "ip_addresses": ["198.51.100.7"]}]}, "used twice"),
    ({"databricks_management_runner_ip": ""}, "databricks_management_runner_ip"),
    ({"databricks_management_runner_ip": "192.0.2.10"}, "[1] would block the runner's address 192.0.2.10"),
    ({"databricks_management_runner_ip": "10.1.2.3"}, "no enabled ALLOW list holds the runner's address 10.1.2.3"),
])
def test_broken_rules_name_the_variable(changes, variable):
    errors = errors_with(**changes)
    assert errors and any(variable in error for error in errors), errors


def test_unity_catalog_groups_need_no_instance_profile():
    groups = [{"name": "Read only", "entitlements": []}, {"name": "All access"}]
    assert errors_with(databricks_management_data_access_model="unity_catalog",
                       databricks_management_groups=groups) == []
    assert any("instance_profile" in e for e in errors_with(databricks_management_data_access_model="instance_profiles",
                                                            databricks_management_groups=groups))


def test_no_isolation_cluster_is_accepted_where_user_isolation_is_not_enforced():
    assert errors_with(databricks_management_cluster_data_security_mode="NONE",
                       databricks_management_workspace_conf={"enforceUserIsolation": False}) == []
    assert errors_with(databricks_management_cluster_data_security_mode="NONE",
                       databricks_management_hardening_enabled=False) == []
    assert errors_with(databricks_management_cluster_data_security_mode="SINGLE_USER",
                       databricks_management_cluster_single_user_name="someone@example.com") == []


def test_inputs_of_earlier_roles_may_be_unknown():
    assert errors_with(databricks_management_meta_instance_profile_arn="", databricks_management_logging_bucket="",
                       databricks_management_datalake_key_arn="") == []


def test_ip_access_lists_off_need_no_runner_address_and_may_block_anything():
    assert errors_with(databricks_management_ip_access_lists_enabled=False, databricks_management_runner_ip="",
                       databricks_management_ip_access_lists=[
                           {"label": "all", "list_type": "BLOCK", "ip_addresses": ["0.0.0.0/0"]}]) == []


def test_a_disabled_or_allowing_list_never_counts_against_the_runner():
    assert errors_with(databricks_management_runner_ip="10.9.9.9", databricks_management_ip_access_lists=[
        {"label": "off", "list_type": "BLOCK", "ip_addresses": ["10.0.0.0/8"], "enabled": False},
        {"label": "vpn", "list_type": "ALLOW", "ip_addresses": ["10.9.0.0/16"]}]) == []
    assert errors_with(databricks_management_ip_access_lists=[]) == []  # no list: nothing blocks


def test_no_token_lifetime_limit_is_always_valid():
    assert errors_with(databricks_management_max_token_lifetime_days=0,
                       databricks_management_token_lifetime_seconds=10 ** 8) == []


def test_driver_on_spot_is_refused_but_on_demand_clusters_may_start_spot_free():
    base = {"databricks_management_cluster_name": "c", "databricks_management_cluster_min_workers": 1,
            "databricks_management_cluster_max_workers": 2, "databricks_management_cluster_autotermination_minutes": 30,
            "databricks_management_cluster_first_on_demand": 0,
            "databricks_management_cluster_spot_bid_price_percent": 60,
            "databricks_management_cluster_ebs_volume_type": "GENERAL_PURPOSE_SSD",
            "databricks_management_cluster_ebs_volume_count": 1, "databricks_management_cluster_ebs_volume_size": 32,
            "databricks_management_cluster_min_memory_gb": 15, "databricks_management_cluster_min_cores": 2,
            "databricks_management_cluster_wait_timeout": 60, "databricks_management_cluster_state": "present",
            "databricks_management_cluster_custom_tags": {}, "databricks_management_cluster_spark_conf": {}}
    spot = check_cluster(dict(base, databricks_management_cluster_availability="SPOT_WITH_FALLBACK"))
    assert spot == ["databricks_management_cluster_first_on_demand: 0 puts the driver on a spot instance "
                    "(databricks_management_cluster_availability SPOT_WITH_FALLBACK); use at least 1"]
    assert check_cluster(dict(base, databricks_management_cluster_availability="ON_DEMAND")) == []
