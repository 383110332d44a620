# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired vs current: the one comparison every module uses for ``changed`` and ``diff``.

    delta = ResourceDiff(desired, current, unordered=("subnet_ids",), secret_keys=("token_value",))
    delta.changed            # True when the object is missing or a managed key differs
    delta.changed_keys       # ["subnet_ids"]
    delta.changes            # {"subnet_ids": {"before": [...], "after": [...]}}
    delta.diff               # {"before": {...}, "after": {...}} for the module result under --diff

``desired`` is the spec the user manages: keys whose value is ``None`` are not managed (left as
they are). ``current`` is the object as read from Databricks, already flattened to the same
shape (``None`` when it does not exist). Lists named in ``unordered`` compare as sets;
dicts compare deeply with ``None`` members dropped. Keys in ``secret_keys`` are masked in
``diff`` so a secret never reaches the output. Pure Python, no third-party imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def normalize(value, unordered=False):
    """A comparable copy: dicts without None members, lists sorted when unordered."""
    if isinstance(value, dict):
        return dict((k, normalize(v)) for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        items = [normalize(v) for v in value]
        if unordered:
            return sorted(items, key=_sort_key)
        return items
    return value


def _sort_key(value):
    return (type(value).__name__, repr(value))


def mask(obj, secret_keys):
    """A deep copy of obj with the values of secret_keys (at any depth) masked."""
    if isinstance(obj, dict):
        return dict((k, MASK if k in secret_keys and v is not None else mask(v, secret_keys))
                    for k, v in obj.items())
    if isinstance(obj, list):
        return [mask(v, secret_keys) for v in obj]
    return obj


class ResourceDiff:
    """Compare the managed keys of desired with current; see the module docstring."""

    def __init__(self, desired, current, unordered=(), ignore=(), secret_keys=()):
        self.desired = dict((k, v) for k, v in (desired or {}).items() if v is not None and k not in ignore)
        self.current = current
        self.unordered = tuple(unordered)
        self.secret_keys = tuple(secret_keys)
        self.changes = {}
        for key, want in self.desired.items():
            have = (current or {}).get(key)
            if normalize(want, key in self.unordered) != normalize(have, key in self.unordered):
                self.changes[key] = {"before": have, "after": want}

    @property
    def exists(self):
        return self.current is not None

    @property
    def changed(self):
        return not self.exists or bool(self.changes)

    @property
    def changed_keys(self):
        return sorted(self.changes)

    @property
    def before(self):
        return copy.deepcopy(self.current) if self.current is not None else {}

    @property
    def after(self):
        after = self.before
        after.update(copy.deepcopy(self.desired))
        return after

    @property
    def diff(self):
        return {"before": mask(self.before, self.secret_keys), "after": mask(self.after, self.secret_keys)}


def absent_diff(current, secret_keys=()):
    """The diff of deleting current (None when it is already gone)."""
    return {"before": mask(copy.deepcopy(current) if current else {}, secret_keys), "after": {}}
