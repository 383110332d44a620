# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of the iam role: semantic checks of its inputs (the filter iam_input_errors)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

LONGEST_BUCKET_SUFFIX = "-databricks-logging"
ROLE_NAMES = ("iam_cross_account_role_name", "iam_log_delivery_role_name", "iam_meta_role_name",
              "iam_data_read_role_name", "iam_data_write_role_name")
PROFILE_NAMES = ("iam_meta_instance_profile_name", "iam_data_read_instance_profile_name",
                 "iam_data_write_instance_profile_name")
BUCKETS = ("iam_raw_bucket", "iam_databricks_logging_bucket")


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
    if "iam_max_session_duration" in inputs:
        errors.extend(v.check_int_range("iam_max_session_duration", inputs["iam_max_session_duration"],
                                        3600, 43200, " seconds"))
    errors.extend(v.check_role_tags(inputs, "iam_tags"))
    return errors
