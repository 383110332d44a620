# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input rules shared by the preflight filters and the modules: the one place each rule is defined.

Every check returns a list of messages (empty when the input is fine). Each message names the
variable it is about and the rule it breaks, so a failed preflight tells the user what to fix.
Every pattern is anchored with ``\\A`` and ``\\Z`` (not ``$``, which lets a trailing newline through).
The databricks_provisioning role's preflight is here too (``provisioning_input_errors``, exposed by
the filter ``lakehouse.databricks_aws.databricks_provisioning_input_errors``); the
databricks_management role's is ``_databricks_management_validation``, built on these rules.
Pure Python (standard library only): usable on the controller and in modules alike.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import re

from ansible.module_utils.parsing.convert_bool import boolean

REGION_PATTERN = re.compile(r"\A[a-z]{2}(-gov)?-[a-z]+-[0-9]\Z")
BUCKET_PATTERN = re.compile(r"\A[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
IP_LIKE = re.compile(r"\A\d+\.\d+\.\d+\.\d+\Z")
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256
# AWS tagging rules (EC2, IAM, KMS, S3 and Secrets Manager alike): at most 50 user tags per resource; keys and values
# of letters, digits, spaces and + - = . _ : / @ (the Tagging API reference, "Tag naming limits and requirements").
TAG_COUNT_MAX = 50
TAG_TEXT_PATTERN = re.compile(r"\A[\w .:/=+\-@]*\Z", re.UNICODE)
DATABRICKS_SUBNET_MASKS = (17, 26)


def as_switch(value):
    """A boolean input, which an extra var (-e) gives as a string: Ansible's boolean spellings (true/false, yes/no,
    on/off, 1/0); None when it is none of them."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        return None


def parse_cidr(name, value, errors):
    """The IPv4 network for value, or None after recording why it isn't one."""
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        errors.append("%s: '%s' is not a valid IPv4 CIDR block (%s)" % (name, value, exc))
        return None


_PARTITIONS = []


def aws_partitions():
    """The AWS partitions of the installed botocore as (name, anchored region pattern, known regions), from its
    data/endpoints.json (what botocore's get_available_regions reads): read without importing botocore, once per
    process. [] without botocore, when REGION_PATTERN alone applies."""
    if _PARTITIONS:
        return _PARTITIONS[0]
    partitions = []
    try:
        import importlib.util
        import json

        spec = importlib.util.find_spec("botocore")
        if spec is None or not spec.origin:  # no botocore: the form check alone
            _PARTITIONS.append(partitions)
            return partitions
        folder = os.path.join(os.path.dirname(spec.origin), "data")
        path = os.path.join(folder, "endpoints.json")
        if os.path.exists(path):
            with open(path, "rb") as handle:
                data = json.loads(handle.read().decode("utf-8"))
        else:
            import gzip

            with gzip.open(path + ".gz", "rb") as handle:
                data = json.loads(handle.read().decode("utf-8"))
        for partition in data.get("partitions", []):
            known = set(partition.get("regions") or {})
            for service in ("sts", "ec2"):
                endpoints = ((partition.get("services") or {}).get(service) or {}).get("endpoints") or {}
                known.update(region for region, endpoint in endpoints.items()
                             if not (endpoint or {}).get("deprecated") and "fips" not in region)
            regex = partition["regionRegex"]
            regex = regex[1:] if regex.startswith("^") else regex
            regex = regex[:-1] if regex.endswith("$") else regex
            partitions.append((partition["partition"], re.compile(r"\A(?:%s)\Z" % regex), known))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, re.error):
        # botocore's data unreadable or of another form: the form check alone
        partitions = []
    _PARTITIONS.append(partitions)
    return partitions


