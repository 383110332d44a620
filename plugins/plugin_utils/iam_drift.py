# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare the desired roles, inline policies and instance profiles of the iam role with their current state.

The role reads its IAM estate once (lakehouse.databricks_aws.iam_estate_info), compares here, and calls
amazon.aws.iam_role, iam_policy and iam_instance_profile only for what differs. The comparisons are the
ones those modules make to decide whether they change something (trust and inline policies with
compare_policies, tags with compare_aws_tags and purge_tags, description, maximum session duration,
instance profile role); when in doubt a resource is reported as drifted, never the reverse.
The filter iam_drift (plugins/filter/iam_drift.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._aws import policies_differ, tags_differ


def _session(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _change(resource, name, action, before, after):
    return {"resource": resource, "name": name, "action": action, "settings": sorted(after) if action == "update"
            else [action], "before": before, "after": after}


def _role_changes(role, current):
    if current is None:
        return _change("role", role["name"], "create", {}, {"exists": True})
    comparisons = (
        # setting, current value, desired value, whether they differ
        ("assume_role_policy_document", current.get("assume_role_policy_document"), role["trust"],
         policies_differ(current.get("assume_role_policy_document"), role["trust"])),
        ("description", current.get("description"), role["description"],
         role.get("description") is not None and current.get("description") != role["description"]),
        ("max_session_duration", current.get("max_session_duration"), _session(role["max_session_duration"]),
         _session(current.get("max_session_duration")) != _session(role["max_session_duration"])),
        ("tags", current.get("tags"), role["tags"], tags_differ(current.get("tags"), role["tags"])),
    )
    before = {setting: value for setting, value, _wanted, differs in comparisons if differs}
    after = {setting: wanted for setting, _value, wanted, differs in comparisons if differs}
    return _change("role", role["name"], "update", before, after) if after else None


def _policy_changes(policy, current):
    key = "%s/%s" % (policy["role"], policy["name"])
    if policy.get("state", "present") == "absent":
        return _change("inline policy", key, "delete", {"policy": current}, {}) if current is not None else None
    if current is None:
        return _change("inline policy", key, "create", {}, {"policy": policy["policy"]})
    if policies_differ(current, policy["policy"]):
        return _change("inline policy", key, "update", {"policy": current}, {"policy": policy["policy"]})
    return None


def _profile_changes(profile, current):
    if current is None:
        return _change("instance profile", profile["name"], "create", {}, {"roles": [profile["role"]]})
    wanted_path = profile.get("path") or "/"
    comparisons = (
        ("roles", current.get("roles"), [profile["role"]], list(current.get("roles") or []) != [profile["role"]]),
        ("path", current.get("path"), wanted_path, current.get("path") != wanted_path),
        ("tags", current.get("tags"), profile["tags"], tags_differ(current.get("tags"), profile["tags"])),
    )
    before = {setting: value for setting, value, _wanted, differs in comparisons if differs}
    after = {setting: wanted for setting, _value, wanted, differs in comparisons if differs}
    return _change("instance profile", profile["name"], "update", before, after) if after else None


def iam_drift(estate, desired, skip_unchanged=True):
    """What differs between the desired IAM estate and the current one (the result of iam_estate_info).

    desired: roles (name, description, max_session_duration, trust, tags), inline_policies (role, name, state,
    policy) and instance_profiles (name, role, path, tags). Returns the role names, policy keys (role/name)
    and instance profile names that need their amazon.aws module (every one of them with skip_unchanged false),
    and the list of changes (resource, name, action create/update/delete, settings, before, after) to report."""
    if not isinstance(estate, dict) or not isinstance(desired, dict):
        raise AnsibleFilterError("iam_drift expects two dicts (the iam_estate_info result, the desired state)")
    current_roles = estate.get("roles") or {}
    current_policies = estate.get("inline_policies") or {}
    current_profiles = estate.get("instance_profiles") or {}

    changes = {"roles": [], "inline_policies": [], "instance_profiles": []}
    for kind, key_of, compare, current in (
            ("roles", lambda item: item["name"], _role_changes, current_roles),
            ("inline_policies", lambda item: "%s/%s" % (item["role"], item["name"]), _policy_changes, current_policies),
            ("instance_profiles", lambda item: item["name"], _profile_changes, current_profiles)):
        for item in desired.get(kind) or []:
            change = compare(item, current.get(key_of(item)))
            if change is not None:
                changes[kind].append(change)
    if boolean(skip_unchanged, strict=True):  # "false" when given as -e deployment_skip_unchanged=false
        written = {kind: [change["name"] for change in changes[kind]] for kind in changes}
    else:
        written = {"roles": [item["name"] for item in desired.get("roles") or []],
                   "inline_policies": ["%s/%s" % (item["role"], item["name"])
                                       for item in desired.get("inline_policies") or []],
                   "instance_profiles": [item["name"] for item in desired.get("instance_profiles") or []]}
    return dict(written, changes=changes["roles"] + changes["inline_policies"] + changes["instance_profiles"])
