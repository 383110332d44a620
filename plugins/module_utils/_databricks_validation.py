# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight rules of the databricks_provisioning role (exposed by the filter
``lakehouse.databricks_aws.databricks_provisioning_input_errors``).

``provisioning_input_errors(inputs)`` returns one message per broken rule, each naming the
variable; never the value of a secret. Pure Python (standard library + _validation).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

MAX_TOKEN_LIFETIME_SECONDS = 730 * 86400  # Databricks caps new tokens at 730 days
WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{1,62}[A-Za-z0-9]$")
DEPLOYMENT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[\w-]+$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
OBJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$")
ENTITLEMENTS = ("allow-cluster-create", "allow-instance-pool-create", "databricks-sql-access", "workspace-access")


def check_workspace_name(name, value):
    if not isinstance(value, str) or not WORKSPACE_NAME.match(value):
        return ["%s: '%s' is not a valid workspace name (3 to 64 letters, digits, spaces, '.', '_' or '-', "
                "starting and ending with a letter or digit)" % (name, value)]
    return []


def check_deployment_name(name, value):
    if value in (None, ""):
        return []
    if not isinstance(value, str) or not DEPLOYMENT_NAME.match(value):
        return ["%s: '%s' is not a valid deployment name (lowercase letters, digits and '-', at most 63, "
                "starting and ending with a letter or digit; it becomes the workspace host name)" % (name, value)]
    return []


def check_token_lifetime(name, lifetime, margin_name, margin):
    errors = v.check_positive_int(name, lifetime)
    if errors:
        return errors
    if lifetime > MAX_TOKEN_LIFETIME_SECONDS:
        errors.append("%s: %d seconds is more than 730 days (%d seconds), the longest lifetime Databricks allows "
                      "for new tokens" % (name, lifetime, MAX_TOKEN_LIFETIME_SECONDS))
    if isinstance(margin, bool) or not isinstance(margin, int) or margin < 0:
        errors.append("%s: %r must be a whole number of seconds >= 0" % (margin_name, margin))
    elif margin >= lifetime:
        errors.append("%s: %d must be less than %s (%d), or every run would rotate the tokens"
                      % (margin_name, margin, name, lifetime))
    return errors


def check_pattern(name, value, pattern, what, optional=False):
    if optional and value in (None, ""):
        return []
    if not isinstance(value, str) or not pattern.match(value):
        required = "; it is required" if value in (None, "") else ""
        return ["%s: '%s' is not %s%s" % (name, value, what, required)]
    return []


def check_present(name, value, what):
    """A required secret or option is set (the value itself is never echoed)."""
    if value in (None, ""):
        return ["%s: %s is required and is empty" % (name, what)]
    return []


def provisioning_input_errors(inputs):
    errors = []
    get = inputs.get
    errors += v.check_region("aws_region", get("aws_region"))
    if "databricks_provisioning_account_host" in inputs:
        errors += v.check_host_url("databricks_provisioning_account_host", get("databricks_provisioning_account_host"))
    errors += check_pattern("databricks_provisioning_account_id", get("databricks_provisioning_account_id"), UUID,
                            "a Databricks account ID (a UUID)")
    errors += check_present("databricks_provisioning_client_id", get("databricks_provisioning_client_id"),
                            "the OAuth client ID of the account service principal")
    errors += check_present("databricks_provisioning_client_secret", get("databricks_provisioning_client_secret"),
                            "the OAuth secret of the account service principal")
    errors += check_workspace_name("databricks_provisioning_workspace_name",
                                   get("databricks_provisioning_workspace_name"))
    errors += check_deployment_name("databricks_provisioning_deployment_name",
                                    get("databricks_provisioning_deployment_name"))
    for option in ("databricks_provisioning_credentials_name", "databricks_provisioning_storage_configuration_name",
                   "databricks_provisioning_network_name"):
        errors += check_pattern(option, get(option), OBJECT_NAME, "a valid Databricks object name")
    errors += check_token_lifetime("databricks_provisioning_token_lifetime_seconds",
                                   get("databricks_provisioning_token_lifetime_seconds"),
                                   "databricks_provisioning_token_rotate_before_seconds",
                                   get("databricks_provisioning_token_rotate_before_seconds"))
    errors += v.check_positive_int("databricks_provisioning_workspace_wait_timeout",
                                   get("databricks_provisioning_workspace_wait_timeout"))
    errors += check_pattern("databricks_provisioning_token_secret_name",
                            get("databricks_provisioning_token_secret_name"), SECRET_NAME,
                            "a valid Secrets Manager secret name (1 to 512 of A-Z a-z 0-9 /_+=.@-)")
    errors += check_pattern("databricks_provisioning_cross_account_role_arn",
                            get("databricks_provisioning_cross_account_role_arn"), ROLE_ARN, "an IAM role ARN",
                            optional=True)
    for option in ("databricks_provisioning_storage_key_arn", "databricks_provisioning_managed_services_key_arn",
                   "databricks_provisioning_logging_key_arn"):
        errors += check_pattern(option, get(option), KEY_ARN, "a KMS key ARN", optional=True)
    entitlements = get("databricks_provisioning_service_principal_entitlements") or []
    if not isinstance(entitlements, list):
        errors.append("databricks_provisioning_service_principal_entitlements: must be a list")
    else:
        errors += ["databricks_provisioning_service_principal_entitlements: '%s' is not one of %s"
                   % (e, ", ".join(ENTITLEMENTS)) for e in entitlements if e not in ENTITLEMENTS]
    errors += v.check_tags("databricks_provisioning_custom_tags", get("databricks_provisioning_custom_tags") or {})
    return errors