def check_region(name, region):
    """An AWS region: of the region form of one of botocore's partitions and listed by botocore for that partition
    (no list of the collection's own: a region AWS opens passes once the installed botocore knows it). Without
    botocore, of the form REGION_PATTERN."""
    partitions = aws_partitions()
    matching = [(partition, known) for partition, pattern, known in partitions
                if isinstance(region, str) and pattern.match(region)]
    if not isinstance(region, str) or not (matching if partitions else REGION_PATTERN.match(region)):
        required = "; it is required" if region in (None, "") else ""
        return ["%s: %s is not an AWS region name such as eu-west-1%s" % (name, show(region), required)]
    if matching and not any(region in regions for partition_name, regions in matching):
        partition, known = matching[-1]
        alike = sorted(known_region for known_region in known if known_region.split("-")[0] == region.split("-")[0])
        return ["%s: %s is not a region of the AWS partition %s, which has %s; a region opened after this botocore "
                "release needs a newer botocore" % (name, show(region), partition, ", ".join(alike or sorted(known)))]
    return []


def plain(value):
    """value as plain Python data: the str, int, float, list and dict subclasses Ansible tags its values with become
    str, int, float, list and dict, so messages show values, never Ansible's types."""
    if value is None or isinstance(value, bool):
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, dict):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    return str(value)


def show(value):
    """value in a message: a string quoted ('eu-west-1', a trailing newline visible as \\n), anything else as plain
    Python data."""
    return repr(plain(value)) if isinstance(value, str) else str(plain(value))


TYPE_NAMES = ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"), (dict, "a dictionary"),
              (list, "a list"), (tuple, "a list"))


def type_name(value):
    """The kind of value in words (a string, a list, ...), the same for Ansible's tagged types as for Python's."""
    if value is None:
        return "null"
    for kind, words in TYPE_NAMES:
        if isinstance(value, kind):
            return words
    return "a value of another type"


URL_PATTERN = re.compile(r"\Ahttps?://[A-Za-z0-9.-]+(:\d{1,5})?/?\Z")


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
        return ["%s: tags must be a dictionary of key: value, got %s" % (name, type_name(tags))]
    errors = []
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            errors.append("%s: tag key '%s' must be a string of 1 to %d characters" % (name, key, TAG_KEY_MAX))
        elif key.lower().startswith("aws:"):
            errors.append("%s: tag key '%s' uses the reserved prefix 'aws:'" % (name, key))
        elif not TAG_TEXT_PATTERN.match(key):
            errors.append("%s: tag key '%s' holds a character AWS refuses in tags (allowed: letters, digits, spaces "
                          "and + - = . _ : / @)" % (name, key))
        if not isinstance(value, (str, int, float, bool)) or len(str(value)) > TAG_VALUE_MAX:
            errors.append("%s: value of tag '%s' must be a scalar of at most %d characters"
                          % (name, key, TAG_VALUE_MAX))
        elif not TAG_TEXT_PATTERN.match(str(value)):
            errors.append("%s: value of tag '%s' holds a character AWS refuses in tags (allowed: letters, digits, "
                          "spaces and + - = . _ : / @)" % (name, key))
    return errors


def check_tag_count(names, tag_sets, added=()):
    """The tags one resource gets - the tag dictionaries named in names merged, plus the keys the role adds itself
    (added, such as Name) - fit AWS's limit of TAG_COUNT_MAX per resource."""
    keys = set(added)
    for tags in tag_sets:
        if isinstance(tags, dict):
            keys.update(str(key) for key in tags)
    if len(keys) <= TAG_COUNT_MAX:
        return []
    own = " plus the role's own %s" % ", ".join(added) if added else ""
    return ["%s: %d tags per resource (%s merged%s); AWS allows at most %d, so the role can take at most %d of "
            "your own" % (names[-1], len(keys), " and ".join(names), own, TAG_COUNT_MAX, TAG_COUNT_MAX - len(added))]


# Tags each role sets on its resources itself, over the user's (they count against AWS's limit per resource).
# (storage_encryption tags each KMS key, in CreateKey, with the alias it is created for: a killed run's key is found.)
ROLE_ADDED_TAGS = {"network_tags": ("Name", "Tier"), "iam_tags": (),
                   "storage_encryption_tags": ("lakehouse:kms-alias",)}


