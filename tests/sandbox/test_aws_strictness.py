"""The sandbox's moto refuses, as AWS does, what moto alone accepts (sandbox/aws_strictness.py): each test starts
from the real launcher's moto and shows AWS's refusal through boto3, and that the valid form still passes."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES
from tests.sandbox_harness import Sandbox

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
REGION = "eu-west-1"
EC2_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    sandbox = Sandbox(tmp_path_factory.mktemp("strict"), services="aws").up()
    try:
        yield sandbox
    finally:
        sandbox.down()


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def refused(call, code, message=None):
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message, error
    return error


def allow(principal, action, sid=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"}
    return dict(statement, Sid=sid) if sid else statement


# --- 1. KMS key-policy lockout safety check --------------------------------------------------------------------
def test_kms_refuses_a_key_policy_that_locks_the_caller_out(box):
    kms = box.aws_client("kms", REGION)
    lockout = "The new key policy will not allow you to update the key policy in the future."
    use_only = json.dumps({"Version": "2012-10-17", "Statement": [allow(ROOT, ["kms:Encrypt", "kms:Decrypt"])]})
    refused(lambda: kms.create_key(Policy=use_only), "MalformedPolicyDocumentException", lockout)
    # The bypass flag skips the check, as in AWS.
    bypassed = kms.create_key(Policy=use_only, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]

    # The account root (ARN or bare id) or the caller itself, directly or through a wildcard, keeps the key manageable.
    caller = box.aws_client("sts", REGION).get_caller_identity()["Arn"]
    for principal, action in ((ROOT, "kms:*"), (ACCOUNT, "kms:Put*"), (caller, "kms:PutKeyPolicy"),
                              (caller.replace(":sts::", ":iam::"), "*")):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [allow(principal, action)]})
        key_id = kms.create_key(Policy=policy)["KeyMetadata"]["KeyId"]
        refused(lambda key_id=key_id: kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=use_only),
                "MalformedPolicyDocumentException", lockout)
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
    # An unconditional Deny of PutKeyPolicy to the caller locks it out too.
    denied = json.dumps({"Version": "2012-10-17", "Statement": [
        allow(ROOT, "kms:*"), {"Effect": "Deny", "Principal": {"AWS": ROOT}, "Action": "kms:PutKeyPolicy",
                               "Resource": "*"}]})
    refused(lambda: kms.create_key(Policy=denied), "MalformedPolicyDocumentException", lockout)
    kms.put_key_policy(KeyId=bypassed, PolicyName="default", Policy=use_only, BypassPolicyLockoutSafetyCheck=True)


# --- 2. IAM policy limits and grammar ---------------------------------------------------------------------------
def test_iam_refuses_policies_over_the_size_quotas(box):
    iam = box.aws_client("iam")
    role = name("size")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))

    def identity(count):  # one statement of ~count characters, whitespace not counted
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{'b' * count}/*"}]}

    # Inline policies: 10,240 characters for all of a role's inline policies together.
    half = json.dumps(identity(5000), indent=8)  # over 10,240 with whitespace, under without
    iam.put_role_policy(RoleName=role, PolicyName="one", PolicyDocument=half)
    iam.put_role_policy(RoleName=role, PolicyName="one", PolicyDocument=half)  # replacing is not adding
    refused(lambda: iam.put_role_policy(RoleName=role, PolicyName="two", PolicyDocument=json.dumps(identity(5300))),
            "LimitExceeded", f"Maximum policy size of 10240 bytes exceeded for role {role}")
    iam.put_role_policy(RoleName=role, PolicyName="two", PolicyDocument=json.dumps(identity(5000)))

    # Managed policies: 6,144.
    refused(lambda: iam.create_policy(PolicyName=name("big"), PolicyDocument=json.dumps(identity(6100))),
            "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    arn = iam.create_policy(PolicyName=name("ok"), PolicyDocument=json.dumps(identity(6000)))["Policy"]["Arn"]
    refused(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(identity(6100))),
            "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")

    # Trust policies: 2,048 (the default ACLSizePerRole quota).
    big_trust = dict(EC2_TRUST, Statement=[dict(EC2_TRUST["Statement"][0], Condition={
        "StringEquals": {"sts:ExternalId": "x" * 2048}})])
    refused(lambda: iam.create_role(RoleName=name("trust"), AssumeRolePolicyDocument=json.dumps(big_trust)),
            "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
    refused(lambda: iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(big_trust)),
            "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")


def test_iam_refuses_policies_against_the_grammar(box):
    iam = box.aws_client("iam")
    role = name("grammar")
    statement = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket"}

    def put(document):
        return lambda: iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(document))

    def create(trust):
        return lambda: iam.create_role(RoleName=name("trust"), AssumeRolePolicyDocument=json.dumps(trust))

    # Trust policies (CreateRole: moto alone validates none of it).
    for bad in ({"Version": "2012-10-18", "Statement": EC2_TRUST["Statement"]}, {"Version": "2012-10-17"},
                dict(EC2_TRUST, Statement=[dict(EC2_TRUST["Statement"][0], Effect="allow")])):
        refused(create(bad), "MalformedPolicyDocument", "Syntax errors in policy.")
    no_action = {k: v for k, v in EC2_TRUST["Statement"][0].items() if k != "Action"}
    refused(create(dict(EC2_TRUST, Statement=[no_action])), "MalformedPolicyDocument",
            "Policy statement must contain actions.")
    no_principal = {k: v for k, v in EC2_TRUST["Statement"][0].items() if k != "Principal"}
    error = refused(create(dict(EC2_TRUST, Statement=[no_principal])), "MalformedPolicyDocument")
    assert "statement with no principals" in error["Message"]
    refused(create(dict(EC2_TRUST, Statement=[dict(EC2_TRUST["Statement"][0], Resource="*")])),
            "MalformedPolicyDocument", "Has prohibited field Resource.")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))

    # Identity policies (PutRolePolicy, CreatePolicy).
    refused(put({"Version": "2012-10-17", "Statement": [dict(statement, Effect="allow")]}),
            "MalformedPolicyDocument", "Syntax errors in policy.")
    refused(put({"Version": "2012-10-17", "Statement": [dict(statement, Principal={"AWS": ROOT})]}),
            "MalformedPolicyDocument", "Policy document should not specify a principal.")
    refused(lambda: iam.create_policy(PolicyName=name("p"), PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [dict(statement, Principal="*")]})),
        "MalformedPolicyDocument", "Policy document should not specify a principal.")
    no_resource = {k: v for k, v in statement.items() if k != "Resource"}
    refused(put({"Version": "2012-10-17", "Statement": [no_resource]}), "MalformedPolicyDocument",
            "Policy statement must contain resources.")
    put({"Version": "2012-10-17", "Statement": [statement]})()


# --- 3. Principals must exist ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def roles(box):
    """(a role ARN of the moto account that does not exist, one that does)."""
    existing = box.aws_client("iam").create_role(RoleName=name("present"),
                                                 AssumeRolePolicyDocument=json.dumps(EC2_TRUST))["Role"]["Arn"]
    return f"arn:aws:iam::{ACCOUNT}:role/{name('missing')}", existing


def test_iam_trust_policy_naming_a_role_that_does_not_exist_is_refused(box, roles):
    iam = box.aws_client("iam")
    missing, existing = roles

    def trust(principal):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})

    refused(lambda: iam.create_role(RoleName=name("t"), AssumeRolePolicyDocument=trust(missing)),
            "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{missing}"')
    role = name("t")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(existing))
    refused(lambda: iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust([existing, missing])),
            "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{missing}"')
    # Always valid: account roots, bare account ids, other accounts' roles, "*", service principals.
    for principal in (ROOT, ACCOUNT, "arn:aws:iam::414351767826:root", "*",
                      "arn:aws:iam::414351767826:role/SaasUsageDeliveryRole-prod-IAMRole-3PLHICCRR1TK"):
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust(principal))


def test_kms_key_policy_naming_a_role_that_does_not_exist_is_refused(box, roles):
    kms = box.aws_client("kms", REGION)
    missing, existing = roles
    key_policy = {"Version": "2012-10-17", "Statement": [allow(ROOT, "kms:*", "Root")]}
    with_missing = json.dumps(dict(key_policy, Statement=key_policy["Statement"] + [allow(missing, "kms:Decrypt")]))
    invalid = "Policy contains a statement with one or more invalid principals."
    refused(lambda: kms.create_key(Policy=with_missing), "MalformedPolicyDocumentException", invalid)
    key_id = kms.create_key(Policy=json.dumps(dict(key_policy, Statement=key_policy["Statement"] + [
        allow(existing, "kms:Decrypt")])))["KeyMetadata"]["KeyId"]
    refused(lambda: kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=with_missing),
            "MalformedPolicyDocumentException", invalid)


def test_s3_bucket_policy_naming_a_role_that_does_not_exist_is_refused(box, roles):
    s3 = box.aws_client("s3", REGION)
    missing, existing = roles
    bucket = name("strict-bucket")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})

    def bucket_policy(principal):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]})

    refused(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=bucket_policy(missing)), "MalformedPolicy",
            "Invalid principal in policy")
    for principal in (existing, ROOT, ACCOUNT, "*", "arn:aws:iam::414351767826:root"):
        s3.put_bucket_policy(Bucket=bucket, Policy=bucket_policy(principal))


# --- 4. VPC endpoint service names ---------------------------------------------------------------------------------
def test_vpc_endpoint_to_a_service_the_region_does_not_list_is_refused(box):
    ec2 = box.aws_client("ec2", REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.77.1.0/24", AvailabilityZone=REGION + "a")
    subnet_id = subnet["Subnet"]["SubnetId"]

    def endpoint(service):
        return ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=service, VpcEndpointType="Interface",
                                       SubnetIds=[subnet_id])["VpcEndpoint"]["VpcEndpointId"]

    # Another region's service, a typo, another region's Databricks service.
    for service in ("com.amazonaws.us-east-1.sts", f"com.amazonaws.{REGION}.kinesis-stream",
                    PRIVATELINK_SERVICES["us-east-1"]["workspace"]):
        refused(lambda service=service: endpoint(service), "InvalidServiceName",
                f"The Vpc Endpoint Service '{service}' does not exist")
    # AWS's services of the region and Databricks' PrivateLink services of the region are listed and accepted.
    listed = {service["ServiceName"] for service in ec2.describe_vpc_endpoint_services()["ServiceDetails"]}
    for service in (f"com.amazonaws.{REGION}.sts", f"com.amazonaws.{REGION}.kinesis-streams",
                    *PRIVATELINK_SERVICES[REGION].values()):
        assert service in listed
        assert endpoint(service).startswith("vpce-")
