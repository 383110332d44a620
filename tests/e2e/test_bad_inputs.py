"""Bad inputs across every role: each fails before any mutating AWS or Databricks call, naming the variable and the
rule, against a sandbox that already holds a converged deployment - in site.yml's preflight play (static rules, rules
between variables, every credential, values only the live services know), or, for settings that cannot change on the
deployed estate (the cases on lh-sandbox itself) and what only the deployed workspace knows, in the role that reads
them, before its first change (the earlier roles have nothing to change on a converged deployment).

One site.yml converges the deployment (inventories/local); then one ansible-playbook run takes every case as an
inventory host of its own (forks run them in parallel), each with its own deployment_prefix. The deployment's
state (moto and the emulator, tokens included) is read before and after, and the request logs of both must
show no mutating call (OAuth token exchanges authenticate, they change nothing). Two small runs check that the
reachability and authentication checks also stop a --tags reset_tokens run and a --check --diff plan.
"""

import itertools
import json
import os
import time

import pytest

from tests.e2e.conftest import failures_by_host, ok
from tests.sandbox_harness import Sandbox, free_port
from tests.stack import Stack

CLOSED_PORT = free_port()  # bound once and released: nothing listens there
OTHER_ACCOUNT = "0d2a9b6e-1c3f-4e5a-8b7c-9d0e1f2a3b4c"
WRONG_SECRET = "dose-not-the-right-secret-0123456789"

SPEC = "Validating arguments against arg spec 'validate' - Preflight of the "
NETWORK = "network : Preflight - network inputs"
IAM = "iam : Preflight - IAM inputs"
STORAGE = "storage_encryption : Preflight - storage and encryption inputs"
PROVISIONING = "databricks_provisioning : Preflight - Databricks provisioning inputs"
MANAGEMENT = "databricks_management : Preflight - Databricks management inputs"
ACCOUNT_CHECK = "databricks_provisioning : Preflight - Databricks account host, account ID and service principal"
AWS_CHECK = "Preflight - AWS endpoint and credentials"
# The roles' argument specs (types, choices, elements) over the variables each host sets, in site.yml's first plays
# (playbooks/selection.yml): before the roles' own argument-spec validation, whose messages name Ansible's types.
SPECS = "Preflight - the variables set in the inventory or with -e fit the roles' argument specs"
ROLE_SPEC = dict.fromkeys(("network", "iam", "storage_encryption", "databricks_provisioning", "databricks_management"),
                          SPECS)
UNKNOWN = {role: "%s : Preflight - no unknown %s_ or deployment_ variables" % (role, role)
           for role in ("network", "iam", "storage_encryption", "databricks_provisioning", "databricks_management")}
# Nothing of Python's or Ansible's internals in any bad-input run's output.
INTERNALS = ("Traceback", "MODULE FAILURE", "_Ansible", "AnsibleUnsafe")

WRONG_MANAGEMENT_SECRET = "not-the-management-secret-0123456789"
LIVE = "lh-sandbox"  # the converged deployment of inventories/local
MISSING_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
OTHER_REGION_KEY = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"

PROVISIONING_LIVE = "Preflight - the deployed workspace keeps what Databricks cannot change, and the keys are usable"
MANAGEMENT_LIVE = "Preflight - the management credentials and the cluster's node type"
NETWORK_IDENTITY = "Preflight - the deployed network keeps what AWS cannot change"
KEY_IDENTITY = "Preflight - the deployed keys keep their aliases"
WORKSPACE_OFFERS = "Preflight - the workspace offers the cluster's runtime and node type"


def buckets(prefix, **override):
    names = {"root": prefix + "-rootbucket", "raw": prefix + "-raw", "prepared": prefix + "-prepared",
             "trusted": prefix + "-trusted", "s3_logging": prefix + "-s3-logging",
             "databricks_logging": prefix + "-databricks-logging", "audit_logs": prefix + "-audit-logs",
             "catalog": prefix + "-catalog"}
    return dict(names, **override)


