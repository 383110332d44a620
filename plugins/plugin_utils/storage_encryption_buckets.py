# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare the desired buckets of the storage_encryption role with their current state.

amazon.aws.s3_bucket and community.aws.s3_lifecycle support no check mode, and each call reads a
dozen bucket settings. The role reads every bucket once (amazon.aws.s3_bucket_info), compares here,
and calls the writing modules only for buckets that differ; in check mode the differences are the
plan. The filter storage_encryption_bucket_drift (plugins/filter/storage_encryption_bucket_drift.yml).

s3_bucket_info does not read S3 Object Lock: the role reads it apart (s3_bucket_object_lock_info) for the
buckets that want it and hands it in as object_locks; without it, such a bucket goes to s3_bucket on every run,
which compares the retention itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import plain_tags, policies_differ

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _current_policy(facts):
    raw = (facts.get("bucket_policy") or {}).get("Policy")
    if not raw:
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def _current_encryption(facts):
    config = (facts.get("bucket_encryption") or {}).get("ServerSideEncryptionConfiguration") or {}
    rules = config.get("Rules") or [{}]
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    return {"algorithm": default.get("SSEAlgorithm"), "key_id": default.get("KMSMasterKeyID"),
            "bucket_key": bool(rules[0].get("BucketKeyEnabled", False))}


def _current_public_access(facts):
    config = (facts.get("public_access_block") or {}).get("PublicAccessBlockConfiguration") or {}
    return {flag: bool(config.get(flag, False)) for flag in PUBLIC_ACCESS_FLAGS}


def _current_ownership(facts):
    rules = ((facts.get("bucket_ownership_controls") or {}).get("OwnershipControls") or {}).get("Rules") or [{}]
    return rules[0].get("ObjectOwnership")


def _current_access_logging(facts):
    enabled = (facts.get("bucket_logging") or {}).get("LoggingEnabled") or {}
    if not enabled.get("TargetBucket"):
        return None
    return {"target_bucket": enabled["TargetBucket"], "target_prefix": enabled.get("TargetPrefix") or ""}


def _wanted_encryption(bucket):
    if bucket.get("encryption", "aws:kms") == "AES256":
        return {"algorithm": "AES256", "key_id": None, "bucket_key": False}
    return {"algorithm": "aws:kms", "key_id": bucket["key_arn"], "bucket_key": True}


def desired_lifecycle_rule(rule, rule_id):
    """The S3 lifecycle rule (API shape, comparable fields only) for a role lifecycle setting; None for {}."""
    if not rule:
        return None
    result = {"ID": rule_id, "Status": "Enabled", "Prefix": ""}
    if rule.get("transition_days") is not None:
        result["Transitions"] = [{"Days": int(rule["transition_days"]),
                                  "StorageClass": str(rule.get("storage_class", "glacier")).upper()}]
    if rule.get("expiration_days") is not None:
        result["ExpirationDays"] = int(rule["expiration_days"])
    if rule.get("noncurrent_version_expiration_days") is not None:
        result["NoncurrentDays"] = int(rule["noncurrent_version_expiration_days"])
    return result


