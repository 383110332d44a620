# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight rules of the databricks_management role (exposed by the filter
``lakehouse.databricks_aws.databricks_management_input_errors``).

``management_input_errors(inputs)`` returns one message per broken rule, each naming the
variable; never the value of a token. Inputs that earlier roles produce (ARNs, bucket names) may
be empty at preflight time (the role runs before them on a new deployment); they are checked
only when set. Pure Python (standard library + _validation).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

# The management role's own patterns; the ones it shares (ARNs, entitlements, ...) are _validation's.
DBFS_PATH_PATTERN = re.compile(r"\A(dbfs:)?/\S+[^/\s]\Z")
PREFIX_PATTERN = re.compile(r"\A[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*\Z")
GROUP_NAME_PATTERN = re.compile(r"\A[^\s][^\"\x00-\x1f\x7f]{0,254}\Z")
GROUP_PROFILES = ("meta", "data_read", "data_write")
# Data access models: Unity Catalog (account groups, no instance profiles) or the instance profiles of the groups.
DATA_ACCESS_MODELS = ("unity_catalog", "instance_profiles")
AVAILABILITY = ("SPOT", "ON_DEMAND", "SPOT_WITH_FALLBACK")
EBS_TYPES = ("GENERAL_PURPOSE_SSD", "THROUGHPUT_OPTIMIZED_HDD")
ACCESS_MODES = ("USER_ISOLATION", "SINGLE_USER", "NONE")  # cluster data_security_mode values the role accepts
LIST_TYPES = ("ALLOW", "BLOCK")
# A runtime key as clusters/spark-versions lists them: <major>.<minor>.x[-<variant>...]-scala<version>, such as
# 16.4.x-scala2.12 or 16.4.x-photon-scala2.12 (databricks-sdk compute.SparkVersion.key).
SPARK_VERSION_PATTERN = re.compile(r"\A\d+\.\d+\.x(-[a-z0-9]+)*-scala\d+\.\d+\Z")
# A node type id on AWS: an EC2 instance type (i3.xlarge, m7gd.metal-48xl) or a Databricks fleet type
# (rd-fleet.xlarge).
NODE_TYPE_PATTERN = re.compile(r"\A[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")


def _optional(name, value, pattern, what):
    """An input an earlier role produces: checked only when set."""
    return v.check_pattern(name, value, pattern, what, optional=True)


def check_groups(name, groups, model="instance_profiles"):
    """The groups; each names its instance profile in the instance_profiles model (Unity Catalog has none, a listed
    one must still be valid)."""
    if not isinstance(groups, list):
        return ["%s: must be a list of {name, instance_profile, entitlements}" % name]
    errors, seen = [], set()
    for index, group in enumerate(groups):
        where = "%s[%d]" % (name, index)
        if not isinstance(group, dict):
            errors.append("%s: must be a dict" % where)
            continue
        label = group.get("name")
        if not isinstance(label, str) or not GROUP_NAME_PATTERN.match(label):
            errors.append("%s.name: '%s' is not a valid group name" % (where, label))
        elif label.lower() in seen:
            errors.append("%s.name: '%s' is listed twice" % (where, label))
        else:
            seen.add(label.lower())
        if label in ("admins", "users"):
            errors.append("%s.name: '%s' is a built-in group; the role grants admins the meta profile itself"
                          % (where, label))
        profile = group.get("instance_profile")
        if profile not in GROUP_PROFILES and (model == "instance_profiles" or profile is not None):
            errors.append("%s.instance_profile: '%s' is not one of %s" % (where, group.get("instance_profile"),
                                                                          ", ".join(GROUP_PROFILES)))
        errors += v.check_entitlements(where + ".entitlements", group.get("entitlements", []))
    return errors