# case: (role, kind, variables, failing task, substrings of the message). deployment_prefix is bad-<case>
# unless the case sets it.
CASES = {
    # --- network ---------------------------------------------------------------------------------------------
    "net-subnets-string": ("network", "wrong type", {"network_private_subnet_cidrs": "10.0.1.0/24"}, NETWORK,
                           ["network_private_subnet_cidrs: must be a list, got"]),
    "net-tags-string": ("network", "wrong type", {"network_tags": "Owner"}, ROLE_SPEC["network"],
                        ["argument 'network_tags' is of type str and we were unable to convert to dict"]),
    "net-dns-not-bool": ("network", "wrong type", {"network_enable_dns_hostnames": "maybe"}, ROLE_SPEC["network"],
                         ["argument 'network_enable_dns_hostnames' is of type str and we were unable to convert to "
                          "bool"]),
    "net-nat-mode-choice": ("network", "invalid value", {"network_nat_gateway_mode": "none"}, ROLE_SPEC["network"],
                            ["value of network_nat_gateway_mode must be one of: single, per_az, got: none"]),
    "net-flow-interval": ("network", "invalid value", {"network_flow_logs_max_aggregation_interval": 300},
                          ROLE_SPEC["network"],
                          ["value of network_flow_logs_max_aggregation_interval must be one of: 60, 600, got: 300"]),
    "net-vpc-mask-8": ("network", "invalid CIDR", {"network_vpc_cidr": "10.0.0.0/8"}, NETWORK,
                       ["network_vpc_cidr: 10.0.0.0/8 has a /8 mask; AWS allows VPC and subnet masks between /16 "
                        "and /28"]),
    "net-policies-without-endpoints": ("network", "contradictory flags",
                                       {"network_vpc_endpoints_enabled": False,
                                        "network_vpc_endpoint_policies_enabled": True}, NETWORK,
                                       ["network_vpc_endpoint_policies_enabled: true needs the VPC endpoints the "
                                        "policies apply to, but network_vpc_endpoints_enabled is false"]),
    "net-zones-fewer-than-subnets": ("network", "invalid zones",
                                     {"network_availability_zones": ["eu-west-1a", "eu-west-1b"]}, NETWORK,
                                     ["network_availability_zones: 2 zone(s) for 3 subnets in "
                                      "network_private_subnet_cidrs; subnet i is placed in zone i"]),
    "net-zones-string": ("network", "wrong type", {"network_availability_zones": "eu-west-1a"}, NETWORK,
                         ["network_availability_zones: must be a list of availability zones such as eu-west-1a, got"]),
    "net-public-cidr-invalid": ("network", "invalid CIDR", {"network_public_subnet_cidrs": ["10.0.300.0/24"]},
                                NETWORK, ["network_public_subnet_cidrs[0]: '10.0.300.0/24' is not a valid IPv4 CIDR "
                                          "block"]),
    "net-region-empty": ("network", "missing required", {"aws_region": ""}, NETWORK,
                         ["aws_region: '' is not an AWS region name such as eu-west-1; it is required"]),
    "net-prefix-null": ("network", "missing required", {"deployment_prefix": None}, NETWORK,
                        ["deployment_prefix: 'None' must be 1 to 63 letters", "; it is required"]),
    # --- iam -------------------------------------------------------------------------------------------------
    "iam-session-short": ("iam", "invalid value", {"iam_max_session_duration": 100}, IAM,
                          ["iam_max_session_duration: 100 must be a whole number from 3600 to 43200 seconds"]),
    "iam-session-string": ("iam", "wrong type", {"iam_max_session_duration": "long"}, ROLE_SPEC["iam"],
                           ["argument 'iam_max_session_duration' is of type str and we were unable to convert to "
                            "int"]),
    "iam-role-name": ("iam", "invalid value", {"iam_cross_account_role_name": "bad role!"}, IAM,
                      ["iam_cross_account_role_name: 'bad role!' is not a valid IAM name"]),
    "iam-databricks-aws-account": ("iam", "invalid value", {"iam_databricks_aws_account_id": "4143517678"}, IAM,
                                   ["iam_databricks_aws_account_id: '4143517678' is not an AWS account id (12 "
                                    "digits)"]),
    # --- storage_encryption ----------------------------------------------------------------------------------
    "sto-rotation-not-bool": ("storage_encryption", "wrong type", {"storage_encryption_key_rotation": "sometimes"},
                              ROLE_SPEC["storage_encryption"],
                              ["argument 'storage_encryption_key_rotation' is of type str and we were unable to "
                               "convert to bool"]),
    "sto-bucket-names-list": ("storage_encryption", "wrong type", {"storage_encryption_bucket_names": ["a", "b"]},
                              ROLE_SPEC["storage_encryption"],
                              ["argument 'storage_encryption_bucket_names' is of type list and we were unable to "
                               "convert to dict"]),
    "sto-window-string": ("storage_encryption", "wrong type", {"storage_encryption_key_deletion_window_days": "seven"},
                          ROLE_SPEC["storage_encryption"],
                          ["argument 'storage_encryption_key_deletion_window_days' is of type str and we were "
                           "unable to convert to int"]),
    "sto-alias-reserved": ("storage_encryption", "invalid value",
                           {"storage_encryption_datalake_key_alias": "alias/aws/s3"}, STORAGE,
                           ["storage_encryption_datalake_key_alias: 'alias/aws/s3' is not a KMS alias name"]),
    "sto-bucket-name": ("storage_encryption", "bucket name",
                        {"storage_encryption_bucket_names": buckets("bad-sto-bucket-name",
                                                                    raw="bad-sto-bucket-name-Raw_Data")}, STORAGE,
                        ["storage_encryption_bucket_names.raw: bucket name 'bad-sto-bucket-name-Raw_Data' may hold "
                         "only lowercase letters, digits, dots and hyphens"]),
    "sto-bucket-too-long": ("storage_encryption", "bucket name",
                            {"storage_encryption_bucket_names": buckets("bad-sto-bucket-too-long",
                                                                        trusted="bad-sto-bucket-too-long-" + "t" * 40)},
                            STORAGE, ["storage_encryption_bucket_names.trusted: bucket name 'bad-sto-bucket-too-long-"
                                      "tttttttttttttttttttttttttttttttttttttttt' is 64 characters long; S3 allows 3 "
                                      "to 63"]),
    # --- databricks_provisioning -----------------------------------------------------------------------------
    "tok-over-730-days": ("databricks_provisioning", "token lifetime",
                          {"databricks_provisioning_token_lifetime_seconds": 731 * 86400}, PROVISIONING,
                          ["databricks_provisioning_token_lifetime_seconds: 63158400 seconds is more than 730 days"]),
    "tok-zero": ("databricks_provisioning", "token lifetime", {"databricks_provisioning_token_lifetime_seconds": 0},
                 PROVISIONING, ["databricks_provisioning_token_lifetime_seconds: 0 must be a positive whole number"]),
    "tok-negative": ("databricks_provisioning", "token lifetime",
                     {"databricks_provisioning_token_lifetime_seconds": -5}, PROVISIONING,
                     ["databricks_provisioning_token_lifetime_seconds: -5 must be a positive whole number"]),
    "tok-string": ("databricks_provisioning", "token lifetime",
                   {"databricks_provisioning_token_lifetime_seconds": "six days"}, ROLE_SPEC["databricks_provisioning"],
                   ["argument 'databricks_provisioning_token_lifetime_seconds' is of type str and we were unable to "
                    "convert to int"]),
    "tok-fraction": ("databricks_provisioning", "token lifetime",
                     {"databricks_provisioning_token_lifetime_seconds": 1.5}, ROLE_SPEC["databricks_provisioning"],
                     ["argument 'databricks_provisioning_token_lifetime_seconds' is of type float and we were unable "
                      "to convert to int"]),
    "tok-margin-equals-lifetime": ("databricks_provisioning", "rotation margin",
                                   {"databricks_provisioning_token_lifetime_seconds": 86400,
                                    "databricks_provisioning_token_rotate_before_seconds": 86400}, PROVISIONING,
                                   ["databricks_provisioning_token_rotate_before_seconds: 86400 must be less than "
                                    "databricks_provisioning_token_lifetime_seconds (86400)"]),
    "tok-margin-negative": ("databricks_provisioning", "rotation margin",
                            {"databricks_provisioning_token_rotate_before_seconds": -1}, PROVISIONING,
                            ["databricks_provisioning_token_rotate_before_seconds: -1 must be a whole number of "
                             "seconds >= 0"]),
    "prov-workspace-name": ("databricks_provisioning", "invalid value",
                            {"databricks_provisioning_workspace_name": "x"}, PROVISIONING,
                            ["databricks_provisioning_workspace_name: 'x' is not a valid workspace name"]),
    "prov-pricing-tier": ("databricks_provisioning", "invalid value",
                          {"databricks_provisioning_pricing_tier": "STANDARD"}, ROLE_SPEC["databricks_provisioning"],
                          ["value of databricks_provisioning_pricing_tier must be one of: PREMIUM, ENTERPRISE, got: "
                           "STANDARD"]),
    "prov-entitlements-string": ("databricks_provisioning", "wrong type",
                                 {"databricks_provisioning_service_principal_entitlements": "allow-cluster-create"},
                                 PROVISIONING,
                                 ["databricks_provisioning_service_principal_entitlements: must be a list"]),
    "prov-deployment-name": ("databricks_provisioning", "invalid value",
                             {"databricks_provisioning_deployment_name": "Bad_Name"}, PROVISIONING,
                             ["databricks_provisioning_deployment_name: 'Bad_Name' is not a valid deployment name"]),
    "prov-wait-timeout-zero": ("databricks_provisioning", "invalid value",
                               {"databricks_provisioning_workspace_wait_timeout": 0}, PROVISIONING,
                               ["databricks_provisioning_workspace_wait_timeout: 0 must be a positive whole number"]),
    "prov-account-id-not-uuid": ("databricks_provisioning", "invalid value",
                                 {"databricks_provisioning_account_id": "abc"}, PROVISIONING,
                                 ["databricks_provisioning_account_id: 'abc' is not a Databricks account id; expected "
                                  "a lowercase UUID"]),
    "prov-account-id-null": ("databricks_provisioning", "missing required",
                             {"databricks_provisioning_account_id": None}, PROVISIONING,
                             ["databricks_provisioning_account_id: is required (the Databricks account id, a UUID"]),
    "cred-secret-empty": ("databricks_provisioning", "credentials", {"databricks_client_secret": ""}, PROVISIONING,
                          ["databricks_provisioning_client_secret: the OAuth secret of the account service principal "
                           "is required and is empty"]),
    "cred-client-id-empty": ("databricks_provisioning", "credentials", {"databricks_client_id": ""}, PROVISIONING,
                             ["databricks_provisioning_client_id: the OAuth client ID of the account service "
                              "principal is required and is empty"]),
    "cred-secret-wrong": ("databricks_provisioning", "credentials", {"databricks_client_secret": WRONG_SECRET},
                          ACCOUNT_CHECK,
                          ["databricks_provisioning_client_secret: authentication to {host} failed (invalid_client: "
                           "Client authentication failed.)", "databricks_provisioning_client_id"]),
    "cred-client-id-wrong": ("databricks_provisioning", "credentials", {"databricks_client_id": OTHER_ACCOUNT},
                             ACCOUNT_CHECK,
                             ["databricks_provisioning_client_secret: authentication to {host} failed "
                              "(invalid_client"]),
    "cred-account-id-other": ("databricks_provisioning", "credentials", {"databricks_account_id": OTHER_ACCOUNT},
                              ACCOUNT_CHECK,
                              ["authentication to {host} failed (invalid_client",
                               "belongs to the account databricks_provisioning_account_id (%s)" % OTHER_ACCOUNT]),
    "host-not-a-url": ("databricks_provisioning", "unreachable host",
                       {"databricks_provisioning_account_host": "accounts.cloud.databricks.com"}, PROVISIONING,
                       ["databricks_provisioning_account_host: 'accounts.cloud.databricks.com' is not a host URL"]),
    "host-closed-port": ("databricks_provisioning", "unreachable host",
                         {"databricks_provisioning_account_host": "http://127.0.0.1:%d" % CLOSED_PORT}, ACCOUNT_CHECK,
                         ["databricks_provisioning_account_host: http://127.0.0.1:%d is unreachable (connection "
                          "refused)" % CLOSED_PORT]),
    "host-unresolvable": ("databricks_provisioning", "unreachable host",
                          {"databricks_provisioning_account_host": "https://accounts.nonexistent.invalid"},
                          ACCOUNT_CHECK,
                          ["databricks_provisioning_account_host: https://accounts.nonexistent.invalid is unreachable "
                           "(host name does not resolve)"]),
    "aws-endpoint-closed-port": ("aws", "unreachable host",
                                 {"deployment_environment": {"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % CLOSED_PORT,
                                                             "AWS_ACCESS_KEY_ID": "testing",
                                                             "AWS_SECRET_ACCESS_KEY": "testing",
                                                             "AWS_DEFAULT_REGION": "eu-west-1"}}, AWS_CHECK,
                                 ["deployment_environment.AWS_ENDPOINT_URL: http://127.0.0.1:%d is unreachable"
                                  % CLOSED_PORT, "Could not connect to the endpoint URL"]),
    "aws-endpoint-not-a-url": ("aws", "unreachable host",
                               {"deployment_environment": {"AWS_ENDPOINT_URL": "localhost:%d" % CLOSED_PORT,
                                                           "AWS_ACCESS_KEY_ID": "testing",
                                                           "AWS_SECRET_ACCESS_KEY": "testing",
                                                           "AWS_DEFAULT_REGION": "eu-west-1"}}, AWS_CHECK,
                               ["deployment_environment.AWS_ENDPOINT_URL: localhost:%d is not an endpoint URL (http:// "
                                "or https:// and a host)" % CLOSED_PORT]),
    # --- databricks_management -------------------------------------------------------------------------------
    "mgmt-autoscale-min-over-max": ("databricks_management", "contradictory flags",
                                    {"databricks_management_cluster_min_workers": 5,
                                     "databricks_management_cluster_max_workers": 2}, MANAGEMENT,
                                    ["databricks_management_cluster_min_workers: 5 is more than "
                                     "databricks_management_cluster_max_workers (2)"]),
    "mgmt-driver-on-spot": ("databricks_management", "contradictory flags",
                            {"databricks_management_cluster_availability": "SPOT",
                             "databricks_management_cluster_first_on_demand": 0}, MANAGEMENT,
                            ["databricks_management_cluster_first_on_demand: 0 puts the driver on a spot instance "
                             "(databricks_management_cluster_availability SPOT)"]),
    "mgmt-availability-choice": ("databricks_management", "invalid value",
                                 {"databricks_management_cluster_availability": "spot"},
                                 ROLE_SPEC["databricks_management"],
                                 ["value of databricks_management_cluster_availability must be one of: SPOT, "
                                  "ON_DEMAND, SPOT_WITH_FALLBACK, got: spot"]),
    "mgmt-spot-bid-zero": ("databricks_management", "invalid value",
                           {"databricks_management_cluster_spot_bid_price_percent": 0}, MANAGEMENT,
                           ["databricks_management_cluster_spot_bid_price_percent: 0 must be a whole number from 1 to "
                            "10000%"]),
    "mgmt-autotermination-5": ("databricks_management", "invalid value",
                               {"databricks_management_cluster_autotermination_minutes": 5}, MANAGEMENT,
                               ["databricks_management_cluster_autotermination_minutes: 5 must be 0 (never) or between "
                                "10 and 43200 minutes"]),
    "mgmt-ebs-size": ("databricks_management", "invalid value", {"databricks_management_cluster_ebs_volume_size": 8},
                      MANAGEMENT, ["databricks_management_cluster_ebs_volume_size: 8 must be a whole number from 32 "
                                   "to 4096 GiB"]),
    "mgmt-groups-string": ("databricks_management", "wrong type", {"databricks_management_groups": "Read only"},
                           ROLE_SPEC["databricks_management"],
                           ["Elements value for option 'databricks_management_groups' is of type str and we were "
                            "unable to convert to dict"]),
    "mgmt-group-profile": ("databricks_management", "invalid value",
                           {"databricks_management_groups": [{"name": "X", "instance_profile": "admin",
                                                              "entitlements": []}]}, MANAGEMENT,
                           ["databricks_management_groups[0].instance_profile: 'admin' is not one of meta, data_read, "
                            "data_write"]),
    "mgmt-log-prefix-slash": ("databricks_management", "invalid value",
                              {"databricks_management_audit_logs_prefix": "/audit/"}, MANAGEMENT,
                              ["databricks_management_audit_logs_prefix: '/audit/' is not an S3 key prefix without "
                               "leading or trailing '/'"]),
    "mgmt-log-delivery-not-bool": ("databricks_management", "wrong type",
                                   {"databricks_management_log_delivery_enabled": "yes please"},
                                   ROLE_SPEC["databricks_management"],
                                   ["argument 'databricks_management_log_delivery_enabled' is of type str and we were "
                                    "unable to convert to bool"]),
    "mgmt-spark-conf-list": ("databricks_management", "wrong type",
                             {"databricks_management_cluster_spark_conf": ["a=b"]}, ROLE_SPEC["databricks_management"],
                             ["argument 'databricks_management_cluster_spark_conf' is of type list and we were unable "
                              "to convert to dict"]),
    "mgmt-account-id-empty": ("databricks_management", "missing required",
                              {"databricks_management_account_id": ""}, MANAGEMENT,
                              ["databricks_management_account_id: is required (the Databricks account id"]),
    "mgmt-host-not-a-url": ("databricks_management", "invalid value",
                            {"databricks_management_account_host": "ftp://accounts.cloud.databricks.com"}, MANAGEMENT,
                            ["databricks_management_account_host: 'ftp://accounts.cloud.databricks.com' is not a host "
                             "URL"]),
    # --- mistyped runs and messages -------------------------------------------------------------------------
    "var-misspelt-strict": ("network", "mistyped run",
                            {"deployment_strict_variables": True, "network_nat_gatway_mode": "per_az"},
                            UNKNOWN["network"],
                            ["network_nat_gatway_mode (host var-misspelt-strict): the lakehouse.databricks_aws.network "
                             "role has no such variable", "did you mean network_nat_gateway_mode?"]),
    "var-misspelt-strict-iam": ("iam", "mistyped run",
                                {"deployment_strict_variables": True, "iam_max_sesion_duration": 7200}, UNKNOWN["iam"],
                                ["iam_max_sesion_duration (host var-misspelt-strict-iam): the "
                                 "lakehouse.databricks_aws.iam role has no such variable",
                                 "did you mean iam_max_session_duration?"]),
    "msg-region-nowhere": ("aws", "message", {"aws_region": "xx-nowhere-1"}, NETWORK,
                           ["aws_region: 'xx-nowhere-1' is not an AWS region name such as eu-west-1"]),
    "msg-region-unknown": ("aws", "message", {"aws_region": "eu-west-9"}, NETWORK,
                           ["aws_region: 'eu-west-9' is not a region of the AWS partition aws, which has eu-central-1",
                            "a region opened after this botocore release needs a newer botocore"]),
    "msg-region-newline": ("aws", "message", {"aws_region": "eu-west-1\n"}, NETWORK,
                           ["aws_region: 'eu-west-1\\n' is not an AWS region name such as eu-west-1"]),
    "msg-tags-list": ("network", "message", {"network_tags": ["Owner"]}, SPECS,
                      ["argument 'network_tags' is of type list and we were unable to convert to dict: a list cannot "
                       "be converted to a dict"]),
    "msg-iam-tags-int": ("iam", "message", {"iam_tags": 7}, SPECS,
                         ["argument 'iam_tags' is of type int and we were unable to convert to dict: an integer cannot "
                          "be converted to a dict"]),
    "msg-rotation-dict": ("storage_encryption", "message", {"storage_encryption_key_rotation": {"on": True}}, SPECS,
                          ["argument 'storage_encryption_key_rotation' is of type dict and we were unable to convert "
                           "to bool: a dictionary cannot be converted to a bool"]),
    "msg-subnets-int": ("network", "message", {"network_private_subnet_cidrs": 7}, NETWORK,
                        ["network_private_subnet_cidrs: must be a list, got an integer"]),
    "msg-subnets-dict": ("network", "message", {"network_private_subnet_cidrs": {"a": "10.0.1.0/24"}}, SPECS,
                         ["argument 'network_private_subnet_cidrs' is of type dict and we were unable to convert to "
                          "list: a dictionary cannot be converted to a list"]),
    "msg-zones-null": ("network", "message", {"network_availability_zones": None}, NETWORK,
                       ["network_availability_zones: must be a list of availability zones such as eu-west-1a, got "
                        "null"]),
    "msg-environment-list": ("aws", "message", {"deployment_environment": ["AWS_ENDPOINT_URL"]}, SPECS,
                             ["argument 'deployment_environment' is of type list and we were unable to convert to "
                              "dict: a list cannot be converted to a dict"]),
    "msg-ip-lists-int": ("databricks_management", "message", {"databricks_management_ip_access_lists": 7}, SPECS,
                         ["Value '7' in the sub parameter field 'databricks_management_ip_access_lists' must be a "
                          "list, not 'int'"]),
    # --- values only the live services know (new deployments) -------------------------------------------------
    "node-type-not-offered": (
        "databricks_management", "live value", {"databricks_management_cluster_node_type_id": "i3.xlarg"},
        MANAGEMENT_LIVE, ["databricks_management_cluster_node_type_id: i3.xlarg is not an instance type EC2 offers in "
                          "aws_region eu-west-1"]),
    "spark-version-form": (
        "databricks_management", "live value", {"databricks_management_cluster_spark_version": "16.4 LTS"},
        MANAGEMENT, ["databricks_management_cluster_spark_version: '16.4 LTS' is not a Databricks runtime key such "
                     "as 16.4.x-scala2.12"]),
    "key-missing": (
        "databricks_provisioning", "live value", {"databricks_provisioning_storage_key_arn": MISSING_KEY},
        PROVISIONING_LIVE, ["databricks_provisioning_storage_key_arn: the key %s cannot be read" % MISSING_KEY]),
    "key-other-region": (
        "databricks_provisioning", "live value", {"databricks_provisioning_storage_key_arn": OTHER_REGION_KEY},
        PROVISIONING, ["databricks_provisioning_storage_key_arn: the key is in region us-east-1 but aws_region is "
                       "eu-west-1; Databricks needs a customer-managed key in the workspace's region"]),
    # ... and on the deployed workspace, before the management role's first change: what the workspace offers
    "live-node-type-unavailable": (
        "databricks_management", "live value",
        {"deployment_prefix": LIVE, "databricks_management_cluster_node_type_id": "r4.large"},
        WORKSPACE_OFFERS, ["databricks_management_cluster_node_type_id: the workspace lists the node type r4.large "
                           "but cannot use it (NotAvailableInRegion)"]),
    "live-runtime-not-offered": (
        "databricks_management", "live value",
        {"deployment_prefix": LIVE, "databricks_management_cluster_spark_version": "99.9.x-scala2.12"},
        WORKSPACE_OFFERS, ["databricks_management_cluster_spark_version: the workspace does not offer the Databricks "
                           "Runtime 99.9.x-scala2.12"]),
    # --- rules between variables ---------------------------------------------------------------------------
    "keys-one-alias": (
        "storage_encryption", "between variables",
        {"storage_encryption_datalake_key_alias": "alias/bad-keys-one-alias",
         "storage_encryption_logging_key_alias": "alias/bad-keys-one-alias"},
        STORAGE, ["storage_encryption_logging_key_alias: 'alias/bad-keys-one-alias' is also "
                  "storage_encryption_datalake_key_alias"]),
    "tags-too-many": (
        "network", "between variables", {"deployment_tags": {"Tag%02d" % index: "x" for index in range(49)}},
        NETWORK, ["network_tags: 51 tags per resource (deployment_tags and network_tags merged plus the role's own "
                  "Name, Tier); AWS allows at most 50"]),
    "tag-key-characters": (
        "network", "between variables", {"deployment_tags": {"Owner!": "data"}},
        NETWORK, ["deployment_tags: tag key 'Owner!' holds a character AWS refuses in tags"]),
    # --- every credential before the first change ------------------------------------------------------------
    "management-secret-wrong": (
        "databricks_management", "credentials", {"databricks_management_client_secret": WRONG_MANAGEMENT_SECRET},
        MANAGEMENT_LIVE, ["databricks_management_client_secret: authentication to {host} failed",
                          "databricks_management_client_id"]),
    # --- settings that cannot change on the live deployment (lh-sandbox, converged) --------------------------
    "live-region": (
        "databricks_provisioning", "cannot change", {"deployment_prefix": LIVE, "aws_region": "eu-west-2"},
        PROVISIONING_LIVE, ["aws_region: eu-west-2 differs from eu-west-1, the region of the deployed workspace "
                            "lh-sandbox-workspace", "playbooks/destroy.yml"]),
    "live-deployment-name": (
        "databricks_provisioning", "cannot change",
        {"deployment_prefix": LIVE, "databricks_provisioning_deployment_name": "lh-renamed"},
        PROVISIONING_LIVE, ["databricks_provisioning_deployment_name: 'lh-renamed' differs from",
                            "Databricks cannot rename it"]),
    "live-pricing-tier": (
        "databricks_provisioning", "cannot change",
        {"deployment_prefix": LIVE, "databricks_provisioning_pricing_tier": "PREMIUM"},
        PROVISIONING_LIVE, ["databricks_provisioning_pricing_tier: PREMIUM differs from ENTERPRISE"]),
    "live-vpc-cidr": (
        "network", "cannot change", {"deployment_prefix": LIVE, "network_vpc_cidr": "10.0.0.0/17"},
        NETWORK_IDENTITY, ["network_vpc_cidr: 10.0.0.0/17 differs from 10.0.0.0/16, the CIDR block of the deployed VPC "
                           "lh-sandbox-vpc", "would build a second VPC"]),
    "live-subnet-cidr": (
        "network", "cannot change",
        {"deployment_prefix": LIVE, "network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24", "10.0.4.0/24"]},
        NETWORK_IDENTITY, ["network_private_subnet_cidrs[2]: 10.0.4.0/24 differs from 10.0.3.0/24, the CIDR block of "
                           "the deployed subnet lh-sandbox-private-eu-west-1c"]),
    "live-subnet-zone": (
        "network", "cannot change",
        {"deployment_prefix": LIVE, "network_availability_zones": ["eu-west-1b", "eu-west-1a", "eu-west-1c"]},
        NETWORK_IDENTITY, ["network_availability_zones: network_private_subnet_cidrs[0] would place 10.0.1.0/24 in "
                           "eu-west-1b, but the deployed subnet lh-sandbox-private-eu-west-1a"]),
    "live-key-alias": (
        "storage_encryption", "cannot change",
        {"deployment_prefix": LIVE, "storage_encryption_datalake_key_alias": "alias/lh-sandbox-lake"},
        KEY_IDENTITY, ["storage_encryption_datalake_key_alias: alias/lh-sandbox-lake names no key, but the deployed "
                       "bucket(s) lh-sandbox-raw, lh-sandbox-prepared, lh-sandbox-trusted, lh-sandbox-catalog are "
                       "encrypted with the key arn:aws:kms:eu-west-1:"]),
}
# Runs with other flags: the reachability and authentication checks also stop a token rotation and a plan.
FLAG_RUNS = {"--tags reset_tokens": ("cred-secret-wrong", "aws-endpoint-closed-port"),
             "--check --diff": ("host-unresolvable",)}


