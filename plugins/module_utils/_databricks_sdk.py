# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import databricks-sdk's core without its typed service APIs.

``databricks/sdk/__init__.py`` imports every service module (jobs, catalog, ml, ... - some 60)
to build ``WorkspaceClient``/``AccountClient``: 0.6 s of the 0.8 s an ``import databricks.sdk``
takes. The modules use only ``core`` (``Config``, ``ApiClient``), ``errors`` and ``oauth``. That
0.6 s is paid once per interpreter: once per host per run under mitogen, once per Databricks task
under the linear strategy.

``defer_package_init()`` registers the package from its spec without running its ``__init__``, so
its submodules import on their own. The package gets a module ``__getattr__`` that runs the real
``__init__`` the first time anything asks for a name only ``__init__`` defines
(``WorkspaceClient``, ``AccountClient``, ...): other code in the same interpreter still finds the
whole package. Nothing happens when the package is already imported or not installed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import sys

PACKAGE = "databricks.sdk"


def _is_submodule(name):
    """True when name is a module or package inside package's folder (the import system loads those)."""
    try:
        return importlib.util.find_spec(PACKAGE + "." + name) is not None
    except (ImportError, ValueError):
        return False


def defer_package_init():
    """Make ``databricks.sdk`` importable without running its ``__init__`` until a name of it is used."""
    if PACKAGE in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except ImportError:  # no `databricks` namespace: the import that follows reports it
        return
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)

    def complete_package(name):
        # Asked by the import system for a submodule it is about to load (``from . import oauth``
        # probes with hasattr first): not a package name, let it import the submodule.
        if name.startswith("__") or _is_submodule(name):
            raise AttributeError(name)
        del package.__dict__["__getattr__"]
        spec.loader.exec_module(package)
        if name not in package.__dict__:
            raise AttributeError("module %r has no attribute %r" % (PACKAGE, name))
        return package.__dict__[name]

    package.__getattr__ = complete_package
    sys.modules[PACKAGE] = package
    parent = sys.modules.get("databricks")
    if parent is not None:
        parent.sdk = package