def check_cluster(inputs):
    get = inputs.get
    errors = []
    name = get("databricks_management_cluster_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors.append("databricks_management_cluster_name: '%s' must be 1 to 100 characters" % name)
    low, high = get("databricks_management_cluster_min_workers"), get("databricks_management_cluster_max_workers")
    errors += v.check_int_at_least("databricks_management_cluster_min_workers", low, 0)
    errors += v.check_int_at_least("databricks_management_cluster_max_workers", high, 1)
    for option, pattern, what in (
            ("databricks_management_cluster_spark_version", SPARK_VERSION_PATTERN,
             "a Databricks runtime key such as 16.4.x-scala2.12"),
            ("databricks_management_cluster_node_type_id", NODE_TYPE_PATTERN, "a node type id such as i3.xlarge")):
        errors += _optional(option, get(option), pattern, what)
    if not errors and isinstance(low, int) and isinstance(high, int) and low > high:
        errors.append("databricks_management_cluster_min_workers: %d is more than "
                      "databricks_management_cluster_max_workers (%d)" % (low, high))
    minutes = get("databricks_management_cluster_autotermination_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or (minutes != 0 and not 10 <= minutes <= 43200):
        errors.append("databricks_management_cluster_autotermination_minutes: %r must be 0 (never) or between 10 "
                      "and 43200 minutes" % (minutes,))
    errors += v.check_choice("databricks_management_cluster_availability",
                             get("databricks_management_cluster_availability"), AVAILABILITY)
    first_on_demand = get("databricks_management_cluster_first_on_demand")
    errors += v.check_int_at_least("databricks_management_cluster_first_on_demand", first_on_demand, 0)
    availability = get("databricks_management_cluster_availability")
    spot = availability in ("SPOT", "SPOT_WITH_FALLBACK")
    if spot and first_on_demand == 0 and not isinstance(first_on_demand, bool):
        # The first node is the driver: on a spot instance a reclaim ends the whole cluster.
        errors.append("databricks_management_cluster_first_on_demand: 0 puts the driver on a spot instance "
                      "(databricks_management_cluster_availability %s); use at least 1" % availability)
    errors += v.check_int_range("databricks_management_cluster_spot_bid_price_percent",
                                get("databricks_management_cluster_spot_bid_price_percent"), 1, 10000, "%")
    errors += v.check_choice("databricks_management_cluster_ebs_volume_type",
                             get("databricks_management_cluster_ebs_volume_type"), EBS_TYPES)
    errors += v.check_int_range("databricks_management_cluster_ebs_volume_count",
                                get("databricks_management_cluster_ebs_volume_count"), 0, 10)
    errors += v.check_int_range("databricks_management_cluster_ebs_volume_size",
                                get("databricks_management_cluster_ebs_volume_size"), 32, 4096, " GiB")
    errors += v.check_int_at_least("databricks_management_cluster_min_memory_gb",
                                   get("databricks_management_cluster_min_memory_gb"), 1)
    errors += v.check_int_at_least("databricks_management_cluster_min_cores",
                                   get("databricks_management_cluster_min_cores"), 1)
    errors += v.check_int_at_least("databricks_management_cluster_wait_timeout",
                                   get("databricks_management_cluster_wait_timeout"), 1)
    errors += v.check_choice("databricks_management_cluster_state", get("databricks_management_cluster_state"),
                             ("present", "running", "terminated", "absent"))
    errors += v.check_tags("databricks_management_cluster_custom_tags",
                           get("databricks_management_cluster_custom_tags") or {})
    if not isinstance(get("databricks_management_cluster_spark_conf"), dict):
        errors.append("databricks_management_cluster_spark_conf: must be a dict")
    return errors


def check_access_mode(inputs):
    """The cluster's access mode: a known one, SINGLE_USER with its user, and no "No isolation shared" cluster in a
    workspace that enforces user isolation (Databricks would refuse to create or start it)."""
    get = inputs.get
    mode = get("databricks_management_cluster_data_security_mode")
    errors = v.check_choice("databricks_management_cluster_data_security_mode", mode, ACCESS_MODES)
    if errors:
        return errors
    user = get("databricks_management_cluster_single_user_name")
    if mode == "SINGLE_USER" and not (isinstance(user, str) and user.strip()):
        errors.append("databricks_management_cluster_single_user_name: required with "
                      "databricks_management_cluster_data_security_mode SINGLE_USER (the cluster's one user)")
    if mode != "SINGLE_USER" and user not in (None, ""):
        errors.append("databricks_management_cluster_single_user_name: only for "
                      "databricks_management_cluster_data_security_mode SINGLE_USER (it is %s)" % mode)
    conf = get("databricks_management_workspace_conf")
    enforced = isinstance(conf, dict) and str(conf.get("enforceUserIsolation")).lower() == "true"
    if mode == "NONE" and enforced and get("databricks_management_hardening_enabled") is not False:
        errors.append("databricks_management_cluster_data_security_mode: NONE (No isolation shared) is refused by a "
                      "workspace that enforces user isolation (databricks_management_workspace_conf."
                      "enforceUserIsolation); use USER_ISOLATION or SINGLE_USER")
    return errors


def _networks(where, addresses):
    """(networks, errors) of a list of IPv4/IPv6 addresses and CIDR ranges."""
    if not isinstance(addresses, list) or not addresses:
        return [], ["%s.ip_addresses: must be a non-empty list of addresses or CIDR ranges" % where]
    networks, errors = [], []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(str(address), strict=False))
        except ValueError:
            errors.append("%s.ip_addresses: '%s' is not an IP address or CIDR range" % (where, address))
    return networks, errors


def check_ip_access_lists(inputs):
    """The lists are well formed and, while they are in effect, none blocks the runner's address.

    Databricks applies the lists to every API call, this run's included: an enabled BLOCK list
    holding the runner, or enabled ALLOW lists that all leave it out, would lock the run out.
    """
    get = inputs.get
    name = "databricks_management_ip_access_lists"
    lists = get(name)
    if not isinstance(lists, list):
        return ["%s: must be a list of {label, list_type, ip_addresses, enabled}" % name]
    errors, labels, in_effect = [], set(), []
    for index, entry in enumerate(lists):
        where = "%s[%d]" % (name, index)
        if not isinstance(entry, dict):
            errors.append("%s: must be a dict" % where)
            continue
        unknown = sorted(set(entry) - {"label", "list_type", "ip_addresses", "enabled"})
        if unknown:
            errors.append("%s: unknown keys %s" % (where, ", ".join(unknown)))
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            errors.append("%s.label: must be a non-empty string" % where)
        elif label in labels:
            errors.append("%s.label: '%s' is used twice (labels name the lists)" % (where, label))
        labels.add(label)
        list_type = entry.get("list_type", "ALLOW")
        errors += v.check_choice(where + ".list_type", list_type, LIST_TYPES)
        enabled = entry.get("enabled", True)
        errors += v.check_bool(where + ".enabled", enabled)
        networks, bad = _networks(where, entry.get("ip_addresses"))
        errors += bad
        if enabled is True:
            in_effect.append((where, list_type, networks))
    switch = "databricks_management_ip_access_lists_enabled"
    errors += v.check_bool(switch, get(switch))
    if get(switch) is not True:
        return errors
    runner = get("databricks_management_runner_ip")
    try:
        address = ipaddress.ip_address(str(runner or ""))
    except ValueError:
        errors.append("databricks_management_runner_ip: %r must be the IP address Databricks sees this run come "
                      "from (checked so that no IP access list blocks it)" % (runner,))
        return errors
    blocking = [where for where, list_type, networks in in_effect
                if list_type == "BLOCK" and any(address in net for net in networks)]
    if blocking:
        errors.append("%s: %s would block the runner's address %s (databricks_management_runner_ip)"
                      % (name, ", ".join(blocking), address))
    allows = [networks for _where, list_type, networks in in_effect if list_type == "ALLOW"]
    if allows and not any(address in net for networks in allows for net in networks):
        errors.append("%s: no enabled ALLOW list holds the runner's address %s (databricks_management_runner_ip);"
                      " add it, or the workspace would refuse this run" % (name, address))
    return errors


def check_max_token_lifetime(inputs):
    """maxTokenLifetimeDays is 0-730 days and not shorter than the tokens the deployment creates."""
    get = inputs.get
    days = get("databricks_management_max_token_lifetime_days")
    if days in (None, "", 0):
        return []
    name = "databricks_management_max_token_lifetime_days"
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= v.MAX_TOKEN_LIFETIME_DAYS:
        return ["%s: %r must be a whole number of days from 0 (no limit) to %d"
                % (name, days, v.MAX_TOKEN_LIFETIME_DAYS)]
    lifetime = get("databricks_management_token_lifetime_seconds")
    if isinstance(lifetime, int) and not isinstance(lifetime, bool) and lifetime > days * 86400:
        return ["%s: %d days is shorter than the lifetime of the deployment's tokens (%d s,"
                " databricks_provisioning_token_lifetime_seconds): the workspace would refuse to create them"
                % (name, days, lifetime)]
    return []


def check_workspace_conf(name, conf):
    if not isinstance(conf, dict):
        return ["%s: must be a dict of workspace-conf keys and values" % name]
    errors = ["%s.%s: %r must be a string, a number or true/false" % (name, key, value)
              for key, value in conf.items() if not isinstance(value, (str, int, bool))]
    for key, variable in (("maxTokenLifetimeDays", "databricks_management_max_token_lifetime_days"),
                          ("enableIpAccessLists", "databricks_management_ip_access_lists_enabled")):
        if key in conf:
            errors.append("%s.%s: set it with %s (checked against the tokens and the runner's address)"
                          % (name, key, variable))
    return errors


def management_input_errors(inputs):
    get = inputs.get
    errors = []
    errors += v.check_region("aws_region", get("aws_region"))
    errors += v.check_uuid("databricks_management_account_id", get("databricks_management_account_id"))
    if get("databricks_management_account_host") not in (None, ""):
        errors += v.check_host_url("databricks_management_account_host", get("databricks_management_account_host"))
    for option in ("databricks_management_dbfs_client_side_enc", "databricks_management_datalake_client_side_enc",
                   "databricks_management_log_delivery_enabled", "databricks_management_log_delivery_per_workspace"):
        errors += v.check_bool(option, get(option))
    for option in ("databricks_management_meta_instance_profile_arn",
                   "databricks_management_data_read_instance_profile_arn",
                   "databricks_management_data_write_instance_profile_arn"):
        errors += _optional(option, get(option), v.INSTANCE_PROFILE_ARN_PATTERN, "an instance profile ARN")
    errors += _optional("databricks_management_log_delivery_role_arn",
                        get("databricks_management_log_delivery_role_arn"), v.ROLE_ARN_PATTERN, "an IAM role ARN")
    for option in ("databricks_management_datalake_key_arn", "databricks_management_logging_key_arn"):
        errors += (v.check_key_arn(option, get(option), get("check_mode"), get("key_arn_stand_ins") or ())
                   or v.check_key_arn_region(option, get(option), get("aws_region")))
    bucket = get("databricks_management_logging_bucket")
    if bucket not in (None, ""):
        errors += v.check_bucket_name("databricks_management_logging_bucket", bucket)
    audit_bucket = get("databricks_management_audit_logs_bucket")
    if audit_bucket not in (None, ""):
        errors += v.check_bucket_name("databricks_management_audit_logs_bucket", audit_bucket)
        if audit_bucket == bucket:
            errors.append("databricks_management_audit_logs_bucket: '%s' is the logging bucket too "
                          "(databricks_management_logging_bucket); audit logs go to a bucket of their own" % bucket)
    storage_names = (get("databricks_management_log_delivery_storage_name"),
                     get("databricks_management_audit_log_storage_name"))
    if storage_names[0] is not None and storage_names[0] == storage_names[1]:
        errors.append("databricks_management_audit_log_storage_name: '%s' is the name of the logging bucket's "
                      "storage configuration too (databricks_management_log_delivery_storage_name)" % storage_names[1])
    for option in ("databricks_management_billable_usage_prefix", "databricks_management_audit_logs_prefix",
                   "databricks_management_cluster_log_prefix"):
        errors += _optional(option, get(option), PREFIX_PATTERN, "an S3 key prefix without leading or trailing '/'")
    errors += _optional("databricks_management_core_site_path", get("databricks_management_core_site_path"),
                        DBFS_PATH_PATTERN, "an absolute DBFS file path (dbfs:/... or /...)")
    model = get("databricks_management_data_access_model")
    if model is not None and model not in DATA_ACCESS_MODELS:
        errors.append("databricks_management_data_access_model: '%s' is not one of %s"
                      % (model, ", ".join(DATA_ACCESS_MODELS)))
    errors += check_groups("databricks_management_groups", get("databricks_management_groups"),
                           model or "instance_profiles")
    permissions = get("databricks_management_group_workspace_permissions")
    if permissions is not None and (not isinstance(permissions, list) or not permissions
                                    or any(p not in ("USER", "ADMIN") for p in permissions)):
        errors.append("databricks_management_group_workspace_permissions: must be a non-empty list of USER, ADMIN")
    errors += check_cluster(inputs)
    errors += check_access_mode(inputs)
    for option in ("databricks_management_hardening_enabled", "databricks_management_disable_legacy_dbfs",
                   "databricks_management_disable_legacy_access",
                   "databricks_management_disable_legacy_features_account"):
        errors += v.check_bool(option, get(option))
    errors += check_workspace_conf("databricks_management_workspace_conf", get("databricks_management_workspace_conf"))
    errors += check_max_token_lifetime(inputs)
    errors += check_ip_access_lists(inputs)
    return errors