def snapshot(stack):
    """The deployment as moto and the emulator hold it: every object, the stored tokens and the live tokens."""
    state = stack.leftovers()
    stored = stack.tokens()
    state["stored token ids"] = sorted(stored[kind]["token_id"] for kind in ("pat", "obo"))
    state["workspace tokens"] = sorted(t["token_id"] for t in stack.workspace_api("/api/2.0/token/list")
                                       .get("token_infos", []))
    return state


def failures_of(run):
    report = json.loads(run.stdout)
    return report, failures_by_host(report)


def run_cases(stack, tmp_path, names, *args):
    hosts = {name: dict({"deployment_prefix": "bad-" + name}, **CASES[name][2]) for name in names}
    inventory = tmp_path / ("hosts%s.json" % "".join(args).replace("-", "_"))
    inventory.write_text(json.dumps({"databricks_deployments": {"hosts": hosts}}))
    stack.box.clear_requests()
    run = stack.box.playbook("site.yml", "-i", str(inventory), "--limit", ",".join(hosts), *args,
                             env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    aws_mutations = stack.box.aws_mutating_requests()
    databricks_mutations = stack.box.databricks_mutations()
    return run, aws_mutations, databricks_mutations


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    """A sandbox of its own holding a converged deployment (site.yml on inventories/local)."""
    tmp_path = tmp_path_factory.mktemp("bad_inputs")
    box = Sandbox(tmp_path / "sandbox").up()
    try:
        stack = Stack(box, str(tmp_path / "repo"))  # its state readers; the playbooks run in the repository
        times = [("start", time.monotonic(), os.times())]
        converge = box.playbook("site.yml")
        ok(converge, "converge")
        before = snapshot(stack)
        assert before["vpcs"] and before["databricks workspaces"] and before["workspace tokens"]
        times.append(("converge + snapshot", time.monotonic(), os.times()))

        bad = run_cases(stack, tmp_path, sorted(CASES))
        times.append(("%d bad-input cases" % len(CASES), time.monotonic(), os.times()))
        flagged = {}
        for flags, names in FLAG_RUNS.items():
            flagged[flags] = run_cases(stack, tmp_path, names, *flags.split())
            times.append((flags, time.monotonic(), os.times()))
        for (_, start, cpu_start), (step, end, cpu_end) in itertools.pairwise(times):
            cpu = cpu_end.children_user + cpu_end.children_system - cpu_start.children_user - cpu_start.children_system
            print("%-24s %6.1f s wall %6.1f s CPU of ansible-playbook" % (step, end - start, cpu))
        yield {"before": before, "after": snapshot(stack), "bad": bad, "flagged": flagged, "box": box}
    finally:
        box.down()


def expected(case, box):
    return [text.replace("{host}", box.endpoints["databricks_account"]) for text in CASES[case][4]]


def test_the_deployment_is_unchanged_and_nothing_mutated(estate):
    runs = [estate["bad"], *estate["flagged"].values()]
    for run, aws_mutations, databricks_mutations in runs:
        assert run.returncode != 0
        assert aws_mutations == [], aws_mutations
        assert databricks_mutations == [], databricks_mutations
    assert estate["after"] == estate["before"]
    for run, _, _ in runs:
        assert WRONG_SECRET not in run.stdout + run.stderr
        assert WRONG_MANAGEMENT_SECRET not in run.stdout + run.stderr
        assert estate["box"].endpoints["client_secret"] not in run.stdout + run.stderr


def test_no_run_shows_a_traceback_or_ansible_internals(estate):
    for run, _, _ in [estate["bad"], *estate["flagged"].values()]:
        output = run.stdout + run.stderr
        assert not [text for text in INTERNALS if text in output], [
            line for line in output.splitlines() if any(text in line for text in INTERNALS)][:5]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_in_preflight_naming_variable_and_rule(estate, case):
    run = estate["bad"][0]
    report, failed = failures_of(run)
    assert report["stats"][case]["failures"] == 1 and report["stats"][case]["changed"] == 0, report["stats"][case]
    task, message = failed[case]
    assert task.endswith(CASES[case][3]) or CASES[case][3] in task, task
    for text in expected(case, estate["box"]):
        assert text in message, message


@pytest.mark.parametrize("flags, case", [(flags, case) for flags, names in FLAG_RUNS.items() for case in names])
def test_connectivity_checks_also_stop_a_token_rotation_and_a_plan(estate, flags, case):
    report, failed = failures_of(estate["flagged"][flags][0])
    assert report["stats"][case]["failures"] == 1 and report["stats"][case]["changed"] == 0
    task, message = failed[case]
    assert CASES[case][3] in task, task
    for text in expected(case, estate["box"]):
        assert text in message, message
