"""preload_plugins: the collection's filters and plugin_utils are imported in the controller before the first task,
so the worker processes forked for the tasks do not compile them again."""

import importlib
import pathlib
import sys

from ansible_collections.lakehouse.databricks_aws.plugins.callback import preload_plugins

PLUGINS = pathlib.Path(preload_plugins.__file__).resolve().parents[1]


def expected(package):
    return sorted("%s.%s.%s" % (preload_plugins.COLLECTION, package, path.stem)
                  for path in (PLUGINS / package).glob("*.py") if path.name != "__init__.py")


def test_every_filter_plugin_and_plugin_util_is_imported():
    imported, failed = preload_plugins.preload()
    assert failed == []
    assert sorted(imported) == sorted(expected("filter") + expected("plugin_utils"))
    assert len(expected("filter")) > 20  # the glob found the collection's filters
    assert all(name in sys.modules for name in imported)


def test_a_plugin_that_fails_to_import_is_left_to_the_task_that_uses_it(monkeypatch):
    broken = expected("filter")[0]
    real_import = importlib.import_module

    def import_module(name, *args):
        if name == broken:
            raise ImportError("no module named something_missing")
        return real_import(name, *args)

    monkeypatch.setattr(preload_plugins.importlib, "import_module", import_module)
    imported, failed = preload_plugins.preload()
    assert failed == [broken]
    assert broken not in imported and len(imported) == len(expected("filter")) + len(expected("plugin_utils")) - 1
