# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight checks that ask the live services (read-only) what only they know, before the first change: the
filters databricks_account_check_errors, databricks_provisioning_live_errors and databricks_management_live_errors.

Each takes what the read-only tasks of a role's live_checks entry point registered and returns one message per
problem, naming the variable to fix; never a secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

HOW_TO_REPLACE = ("to replace the workspace deliberately, run playbooks/destroy.yml (or deploy under another "
                  "deployment_prefix and workspace name) and then site.yml with the new value")


def databricks_account_check_errors(result, prefix, inputs):
    """Why databricks_account_info (result) could not authenticate with the account credentials of the role named by
    prefix (databricks_provisioning, databricks_management); [] when it did. inputs: account_host, account_id,
    client_id (never the secret)."""
    result, inputs = dict(result or {}), dict(inputs or {})
    if result.get("authenticated") or result.get("skipped"):
        return []
    fields = ("account_host", "account_id", "client_id", "client_secret")
    names = {field: "%s_%s" % (prefix, field) for field in fields}
    host = str(inputs.get("account_host") or "").rstrip("/")
    account_id = inputs.get("account_id")
    reason = result.get("reason") or ""
    messages = {
        "unreachable": "%s: %s is unreachable (%s)" % (names["account_host"], host, reason),
        "authentication": "%s: authentication to %s failed (%s); check %s, %s and that the service principal belongs "
                          "to the account %s (%s)" % (names["client_secret"], host, reason, names["client_id"],
                                                      names["client_secret"], names["account_id"], account_id),
        "permission": "%s: the service principal %s is not an account admin of %s %s (%s)"
                      % (names["client_id"], inputs.get("client_id"), names["account_id"], account_id, reason),
        "account": "%s: %s is not an account at %s (%s)" % (names["account_id"], account_id, host, reason),
    }
    other = "%s: the check of the account API failed - %s" % (names["account_host"], result.get("msg") or "no reply")
    return [messages.get(result.get("error_kind"), other)]


def _first(found):
    workspaces = (found or {}).get("workspaces") or []
    return workspaces[0] if workspaces else None


def _key_errors(key_reads):
    """key_reads: the results of amazon.aws.kms_key_info, one per key given by ARN, each with its item
    {variable, arn} (the region is the ARN's)."""
    errors = []
    for read in key_reads or []:
        item = read.get("item") or {}
        variable, arn = item.get("variable"), item.get("arn")
        keys = read.get("kms_keys") or []
        if read.get("failed") or not keys:
            errors.append("%s: the key %s cannot be read (%s); Databricks needs an existing key the workspace "
                          "can use" % (variable, arn, read.get("msg") or "no such key"))
            continue
        key = keys[0]
        if key.get("key_state") != "Enabled":
            errors.append("%s: the key %s is %s; Databricks needs an enabled key"
                          % (variable, arn, key.get("key_state")))
            continue
        usage = key.get("key_usage", "ENCRYPT_DECRYPT")
        spec = key.get("key_spec", key.get("customer_master_key_spec", "SYMMETRIC_DEFAULT"))
        if usage != "ENCRYPT_DECRYPT" or spec != "SYMMETRIC_DEFAULT":
            errors.append("%s: the key %s is a %s %s key; Databricks needs a symmetric encryption key "
                          "(SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)" % (variable, arn, spec, usage))
    return errors


def databricks_provisioning_live_errors(found, inputs, key_reads=None):
    """found: databricks_workspace_info's result for the deployment's workspace name; inputs: aws_region,
    databricks_provisioning_workspace_name, _deployment_name, _pricing_tier; key_reads: see _key_errors.

    What Databricks cannot change on a deployed workspace (its region, deployment name and pricing tier: the SDK's
    WorkspacesAPI.update takes none of them) must not differ, or the run would build or change the AWS estate and
    then fail at the workspace."""
    if not isinstance(inputs, dict):
        raise AnsibleFilterError("databricks_provisioning_live_errors: expects the inputs as a dictionary")
    errors = _key_errors(key_reads)
    workspace = _first(found)
    if workspace is None:
        return errors
    where = "the deployed workspace %s (%s)" % (workspace.get("workspace_name"), workspace.get("workspace_id"))
    region = inputs.get("aws_region")
    if workspace.get("aws_region") and region != workspace["aws_region"]:
        errors.append("aws_region: %s differs from %s, the region of %s; a workspace cannot move to another region, "
                      "so this run would build the AWS estate again in %s and then fail at the workspace; keep %s, "
                      "or %s" % (region, workspace["aws_region"], where, region, workspace["aws_region"],
                                 HOW_TO_REPLACE))
    deployment_name = inputs.get("databricks_provisioning_deployment_name")
    if deployment_name and workspace.get("deployment_name") and deployment_name != workspace["deployment_name"]:
        errors.append("databricks_provisioning_deployment_name: '%s' differs from '%s', the deployment name (URL) of "
                      "%s; Databricks cannot rename it; keep '%s' (or leave the variable empty), or %s"
                      % (deployment_name, workspace["deployment_name"], where, workspace["deployment_name"],
                         HOW_TO_REPLACE))
    tier = inputs.get("databricks_provisioning_pricing_tier")
    if tier and workspace.get("pricing_tier") and tier != workspace["pricing_tier"]:
        errors.append("databricks_provisioning_pricing_tier: %s differs from %s, the pricing tier of %s; the "
                      "workspace API cannot change it; keep %s, or change the tier in the account console and then "
                      "set it here" % (tier, workspace["pricing_tier"], where, workspace["pricing_tier"]))
    return errors


def databricks_management_live_errors(offerings, inputs):
    """offerings: ec2_instance_type_offering_info's result for the cluster's node type (skipped when there is none to
    check); inputs: aws_region, databricks_management_cluster_node_type_id."""
    offerings, inputs = dict(offerings or {}), dict(inputs or {})
    if offerings.get("skipped") or not offerings.get("not_offered"):
        return []
    return ["databricks_management_cluster_node_type_id: %s is not an instance type EC2 offers in aws_region %s, so "
            "Databricks cannot start the cluster on it (a node type on AWS is an EC2 instance type); choose one the "
            "region offers, or leave it empty for the smallest node type matching "
            "databricks_management_cluster_min_memory_gb and _min_cores"
            % (", ".join(offerings["not_offered"]), inputs.get("aws_region"))]
