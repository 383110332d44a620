# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's preflight: semantic checks of its inputs (the filter network_input_errors)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

NAT_MODES = ("single", "per_az")
TRAFFIC_TYPES = ("ACCEPT", "REJECT", "ALL")
AGGREGATION_INTERVALS = (60, 600)
ENDPOINT_SERVICES = ("s3", "sts", "kinesis_streams")


def _list(inputs, name, errors):
    value = inputs.get(name)
    if not isinstance(value, list):
        errors.append("%s: must be a list, got %s" % (name, v.type_name(value)))
        return None
    return value


def _zone_errors(inputs, region, private, public):
    zones = _list(inputs, "network_availability_zones", [])
    if zones is None:
        return ["network_availability_zones: must be a list of availability zones such as %sa, got %s"
                % (region, v.type_name(inputs.get("network_availability_zones")))]
    errors = []
    used = zones[:len(private)] if private else zones
    errors.extend(v.check_availability_zones("network_availability_zones", zones, region, minimum=1))
    if private and len(set(used)) < 2:
        errors.append("network_availability_zones: the private subnets (network_private_subnet_cidrs) are spread "
                      "over %d distinct availability zone(s) (%s); Databricks needs at least 2"
                      % (len(set(used)), ", ".join(str(zone) for zone in used)))
    for subnets_name, subnets in (("network_private_subnet_cidrs", private), ("network_public_subnet_cidrs", public)):
        if subnets is not None and len(subnets) > len(zones):
            errors.append("network_availability_zones: %d zone(s) for %d subnets in %s; subnet i is placed in "
                          "zone i, so give at least as many zones as subnets"
                          % (len(zones), len(subnets), subnets_name))
    return errors


def network_input_errors(inputs):
    """Messages for every broken rule in inputs (a dict of variable name -> value); [] when all is fine."""
    if not isinstance(inputs, dict):
        return ["network_input_errors: expected a dictionary of variable names and values"]
    errors = []
    region = inputs.get("aws_region")
    errors.extend(v.check_region("aws_region", region))
    prefix = inputs.get("deployment_prefix")
    if not isinstance(prefix, str) or not v.RESOURCE_PREFIX_PATTERN.match(prefix):
        required = "; it is required" if prefix in (None, "") else ""
        errors.append("deployment_prefix: '%s' must be 1 to 63 letters, digits and hyphens, starting with a letter "
                      "or digit (it names every resource)%s" % (prefix, required))

    vpc_errors = v.check_vpc_cidr("network_vpc_cidr", inputs.get("network_vpc_cidr"))
    errors.extend(vpc_errors)
    vpc = None if vpc_errors else inputs["network_vpc_cidr"]
    private = _list(inputs, "network_private_subnet_cidrs", errors)
    public = _list(inputs, "network_public_subnet_cidrs", errors)
    if private is not None:
        if len(private) < 2:
            errors.append("network_private_subnet_cidrs: %d subnet(s) given; Databricks needs at least 2, in distinct "
                          "availability zones" % len(private))
        errors.extend(_subnet_errors(vpc, "network_private_subnet_cidrs", private, v.DATABRICKS_SUBNET_MASKS))
    isolated = inputs.get("network_isolated") is True
    if public is not None and not isolated:
        if not public:
            errors.append("network_public_subnet_cidrs: at least one public subnet is needed for the NAT gateway")
        errors.extend(_subnet_errors(vpc, "network_public_subnet_cidrs", public, v.AWS_CIDR_MASKS))
    if private is not None and public is not None and not isolated:
        errors.extend(_cross_overlaps(private, public))
    if v.check_region("aws_region", region) == []:
        errors.extend(_zone_errors(inputs, region, private, [] if isolated else public))

    mode = inputs.get("network_nat_gateway_mode")
    errors.extend(v.check_choice("network_nat_gateway_mode", mode, NAT_MODES))
    if mode == "per_az" and not isolated and private is not None and public is not None and len(public) < len(private):
        errors.append("network_public_subnet_cidrs: network_nat_gateway_mode per_az puts a NAT gateway in the zone of "
                      "each private subnet, so it needs %d public subnets (one per zone), got %d"
                      % (len(private), len(public)))
    if "network_flow_logs_traffic_type" in inputs:
        errors.extend(v.check_choice("network_flow_logs_traffic_type", inputs["network_flow_logs_traffic_type"],
                                     TRAFFIC_TYPES))
    if "network_flow_logs_max_aggregation_interval" in inputs:
        errors.extend(v.check_choice("network_flow_logs_max_aggregation_interval",
                                     inputs["network_flow_logs_max_aggregation_interval"], AGGREGATION_INTERVALS))
    if inputs.get("network_vpc_endpoint_policies_enabled"):
        errors.extend(_policy_errors(inputs.get("network_vpc_endpoint_policies")))
        errors.extend(_policy_bucket_errors(inputs, region))
        if str(inputs.get("network_vpc_endpoints_enabled")).lower() in ("false", "no", "off", "0"):
            errors.append("network_vpc_endpoint_policies_enabled: true needs the VPC endpoints the policies apply to, "
                          "but network_vpc_endpoints_enabled is false")
    if inputs.get("network_privatelink_enabled") is True:
        services = (inputs.get("network_privatelink_services") or {}).get(inputs.get("aws_region"))
        if not isinstance(services, dict) or not services.get("workspace") or not services.get("relay"):
            errors.append("network_privatelink_services: no Databricks PrivateLink services (workspace, relay) for "
                          "aws_region %s; add them from Databricks' list of PrivateLink regions"
                          % inputs.get("aws_region"))
    if isolated:
        for flag, why in (("network_privatelink_enabled", "the clusters reach Databricks only through PrivateLink"),
                          ("network_vpc_endpoints_enabled", "the clusters reach S3, STS and Kinesis only through the "
                                                            "VPC endpoints")):
            if inputs.get(flag) is not True:
                errors.append("network_isolated: true needs %s: true (an isolated network has no route to the "
                              "internet; %s)" % (flag, why))
    if "network_databricks_aws_account_id" in inputs:
        errors.extend(v.check_pattern("network_databricks_aws_account_id", inputs["network_databricks_aws_account_id"],
                                      v.AWS_ACCOUNT_PATTERN, "an AWS account id (12 digits)"))
    errors.extend(v.check_role_tags(inputs, "network_tags"))
    return errors


