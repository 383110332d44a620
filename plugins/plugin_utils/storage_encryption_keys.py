# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare the desired KMS keys of the storage_encryption role with their current state.

amazon.aws.kms_key reads a key with a dozen calls or more (aliases and rotation twice, grants, every
policy) even when nothing differs. The role reads its keys once (kms_key_estate_info), compares here
what kms_key compares, and runs kms_key only for the keys that differ; in check mode and with --diff
the differences are reported (the filter storage_encryption_key_drift). The filter storage_encryption_key_arns
gives the ARN of every key after that loop.

Every key carries, from its CreateKey call on, a tag naming the alias it is created for (the filter
storage_encryption_key_alias_tag adds it to the desired tags), so that a key whose run was killed before its
alias existed is found again (kms_key_estate_info, created_for_tag): the drift then adopts it (kms_key with its
key_id creates the alias) instead of creating another key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import (
    kms_alias_name,
    policies_differ,
    tags_differ,
)

# The uses that storage_encryption_separate_keys false gives to the datalake key.
SHAREABLE = ("workspace_storage", "managed_services", "tokens")


def key_drift(desired, current, skip_unchanged=True):
    """For each desired key (name, alias, description, enable_key_rotation, policy, tags) that
    amazon.aws.kms_key (enabled=true, purge_tags=true, no grants) would change, a dict: name, alias,
    exists, settings (what differs: create, state, description, enable_key_rotation, tags, policy),
    before/after (the differing values), desired (the desired entry), differs. Keys that match are left out,
    so [] means kms_key has nothing to do; with skip_unchanged false they are in too (settings [], differs
    false), so that kms_key runs for every key. A key that kms_key_estate_info found without its alias
    (aliased false: created by a run killed before the alias) differs in its alias too; ``adopt`` is then its ARN,
    for kms_key's key_id (else None)."""
    if not isinstance(desired, list) or not isinstance(current, dict):
        raise AnsibleFilterError("storage_encryption_key_drift expects a list (desired keys) and a dict "
                                 "(the keys returned by kms_key_estate_info)")
    skip_unchanged = boolean(skip_unchanged, strict=True)  # "false" when given as -e deployment_skip_unchanged=false
    drift = []
    for key in desired:
        alias = kms_alias_name(key["alias"])
        facts = current.get(alias)
        wanted = {
            "state": "Enabled",
            "description": key["description"],
            "enable_key_rotation": None if key.get("enable_key_rotation") is None
            else boolean(key["enable_key_rotation"], strict=True),
            "tags": {str(name): value for name, value in (key.get("tags") or {}).items()},
            "policy": key["policy"],
        }
        if facts is None:
            drift.append({"name": key["name"], "alias": alias, "exists": False, "settings": ["create"],
                          "before": {}, "after": wanted, "desired": key, "differs": True, "adopt": None})
            continue
        adopt = facts.get("arn") if facts.get("aliased") is False else None
        comparisons = (
            # setting, current value, desired value, whether kms_key would change it
            # state: kms_key cancels a pending deletion and enables a key that is not Enabled.
            ("state", facts.get("key_state"), "Enabled", facts.get("key_state") != "Enabled"),
            ("description", facts.get("description"), wanted["description"],
             facts.get("description") != wanted["description"]),
            ("enable_key_rotation", facts.get("enable_key_rotation"), wanted["enable_key_rotation"],
             wanted["enable_key_rotation"] is not None
             and facts.get("enable_key_rotation") != wanted["enable_key_rotation"]),
            ("tags", facts.get("tags"), wanted["tags"], tags_differ(facts.get("tags"), wanted["tags"])),
            ("policy", facts.get("policy"), wanted["policy"], policies_differ(facts.get("policy"), wanted["policy"])),
            ("alias", None if adopt else alias, alias, bool(adopt)),
        )
        before = {setting: value for setting, value, _wanted, differs in comparisons if differs}
        after = {setting: value for setting, _current, value, differs in comparisons if differs}
        if after or not skip_unchanged:
            drift.append({"name": key["name"], "alias": alias, "exists": True, "settings": sorted(after),
                          "before": before, "after": after, "desired": key, "differs": bool(after), "adopt": adopt})
    return drift


def key_alias_tag(desired, tag_key):
    """The desired keys, each with the tag ``tag_key`` set to its alias (alias/...) among its tags: set in the
    CreateKey call (amazon.aws.kms_key passes the tags to it), it finds a key that has no alias yet."""
    if not isinstance(desired, list) or not tag_key:
        raise AnsibleFilterError("storage_encryption_key_alias_tag expects a list (desired keys) and a tag key")
    tagged = []
    for key in desired:
        tags = dict(key.get("tags") or {})
        tags[str(tag_key)] = kms_alias_name(key["alias"])
        tagged.append(dict(key, tags=tags))
    return tagged


def key_arns(kms_results, region, account, partition="aws", current=None, keys=None, stand_in=True, shared=None):
    """{key name: key ARN} from the registered results of the kms_key loop (items with name and alias).
    A loop item that kms_key skipped (the key did not differ) takes its ARN from ``current``, the keys
    kms_key_estate_info read (by alias). A key still to be created in check mode has no ARN: its alias
    ARN stands in for it (with ``stand_in`` false, '' does: the key does not exist). ``keys`` (the keys, with name
    and alias) gives an ARN to every one of them, also when the loop did not run for it or at all (a run that
    only reads). ``shared`` ({use: key name}, the uses that share another key) names that key's ARN for each use."""
    current = current or {}
    results = {}
    for result in kms_results or []:
        item = result.get("item") or {}
        results[item.get("name")] = result
    items = keys if keys is not None else [result.get("item") or {} for result in kms_results or []]
    arns = {}
    for item in items:
        alias = str(item.get("alias", ""))
        alias = alias if alias.startswith("alias/") else "alias/" + alias
        arn = (results.get(item.get("name")) or {}).get("key_arn") or (current.get(alias) or {}).get("arn")
        if not arn:
            arn = "arn:%s:kms:%s:%s:%s" % (partition, region, account, alias) if stand_in else ""
        arns[item.get("name")] = arn
    for use, name in (shared or {}).items():
        if name not in arns:
            raise AnsibleFilterError("storage_encryption_key_arns: the key %s, shared by %s, is not among the keys "
                                     "(%s)" % (name, use, ", ".join(sorted(arns))))
        arns[use] = arns[name]
    return arns


