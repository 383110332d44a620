"""_aws: the retrying client and the comparisons the drift filters share (the botocore loader it shares:
test_interpreter_patches.py)."""

from unittest import mock

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _aws


def test_tags_differ_as_amazon_aws_purges_them():
    assert not _aws.tags_differ({"a": "1"}, {"a": 1})  # AWS stores strings
    assert _aws.tags_differ({"a": "1", "b": "2"}, {"a": "1"})  # purge_tags: an extra tag goes
    assert _aws.tags_differ({}, {"a": "1"})
    assert not _aws.tags_differ({"a": "1"}, None)  # unmanaged
    assert _aws.tags_differ(None, {})  # unreadable: the module writes them


def test_policies_differ_only_between_two_dicts():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    reordered = {"Statement": [{"Resource": "*", "Action": ["s3:GetObject"], "Effect": "Allow"}],
                 "Version": "2012-10-17"}
    assert not _aws.policies_differ(policy, reordered)
    assert _aws.policies_differ(policy, dict(policy, Version="2008-10-17"))
    assert _aws.policies_differ(None, policy) and _aws.policies_differ(policy, None)
    assert not _aws.policies_differ({"Statement": policy["Statement"]}, dict(policy, Version="2008-10-17"))


def test_parse_policy_reads_json_and_passes_dicts():
    policy = {"Statement": []}
    assert _aws.parse_policy(policy) is policy and _aws.parse_policy(None) is None
    assert _aws.parse_policy('{"Statement": []}') == policy
    with pytest.raises(ValueError):
        _aws.parse_policy("{not json")


def test_the_endpoint_module_compares_policies_with_the_one_comparison():
    from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _aws_ec2
    from ansible_collections.lakehouse.databricks_aws.plugins.modules import ec2_vpc_endpoint

    assert ec2_vpc_endpoint.policies_differ is _aws.policies_differ
    assert not [name for name in vars(_aws_ec2) if "polic" in name]


def test_plain_tags_and_alias_names():
    assert _aws.plain_tags({"n": 1, "b": True}) == {"n": "1", "b": "True"}
    assert _aws.plain_tags(None) == {}
    assert _aws.kms_alias_name("lh-datalake") == _aws.kms_alias_name("alias/lh-datalake") == "alias/lh-datalake"


def test_retrying_client_passes_the_service_and_a_retry_decorator():
    module = mock.Mock()
    _aws.retrying_client(module, "kms", ["ThrottlingException"])
    (service,), kwargs = module.client.call_args
    assert service == "kms" and callable(kwargs["retry_decorator"])
