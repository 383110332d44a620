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
        return ["%s: '%s' is not an AWS region name such as eu-west-1" % (name, region)]
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
            errors.append("%s: value of tag '%s' must be a scalar of at most %d characters" % (name, key, TAG_VALUE_MAX))
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
