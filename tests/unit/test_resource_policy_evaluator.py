"""The sandbox's IAM policy evaluator (sandbox/databricks_emulator/aws/iam_policy.py): identity policies as before,
and resource policies (VPC endpoint policies) with Principal / NotPrincipal, account roots, role sessions, policy
variables and explicit denies."""

import pytest

from sandbox.databricks_emulator.aws import iam_policy

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lh-data-read-role"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/lh-data-read-role/i-0123456789abcdef0"
OTHER_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/lh-data-read-role/i-0123456789abcdef0"


def allow(principal, action="s3:GetObject", resource="arn:aws:s3:::bucket/*", **extra):
    return dict({"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}, **extra)


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize("principal, caller, expected", [
    ("*", OTHER_SESSION, True),
    ({"AWS": "*"}, OTHER_SESSION, True),
    ({"AWS": ACCOUNT}, SESSION, True),
    ({"AWS": ACCOUNT}, OTHER_SESSION, False),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, SESSION, True),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:iam::{ACCOUNT}:user/alice", True),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, OTHER_SESSION, False),
    ({"AWS": ROLE}, ROLE, True),
    ({"AWS": ROLE}, SESSION, True),  # a session of the role is the role
    ({"AWS": ROLE}, f"arn:aws:sts::{ACCOUNT}:assumed-role/lh-data-write-role/i-1", False),
    ({"AWS": ROLE}, OTHER_SESSION, False),
    ({"AWS": [f"arn:aws:iam::{OTHER}:root", ROLE]}, SESSION, True),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, f"arn:aws:iam::{ACCOUNT}:user/bob", False),
    ({"Service": "ec2.amazonaws.com"}, "ec2.amazonaws.com", True),
    ({"Service": "ec2.amazonaws.com"}, SESSION, False),
])
def test_principal_element(principal, caller, expected):
    assert iam_policy.endpoint_policy_allows(policy(allow(principal)), caller, "s3:GetObject",
                                             "arn:aws:s3:::bucket/key") is expected


def test_not_principal_applies_to_everyone_else():
    document = policy(allow("*"), {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                   "Action": "s3:*", "Resource": "*"})
    assert iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::bucket/key")
    assert iam_policy.resource_policy_decision([document], OTHER_SESSION, "s3:GetObject",
                                               "arn:aws:s3:::bucket/key") == "Deny"


def test_an_explicit_deny_wins_and_no_statement_is_an_implicit_deny():
    document = policy(allow("*", action="s3:*", resource="*"),
                      {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"})
    assert iam_policy.resource_policy_decision([document], SESSION, "s3:PutObject", "arn:aws:s3:::b/k") == "Deny"
    assert iam_policy.resource_policy_decision([document], SESSION, "s3:GetObject", "arn:aws:s3:::b/k") == "Allow"
    assert iam_policy.resource_policy_decision([policy()], SESSION, "s3:GetObject", "arn:aws:s3:::b/k") is None
    assert not iam_policy.endpoint_policy_allows(policy(), SESSION, "s3:GetObject", "arn:aws:s3:::b/k")


def test_a_resource_policy_statement_without_principal_names_no_one():
    document = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert not iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::b/k")


def test_the_principal_fills_in_its_account_and_arn():
    document = policy(allow("*", Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}),
                      allow("*", action="s3:PutObject", Condition={"ArnLike": {"aws:PrincipalArn": ROLE + "*"}}))
    assert iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k")
    assert not iam_policy.endpoint_policy_allows(document, OTHER_SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k")
    assert iam_policy.endpoint_policy_allows(document, ROLE, "s3:PutObject", "arn:aws:s3:::bucket/k")


def test_policy_variables_take_their_values_from_the_request():
    # The shape that lets any account reach its own buckets: the resource's account equals the caller's.
    document = policy(allow("*", action="s3:*", resource="*",
                            Condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}))
    assert iam_policy.endpoint_policy_allows(document, SESSION, "s3:PutObject", "arn:aws:s3:::mine/k",
                                             {"aws:ResourceAccount": ACCOUNT})
    assert iam_policy.endpoint_policy_allows(document, OTHER_SESSION, "s3:PutObject", "arn:aws:s3:::theirs/k",
                                             {"aws:ResourceAccount": OTHER})
    assert not iam_policy.endpoint_policy_allows(document, SESSION, "s3:PutObject", "arn:aws:s3:::theirs/k",
                                                 {"aws:ResourceAccount": OTHER})
    in_resource = policy(allow("*", resource="arn:aws:s3:::home-${aws:PrincipalAccount}/*"))
    assert iam_policy.endpoint_policy_allows(in_resource, SESSION, "s3:GetObject", f"arn:aws:s3:::home-{ACCOUNT}/k")
    assert not iam_policy.endpoint_policy_allows(in_resource, SESSION, "s3:GetObject", f"arn:aws:s3:::home-{OTHER}/k")


def test_a_variable_the_request_lacks_matches_nothing():
    document = policy(allow("*", Condition={"StringEquals": {"aws:ResourceAccount": "${aws:SourceVpce}"}}))
    assert not iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::b/k",
                                                 {"aws:ResourceAccount": ACCOUNT})


