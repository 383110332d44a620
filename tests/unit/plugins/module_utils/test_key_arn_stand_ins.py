"""In check mode storage_encryption gives the alias ARN of a key it has still to create: the Databricks roles'
preflights accept it there, and only there (check_key_arn, provisioning and management preflights)."""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_management_validation import (
    management_input_errors,
)

from tests.unit.plugins.module_utils.test_databricks_management_validation import VALID as MANAGEMENT
from tests.unit.plugins.module_utils.test_provisioning_preflight import GOOD as PROVISIONING

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab"
STAND_IN = "arn:aws:kms:eu-west-1:123456789012:alias/lh-sandbox-datalake"
OTHER_ALIAS = "arn:aws:kms:eu-west-1:123456789012:alias/someone-elses"


def test_a_key_arn_passes_in_both_modes_and_empty_is_optional():
    for check_mode in (False, True):
        assert v.check_key_arn("k", KEY, check_mode, [STAND_IN]) == []
        assert v.check_key_arn("k", "", check_mode, [STAND_IN]) == []


def test_the_stand_in_passes_in_check_mode_only():
    assert v.check_key_arn("k", STAND_IN, True, [STAND_IN]) == []
    assert v.check_key_arn("k", STAND_IN, False, [STAND_IN]) == ["k: '%s' is not a KMS key ARN" % STAND_IN]


def test_an_alias_arn_that_is_not_this_runs_stand_in_is_refused_in_check_mode_too():
    assert v.check_key_arn("k", OTHER_ALIAS, True, [STAND_IN]) == ["k: '%s' is not a KMS key ARN" % OTHER_ALIAS]
    assert v.check_key_arn("k", STAND_IN, True, []) != []
    assert v.check_key_arn("k", STAND_IN, "true", [STAND_IN]) != []  # only a real boolean True is check mode


def test_the_provisioning_preflight_takes_check_mode_and_the_stand_ins_from_its_inputs():
    planned = dict(
        PROVISIONING,
        databricks_provisioning_storage_key_arn=STAND_IN,
        databricks_provisioning_managed_services_key_arn=STAND_IN,
    )
    assert v.provisioning_input_errors(dict(planned, check_mode=True, key_arn_stand_ins=[STAND_IN])) == []
    refused = v.provisioning_input_errors(dict(planned, check_mode=False, key_arn_stand_ins=[STAND_IN]))
    assert [e.split(":")[0] for e in refused] == [
        "databricks_provisioning_storage_key_arn",
        "databricks_provisioning_managed_services_key_arn",
    ]


def test_the_management_preflight_takes_check_mode_and_the_stand_ins_from_its_inputs():
    planned = dict(MANAGEMENT, databricks_management_datalake_key_arn=STAND_IN)
    assert management_input_errors(dict(planned, check_mode=True, key_arn_stand_ins=[STAND_IN])) == []
    refused = management_input_errors(dict(planned, check_mode=False, key_arn_stand_ins=[STAND_IN]))
    assert [e.split(":")[0] for e in refused] == ["databricks_management_datalake_key_arn"]
