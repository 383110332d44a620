"""Checks real AWS makes that moto 5.2 leaves out, applied to moto's classes in the sandbox's process.

Wherever moto accepts what AWS refuses, a deployment passes on the sandbox and fails on its first real run. Each
patch below names the AWS API reference page whose rule it follows and answers with AWS's error code and wording:

- ``patch_kms_key_policy_checks``: KMS CreateKey / PutKeyPolicy refuse a key policy that would lock the caller out
  (unless BypassPolicyLockoutSafetyCheck) or that names principals that do not exist;
- ``patch_iam_policy_checks``: IAM policy grammar (CreateRole's trust policy included, which moto never validates),
  the size quotas (inline role policies 10,240, managed 6,144, trust 2,048 characters, whitespace not counted) and
  principals of trust policies that must exist;
- ``patch_s3_bucket_policy_principals``: S3 PutBucketPolicy refuses principals that do not exist;
- ``patch_vpc_endpoint_service_names``: EC2 CreateVpcEndpoint refuses a service the region does not list, and the
  region lists Databricks' PrivateLink endpoint services (as AWS lists them to an account Databricks allows).
- ``patch_security_group_dependencies``: EC2 DeleteSecurityGroup refuses a group another group's rule names, or a
  live VPC endpoint uses (DependencyViolation).

Role and user ARNs of another account cannot be checked here (only the moto account's IAM state is known): they
are accepted. Principals are looked up in moto's in-process backends (the server and the patches share a process).
"""

import json
import re

from moto.core.exceptions import JsonRESTError

from .policy_documents import as_list, covers_action, statements

ACCOUNT_ID = re.compile(r"^\d{12}$")
PRINCIPAL_ARN = re.compile(r"^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$")
UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,127}$")  # AIDA.../AROA...: what a deleted principal is shown as
POLICY_VERSIONS = ("2008-10-17", "2012-10-17")

# IAM quotas (IAM User Guide, "IAM and AWS STS quotas"; default values): characters, whitespace not counted.
ROLE_INLINE_POLICIES_SIZE = 10240
MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048

# The AWS account of Databricks' control plane, which owns its PrivateLink endpoint services.
DATABRICKS_AWS_ACCOUNT = "414351767826"


# --- shared helpers ------------------------------------------------------------------------------------------
def _aws_principals(statement):
    """The "AWS" principals of a statement (Principal and NotPrincipal), "*" for ``"Principal": "*"``."""
    values = []
    for key in ("Principal", "NotPrincipal"):
        principal = statement.get(key)
        if principal == "*":
            values.append("*")
        elif isinstance(principal, dict):
            values += as_list(principal.get("AWS"))
    return values


def _iam_backend(account_id, partition):
    from moto.iam.models import iam_backends

    return iam_backends[account_id][partition]


def principal_exists(value, account_id, partition, also_valid=()):
    """True when AWS would accept this "AWS" principal: "*", an account id or root ARN, a role or user of the moto
    account that exists in moto's IAM, any principal of another account (not knowable here)."""
    if not isinstance(value, str):
        return False
    if value == "*" or ACCOUNT_ID.match(value) or UNIQUE_ID.match(value) or value in also_valid:
        return True
    match = PRINCIPAL_ARN.match(value)
    if not match:
        return False
    _, service, account, resource = match.groups()
    if resource == "root":
        return service == "iam"
    if account != account_id or service != "iam":
        return True
    backend = _iam_backend(account_id, partition)
    if resource.startswith("role/"):
        return any(role.arn == value for role in backend.roles.values())
    if resource.startswith("user/"):
        return any(user.arn == value for user in backend.users.values())
    return True


def _partition_of(region):
    from moto.utilities.utils import get_partition

    return get_partition(region)


