# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""State that lasts as long as the interpreter the modules run in, not as long as one module.

mitogen pops this collection's module_utils from sys.modules after every task, so a module global would start
empty at each task. A ``sys.modules`` entry of a name of its own is left alone (mitogen removes only what its
importer loaded), so the state is kept there. A new process per task (the ``linear`` strategy) starts with none.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys
import threading
import types


def interpreter_store(name, description, initial):
    """The interpreter's store called ``name``: a module object with a ``lock`` and the attributes ``initial()``
    returns (a dict), made on first use. Two threads that make it at once get the same one."""
    store = sys.modules.get(name)
    if store is None or not getattr(store, "lakehouse_store", False):
        store = types.ModuleType(name, description)
        store.lock = threading.Lock()
        for attribute, value in initial().items():
            setattr(store, attribute, value)
        store.lakehouse_store = True
        store = sys.modules.setdefault(name, store)
    return store
