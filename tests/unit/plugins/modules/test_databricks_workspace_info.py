"""databricks_workspace_info against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_workspace_info as workspace_info


def test_workspace_info_filters_by_name(run_account_module, fake_databricks):
    fake_databricks.add_ws(workspace_name="a", deployment_name="dbc-a")
    fake_databricks.add_ws(workspace_name="b", deployment_name="dbc-b")
    result = run_account_module(workspace_info.main, dict(name="b"), fake_databricks, check_mode=True)
    assert not result["changed"]
    assert [(w["workspace_name"], w["workspace_url"]) for w in result["workspaces"]] == \
        [("b", "https://dbc-b.cloud.databricks.com")]
