"""The workspace URL of a deployment name (plugin_utils/databricks_workspace.py, filter databricks_workspace_url)."""

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.databricks_workspace import (
    databricks_workspace_url,
)


def test_the_cloud_url_by_default():
    assert databricks_workspace_url("dbc-1234") == "https://dbc-1234.cloud.databricks.com"
    assert databricks_workspace_url("dbc-1234", {}) == "https://dbc-1234.cloud.databricks.com"


def test_an_override_wins_without_its_trailing_slash():
    overrides = {"dbc-1234": "http://127.0.0.1:4581/", "other": "http://127.0.0.1:4582"}
    assert databricks_workspace_url("dbc-1234", overrides) == "http://127.0.0.1:4581"


def test_an_empty_override_is_ignored():
    assert databricks_workspace_url("dbc-1234", {"dbc-1234": ""}) == "https://dbc-1234.cloud.databricks.com"
