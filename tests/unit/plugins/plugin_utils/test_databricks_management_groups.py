"""The role databricks_management's groups as databricks_group's groups option takes them."""

from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.databricks_management_groups import (
    databricks_management_group_entries as entries,
)

GROUPS = [{"name": "Read only", "instance_profile": "data_read"},
          {"name": "All access", "instance_profile": "data_write", "entitlements": ["allow-cluster-create"]}]


def test_names_and_entitlements_only_none_set_is_none_granted():
    assert entries(GROUPS) == [{"display_name": "Read only", "entitlements": []},
                               {"display_name": "All access", "entitlements": ["allow-cluster-create"]}]
    assert entries(None) == []
    assert entries(GROUPS, entitlements=False) == [{"display_name": "Read only"}, {"display_name": "All access"}]


def test_with_the_instance_profiles_each_group_gets_its_own():
    arns = {"data_read": "arn:aws:iam::1:instance-profile/read", "data_write": "arn:aws:iam::1:instance-profile/write"}
    assert [(e["display_name"], e["roles"]) for e in entries(GROUPS, arns)] == [
        ("Read only", ["arn:aws:iam::1:instance-profile/read"]),
        ("All access", ["arn:aws:iam::1:instance-profile/write"])]