def _subnet_errors(vpc, name, cidrs, masks):
    if vpc is None:  # the VPC CIDR is already reported; check the subnets on their own
        errors = []
        for index, cidr in enumerate(cidrs):
            errors.extend(v.check_vpc_cidr("%s[%d]" % (name, index), cidr))
        return errors
    return v.check_subnets("network_vpc_cidr", vpc, name, cidrs, masks)


def _cross_overlaps(private, public):
    named = []
    for name, cidrs in (("network_private_subnet_cidrs", private), ("network_public_subnet_cidrs", public)):
        for index, cidr in enumerate(cidrs):
            network = v.parse_cidr(name, cidr, [])
            if network is not None:
                named.append(("%s[%d]" % (name, index), network))
    private_names = {"network_private_subnet_cidrs[%d]" % index for index in range(len(private))}
    return [error for error in v.check_no_overlap(named)
            if error.split(":")[0] in private_names and "network_public_subnet_cidrs" in error]


def _policy_errors(policies):
    """network_vpc_endpoint_policies: the documents that replace the role's, by service (none, some or all)."""
    if policies is None:
        return []
    if not isinstance(policies, dict):
        return ["network_vpc_endpoint_policies: must be a dictionary whose keys are among %s, got %s"
                % (", ".join(ENDPOINT_SERVICES), v.type_name(policies))]
    errors = []
    for service in sorted(str(key) for key in policies):
        policy = policies[service]
        if service not in ENDPOINT_SERVICES:
            errors.append("network_vpc_endpoint_policies.%s: not an endpoint of the role (%s)"
                          % (service, ", ".join(ENDPOINT_SERVICES)))
        elif not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list) or not policy["Statement"]:
            errors.append("network_vpc_endpoint_policies.%s: must be a policy document (a dictionary with a non-empty "
                          "Statement list) when network_vpc_endpoint_policies_enabled is true" % service)
    return errors


def _policy_bucket_errors(inputs, region):
    """The buckets the role's S3 endpoint policy names: the deployment's (root among them), and Databricks' in the
    region - unless an S3 policy of the user's replaces the role's."""
    if "network_vpc_endpoint_policy_buckets" not in inputs:
        return []
    overrides = inputs.get("network_vpc_endpoint_policies")
    if isinstance(overrides, dict) and overrides.get("s3"):
        return []
    errors = []
    buckets = inputs.get("network_vpc_endpoint_policy_buckets")
    if not isinstance(buckets, dict) or not all(isinstance(name, str) and name for name in buckets.values()):
        errors.append("network_vpc_endpoint_policy_buckets: must be a dictionary of bucket names by logical name, "
                      "got %s" % v.type_name(buckets))
    elif not buckets.get("root"):
        errors.append("network_vpc_endpoint_policy_buckets: needs root, the workspace root bucket (Databricks' "
                      "account reaches it through the S3 endpoint)")
    regional = inputs.get("network_databricks_regional_buckets")
    if v.check_region("aws_region", region):
        return errors  # aws_region is reported already
    if not isinstance(regional, dict) or not isinstance(regional.get(region), dict) or \
            not regional[region].get("artifacts"):
        errors.append("network_databricks_regional_buckets: no Databricks buckets (artifacts, system_tables, datasets, "
                      "logs) for aws_region %s, so the S3 endpoint policy would keep the clusters from Databricks' "
                      "artifacts; add them (Databricks' SRA lists them by region) or set "
                      "network_vpc_endpoint_policies.s3" % region)
    return errors
