# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The callback preload_plugins: the collection's filters, tests and plugin_utils imported once, in the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: preload_plugins
type: aggregate
short_description: Import this collection's filter plugins and plugin_utils once a run, before the first task
version_added: 0.1.0
description:
  - At the start of a playbook, imports every filter plugin of C(lakehouse.databricks_aws) and the
    C(plugin_utils) they use, in the controller's main process. It changes no result and prints only at C(-vvv).
  - "Why: Ansible runs each task in a worker process it forks from the main process. A worker that renders one of
    these filters imports it, and ansible-core's collection loader compiles a collection's Python source at each
    import (it keeps no bytecode). Imported once before the first fork, they are in every worker already;
    otherwise each task that uses one compiles it and the plugin_utils it imports again (docs/performance.md,
    lever 18)."
  - A plugin that fails to import is left alone here; the task that uses it reports the error, as without this
    callback.
requirements:
  - Enabled in C(ansible.cfg) (C(callbacks_enabled = lakehouse.databricks_aws.preload_plugins)).
"""

import importlib
import os
import pkgutil

from ansible.plugins.callback import CallbackBase

COLLECTION = "ansible_collections.lakehouse.databricks_aws.plugins"
PACKAGES = ("plugin_utils", "filter")  # the controller-side code the roles' templates run


def preload(packages=PACKAGES):
    """Import every module of the collection's packages; returns (imported, failed) module names."""
    imported, failed = [], []
    plugins_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in packages:
        folder = os.path.join(plugins_dir, package)
        if not os.path.isdir(folder):
            continue
        for module in sorted(info.name for info in pkgutil.iter_modules([folder])):
            name = "%s.%s.%s" % (COLLECTION, package, module)
            try:
                importlib.import_module(name)
            except Exception:  # pylint: disable=broad-except  # the task that uses it reports the error
                failed.append(name)
            else:
                imported.append(name)
    return imported, failed


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "lakehouse.databricks_aws.preload_plugins"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        imported, failed = preload()
        self._display.vvv("preload_plugins: imported %d modules of the collection%s"
                          % (len(imported), (", not %s" % ", ".join(failed)) if failed else ""))