def check_role_tags(inputs, role_tags_name):
    """deployment_tags and a role's own tags (role_tags_name): each valid, and together with the tags the role adds
    itself within AWS's limit per resource."""
    errors = []
    names = ("deployment_tags", role_tags_name)
    for name in names:
        if inputs.get(name) is not None:
            errors.extend(check_tags(name, inputs[name]))
    if not errors:
        errors = check_tag_count(names, [inputs.get(name) for name in names], ROLE_ADDED_TAGS[role_tags_name])
    return errors


def check_key_arn_region(name, value, region, region_name="aws_region"):
    """A customer-managed key must be in the region of the workspace that uses it (Databricks refuses others)."""
    if not isinstance(value, str) or not (KEY_ARN_PATTERN.match(value) or KEY_ALIAS_ARN_PATTERN.match(value)):
        return []
    key_region = value.split(":")[3]
    if not isinstance(region, str) or key_region == region:
        return []
    return ["%s: the key is in region %s but %s is %s; Databricks needs a customer-managed key in the workspace's "
            "region" % (name, key_region, region_name, region)]


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
UUID_PATTERN = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
BUCKET_PREFIX_PATTERN = re.compile(r"\A([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])\Z")
IAM_NAME_PATTERN = re.compile(r"\A[A-Za-z0-9+=,.@_-]{1,64}\Z")
BUCKET_NAME_MAX = 63


def check_uuid(name, value):
    """A Databricks account id: a UUID in lower case, as Databricks shows it.

    The one account-id rule of every role's preflight. Upper-case digits are refused, not folded:
    the id is also the sts:ExternalId of the cross-account and log delivery trusts, which IAM
    compares case-sensitively (StringEquals) with the lower-case id Databricks sends.
    """
    if value is None or str(value).strip() == "":
        return ["%s: is required (the Databricks account id, a UUID such as 0d2a9b6e-...); it is also "
                "the sts:ExternalId of the cross-account trust" % name]
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        return ["%s: '%s' is not a Databricks account id; expected a lowercase UUID "
                "(8-4-4-4-12 hexadecimal digits)%s" % (name, value, _upper_case_hint(value))]
    return []


def _upper_case_hint(value):
    if isinstance(value, str) and UUID_PATTERN.match(value.lower()):
        return (", as Databricks shows it; the id is the sts:ExternalId of the cross-account trust, which IAM "
                "compares case-sensitively")
    return ""


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
                % (name, type_name(rule))]
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


# --- Databricks (roles databricks_provisioning, databricks_management) ------------------------
MAX_TOKEN_LIFETIME_DAYS = 730  # Databricks caps new tokens, and maxTokenLifetimeDays, at 730 days
MAX_TOKEN_LIFETIME_SECONDS = MAX_TOKEN_LIFETIME_DAYS * 86400
WORKSPACE_NAME_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9 ._-]{1,62}[A-Za-z0-9]\Z")
DEPLOYMENT_NAME_PATTERN = re.compile(r"\A[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
ROLE_ARN_PATTERN = re.compile(r"\Aarn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z")
INSTANCE_PROFILE_ARN_PATTERN = re.compile(r"\Aarn:aws[a-z-]*:iam::\d{12}:instance-profile/[\w+=,.@/-]{1,512}\Z")
AWS_ACCOUNT_PATTERN = re.compile(r"\A[0-9]{12}\Z")
VPC_ID_PATTERN = re.compile(r"\Avpc-[0-9a-f]{8,17}\Z")
SECURITY_GROUP_ID_PATTERN = re.compile(r"\Asg-(?:[0-9a-f]{8}|[0-9a-f]{17})\Z")
# Glue database names: lowercase letters, digits and underscores (Hive), at most 255 characters; the policy's ARNs
# also take IAM's wildcards * and ?.
GLUE_DATABASE_PATTERN = re.compile(r"\A[a-z0-9_*?]{1,255}\Z")
# An S3 key prefix without a slash at either end or an empty segment, of the characters S3 calls safe.
KEY_PREFIX_PATTERN = re.compile(r"\A[A-Za-z0-9!_.*'()-]+(?:/[A-Za-z0-9!_.*'()-]+)*\Z")
KMS_ALIAS_PATTERN = re.compile(r"\Aalias/[A-Za-z0-9/_-]{1,250}\Z")
RESOURCE_PREFIX_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9-]{0,62}\Z")
KEY_ARN_PATTERN = re.compile(r"\Aarn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[\w-]+\Z")
# The ARN of a KMS alias: what storage_encryption gives in check mode for a key it has still to create.
KEY_ALIAS_ARN_PATTERN = re.compile(r"\Aarn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias/[A-Za-z0-9/_-]{1,250}\Z")
SECRET_NAME_PATTERN = re.compile(r"\A[A-Za-z0-9/_+=.@-]{1,512}\Z")
OBJECT_NAME_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}\Z")
ENTITLEMENTS = ("allow-cluster-create", "allow-instance-pool-create", "databricks-sql-access", "workspace-access")


