# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of the storage_encryption role: semantic checks of its inputs (the filter
storage_encryption_input_errors)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

BUCKETS = ("root", "raw", "prepared", "trusted", "s3_logging", "databricks_logging", "audit_logs", "catalog")
# The catalog bucket (Unity Catalog's managed storage) may be left out of storage_encryption_bucket_names while
# storage_encryption_catalog_bucket_enabled is false.
OPTIONAL_BUCKETS = ("catalog",)
LONGEST_BUCKET_SUFFIX = "-databricks-logging"
OWNERSHIP = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
STORAGE_CLASSES = ("glacier", "deep_archive", "glacier_ir", "intelligent_tiering", "onezone_ia", "standard_ia")
ROLE_ARNS = ("storage_encryption_cross_account_role_arn", "storage_encryption_log_delivery_role_arn",
             "storage_encryption_meta_role_arn", "storage_encryption_data_read_role_arn",
             "storage_encryption_data_write_role_arn", "storage_encryption_unity_catalog_role_arn")
LOG_DELIVERY_BUCKETS = ("s3_logging", "databricks_logging", "audit_logs")
OBJECT_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
# S3 Object Lock default retention: a positive number of days (Amazon S3 API reference, DefaultRetention), at most
# 100 years.
OBJECT_LOCK_MAX_DAYS = 36500
KEY_ALIASES = ("storage_encryption_workspace_storage_key_alias", "storage_encryption_managed_services_key_alias",
               "storage_encryption_datalake_key_alias", "storage_encryption_tokens_key_alias",
               "storage_encryption_logging_key_alias")


def _per_bucket(errors, inputs, name, check):
    """Run check(variable, value) on each bucket's entry of the per-bucket dict `name`."""
    value = inputs.get(name)
    if value is None:
        return
    if not isinstance(value, dict):
        errors.append("%s: must be a dictionary keyed by bucket (%s)" % (name, ", ".join(BUCKETS)))
        return
    for bucket in sorted(set(value) - set(BUCKETS)):
        errors.append("%s: '%s' is not a bucket of this role (%s)" % (name, bucket, ", ".join(BUCKETS)))
    for bucket in BUCKETS:
        if bucket in value:
            errors.extend(check("%s.%s" % (name, bucket), value[bucket]))


def _check_lifecycle(name, rule):
    errors = v.check_lifecycle(name, rule)
    if not errors and rule and rule.get("storage_class") is not None and \
            str(rule["storage_class"]).lower() not in STORAGE_CLASSES:
        errors.append("%s.storage_class: '%s' is not one of %s"
                      % (name, rule["storage_class"], ", ".join(STORAGE_CLASSES)))
    return errors


def _check_ownership(name, value):
    if value not in OWNERSHIP:
        return ["%s: '%s' is not an S3 object ownership (%s)" % (name, value, ", ".join(OWNERSHIP))]
    return []


def _check_bool(name, value):
    if not isinstance(value, bool):
        return ["%s: %r must be true or false" % (name, value)]
    return []


def _bucket_security_errors(inputs):
    """The audit-logs bucket's Object Lock, the access logging and the root bucket's workspace scope."""
    errors = []
    mode = inputs.get("storage_encryption_audit_logs_object_lock_mode", "GOVERNANCE")
    if mode not in OBJECT_LOCK_MODES:
        errors.append("storage_encryption_audit_logs_object_lock_mode: '%s' is not an S3 Object Lock mode (%s)"
                      % (mode, ", ".join(OBJECT_LOCK_MODES)))
    if "storage_encryption_audit_logs_object_lock_days" in inputs:
        errors.extend(v.check_int_range("storage_encryption_audit_logs_object_lock_days",
                                        inputs["storage_encryption_audit_logs_object_lock_days"], 1,
                                        OBJECT_LOCK_MAX_DAYS, " days"))
    versioning = inputs.get("storage_encryption_versioning")
    if isinstance(versioning, dict) and versioning.get("audit_logs", True) is not True:
        errors.append("storage_encryption_versioning.audit_logs: must be true - S3 Object Lock (the audit-logs "
                      "bucket's retention) needs versioning")
    if "storage_encryption_access_logging" in inputs:
        errors.extend(_check_bool("storage_encryption_access_logging", inputs["storage_encryption_access_logging"]))
    prefix = inputs.get("storage_encryption_access_log_prefix", "")
    if not isinstance(prefix, str) or prefix.startswith("/") or (prefix and not prefix.endswith("/")) \
            or "*" in prefix or len(prefix) > 512:
        errors.append("storage_encryption_access_log_prefix: '%s' must be a key prefix ending in / (such as "
                      "'s3-access-logs/'), without a leading / or wildcards, or empty" % (prefix,))
    workspace_id = inputs.get("storage_encryption_root_bucket_workspace_id")
    if workspace_id not in (None, ""):
        if isinstance(workspace_id, bool) or not str(workspace_id).isdigit() or len(str(workspace_id)) > 20:
            errors.append("storage_encryption_root_bucket_workspace_id: '%s' is not a Databricks workspace id "
                          "(digits), or empty before the workspace exists" % (workspace_id,))
        region_name = inputs.get("storage_encryption_databricks_region_name")
        if not isinstance(region_name, str) or not region_name or region_name.strip("-") != region_name \
                or not all(c.isdigit() or ("a" <= c <= "z") or c == "-" for c in region_name):
            errors.append("storage_encryption_databricks_region_name: '%s' is not Databricks' name of the region "
                          "%s (such as 'ireland' for eu-west-1); set it - the root bucket's policy scoped to the "
                          "workspace names it" % (region_name, inputs.get("storage_encryption_aws_region")))
    return errors