def current_lifecycle_rule(facts, rule_id):
    """The rule with our id in the bucket's lifecycle configuration, in the shape of desired_lifecycle_rule."""
    rules = (facts.get("bucket_lifecycle_configuration") or {}).get("Rules") or []
    for rule in rules:
        if rule.get("ID") != rule_id:
            continue
        prefix = rule.get("Prefix")
        if prefix is None:
            prefix = (rule.get("Filter") or {}).get("Prefix", "")
        result = {"ID": rule_id, "Status": rule.get("Status"), "Prefix": prefix or ""}
        transitions = [{"Days": t.get("Days"), "StorageClass": t.get("StorageClass")}
                       for t in rule.get("Transitions") or []]
        if transitions:
            result["Transitions"] = transitions
        if (rule.get("Expiration") or {}).get("Days") is not None:
            result["ExpirationDays"] = rule["Expiration"]["Days"]
        if (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays") is not None:
            result["NoncurrentDays"] = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        return result
    return None


def _object_lock_differs(wanted, current):
    """Whether a bucket's Object Lock (s3_bucket_object_lock_info's entry) differs from the desired {mode, days}."""
    current = current or {}
    return not current.get("enabled") or current.get("mode") != wanted.get("mode") \
        or current.get("days") != wanted.get("days") or current.get("years") is not None


def bucket_drift(desired, current, rule_id="lakehouse-retention", skip_unchanged=True, object_locks=None):
    """For each desired bucket that differs from its current state (from amazon.aws.s3_bucket_info),
    a dict: name, logical, exists, settings (names of the s3_bucket settings that differ), write_bucket
    (whether s3_bucket runs), lifecycle (None, "present" or "absent": what s3_lifecycle must do),
    access_logging (None or "present": whether s3_bucket_logging runs), before/after (the differing
    values), desired (the desired entry), differs. Buckets that match are left out, so [] means nothing to do;
    a bucket with an Object Lock retention (desired object_lock) is compared with object_locks (bucket name ->
    s3_bucket_object_lock_info's entry) and, without them, always in with write_bucket true; with
    skip_unchanged false every bucket is in, for every writer (s3_lifecycle and s3_bucket_logging with the state
    the bucket should have), and differs says which ones differ."""
    if not isinstance(desired, list) or not isinstance(current, list):
        raise AnsibleFilterError("storage_encryption_bucket_drift expects two lists (desired, s3_bucket_info buckets)")
    skip_unchanged = boolean(skip_unchanged, strict=True)  # "false" when given as -e deployment_skip_unchanged=false
    by_name = {bucket.get("name"): bucket for bucket in current}
    drift = []
    for bucket in desired:
        facts = by_name.get(bucket["name"])
        exists = facts is not None
        facts = facts or {}
        encryption = _current_encryption(facts)
        wanted_encryption = _wanted_encryption(bucket)
        public_access = _current_public_access(facts)
        wanted_public_access = {flag: bool(bucket["public_access"][flag]) for flag in PUBLIC_ACCESS_FLAGS}
        versioning = (facts.get("bucket_versioning") or {}).get("Status")
        ownership = _current_ownership(facts)
        tags, wanted_tags = plain_tags(facts.get("bucket_tagging")), plain_tags(bucket["tags"])
        policy = _current_policy(facts)
        comparisons = (
            # setting, current value, desired value, whether they differ
            ("encryption", encryption, wanted_encryption, encryption != wanted_encryption),
            ("public_access", public_access, wanted_public_access, public_access != wanted_public_access),
            ("versioning", versioning, "Enabled" if bucket["versioning"] else None,
             (versioning == "Enabled") != bool(bucket["versioning"])),
            ("object_ownership", ownership, bucket["object_ownership"], ownership != bucket["object_ownership"]),
            ("tags", tags, wanted_tags, tags != wanted_tags),
            ("policy", policy, bucket["policy"], policies_differ(policy, bucket["policy"])),
        )
        before = {setting: current for setting, current, _wanted, differs in comparisons if differs}
        after = {setting: wanted for setting, _current, wanted, differs in comparisons if differs}
        settings = sorted(after)

        lifecycle = None
        wanted_rule = desired_lifecycle_rule(bucket.get("lifecycle"), rule_id)
        rule = current_lifecycle_rule(facts, rule_id)
        if wanted_rule != rule or not skip_unchanged:
            lifecycle = "present" if wanted_rule else "absent"
        if wanted_rule != rule:
            before["lifecycle"], after["lifecycle"] = rule, wanted_rule

        # No desired access logging (the s3-logging bucket itself, or access logging off): left as it is.
        access_logging = None
        wanted_logging = bucket.get("access_logging") or None
        logging = _current_access_logging(facts)
        if wanted_logging and (wanted_logging != logging or not skip_unchanged):
            access_logging = "present"
        if wanted_logging and wanted_logging != logging:
            before["access_logging"], after["access_logging"] = logging, wanted_logging

        unknown_lock = False
        if bucket.get("object_lock"):
            if object_locks is None:
                unknown_lock = True  # not read: s3_bucket compares it
            elif exists and _object_lock_differs(bucket["object_lock"], object_locks.get(bucket["name"])):
                lock = object_locks.get(bucket["name"]) or {}
                before["object_lock"] = {key: lock.get(key) for key in ("enabled", "mode", "days", "years")}
                after["object_lock"] = dict(bucket["object_lock"], enabled=True)
                settings = sorted(set(settings) | {"object_lock"})
        object_lock = unknown_lock
        differs = not exists or bool(settings) or "lifecycle" in after or "access_logging" in after
        if differs or object_lock or not skip_unchanged:
            settings = ["create", *settings] if not exists else settings
            drift.append({"name": bucket["name"], "logical": bucket["logical"], "exists": exists,
                          "settings": settings, "write_bucket": bool(settings) or object_lock or not skip_unchanged,
                          "lifecycle": lifecycle, "access_logging": access_logging, "before": before,
                          "after": after, "desired": bucket, "differs": differs})
    return drift


def bucket_policy_drift(policy, current, name):
    """The policy of one bucket against its current state (amazon.aws.s3_bucket_info buckets): [] when it matches,
    else [{"name", "exists", "before", "after"}] - the one bucket whose policy s3_bucket must write (none when the
    bucket does not exist: nothing to scope yet). The filter storage_encryption_bucket_policy_drift."""
    if not isinstance(policy, dict) or not isinstance(current, list) or not isinstance(name, str):
        raise AnsibleFilterError("storage_encryption_bucket_policy_drift expects a policy (dict), the s3_bucket_info "
                                 "buckets (list) and a bucket name")
    facts = next((bucket for bucket in current if bucket.get("name") == name), None)
    if facts is None:
        return []
    before = _current_policy(facts)
    if not policies_differ(before, policy):
        return []
    return [{"name": name, "exists": True, "before": before, "after": policy}]
