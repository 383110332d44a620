# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of the iam role: semantic checks of its inputs (the filter iam_input_errors)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

LONGEST_BUCKET_SUFFIX = "-databricks-logging"
ROLE_NAMES = ("iam_cross_account_role_name", "iam_log_delivery_role_name", "iam_meta_role_name",
              "iam_data_read_role_name", "iam_data_write_role_name", "iam_unity_catalog_role_name")
PROFILE_NAMES = ("iam_meta_instance_profile_name", "iam_data_read_instance_profile_name",
                 "iam_data_write_instance_profile_name")
BUCKETS = ("iam_raw_bucket", "iam_databricks_logging_bucket", "iam_audit_log_bucket", "iam_prepared_bucket",
           "iam_trusted_bucket", "iam_catalog_bucket")
# sts:ExternalId: 2 to 1224 characters of letters, digits and _+=,.@:/- (IAM API reference, AssumeRole ExternalId).
EXTERNAL_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@:/-")


def _security_group_errors(inputs):
    # Empty until the network role has run (preflight comes first); the role requires it before use.
    group = inputs.get("iam_security_group_id")
    if group and not v.SECURITY_GROUP_ID_PATTERN.match(str(group)):
        return ["iam_security_group_id: '%s' is not a security group id (sg- followed by 8 or 17 hexadecimal "
                "digits); it defaults to network_outputs.security_group_id" % group]
    return []


def _image_owner_errors(inputs):
    if "iam_databricks_image_owners" not in inputs:
        return []
    owners = inputs["iam_databricks_image_owners"]
    if not isinstance(owners, list) or not owners:
        return ["iam_databricks_image_owners: must be a non-empty list of AWS account ids (the owners of the AMIs "
                "Databricks launches), got %s" % v.show(owners)]
    return ["iam_databricks_image_owners: '%s' is not an AWS account id (12 digits)" % owner
            for owner in owners if not v.AWS_ACCOUNT_PATTERN.match(str(owner))]


def _glue_errors(inputs):
    if "iam_glue_database_patterns" not in inputs:
        return []
    patterns = inputs["iam_glue_database_patterns"]
    if not isinstance(patterns, list) or not patterns:
        return ["iam_glue_database_patterns: must be a non-empty list of Glue database names or patterns, got %s"
                % v.show(patterns)]
    return ["iam_glue_database_patterns: '%s' is not a Glue database name or pattern (lowercase letters, digits, "
            "underscores and the wildcards * and ?, at most 255 characters)" % pattern
            for pattern in patterns if not v.GLUE_DATABASE_PATTERN.match(str(pattern))]


def _cluster_log_prefix_errors(inputs):
    if "iam_cluster_log_prefix" not in inputs:
        return []
    prefix = inputs["iam_cluster_log_prefix"]
    if not isinstance(prefix, str) or not v.KEY_PREFIX_PATTERN.match(prefix):
        return ["iam_cluster_log_prefix: %s is not an S3 key prefix (letters, digits and !_.*'()- in segments "
                "separated by single slashes, none at either end); it defaults to "
                "databricks_management_cluster_log_prefix" % v.show(prefix)]
    return []


def _unity_catalog_errors(inputs):
    errors = []
    enabled = inputs.get("iam_unity_catalog_enabled", True)
    if v.as_switch(enabled) is None:
        errors.append("iam_unity_catalog_enabled: %s must be true or false; it defaults to unity_catalog_enabled"
                      % v.show(enabled))
    master = inputs.get("iam_unity_catalog_master_role_arn")
    if "iam_unity_catalog_master_role_arn" in inputs and \
            (not isinstance(master, str) or not v.ROLE_ARN_PATTERN.match(master)):
        errors.append("iam_unity_catalog_master_role_arn: %s is not an IAM role ARN (Databricks' Unity Catalog master "
                      "role, arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL)"
                      % v.show(master))
    external_id = inputs.get("iam_unity_catalog_external_id")
    if external_id not in (None, "") and \
            (not isinstance(external_id, str) or not 2 <= len(external_id) <= 1224
             or not set(external_id) <= EXTERNAL_ID_CHARACTERS):
        errors.append("iam_unity_catalog_external_id: %s is not an external id (2 to 1224 letters, digits and "
                      "+=,.@:/-; the storage credential's aws_iam_role.external_id), or empty before the credential "
                      "exists" % v.show(external_id))
    return errors


def iam_input_errors(inputs):
    """Messages for every broken rule in inputs (a dict of variable name -> value); [] when all is fine."""
    if not isinstance(inputs, dict):
        return ["iam_input_errors: expected a dictionary of variable names and values"]
    errors = []
    prefix = inputs.get("deployment_prefix")
    errors.extend(v.check_bucket_prefix("deployment_prefix", prefix, LONGEST_BUCKET_SUFFIX))
    errors.extend(v.check_uuid("iam_databricks_account_id", inputs.get("iam_databricks_account_id")))
    if "iam_aws_region" in inputs:
        errors.extend(v.check_region("iam_aws_region", inputs["iam_aws_region"]))
    account = inputs.get("iam_databricks_aws_account_id")
    if account is not None and not v.AWS_ACCOUNT_PATTERN.match(str(account)):
        errors.append("iam_databricks_aws_account_id: '%s' is not an AWS account id (12 digits)" % account)
    for name in ROLE_NAMES:
        if name in inputs:
            errors.extend(v.check_iam_name(name, inputs[name], 64))
    for name in PROFILE_NAMES:
        if name in inputs:
            errors.extend(v.check_iam_name(name, inputs[name], 128))
    for name in BUCKETS:
        if name in inputs:
            errors.extend(v.check_bucket_name(name, inputs[name]) or
                          v.check_bucket_name_has_prefix(name, inputs[name], prefix))
    # Empty until the network role has run (preflight comes first); the role requires it before use.
    vpc_id = inputs.get("iam_vpc_id")
    if vpc_id and not v.VPC_ID_PATTERN.match(str(vpc_id)):
        errors.append("iam_vpc_id: '%s' is not a VPC id (vpc- followed by 8 or 17 hexadecimal digits); it "
                      "defaults to network_outputs.vpc_id" % vpc_id)
    errors.extend(_security_group_errors(inputs))
    errors.extend(_image_owner_errors(inputs))
    errors.extend(_glue_errors(inputs))
    errors.extend(_cluster_log_prefix_errors(inputs))
    errors.extend(_unity_catalog_errors(inputs))
    if "iam_max_session_duration" in inputs:
        errors.extend(v.check_int_range("iam_max_session_duration", inputs["iam_max_session_duration"],
                                        3600, 43200, " seconds"))
    errors.extend(v.check_role_tags(inputs, "iam_tags"))
    return errors
