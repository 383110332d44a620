"""The preflight checks against the live services: account credentials, the deployed workspace, given keys, the
cluster's node type."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.databricks_live_preflight import (
    databricks_account_check_errors,
    databricks_management_live_errors,
    databricks_provisioning_live_errors,
)

HOST = "https://accounts.example.com"
ACCOUNT = "0d2a9b6e-1c3f-4e5a-8b7c-9d0e1f2a3b4c"
INPUTS = {"account_host": HOST + "/", "account_id": ACCOUNT, "client_id": "sp-1"}
WORKSPACE = {"workspace_id": 11, "workspace_name": "lh-workspace", "aws_region": "eu-west-1",
             "deployment_name": "lh-sandbox", "pricing_tier": "ENTERPRISE"}
WANTED = {"aws_region": "eu-west-1", "databricks_provisioning_deployment_name": "",
          "databricks_provisioning_pricing_tier": "ENTERPRISE"}
ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234"


@pytest.mark.parametrize("kind, expected", [
    ("unreachable", "databricks_management_account_host: https://accounts.example.com is unreachable (refused)"),
    ("authentication", "databricks_management_client_secret: authentication to https://accounts.example.com failed "
                       "(refused); check databricks_management_client_id, databricks_management_client_secret and "
                       "that the service principal belongs to the account databricks_management_account_id (%s)"
                       % ACCOUNT),
    ("permission", "databricks_management_client_id: the service principal sp-1 is not an account admin of "
                   "databricks_management_account_id %s (refused)" % ACCOUNT),
    ("account", "databricks_management_account_id: %s is not an account at https://accounts.example.com (refused)"
                % ACCOUNT),
    ("surprise", "databricks_management_account_host: the check of the account API failed - boom"),
])
def test_account_check_names_the_variable_to_fix(kind, expected):
    result = {"authenticated": False, "error_kind": kind, "reason": "refused", "msg": "boom"}
    assert databricks_account_check_errors(result, "databricks_management", INPUTS) == [expected]


def test_a_proved_or_skipped_account_check_has_no_error():
    assert databricks_account_check_errors({"authenticated": True}, "databricks_provisioning", INPUTS) == []
    assert databricks_account_check_errors({"skipped": True}, "databricks_management", INPUTS) == []


def test_no_workspace_yet_or_the_same_one_passes():
    assert databricks_provisioning_live_errors({"workspaces": []}, WANTED) == []
    assert databricks_provisioning_live_errors({"workspaces": [WORKSPACE]}, WANTED) == []
    assert databricks_provisioning_live_errors({"workspaces": [WORKSPACE]},
                                               dict(WANTED, databricks_provisioning_deployment_name="lh-sandbox")) == []


def test_what_databricks_cannot_change_is_refused():
    wanted = {"aws_region": "eu-west-2", "databricks_provisioning_deployment_name": "lh-other",
              "databricks_provisioning_pricing_tier": "PREMIUM"}
    errors = databricks_provisioning_live_errors({"workspaces": [WORKSPACE]}, wanted)
    assert [error.split(":")[0] for error in errors] == ["aws_region", "databricks_provisioning_deployment_name",
                                                         "databricks_provisioning_pricing_tier"]
    assert errors[0].startswith("aws_region: eu-west-2 differs from eu-west-1, the region of the deployed workspace "
                                "lh-workspace (11); a workspace cannot move to another region, so this run would "
                                "build the AWS estate again in eu-west-2 and then fail at the workspace; keep "
                                "eu-west-1, or to replace the workspace deliberately, run playbooks/destroy.yml")


def test_keys_given_by_arn_must_exist_be_enabled_and_symmetric():
    def read(key=None, **extra):
        return dict({"item": {"variable": "databricks_provisioning_storage_key_arn", "arn": ARN},
                     "kms_keys": [key] if key else []}, **extra)

    usable = {"key_state": "Enabled", "key_usage": "ENCRYPT_DECRYPT", "key_spec": "SYMMETRIC_DEFAULT"}
    assert databricks_provisioning_live_errors({"workspaces": []}, WANTED, [read(usable)]) == []
    assert databricks_provisioning_live_errors({"workspaces": []}, WANTED, [read()]) == [
        "databricks_provisioning_storage_key_arn: the key %s cannot be read (no such key); Databricks needs an "
        "existing key the workspace can use" % ARN]
    assert databricks_provisioning_live_errors({"workspaces": []}, WANTED, [read(dict(
        usable, key_state="PendingDeletion"))]) == [
        "databricks_provisioning_storage_key_arn: the key %s is PendingDeletion; Databricks needs an enabled key"
        % ARN]
    assert "needs a symmetric encryption key" in databricks_provisioning_live_errors(
        {"workspaces": []}, WANTED, [read(dict(usable, key_spec="RSA_2048"))])[0]


def test_wrong_inputs_are_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        databricks_provisioning_live_errors({"workspaces": []}, None)


def test_a_node_type_ec2_does_not_offer_is_refused():
    assert databricks_management_live_errors({"skipped": True}, {"aws_region": "eu-west-1"}) == []
    assert databricks_management_live_errors({"offered": {"i3.xlarge": ["eu-west-1"]}, "not_offered": []},
                                             {"aws_region": "eu-west-1"}) == []
    errors = databricks_management_live_errors({"offered": {}, "not_offered": ["i3.xlarg"]},
                                               {"aws_region": "eu-west-1"})
    assert errors[0].startswith("databricks_management_cluster_node_type_id: i3.xlarg is not an instance type EC2 "
                                "offers in aws_region eu-west-1")