def test_condition_keys_ignore_case_and_a_missing_key_fails_the_condition():
    document = policy(allow("*", Condition={"StringEquals": {"AWS:ResourceAccount": ACCOUNT}}))
    assert iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k",
                                             {"aws:resourceaccount": ACCOUNT})
    assert not iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k")


def test_unknown_operators_never_grant():
    document = policy(allow("*", Condition={"NumericLessThan": {"s3:max-keys": "10"}}))
    assert not iam_policy.endpoint_policy_allows(document, SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k",
                                                 {"s3:max-keys": "5"})
    assert iam_policy.endpoint_policy_allows(policy(allow("*")), SESSION, "s3:GetObject", "arn:aws:s3:::bucket/k")


def test_identity_policies_keep_their_api():
    documents = [{"Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ROLE,
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/Vendor": "Databricks"}}},
        {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestTag/Vendor": "Databricks"}}}]}]
    assert iam_policy.is_allowed(documents, "iam:PassRole", ROLE, {"iam:PassedToService": "ec2.amazonaws.com"})
    assert not iam_policy.is_allowed(documents, "iam:PassRole", ROLE, {"iam:PassedToService": "lambda.amazonaws.com"})
    assert iam_policy.is_allowed(documents, "ec2:RunInstances", "arn:aws:ec2:eu-west-1:1:instance/*",
                                 {"aws:RequestTag/Vendor": "Databricks"})
    assert not iam_policy.is_allowed(documents, "ec2:RunInstances", "arn:aws:ec2:eu-west-1:1:instance/*",
                                     {"aws:RequestTag/Vendor": "Someone"})


@pytest.mark.parametrize("principal, account", [
    (SESSION, ACCOUNT), (ROLE, ACCOUNT), (f"arn:aws:iam::{OTHER}:root", OTHER), ("ec2.amazonaws.com", None),
    ("arn:aws:s3:::bucket", None)])
def test_principal_account(principal, account):
    assert iam_policy.principal_account(principal) == account


def test_arn_negations():
    documents = [{"Statement": [{"Effect": "Allow", "Action": "ec2:AuthorizeSecurityGroupIngress", "Resource": "*",
                                 "Condition": {"ArnNotEquals": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-other"}}},
                                {"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
                                 "Condition": {"ArnNotLike": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-*"}}}]}]
    mine = {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-mine"}
    assert iam_policy.is_allowed(documents, "ec2:AuthorizeSecurityGroupIngress", "sg", mine)
    assert not iam_policy.is_allowed(documents, "ec2:AuthorizeSecurityGroupIngress", "sg",
                                     {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-other"})
    assert not iam_policy.is_allowed(documents, "ec2:AuthorizeSecurityGroupIngress", "sg",
                                     {"ec2:Vpc": "arn:aws:ec2:eu-west-1:1:subnet/x"})