def check_pattern(name, value, pattern, what, optional=False):
    """value matches pattern (an anchored re); optional: None and "" pass (inputs an earlier role produces)."""
    if optional and value in (None, ""):
        return []
    if not isinstance(value, str) or not pattern.match(value):
        required = "; it is required" if value in (None, "") else ""
        return ["%s: '%s' is not %s%s" % (name, value, what, required)]
    return []


def check_key_arn(name, value, check_mode=False, stand_ins=()):
    """An optional KMS key ARN. In check mode a key the same run would create has no ARN yet: storage_encryption
    gives the ARN of its alias instead (the filter storage_encryption_key_arns). Such a stand-in passes only in check
    mode and only when it is one of stand_ins (that role's outputs of this run); a real run needs the key ARN."""
    if check_mode is True and value in stand_ins and KEY_ALIAS_ARN_PATTERN.match(str(value)):
        return []
    return check_pattern(name, value, KEY_ARN_PATTERN, "a KMS key ARN", optional=True)


def check_present(name, value, what):
    """A required secret or option is set (the value itself is never echoed)."""
    if value in (None, ""):
        return ["%s: %s is required and is empty" % (name, what)]
    return []


def check_bool(name, value):
    if not isinstance(value, bool):
        return ["%s: %r must be true or false" % (name, value)]
    return []


