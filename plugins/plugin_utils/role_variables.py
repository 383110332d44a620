# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Misspelt role variables (the filter unknown_variables): a variable named with a role's prefix (network_, iam_,
storage_encryption_, databricks_provisioning_, databricks_management_, unity_catalog_) or the inventory-level prefix
deployment_
that nothing of the collection defines would be ignored silently, and the role would run with its default.

Which names are known is read from the collection itself, so the check never falls behind the roles:
- the options of every entry point of the role's meta/argument_specs.yml, its defaults/main.yml and vars/main.yml;
- for deployment_: the deployment_* options of every role's argument specs and INVENTORY_VARIABLES;
- the names the collection sets at run time, which are in a host's variables next to the inventory's and the extra
  vars (hostvars holds registered results and facts): every `register:` and every `set_fact` key in the task files
  of the roles and in the playbooks (site.yml, playbooks/).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import glob
import os
from collections.abc import Mapping

import yaml
from ansible.errors import AnsibleError
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v

ROLES = ("network", "iam", "storage_encryption", "databricks_provisioning", "databricks_management", "unity_catalog")
INVENTORY_PREFIX = "deployment_"
# Inventory-level variables read by the playbooks rather than declared by a role's argument specs.
INVENTORY_VARIABLES = frozenset(
    (
        "deployment_prefix",
        "deployment_tags",
        "deployment_environment",
        "deployment_skip_unchanged",
        "deployment_strict_variables",
    )
)
SET_FACT_ACTIONS = ("set_fact", "ansible.builtin.set_fact", "ansible.legacy.set_fact")
STRICT_SWITCH = "deployment_strict_variables"
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LOADED = {}


def _load(path):
    """The YAML document at path (None when it is missing or no YAML), read once per process."""
    if path not in _LOADED:
        try:
            with open(path, encoding="utf-8") as handle:
                _LOADED[path] = yaml.load(handle, Loader=SAFE_LOADER)
        except (IOError, OSError, yaml.YAMLError):
            _LOADED[path] = None
    return _LOADED[path]


def role_variables(role, root=COLLECTION_ROOT):
    """The names a role defines: its argument specs' options (every entry point), its defaults and its vars."""
    names = set()
    specs = (_load(os.path.join(root, "roles", role, "meta", "argument_specs.yml")) or {}).get("argument_specs")
    for entry_point in (specs or {}).values():
        names.update((entry_point or {}).get("options") or {})
    for folder in ("defaults", "vars"):
        names.update(_load(os.path.join(root, "roles", role, folder, "main.yml")) or {})
    return names


def tasks_in(node):
    """Every task of a task list or play list, the blocks and the blocks' tasks included (not the files it
    includes)."""
    if isinstance(node, list):
        for item in node:
            yield from tasks_in(item)
    elif isinstance(node, Mapping):
        yield node
        for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
            yield from tasks_in(node.get(key))


def _set_in(node, names):
    """Collect the names a task list (blocks included) registers or sets as facts."""
    for task in tasks_in(node):
        if isinstance(task.get("register"), str):
            names.add(task["register"])
        for action in SET_FACT_ACTIONS:
            if isinstance(task.get(action), Mapping):
                names.update(key for key in task[action] if key != "cacheable")


def runtime_variables(root=COLLECTION_ROOT):
    """The names the collection's roles and playbooks register or set as facts."""
    names = set()
    paths = glob.glob(os.path.join(root, "roles", "*", "tasks", "*.yml"))
    paths += glob.glob(os.path.join(root, "roles", "*", "handlers", "*.yml"))
    paths += [*glob.glob(os.path.join(root, "playbooks", "*.yml")), os.path.join(root, "site.yml")]
    for path in sorted(paths):
        _set_in(_load(path), names)
    return names


def known_variables(role, root=COLLECTION_ROOT):
    """Every name with the role's prefix or deployment_ that the collection defines or sets."""
    known = role_variables(role, root) | runtime_variables(root) | INVENTORY_VARIABLES
    for other in ROLES:
        known.update(name for name in role_variables(other, root) if name.startswith(INVENTORY_PREFIX))
    return known


