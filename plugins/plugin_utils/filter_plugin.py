# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every filter plugin file of the collection has in common: it exports one filter, named after the file, and
holds no logic of its own (the logic is in the other modules of plugin_utils, or in module_utils for the rules the
modules share)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def filter_module(name, function):
    """The FilterModule class of a filter plugin file that exports the one filter `name`."""

    class FilterModule(object):
        def filters(self):
            return {name: function}

    return FilterModule


def preflight(rules):
    """A role's preflight filter over rules that take a dict of variable names and values (module_utils): the
    inputs as a dict, {} when there are none."""

    def input_errors(inputs):
        return rules(dict(inputs or {}))

    return input_errors