def _bucket_name_errors(names, prefix, catalog_enabled):
    """The bucket names: every bucket of the role (the catalog bucket may be missing while it is disabled), each a
    valid bucket name of its own starting with the deployment prefix."""
    if names is None:
        return []
    required = [bucket for bucket in BUCKETS if catalog_enabled or bucket not in OPTIONAL_BUCKETS]
    if not isinstance(names, dict) or not set(required) <= set(names) <= set(BUCKETS):
        return ["storage_encryption_bucket_names: must name exactly the buckets %s%s"
                % (", ".join(BUCKETS), "" if catalog_enabled else
                   " (catalog may be left out while storage_encryption_catalog_bucket_enabled is false)")]
    errors = []
    for bucket in [bucket for bucket in BUCKETS if bucket in names]:
        variable = "storage_encryption_bucket_names.%s" % bucket
        errors.extend(v.check_bucket_name(variable, names[bucket]) or
                      v.check_bucket_name_has_prefix(variable, names[bucket], prefix))
    if len(set(names.values())) != len(names):
        errors.append("storage_encryption_bucket_names: every bucket needs its own name")
    return errors


def storage_encryption_input_errors(inputs):
    """Messages for every broken rule in inputs (a dict of variable name -> value); [] when all is fine."""
    if not isinstance(inputs, dict):
        return ["storage_encryption_input_errors: expected a dictionary of variable names and values"]
    errors = []
    prefix = inputs.get("deployment_prefix")
    errors.extend(v.check_bucket_prefix("deployment_prefix", prefix, LONGEST_BUCKET_SUFFIX))
    if "storage_encryption_aws_region" in inputs:
        errors.extend(v.check_region("storage_encryption_aws_region", inputs["storage_encryption_aws_region"]))
    if inputs.get("storage_encryption_databricks_principal_tag_condition", True):
        errors.extend(v.check_uuid("storage_encryption_databricks_account_id",
                                   inputs.get("storage_encryption_databricks_account_id")))

    # Follows unity_catalog_enabled, which an extra var (-e) gives as a string: Ansible's boolean spellings.
    catalog_enabled = inputs.get("storage_encryption_catalog_bucket_enabled", True)
    if v.as_switch(catalog_enabled) is None:
        errors.append("storage_encryption_catalog_bucket_enabled: %r must be true or false; it defaults to "
                      "unity_catalog_enabled" % (catalog_enabled,))
        catalog_enabled = True
    errors.extend(_bucket_name_errors(inputs.get("storage_encryption_bucket_names"), prefix,
                                      v.as_switch(catalog_enabled)))

    for name in KEY_ALIASES:
        if name in inputs and (not isinstance(inputs[name], str) or not v.KMS_ALIAS_PATTERN.match(inputs[name])
                               or inputs[name].startswith("alias/aws/")):
            errors.append("%s: '%s' is not a KMS alias name (alias/ followed by letters, digits, /_-; "
                          "not alias/aws/)" % (name, inputs[name]))
    if "storage_encryption_separate_keys" in inputs:
        errors.extend(_check_bool("storage_encryption_separate_keys", inputs["storage_encryption_separate_keys"]))
    # The keys the run creates: all five, or datalake and logging when the other uses share the datalake key.
    separate = inputs.get("storage_encryption_separate_keys", True) is not False
    created = KEY_ALIASES if separate else ("storage_encryption_datalake_key_alias",
                                            "storage_encryption_logging_key_alias")
    seen = {}
    for name in created:
        alias = str(inputs.get(name) or "").removeprefix("alias/")
        if not alias:
            continue
        if alias in seen:
            # One alias names one key: both uses would silently share one key (and one key policy).
            errors.append("%s: '%s' is also %s; each key needs an alias of its own"
                          % (name, inputs[name], seen[alias]))
        else:
            seen[alias] = name
    if "storage_encryption_key_deletion_window_days" in inputs:
        errors.extend(v.check_int_range("storage_encryption_key_deletion_window_days",
                                        inputs["storage_encryption_key_deletion_window_days"], 7, 30, " days"))
    for name in ("storage_encryption_key_rotation", "storage_encryption_dbfs_client_side_enc",
                 "storage_encryption_datalake_client_side_enc"):
        if name in inputs:
            errors.extend(_check_bool(name, inputs[name]))

    _per_bucket(errors, inputs, "storage_encryption_lifecycle", _check_lifecycle)
    _per_bucket(errors, inputs, "storage_encryption_versioning", _check_bool)
    _per_bucket(errors, inputs, "storage_encryption_object_ownership", _check_ownership)

    errors.extend(_bucket_security_errors(inputs))
    for name in ROLE_ARNS:
        value = inputs.get(name)
        if value and not v.ROLE_ARN_PATTERN.match(str(value)):
            errors.append("%s: '%s' is not an IAM role ARN" % (name, value))
    errors.extend(v.check_role_tags(inputs, "storage_encryption_tags"))
    return errors
