"""Versions stated in the plugin docs agree with galaxy.yml (no plugin added in a release after this one)."""

import ast
import glob
import os

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _version(text):
    return tuple(int(part) for part in str(text).split("."))


def _galaxy_version():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        return _version(yaml.safe_load(handle)["version"])


def _module_docs():
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))):
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
                yield os.path.basename(path), yaml.safe_load(node.value.value)


def _filter_docs():
    for path in sorted(glob.glob(os.path.join(REPO, "plugins", "filter", "*.yml"))):
        with open(path) as handle:
            yield os.path.basename(path), yaml.safe_load(handle)["DOCUMENTATION"]


def test_the_modules_report_the_collections_version():
    from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _collection

    assert _version(_collection.COLLECTION_VERSION) == _galaxy_version()


def test_every_plugin_states_a_version_added_no_later_than_the_collection():
    galaxy = _galaxy_version()
    docs = list(_module_docs()) + list(_filter_docs())
    assert len(docs) > 30
    for name, doc in docs:
        assert "version_added" in doc, name
        assert _version(doc["version_added"]) <= galaxy, (name, doc["version_added"])
