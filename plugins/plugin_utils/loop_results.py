# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results of a registered loop as a dictionary (the filter results_by_item).

The roles publish IDs by name (customer-managed keys by use, groups by name, log delivery configurations by log
type, ...) from the results of their loops; this replaces a dict(... | zip(...)) expression in each.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

MISSING = object()


def _lookup(value, path):
    """The value at a dotted path (MISSING when its first step is absent, None when a later one is)."""
    steps = path.split(".")
    if not isinstance(value, dict) or steps[0] not in value:
        return MISSING
    value = value[steps[0]]
    for step in steps[1:]:
        value = value.get(step) if isinstance(value, dict) else None
    return value


def results_by_item(results, key, value):
    """{item[key]: result[value]} for each result of a registered loop (its C(results) list or the registered
    variable itself). key is an attribute of the loop item, value a dotted path into the result. A result whose
    item has no such attribute, or without the first step of the value's path, is left out; a missing later step
    gives None."""
    if isinstance(results, dict):
        results = results.get("results") or []
    if not isinstance(results, list):
        raise AnsibleFilterError("results_by_item: expects the results of a registered loop")
    found = {}
    for result in results:
        name = _lookup((result or {}).get("item") if isinstance(result, dict) else None, key)
        wanted = _lookup(result, value)
        if name is not MISSING and wanted is not MISSING:
            found[name] = wanted
    return found