def unknown_variable_messages(names, role, host=None, root=COLLECTION_ROOT):
    """One message per name of `names` that carries the prefix of `role` (or deployment_) and that nothing of the
    collection defines, each with the closest known name; [] when there is none."""
    if role not in ROLES:
        return ["unknown_variables: %r is not a role of the collection (%s)" % (str(role), ", ".join(ROLES))]
    prefixes = (role + "_", INVENTORY_PREFIX)
    known = known_variables(role, root)
    where = " (host %s)" % host if host else ""
    messages = []
    for name in sorted(str(name) for name in names):
        if not name.startswith(prefixes) or name in known:
            continue
        prefix = prefixes[0] if name.startswith(prefixes[0]) else INVENTORY_PREFIX
        candidates = sorted(n for n in known if n.startswith(prefix))
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        if prefix == INVENTORY_PREFIX:
            owner = "no inventory-level variable of the collection has this name"
        else:
            owner = (
                "the lakehouse.databricks_aws.%s role has no such variable (roles/%s/meta/argument_specs.yml "
                "lists them)" % (role, role)
            )
        hint = ("did you mean %s?" % close[0]) if close else "no known name is close to it"
        messages.append("%s%s: %s, so its value is ignored; %s" % (name, where, owner, hint))
    return messages


def unknown_variables(variables, role, host=None, warn=False):
    """The filter: `variables` is a host's variables (hostvars[inventory_hostname]; only the names are read) or a
    list of names. With warn=true each message is also shown as a warning."""
    if isinstance(variables, Mapping):
        names = list(variables.keys())
    elif isinstance(variables, (list, tuple, set)):
        names = list(variables)
    else:
        return [
            "unknown_variables: expected a host's variables (hostvars[inventory_hostname]), got %s"
            % v.type_name(variables)
        ]
    messages = unknown_variable_messages(names, str(role), host=None if host is None else str(host))
    if warn and messages:
        from ansible.utils.display import Display

        display = Display()
        for message in messages:
            display.warning("%s (set %s: true to fail instead)" % (message, STRICT_SWITCH))
    return messages


CLASS_WORDS = {
    "NoneType": "null",
    "bool": "a boolean",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "dict": "a dictionary",
    "list": "a list",
    "tuple": "a list",
}
SPEC_ENTRY_POINTS = ("validate", "main")
# Inventory-level variables that no role's argument specs declare (the roles take them through defaults of their own).
INVENTORY_SPEC = {"deployment_environment": {"type": "dict"}}
# Inventory-level variables every role needs and has no default for: without them the roles' defaults fail to render.
INVENTORY_REQUIRED = {
    "aws_region": "the AWS region of the deployment, such as eu-west-1",
    "deployment_prefix": "the prefix of every resource name",
}


def _spec_entry_options(role, root=COLLECTION_ROOT):
    specs = (_load(os.path.join(root, "roles", role, "meta", "argument_specs.yml")) or {}).get("argument_specs") or {}
    for entry_point in SPEC_ENTRY_POINTS:
        if (specs.get(entry_point) or {}).get("options"):
            return specs[entry_point]["options"]
    return {}


def _given(variables, name):
    """(True, the value as plain data) when the host's variables set name and its value renders; (False, None)
    otherwise (a value that needs the role's own defaults is left to the role's argument-spec validation)."""
    try:
        if name not in variables:
            return False, None
        return True, v.plain(variables[name])
    except AnsibleError:  # an undefined or failing template: the role's own validation reports it
        return False, None


def argument_spec_errors(variables, roles=None, root=COLLECTION_ROOT):
    """The messages of ansible's argument-spec validation (the roles' validate entry points) for the variables the
    host sets (inventory, -e), run on their values as plain data: the same rules and words as the validation that
    runs when a role is included, without Ansible's internal type names such as _AnsibleTaggedList."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    if not isinstance(variables, Mapping):
        return [
            "argument_spec_errors: expected a host's variables (hostvars[inventory_hostname]), got %s"
            % v.type_name(variables)
        ]
    messages = [
        "%s: is required (%s); set it in the inventory" % (name, what)
        for name, what in sorted(INVENTORY_REQUIRED.items())
        if name not in variables
    ]
    for role in [None, *(roles or ROLES)]:
        spec, given = {}, {}
        options = INVENTORY_SPEC if role is None else _spec_entry_options(role, root)
        for name, option in options.items():
            found, value = _given(variables, name)
            if found:
                spec[name] = dict(
                    (key, item)
                    for key, item in (option or {}).items()
                    if key not in ("required", "default", "description")
                )
                given[name] = value
        if not spec:
            continue
        for error in ArgumentSpecValidator(spec).validate(given).error_messages:
            message = str(error)
            for kind, words in CLASS_WORDS.items():  # the values are plain data: only Python's own types appear
                message = message.replace("<class '%s'>" % kind, words)
            if message not in messages:
                messages.append(message)
    return messages