# --- KMS -----------------------------------------------------------------------------------------------------
class MalformedPolicyDocumentException(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("MalformedPolicyDocumentException", message)


def _caller_arns(response):
    """The ARNs a key policy may name the caller by: what GetCallerIdentity answers for the request's access key
    (moto's default ``arn:aws:sts::<acct>:user/moto``), its ``iam`` spelling, and for an assumed role its role."""
    from moto.sts.models import sts_backends

    account, region = response.current_account, response.region
    partition = _partition_of(region)
    _, arn, _ = sts_backends[account][partition].get_caller_identity(response.get_access_key(), region)
    arns = {arn, arn.replace(":sts::", ":iam::", 1)}
    assumed = re.match(r"^arn:[^:]+:sts::\d{12}:assumed-role/([^/]+)/", arn)
    if assumed:
        arns |= {role.arn for role in _iam_backend(account, partition).roles.values() if role.name == assumed[1]}
    return arns


def _names_caller(statement, caller_arns, account):
    principals = set(_aws_principals(statement))
    return bool(principals & ({"*", account, f"arn:aws:iam::{account}:root"} | caller_arns)) or any(
        re.fullmatch(rf"arn:aws[a-z-]*:iam::{account}:root", principal) for principal in principals)


def check_key_policy(policy_document, caller_arns, account, partition, bypass_lockout_check):
    """AWS KMS API reference, CreateKey (Policy, BypassPolicyLockoutSafetyCheck) and PutKeyPolicy: the principals
    of a key policy must exist; the policy must allow the calling principal to call PutKeyPolicy later."""
    try:
        policy = json.loads(policy_document)
        policy_statements = statements(policy)
    except (TypeError, ValueError, AttributeError):
        return  # moto's own parsing answers for a document that is not JSON
    for statement in policy_statements:
        if not isinstance(statement, dict):
            continue
        for principal in _aws_principals(statement):
            if not principal_exists(principal, account, partition, also_valid=caller_arns):
                raise MalformedPolicyDocumentException(
                    "Policy contains a statement with one or more invalid principals.")
    if bypass_lockout_check:
        return
    allowed = denied = False
    for statement in policy_statements:
        if not isinstance(statement, dict) or not _names_caller(statement, caller_arns, account):
            continue
        if not covers_action(statement, "kms:PutKeyPolicy"):
            continue
        if statement.get("Effect") == "Allow":
            allowed = True
        elif statement.get("Effect") == "Deny" and "Condition" not in statement:
            denied = True
    if not allowed or denied:
        raise MalformedPolicyDocumentException(
            "The new key policy will not allow you to update the key policy in the future.")


def patch_kms_key_policy_checks():
    from moto.kms.responses import KmsResponse

    def checked(original):
        def action(self):
            policy = self._get_param("Policy")
            if policy is not None:
                account = self.current_account
                check_key_policy(policy, _caller_arns(self), account, _partition_of(self.region),
                                 bool(self._get_param("BypassPolicyLockoutSafetyCheck")))
            return original(self)

        action.__name__ = original.__name__
        action.__doc__ = original.__doc__
        return action

    KmsResponse.create_key = checked(KmsResponse.create_key)
    KmsResponse.put_key_policy = checked(KmsResponse.put_key_policy)


# --- IAM -----------------------------------------------------------------------------------------------------
def policy_size(document):
    """IAM User Guide, "IAM and AWS STS quotas": IAM does not count white space toward the policy size quotas."""
    return len(re.sub(r"\s", "", document))


def check_policy_grammar(document, kind):
    """IAM User Guide, "IAM JSON policy element reference" / "Grammar of the IAM JSON policy language", as the IAM
    API answers it (CreateRole, UpdateAssumeRolePolicy, PutRolePolicy, CreatePolicy, CreatePolicyVersion:
    MalformedPolicyDocument). kind: "identity" (Resource required, Principal refused) or "trust" (Principal
    required, Resource refused)."""
    from moto.iam.exceptions import MalformedPolicyDocument

    try:
        policy = json.loads(document)
        assert isinstance(policy, dict)
        assert policy.get("Version", POLICY_VERSIONS[0]) in POLICY_VERSIONS
        assert isinstance(policy.get("Statement"), (dict, list)) and policy["Statement"]
        policy_statements = statements(policy)
        for statement in policy_statements:
            assert isinstance(statement, dict)
            assert statement.get("Effect") in ("Allow", "Deny")  # case-sensitive in AWS
    except (AssertionError, TypeError, ValueError):
        raise MalformedPolicyDocument("Syntax errors in policy.") from None
    for statement in policy_statements:
        if "Action" not in statement and "NotAction" not in statement:
            raise MalformedPolicyDocument("Policy statement must contain actions.")
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        has_resource = "Resource" in statement or "NotResource" in statement
        if kind == "identity":
            if has_principal:
                raise MalformedPolicyDocument("Policy document should not specify a principal.")
            if not has_resource:
                raise MalformedPolicyDocument("Policy statement must contain resources.")
        else:
            if not has_principal:
                raise MalformedPolicyDocument(
                    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
                    "The passed in policy has a statement with no principals!")
            if has_resource:
                raise MalformedPolicyDocument("Has prohibited field Resource.")


def check_trust_principals(document, account_id, partition):
    """IAM API reference, CreateRole / UpdateAssumeRolePolicy: a principal that does not exist is refused."""
    from moto.iam.exceptions import MalformedPolicyDocument

    for statement in statements(json.loads(document)):
        for principal in _aws_principals(statement):
            if not principal_exists(principal, account_id, partition):
                raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{principal}"')


def check_trust_policy(backend, document):
    from moto.iam.exceptions import LimitExceededException

    check_policy_grammar(document, "trust")
    if policy_size(document) > TRUST_POLICY_SIZE:
        raise LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE}")
    check_trust_principals(document, backend.account_id, backend.partition)


