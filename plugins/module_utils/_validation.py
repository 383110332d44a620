# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input rules shared by the preflight filters and the modules.

Every check returns a list of messages (empty when the input is fine). Each message names the
variable it is about and the rule it breaks, so a failed preflight tells the user what to fix.
Pure Python (standard library only): usable on the controller and in modules alike.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256
DATABRICKS_SUBNET_MASKS = (17, 26)


def parse_cidr(name, value, errors):
    """The IPv4 network for value, or None after recording why it isn't one."""
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        errors.append("%s: '%s' is not a valid IPv4 CIDR block (%s)" % (name, value, exc))
        return None


def check_region(name, region):
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        required = "; it is required" if region in (None, "") else ""
        return ["%s: '%s' is not an AWS region name such as eu-west-1%s" % (name, region, required)]
    return []


URL_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?/?$")


def check_host_url(name, value):
    """An API host: http(s)://name[:port], nothing after the host (the modules add the paths)."""
    if not isinstance(value, str) or not URL_PATTERN.match(value):
        return ["%s: '%s' is not a host URL such as https://accounts.cloud.databricks.com (scheme https:// or "
                "http://, a host name and an optional port, no path)" % (name, value)]
    return []


def check_subnets(vpc_name, vpc_cidr, subnets_name, subnet_cidrs, masks=None):
    """Subnet CIDRs: valid, inside the VPC, not overlapping each other, optionally within a mask range."""
    errors = []
    vpc = parse_cidr(vpc_name, vpc_cidr, errors)
    networks = []
    for index, cidr in enumerate(subnet_cidrs or []):
        item = "%s[%d]" % (subnets_name, index)
        network = parse_cidr(item, cidr, errors)
        if network is None:
            continue
        if vpc is not None and not network.subnet_of(vpc):
            errors.append("%s: %s is not inside the VPC CIDR %s (%s)" % (item, network, vpc, vpc_name))
        if masks and not masks[0] <= network.prefixlen <= masks[1]:
            errors.append("%s: %s has a /%d mask; Databricks subnets need a mask between /%d and /%d"
                          % (item, network, network.prefixlen, masks[0], masks[1]))
        networks.append((item, network))
    return errors + check_no_overlap(networks)


def check_no_overlap(named_networks):
    errors = []
    for position, (name, network) in enumerate(named_networks):
        for other_name, other in named_networks[position + 1:]:
            if network.overlaps(other):
                errors.append("%s: %s overlaps %s (%s); subnets must not overlap" % (name, network, other, other_name))
    return errors


def check_availability_zones(name, zones, region, minimum=2):
    errors = []
    zones = list(zones or [])
    for zone in zones:
        if not isinstance(zone, str) or not zone.startswith(str(region)) or len(zone) != len(str(region)) + 1:
            errors.append("%s: '%s' is not an availability zone of region %s (expected %sa, %sb, ...)"
                          % (name, zone, region, region, region))
    if len(set(zones)) < minimum:
        errors.append("%s: %d distinct availability zone(s) given; at least %d are required"
                      % (name, len(set(zones)), minimum))
    return errors


def check_tags(name, tags):
    if not isinstance(tags, dict):
        return ["%s: tags must be a dictionary of key: value, got %s" % (name, type(tags).__name__)]
    errors = []
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            errors.append("%s: tag key '%s' must be a string of 1 to %d characters" % (name, key, TAG_KEY_MAX))
        elif key.lower().startswith("aws:"):
            errors.append("%s: tag key '%s' uses the reserved prefix 'aws:'" % (name, key))
        if not isinstance(value, (str, int, float, bool)) or len(str(value)) > TAG_VALUE_MAX:
            errors.append("%s: value of tag '%s' must be a scalar of at most %d characters"
                          % (name, key, TAG_VALUE_MAX))
    return errors


def check_bucket_name(name, bucket):
    """S3 general-purpose bucket naming rules."""
    bucket = str(bucket)
    if not 3 <= len(bucket) <= 63:
        return ["%s: bucket name '%s' is %d characters long; S3 allows 3 to 63" % (name, bucket, len(bucket))]
    if "_" in bucket or bucket != bucket.lower():
        return ["%s: bucket name '%s' may hold only lowercase letters, digits, dots and hyphens" % (name, bucket)]
    if not BUCKET_PATTERN.match(bucket):
        return ["%s: bucket name '%s' must start and end with a letter or digit" % (name, bucket)]
    if ".." in bucket or IP_LIKE.match(bucket):
        return ["%s: bucket name '%s' must not contain '..' or look like an IP address" % (name, bucket)]
    return []