def key_identity_errors(current_keys, keys, bucket_layout, bucket_names, buckets, shared=None, dropped=None,
                        probed=None):
    """A key alias changed on a deployed estate: an alias of keys (the role's [{name, alias}], the keys the run
    creates) names no key - none found, none adopted (current_keys, kms_key_estate_info's keys) - while buckets of
    that key's use (bucket_layout, bucket_names; a layout key listed in ``shared``, {use: key name}, is that key's use)
    exist encrypted with another KMS key (buckets: s3_bucket_info's, with bucket_encryption). The run would create a
    new key and re-encrypt the buckets with it, leaving the data written so far, the workspace's storage (Databricks
    cannot replace its storage key) and the logs under the old one. The workspace storage key of an estate deployed
    with one shared datalake key is such a case: the message names storage_encryption_separate_keys. Two aliases of
    keys that name one key are refused too: each run would give that key the policy of each use in turn. And the
    reverse of separate keys on a shared estate: a key of ``dropped`` (the keys the run does not create, [{name,
    alias}]) that still exists (``probed``, kms_key_estate_info's probed keys; a key pending deletion does not count)
    - the estate was deployed with separate keys, which storage_encryption_separate_keys false would leave behind."""
    current_keys = current_keys or {}
    shared = shared or {}
    errors = []
    for key in dropped or []:
        facts = (probed or {}).get(kms_alias_name(key["alias"]))
        if not facts or facts.get("key_state") in ("PendingDeletion", "PendingReplicaDeletion"):
            continue
        errors.append("storage_encryption_separate_keys: false, but %s names a key (%s): the estate was deployed "
                      "with a %s key of its own, which Databricks or the buckets use (Databricks cannot replace a "
                      "workspace's storage key); set storage_encryption_separate_keys to true, or replace the "
                      "storage deliberately with playbooks/destroy.yml and then site.yml"
                      % (kms_alias_name(key["alias"]), facts.get("key_id"), key["name"].replace("_", " ")))
    by_key = {}
    for key in keys or []:
        facts = current_keys.get(kms_alias_name(key["alias"])) or {}
        if facts.get("key_id"):
            by_key.setdefault(facts["key_id"], []).append(key)
    for key_id, named in sorted(by_key.items()):
        if len(named) > 1:
            # Each alias would get its own key policy: the runs would rewrite the one key's policy back and forth.
            errors.append("%s: the aliases %s name one key (%s); each of these keys needs a key of its own (or set "
                          "storage_encryption_separate_keys to false for one shared datalake key)"
                          % (", ".join("storage_encryption_%s_key_alias" % key["name"] for key in named),
                             ", ".join(kms_alias_name(key["alias"]) for key in named), key_id))
    by_name = {bucket.get("name"): bucket for bucket in buckets or []}
    for key in keys or []:
        if kms_alias_name(key["alias"]) in current_keys:
            continue
        encrypted = {}
        for layout in bucket_layout or []:
            name = (bucket_names or {}).get(layout["bucket"])
            facts = by_name.get(name)
            if shared.get(layout["key"], layout["key"]) != key["name"] or facts is None:
                continue
            config = (facts.get("bucket_encryption") or {}).get("ServerSideEncryptionConfiguration") or {}
            default = ((config.get("Rules") or [{}])[0]).get("ApplyServerSideEncryptionByDefault") or {}
            if default.get("SSEAlgorithm") == "aws:kms" and default.get("KMSMasterKeyID"):
                encrypted.setdefault(default["KMSMasterKeyID"], []).append(name)
        for key_id, names in sorted(encrypted.items()):
            if key["name"] in SHAREABLE:
                errors.append("storage_encryption_%s_key_alias: %s names no key, but the deployed bucket(s) %s are "
                              "encrypted with the key %s: the estate was deployed with one key for several uses "
                              "(storage_encryption_separate_keys false), and Databricks cannot replace a workspace's "
                              "storage key; set storage_encryption_separate_keys to false to keep that key, or replace "
                              "the storage deliberately with playbooks/destroy.yml and then site.yml"
                              % (key["name"], kms_alias_name(key["alias"]), ", ".join(names), key_id))
                continue
            errors.append("storage_encryption_%s_key_alias: %s names no key, but the deployed bucket(s) %s are "
                          "encrypted with the key %s; a new alias would create a new key and re-encrypt the buckets "
                          "with it, while what they hold, the workspace's storage (Databricks cannot replace its "
                          "storage key) and the logs stay under the old key; keep that key's alias, or give it the "
                          "new alias too (aws kms create-alias --alias-name %s --target-key-id %s), or replace the "
                          "storage deliberately with playbooks/destroy.yml and then site.yml"
                          % (key["name"], kms_alias_name(key["alias"]), ", ".join(names), key_id,
                             kms_alias_name(key["alias"]), key_id))
    return errors
