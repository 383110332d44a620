"""databricks_account_storage_configuration against the fake account API."""

from ansible_collections.lakehouse.databricks_aws.plugins.modules import (
    databricks_account_storage_configuration as account_storage_configuration,
)


def test_storage_configuration(run_account_module, fake_databricks):
    args = dict(name="x-storage", bucket_name="x-rootbucket")
    first = run_account_module(account_storage_configuration.main, args, fake_databricks)
    assert first["changed"] and first["storage_configuration"]["root_bucket_info"]["bucket_name"] == "x-rootbucket"
    assert not run_account_module(account_storage_configuration.main, args, fake_databricks)["changed"]