def check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return ["%s: %r must be a positive whole number" % (name, value)]
    return []


# --- identity and storage (roles iam, storage_encryption) -------------------------------------
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BUCKET_PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")
IAM_NAME_PATTERN = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
BUCKET_NAME_MAX = 63


def check_uuid(name, value):
    """A Databricks account id (also the external id of the cross-account trust) is a lowercase UUID."""
    if value is None or str(value).strip() == "":
        return ["%s: is required (the Databricks account id, a UUID such as 0d2a9b6e-...); it is also "
                "the sts:ExternalId of the cross-account trust" % name]
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        return ["%s: '%s' is not a Databricks account id; expected a lowercase UUID "
                "(8-4-4-4-12 hexadecimal digits)" % (name, value)]
    return []


def check_bucket_prefix(name, prefix, longest_suffix=""):
    """A prefix that names buckets: bucket-name characters only, and short enough for every suffix."""
    if not isinstance(prefix, str) or prefix == "":
        return ["%s: must be a non-empty string (it names every bucket)" % name]
    if prefix != prefix.lower() or "_" in prefix or not BUCKET_PREFIX_PATTERN.match(prefix):
        return ["%s: '%s' is used in bucket names, so it may hold only lowercase letters, digits and hyphens, "
                "and must start and end with a letter or digit" % (name, prefix)]
    longest = len(prefix) + len(longest_suffix)
    if longest > BUCKET_NAME_MAX:
        return ["%s: '%s' is %d characters long; with the suffix '%s' the bucket name would be %d characters, "
                "S3 allows at most %d (use a prefix of at most %d characters)"
                % (name, prefix, len(prefix), longest_suffix, longest, BUCKET_NAME_MAX,
                   BUCKET_NAME_MAX - len(longest_suffix))]
    return []


def check_bucket_name_has_prefix(name, bucket, prefix):
    if isinstance(bucket, str) and isinstance(prefix, str) and not bucket.startswith(prefix):
        return ["%s: bucket name '%s' must start with the deployment prefix '%s'" % (name, bucket, prefix)]
    return []


def check_int_range(name, value, low, high, unit=""):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return ["%s: %r must be a whole number from %d to %d%s" % (name, value, low, high, unit)]
    return []


def check_lifecycle(name, rule):
    """A lifecycle rule {transition_days, storage_class, expiration_days, noncurrent_version_expiration_days}:
    every given day count positive, and objects must not expire before (or when) they transition."""
    if rule is None or rule == {}:
        return []
    if not isinstance(rule, dict):
        return ["%s: must be a dictionary (transition_days, storage_class, expiration_days, ...), got %s"
                % (name, type(rule).__name__)]
    errors = []
    for key in ("transition_days", "expiration_days", "noncurrent_version_expiration_days"):
        if rule.get(key) is not None:
            errors.extend(check_positive_int("%s.%s" % (name, key), rule[key]))
    if errors:
        return errors
    transition, expiration = rule.get("transition_days"), rule.get("expiration_days")
    if transition is not None and expiration is not None and expiration <= transition:
        errors.append("%s: expiration_days (%d) must be greater than transition_days (%d); objects would expire "
                      "before they move to %s" % (name, expiration, transition, rule.get("storage_class", "glacier")))
    if transition is not None and not rule.get("storage_class"):
        errors.append("%s: storage_class is required with transition_days" % name)
    return errors


def check_iam_name(name, value, maximum=64):
    if not isinstance(value, str) or not IAM_NAME_PATTERN.match(value) or len(value) > maximum:
        return ["%s: '%s' is not a valid IAM name (1 to %d characters of letters, digits and +=,.@_-)"
                % (name, value, maximum)]
    return []


# --- network (role network) -------------------------------------------------------------------
AWS_CIDR_MASKS = (16, 28)


def check_vpc_cidr(name, value):
    """A VPC (or plain subnet) CIDR: a valid IPv4 network with a mask AWS accepts (/16 to /28)."""
    errors = []
    network = parse_cidr(name, value, errors)
    if network is not None and not AWS_CIDR_MASKS[0] <= network.prefixlen <= AWS_CIDR_MASKS[1]:
        errors.append("%s: %s has a /%d mask; AWS allows VPC and subnet masks between /%d and /%d"
                      % (name, network, network.prefixlen, AWS_CIDR_MASKS[0], AWS_CIDR_MASKS[1]))
    return errors


def check_choice(name, value, choices):
    if value not in choices:
        return ["%s: '%s' is not one of %s" % (name, value, ", ".join(str(choice) for choice in choices))]
    return []
