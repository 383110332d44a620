# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role databricks_management's groups as databricks_group's ``groups`` option takes them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def databricks_management_group_entries(groups, profile_arns=None, entitlements=True):
    """[{display_name, entitlements}] of the role's groups ({name, entitlements, instance_profile}), entitlements []
    when a group sets none (entitlements False: display_name only); with profile_arns ({instance_profile: ARN}),
    each with roles [the ARN of its instance_profile] too."""
    entries = []
    for group in groups or []:
        entry = {"display_name": group["name"]}
        if entitlements:
            entry["entitlements"] = list(group.get("entitlements") or [])
        if profile_arns is not None:
            entry["roles"] = [profile_arns[group["instance_profile"]]]
        entries.append(entry)
    return entries