def check_int_at_least(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        return ["%s: %r must be a whole number >= %d" % (name, value, low)]
    return []


def check_entitlements(name, entitlements):
    """A list of workspace entitlements, each one Databricks knows."""
    if not isinstance(entitlements, list):
        return ["%s: must be a list" % name]
    return ["%s: '%s' is not one of %s" % (name, entitlement, ", ".join(ENTITLEMENTS))
            for entitlement in entitlements if entitlement not in ENTITLEMENTS]


def check_workspace_name(name, value):
    if not isinstance(value, str) or not WORKSPACE_NAME_PATTERN.match(value):
        return ["%s: '%s' is not a valid workspace name (3 to 64 letters, digits, spaces, '.', '_' or '-', "
                "starting and ending with a letter or digit)" % (name, value)]
    return []


def check_deployment_name(name, value):
    if value in (None, ""):
        return []
    if not isinstance(value, str) or not DEPLOYMENT_NAME_PATTERN.match(value):
        return ["%s: '%s' is not a valid deployment name (lowercase letters, digits and '-', at most 63, "
                "starting and ending with a letter or digit; it becomes the workspace host name)" % (name, value)]
    return []


def check_token_lifetime(name, lifetime, margin_name, margin):
    """A token lifetime within Databricks' cap, and a rotation margin shorter than it."""
    errors = check_positive_int(name, lifetime)
    if errors:
        return errors
    if lifetime > MAX_TOKEN_LIFETIME_SECONDS:
        errors.append("%s: %d seconds is more than %d days (%d seconds), the longest lifetime Databricks allows "
                      "for new tokens" % (name, lifetime, MAX_TOKEN_LIFETIME_DAYS, MAX_TOKEN_LIFETIME_SECONDS))
    if isinstance(margin, bool) or not isinstance(margin, int) or margin < 0:
        errors.append("%s: %r must be a whole number of seconds >= 0" % (margin_name, margin))
    elif margin >= lifetime:
        errors.append("%s: %d must be less than %s (%d), or every run would rotate the tokens"
                      % (margin_name, margin, name, lifetime))
    return errors


def provisioning_input_errors(inputs):
    """The databricks_provisioning role's preflight: one message per broken rule, each naming the
    variable; never the value of a secret."""
    errors = []
    get = inputs.get
    errors += check_region("aws_region", get("aws_region"))
    if "databricks_provisioning_account_host" in inputs:
        errors += check_host_url("databricks_provisioning_account_host", get("databricks_provisioning_account_host"))
    errors += check_uuid("databricks_provisioning_account_id", get("databricks_provisioning_account_id"))
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
        errors += check_pattern(option, get(option), OBJECT_NAME_PATTERN, "a valid Databricks object name")
    errors += check_token_lifetime("databricks_provisioning_token_lifetime_seconds",
                                   get("databricks_provisioning_token_lifetime_seconds"),
                                   "databricks_provisioning_token_rotate_before_seconds",
                                   get("databricks_provisioning_token_rotate_before_seconds"))
    errors += check_positive_int("databricks_provisioning_workspace_wait_timeout",
                                 get("databricks_provisioning_workspace_wait_timeout"))
    errors += check_pattern("databricks_provisioning_token_secret_name",
                            get("databricks_provisioning_token_secret_name"), SECRET_NAME_PATTERN,
                            "a valid Secrets Manager secret name (1 to 512 of A-Z a-z 0-9 /_+=.@-)")
    errors += check_pattern("databricks_provisioning_cross_account_role_arn",
                            get("databricks_provisioning_cross_account_role_arn"), ROLE_ARN_PATTERN,
                            "an IAM role ARN", optional=True)
    for option in ("databricks_provisioning_storage_key_arn", "databricks_provisioning_managed_services_key_arn",
                   "databricks_provisioning_logging_key_arn"):
        errors += (check_key_arn(option, get(option), get("check_mode"), get("key_arn_stand_ins") or ())
                   or check_key_arn_region(option, get(option), get("aws_region")))
    # Known once network and storage_encryption have run (site.yml validates every role first): checked when set.
    errors += check_pattern("databricks_provisioning_vpc_id", get("databricks_provisioning_vpc_id"), VPC_ID_PATTERN,
                            "a VPC id such as vpc-0a1b2c3d4e5f60718", optional=True)
    if get("databricks_provisioning_root_bucket") not in (None, ""):
        errors += check_bucket_name("databricks_provisioning_root_bucket", get("databricks_provisioning_root_bucket"))
    errors += check_entitlements("databricks_provisioning_service_principal_entitlements",
                                 get("databricks_provisioning_service_principal_entitlements") or [])
    errors += check_tags("databricks_provisioning_custom_tags", get("databricks_provisioning_custom_tags") or {})
    return errors


# --- Unity Catalog (role unity_catalog) ----------------------------------------------------------
# Unity Catalog names: at most 255 characters, no period, space, forward slash or control character (Databricks,
# "Names" in the Unity Catalog documentation). Catalog and schema names must also be lowercase: Unity Catalog stores
# them lowercased, so a name with capitals would never read back as written (drift on every run).
UC_NAME_PATTERN = re.compile(r"\A[^./\s\x00-\x1f\x7f]{1,255}\Z")
UC_LOWERCASE_NAME_PATTERN = re.compile(r"\A[a-z0-9_][a-z0-9_-]{0,254}\Z")