def check_managed_policy(document):
    from moto.iam.exceptions import LimitExceededException

    check_policy_grammar(document, "identity")
    if policy_size(document) > MANAGED_POLICY_SIZE:
        raise LimitExceededException(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")


def patch_iam_policy_checks():
    from moto.iam.exceptions import LimitExceededException
    from moto.iam.models import IAMBackend

    create_role = IAMBackend.create_role
    update_assume_role_policy = IAMBackend.update_assume_role_policy
    put_role_policy = IAMBackend.put_role_policy
    create_policy = IAMBackend.create_policy
    create_policy_version = IAMBackend.create_policy_version

    def checked_create_role(self, role_name, assume_role_policy_document, *args, **kwargs):
        check_trust_policy(self, assume_role_policy_document)
        return create_role(self, role_name, assume_role_policy_document, *args, **kwargs)

    def checked_update_assume_role_policy(self, role_name, policy_document):
        self.get_role(role_name)  # NoSuchEntity first, as AWS
        check_trust_policy(self, policy_document)
        return update_assume_role_policy(self, role_name, policy_document)

    def checked_put_role_policy(self, role_name, policy_name, policy_json):
        role = self.get_role(role_name)
        check_policy_grammar(policy_json, "identity")
        # The aggregate of the role's inline policies, the one being replaced excluded.
        total = policy_size(policy_json) + sum(policy_size(document) for name, document in role.policies.items()
                                               if name != policy_name)
        if total > ROLE_INLINE_POLICIES_SIZE:
            raise LimitExceededException(
                f"Maximum policy size of {ROLE_INLINE_POLICIES_SIZE} bytes exceeded for role {role_name}")
        return put_role_policy(self, role_name, policy_name, policy_json)

    def checked_create_policy(self, description, path, policy_document, *args, **kwargs):
        check_managed_policy(policy_document)
        return create_policy(self, description, path, policy_document, *args, **kwargs)

    def checked_create_policy_version(self, policy_arn, policy_document, *args, **kwargs):
        check_managed_policy(policy_document)
        return create_policy_version(self, policy_arn, policy_document, *args, **kwargs)

    IAMBackend.create_role = checked_create_role
    IAMBackend.update_assume_role_policy = checked_update_assume_role_policy
    IAMBackend.put_role_policy = checked_put_role_policy
    IAMBackend.create_policy = checked_create_policy
    IAMBackend.create_policy_version = checked_create_policy_version


# --- S3 ------------------------------------------------------------------------------------------------------
def patch_s3_bucket_policy_principals():
    """Amazon S3 API reference, PutBucketPolicy (and S3 User Guide, "Policies and permissions in Amazon S3"): a
    principal that does not exist is refused with MalformedPolicy "Invalid principal in policy"."""
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    put_bucket_policy = S3Backend.put_bucket_policy

    def checked_put_bucket_policy(self, bucket_name, policy):
        self.get_bucket(bucket_name)  # NoSuchBucket first
        try:
            policy_statements = statements(json.loads(policy))
        except (TypeError, ValueError, AttributeError):
            policy_statements = []
        for statement in policy_statements:
            if not isinstance(statement, dict):
                continue
            for principal in _aws_principals(statement):
                if not principal_exists(principal, self.account_id, self.partition):
                    raise S3ClientError("MalformedPolicy", "Invalid principal in policy")
        return put_bucket_policy(self, bucket_name, policy)

    S3Backend.put_bucket_policy = checked_put_bucket_policy


# --- EC2 -----------------------------------------------------------------------------------------------------
def databricks_endpoint_services(region, zones):
    """Databricks' PrivateLink endpoint services of a region, as DescribeVpcEndpointServices lists a partner's
    endpoint service to an account it allows (the emulator's catalogue is the one list of them)."""
    from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES

    services = []
    for kind, name in sorted(PRIVATELINK_SERVICES.get(region, {}).items()):
        service_id = name.rsplit(".", 1)[-1]
        services.append({
            "AcceptanceRequired": False, "AvailabilityZones": zones,
            "BaseEndpointDnsNames": [f"{service_id}.{region}.vpce.amazonaws.com"], "ManagesVpcEndpoints": False,
            "Owner": DATABRICKS_AWS_ACCOUNT, "ServiceId": service_id, "ServiceName": name,
            "ServiceType": [{"ServiceType": "Interface"}], "Tags": [{"Key": "Name", "Value": f"databricks-{kind}"}],
            "VpcEndpointPolicySupported": False,
        })
    return services


def patch_vpc_endpoint_service_names():
    """Amazon EC2 API reference, CreateVpcEndpoint (ServiceName: "the name of the endpoint service", as
    DescribeVpcEndpointServices lists it): another name is refused with InvalidServiceName."""
    from moto.ec2.exceptions import InvalidServiceName
    from moto.ec2.models.vpcs import VPCBackend

    collect = VPCBackend._collect_default_endpoint_services

    def with_databricks(account_id, region):
        services = collect(account_id, region)  # moto's cached list of the region: extended once
        listed = {service["ServiceName"] for service in services}
        zones = next((service["AvailabilityZones"] for service in services), [])
        services.extend(service for service in databricks_endpoint_services(region, zones)
                        if service["ServiceName"] not in listed)
        return services

    VPCBackend._collect_default_endpoint_services = staticmethod(with_databricks)
    create_vpc_endpoint = VPCBackend.create_vpc_endpoint

    def checked_create_vpc_endpoint(self, vpc_id, service_name, *args, **kwargs):
        self.get_vpc(vpc_id)  # InvalidVpcID.NotFound first
        listed = {service["ServiceName"] for service in self._collect_default_endpoint_services(
            self.account_id, self.region_name)}
        listed |= {configuration.to_dict()["ServiceName"] for configuration in self.configurations.values()}
        if service_name not in listed:
            raise InvalidServiceName(service_name)
        return create_vpc_endpoint(self, vpc_id, service_name, *args, **kwargs)

    VPCBackend.create_vpc_endpoint = checked_create_vpc_endpoint


def patch_security_group_dependencies():
    """Amazon EC2 API reference, DeleteSecurityGroup: a group that is "associated with an instance or network
    interface, or is referenced by another security group in the same VPC" cannot be deleted - DependencyViolation
    "resource <id> has a dependent object". moto deletes it anyway; here a rule of another group naming it or a live
    VPC endpoint in it refuses the deletion. Network interfaces are not looked at: moto gives a NAT gateway an
    interface in the VPC's default group and keeps it after the gateway is deleted (AWS's is requester-managed,
    without group, and goes with the gateway)."""
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.models.security_groups import SecurityGroupBackend

    delete = SecurityGroupBackend._delete_security_group

    def depends_on(self, group_id):
        for groups in self.groups.values():
            for group in groups.values():
                if group.id == group_id:
                    continue
                for rule in [*group.ingress_rules, *group.egress_rules]:
                    if (rule.source_group or {}).get("GroupId") == group_id:
                        return True
        live = [endpoint for endpoint in getattr(self, "vpc_end_points", {}).values()
                if str(endpoint.state).lower() not in ("deleted", "deleting")]
        return any(group_id in endpoint.security_group_ids for endpoint in live)

    def checked_delete(self, vpc_id, group_id):
        if depends_on(self, group_id):
            raise DependencyViolationError(f"resource {group_id} has a dependent object")
        return delete(self, vpc_id, group_id)

    SecurityGroupBackend._delete_security_group = checked_delete


def apply_all():
    from . import aws_strictness_s3

    patch_kms_key_policy_checks()
    patch_iam_policy_checks()
    patch_s3_bucket_policy_principals()
    patch_vpc_endpoint_service_names()
    patch_security_group_dependencies()
    aws_strictness_s3.apply_all()
