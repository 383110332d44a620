"""Databricks' checks of the customer's AWS estate, made by reading moto's state with boto3.

Every check raises :class:`ApiError` with the code and wording Databricks uses, so tests can
break the AWS side in moto and watch the account/workspace API refuse.
"""

import ipaddress
import json
import logging
import threading

import boto3
import botocore.config
from botocore.exceptions import ClientError

from ... import EMULATOR_USER_AGENT
from ...policy_documents import as_list, decoded, statements
from ..errors import ApiError, invalid, malformed
from . import iam_policy

LOG = logging.getLogger(__name__)

DATABRICKS_AWS_ACCOUNT = "414351767826"
DATABRICKS_PRINCIPAL = f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root"
# The AWS accounts that own the AMIs Databricks launches (Databricks' security reference architecture,
# aws/tf/variables.tf databricks_ec2_image_account_id), and the AMI of the instance profile dry run.
DATABRICKS_IMAGE_ACCOUNT = "601306020600"
DATABRICKS_GOV_IMAGE_ACCOUNT = "044732911619"
DATABRICKS_IMAGE_ID = "ami-0d4b5a2c1e3f60718"
DEFAULT_REGION = "us-east-1"
# Regions searched, in this order after the ones already seen, for objects whose Databricks
# configuration carries no region (a network names only a VPC id).
PROBE_REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "us-east-2", "eu-west-2", "ap-southeast-2"]


class AwsView:
    """boto3 clients on the moto endpoint, cached per (service, region)."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self._clients: dict = {}
        self._lock = threading.Lock()
        self.seen_regions: list[str] = []

    def client(self, service: str, region: str | None = None):
        region = region or DEFAULT_REGION
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = boto3.client(
                    service,
                    endpoint_url=self.endpoint,
                    region_name=region,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    config=botocore.config.Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=20,
                                                  user_agent_extra=EMULATOR_USER_AGENT),
                )
            return self._clients[key]

    def note_region(self, region: str | None):
        if region and region not in self.seen_regions:
            self.seen_regions.insert(0, region)

    def candidate_regions(self) -> list[str]:
        return self.seen_regions + [r for r in PROBE_REGIONS if r not in self.seen_regions]


def _principal_values(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [str(v) for values in principal.values() for v in as_list(values)]
    return [str(v) for v in as_list(principal)]


def _names_databricks(statement: dict) -> bool:
    return any(DATABRICKS_AWS_ACCOUNT in value for value in _principal_values(statement))


def _role_name(role_arn: str) -> str:
    # arn:aws:iam::123456789012:role/path/name -> name
    if not role_arn.startswith("arn:aws:iam::") or ":role/" not in role_arn:
        raise malformed(f"Failed credential validation checks: {role_arn!r} is not a valid IAM role ARN")
    return role_arn.rsplit("/", 1)[-1]


# --- credentials ---------------------------------------------------------------------------
def validate_cross_account_role(aws: AwsView, role_arn: str, account_id: str, now: float, propagation_s: float,
                                first_seen: dict) -> None:
    """Role exists, trusts Databricks' AWS account with sts:ExternalId = account id, and IAM has propagated.

    ``first_seen`` maps role ARN -> emulator time the role was first seen; the propagation
    window runs from the later of the role's CreateDate and that first sight.
    """
    prefix = "Failed credential validation checks"
    try:
        role = aws.client("iam").get_role(RoleName=_role_name(role_arn))["Role"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            raise malformed(f"{prefix}: please use a valid cross account IAM role ({role_arn} does not exist)") from exc
        raise
    if role["Arn"] != role_arn:
        raise malformed(f"{prefix}: role ARN {role_arn} does not match the role {role['Arn']}")
    seen = first_seen.setdefault(role_arn, now)
    if propagation_s > 0:
        start = max(role["CreateDate"].timestamp(), seen)
        if now - start < propagation_s:
            raise malformed(f"{prefix}: please use a valid cross account IAM role with permissions setup correctly")
    trust = decoded(role["AssumeRolePolicyDocument"])
    for statement in statements(trust):
        if statement.get("Effect") != "Allow" or not _names_databricks(statement):
            continue
        if "sts:AssumeRole" not in as_list(statement.get("Action")) and "sts:*" not in as_list(
                statement.get("Action")):
            continue
        conditions = statement.get("Condition", {})
        external_ids = [v for op in ("StringEquals", "StringLike") for v in
                        as_list(conditions.get(op, {}).get("sts:ExternalId"))]
        if account_id in external_ids:
            return
        raise malformed(f"{prefix}: the trust policy of {role_arn} must require sts:ExternalId = {account_id}")
    raise malformed(f"{prefix}: the trust policy of {role_arn} does not allow {DATABRICKS_PRINCIPAL} "
                    f"to call sts:AssumeRole")


# --- storage ------------------------------------------------------------------------------
def bucket_region(aws: AwsView, bucket: str) -> str:
    """Region of an existing bucket; 400 when it does not exist."""
    s3 = aws.client("s3")
    try:
        location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NoSuchBucket", "404", "AccessDenied"):
            raise invalid(f"Storage configuration validation failed: bucket {bucket} does not exist") from exc
        raise
    return location or "us-east-1"


# Databricks' region names in the keys it writes to a root bucket ("<name>-prod/<workspace id>/..."): Databricks'
# security reference architecture, aws/tf/variables.tf, region_name_config (primary_name).
ROOT_BUCKET_REGION_NAMES = {
    "ap-northeast-1": "tokyo", "ap-northeast-2": "seoul", "ap-south-1": "mumbai", "ap-southeast-1": "singapore",
    "ap-southeast-2": "sydney", "ap-southeast-3": "jakarta", "ca-central-1": "canada", "eu-central-1": "frankfurt",
    "eu-west-1": "ireland", "eu-west-2": "london", "eu-west-3": "paris", "sa-east-1": "saopaulo",
    "us-east-1": "nvirginia", "us-east-2": "ohio", "us-west-1": "oregon", "us-west-2": "oregon",
    "us-gov-west-1": "pendleton",
}
# What Databricks does with the root bucket, as its documented bucket policy grants it ("Create an S3 bucket for
# workspace deployment": s3:GetObject, GetObjectVersion, PutObject, DeleteObject, ListBucket, GetBucketLocation).
ROOT_BUCKET_CHECKS = (("List", "s3:ListBucket", None), ("Location", "s3:GetBucketLocation", None),
                      ("Get", "s3:GetObject", "object"), ("Put", "s3:PutObject", "object"),
                      ("Delete", "s3:DeleteObject", "object"))


def _root_bucket_grants(policy: dict) -> list:
    """The statements that apply to Databricks' AWS account: those naming it, and those for every principal."""
    return [statement for statement in statements(policy)
            if isinstance(statement, dict) and (_names_databricks(statement) or "*" in _principal_values(statement))]


def validate_root_bucket_policy(aws: AwsView, bucket: str, account_id: str | None = None,
                                workspace_id: int | str | None = None, region: str | None = None) -> None:
    """The root bucket policy must let Databricks' AWS account (a principal tagged with the Databricks account id,
    over TLS) list the bucket and get, put and delete the workspace's objects: evaluated as AWS evaluates the
    policy for those requests, with the workspace's key (<region name>-prod/<workspace id>/...) - a policy scoped
    to another workspace's prefix, or whose principal-tag condition names another Databricks account, fails."""
    try:
        raw = aws.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchBucketPolicy":
            raise invalid(f"Root bucket {bucket} has no bucket policy granting {DATABRICKS_PRINCIPAL} access") from exc
        raise
    grants = _root_bucket_grants(json.loads(raw))
    if not any(statement.get("Effect") == "Allow" for statement in grants):
        raise invalid(f"Root bucket {bucket} policy does not grant {DATABRICKS_PRINCIPAL} access")
    # Whether Databricks' check writes with an SSE-KMS header is not documented: assumed it does, so a policy that
    # requires the header (storage_encryption_dbfs_client_side_enc) is not refused here.
    context = {"aws:SecureTransport": "true", "aws:PrincipalAccount": DATABRICKS_AWS_ACCOUNT,
               "s3:x-amz-server-side-encryption": "aws:kms"}
    if account_id:
        context["aws:PrincipalTag/DatabricksAccountId"] = account_id
    region_name = ROOT_BUCKET_REGION_NAMES.get(region or "", region or "unknown")
    bucket_arn = f"arn:aws:s3:::{bucket}"
    object_arn = f"{bucket_arn}/{region_name}-prod/{workspace_id or 0}/databricks-storage-validation"
    failed = [check for check, action, target in ROOT_BUCKET_CHECKS
              if not iam_policy.is_allowed([{"Statement": grants}], action,
                                           object_arn if target else bucket_arn, context)]
    if failed:
        raise invalid(f"Failed storage configuration validation checks: {','.join(failed)} (root bucket {bucket} "
                      f"policy does not let {DATABRICKS_PRINCIPAL} do them for workspace {workspace_id})")


# --- network ------------------------------------------------------------------------------
def find_vpc_region(aws: AwsView, vpc_id: str) -> str:
    for region in aws.candidate_regions():
        try:
            vpcs = aws.client("ec2", region).describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
        except ClientError as exc:
            if "NotFound" in exc.response["Error"]["Code"]:
                continue
            raise
        if vpcs:
            aws.note_region(region)
            return region
    raise invalid(f"VPC {vpc_id} does not exist")


def validate_network(aws: AwsView, vpc_id: str, subnet_ids: list, sg_ids: list) -> str:
    """Databricks' customer-managed VPC rules. Returns the VPC's region."""
    region = find_vpc_region(aws, vpc_id)
    ec2 = aws.client("ec2", region)
    for attribute, key in (("enableDnsHostnames", "EnableDnsHostnames"), ("enableDnsSupport", "EnableDnsSupport")):
        if not ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]:
            raise invalid(f"VPC {vpc_id} must have DNS hostnames and DNS resolution enabled ({attribute} is off)")
    if len(set(subnet_ids)) < 2:
        raise invalid("A network requires at least two subnets in different availability zones")
    try:
        subnets = ec2.describe_subnets(SubnetIds=list(subnet_ids))["Subnets"]
    except ClientError as exc:
        raise invalid(f"Subnets {subnet_ids} are not valid: {exc.response['Error']['Message']}") from exc
    for subnet in subnets:
        if subnet["VpcId"] != vpc_id:
            raise invalid(f"Subnet {subnet['SubnetId']} is not in VPC {vpc_id}")
        prefix = ipaddress.ip_network(subnet["CidrBlock"]).prefixlen
        if not 17 <= prefix <= 26:
            raise invalid(f"Subnet {subnet['SubnetId']} has netmask /{prefix}; "
                          "Databricks requires a netmask between /17 and /26")
    if len({subnet["AvailabilityZone"] for subnet in subnets}) < 2:
        raise invalid("Subnets must be in at least two different availability zones")
    if not sg_ids:
        raise invalid("A network requires at least one security group")
    try:
        groups = ec2.describe_security_groups(GroupIds=list(sg_ids))["SecurityGroups"]
    except ClientError as exc:
        raise invalid(f"Security groups {sg_ids} are not valid: {exc.response['Error']['Message']}") from exc
    for group in groups:
        if group["VpcId"] != vpc_id:
            raise invalid(f"Security group {group['GroupId']} is not in VPC {vpc_id}")
    return region


def egress_problem(aws: AwsView, region: str, subnet_ids: list) -> str | None:
    """None when every subnet routes 0.0.0.0/0 to an available NAT gateway, or reaches Databricks and AWS privately
    (isolated: the relay through PrivateLink, S3, STS and Kinesis through VPC endpoints), else the reason."""
    def private_connectivity_problem(ec2, subnet_id: str, tables: list) -> str | None:
        """None when a subnet without internet egress still reaches what a cluster needs privately (Databricks,
        "Configure a customer-managed VPC" and "Enable private connectivity using AWS PrivateLink"; SRA's isolated
        network): an available PrivateLink endpoint to the region's secure cluster connectivity relay in the subnet's
        VPC, an S3 gateway endpoint on the subnet's route table, and STS and Kinesis Streams interface endpoints."""
        from ..models.catalog import PRIVATELINK_SERVICES  # pylint: disable=import-outside-toplevel

        subnets = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
        if not subnets:
            return f"subnet {subnet_id} no longer exists"
        endpoints = [e for e in ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [subnets[0]["VpcId"]]}])["VpcEndpoints"]
            if str(e.get("State", "")).lower() == "available"]
        services = {e["ServiceName"]: e for e in endpoints}
        relay = (PRIVATELINK_SERVICES.get(region) or {}).get("relay")
        if relay not in services:
            return "no available PrivateLink endpoint to the secure cluster connectivity relay"
        table_ids = {t["RouteTableId"] for t in tables}
        s3 = services.get(f"com.amazonaws.{region}.s3")
        if s3 is None or not table_ids & set(s3.get("RouteTableIds") or []):
            return "no S3 gateway endpoint on its route table"
        for service in ("sts", "kinesis-streams"):
            if f"com.amazonaws.{region}.{service}" not in services:
                return f"no {service} interface endpoint"
        return None

    ec2 = aws.client("ec2", region)
    for subnet_id in subnet_ids:
        tables = ec2.describe_route_tables(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
        if not tables:  # no explicit association: the VPC's main route table applies
            subnets = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
            if not subnets:
                return f"subnet {subnet_id} no longer exists"
            tables = ec2.describe_route_tables(Filters=[
                {"Name": "vpc-id", "Values": [subnets[0]["VpcId"]]},
                {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
        nat_ids = [r["NatGatewayId"] for t in tables for r in t.get("Routes", [])
                   if r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("NatGatewayId")]
        if not nat_ids:
            private = private_connectivity_problem(ec2, subnet_id, tables)
            if private is None:
                continue  # an isolated network: Databricks through PrivateLink, AWS through the VPC endpoints
            return f"subnet {subnet_id} has no route to 0.0.0.0/0 through a NAT gateway (no egress) and {private}"
        nats = ec2.describe_nat_gateways(Filters=[{"Name": "nat-gateway-id", "Values": nat_ids}])["NatGateways"]
        if not any(n["State"] == "available" for n in nats):
            return f"the NAT gateway {nat_ids[0]} routed from subnet {subnet_id} is not available (no egress)"
    return None


def validate_vpc_endpoint(aws: AwsView, endpoint_id: str, region: str) -> dict:
    try:
        endpoints = aws.client("ec2", region).describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    except ClientError as exc:
        raise invalid(f"VPC endpoint {endpoint_id} does not exist in {region}") from exc
    if not endpoints:
        raise invalid(f"VPC endpoint {endpoint_id} does not exist in {region}")
    return endpoints[0]


# --- KMS ----------------------------------------------------------------------------------
# What Databricks must be allowed to do with a customer-managed key, per use case (Databricks, "Configure
# customer-managed keys for encryption", the key policies it publishes; Databricks' SRA aws/tf/cmk.tf): the control
# plane encrypts and decrypts managed services; workspace storage (the root bucket through S3) also needs data keys.
KEY_USE_CASE_ACTIONS = {
    "MANAGED_SERVICES": ("kms:Encrypt", "kms:Decrypt"),
    "STORAGE": ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"),
}
# The role Databricks calls KMS with; it carries the principal tag DatabricksAccountId = the Databricks account id.
DATABRICKS_KMS_CALLER = f"arn:aws:sts::{DATABRICKS_AWS_ACCOUNT}:assumed-role/databricks-kms/session"


def validate_kms_key(aws: AwsView, key_arn: str, use_cases=(), account_id: str | None = None) -> str:
    """Key exists, is enabled and its policy lets Databricks use it: for each use case, Databricks' AWS account, with
    the principal tag naming account_id, is allowed the use case's actions (a statement whose principal tag condition
    names another Databricks account grants nothing). Returns the key's region."""
    parts = key_arn.split(":")
    if len(parts) < 6 or parts[2] != "kms":
        raise invalid(f"Invalid key ARN {key_arn}")
    region = parts[3]
    kms = aws.client("kms", region)
    try:
        meta = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
        policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"])
    except ClientError as exc:
        raise invalid(f"Failed to validate the customer-managed key {key_arn}: "
                      f"{exc.response['Error']['Message']}") from exc
    if meta.get("KeyState") != "Enabled":
        raise invalid(f"Customer-managed key {key_arn} is not enabled (state {meta.get('KeyState')})")
    context = {"aws:PrincipalTag/DatabricksAccountId": account_id} if account_id else {}
    for use_case in use_cases or ("STORAGE",):
        denied = [action for action in KEY_USE_CASE_ACTIONS.get(use_case, ())
                  if iam_policy.resource_policy_decision([policy], DATABRICKS_KMS_CALLER, action, key_arn,
                                                         context) != "Allow"]
        if denied:
            raise invalid(f"The key policy of {key_arn} does not allow Databricks ({DATABRICKS_PRINCIPAL}"
                          f"{', principal tag DatabricksAccountId ' + account_id if account_id else ''}) "
                          f"{', '.join(denied)} for use case {use_case}")
    return region


# --- instance profiles ----------------------------------------------------------------------
def _profile_error(aws_message: str) -> ApiError:
    # Databricks' reply to a failed dry run (the Terraform provider's aws/resource_instance_profile.go tests):
    # 400 DRY_RUN_FAILED "Verification of the instance profile failed. AWS error: <AWS's message>".
    return ApiError(400, "DRY_RUN_FAILED", f"Verification of the instance profile failed. AWS error: {aws_message}")


def validate_instance_profile(aws: AwsView, arn: str, cross_account_role_arn: str | None, region: str, now: float,
                              propagation_s: float, first_seen: dict) -> None:
    """Databricks' dry run of ec2:RunInstances, made with the workspace's cross-account role, launching an
    instance with this profile (instance-profiles/add without skip_validation). AWS refuses it when the profile
    is unknown to EC2 - which it is, for a while, after the profile is created (IAM propagation) - and when the
    cross-account role may not pass the profile's role or launch the instance with Databricks' tags."""
    if not arn.startswith("arn:aws:iam::") or ":instance-profile/" not in arn:
        raise invalid(f"{arn} is not a valid instance profile ARN")
    not_usable = _profile_error(
        f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN")
    iam = aws.client("iam")
    try:
        profile = iam.get_instance_profile(InstanceProfileName=arn.rsplit("/", 1)[-1])["InstanceProfile"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            raise not_usable from exc
        raise
    if profile["Arn"] != arn:
        raise not_usable
    seen = first_seen.setdefault(arn, now)
    if propagation_s > 0 and now - max(profile["CreateDate"].timestamp(), seen) < propagation_s:
        raise not_usable  # EC2 does not know the profile yet
    if not profile.get("Roles"):
        raise _profile_error(f"The instance profile {arn} has no role.")
    if not cross_account_role_arn:
        return
    documents = iam_policy.role_policy_documents(iam, _role_name(cross_account_role_arn))
    account = cross_account_role_arn.split(":")[4]
    denied = f"You are not authorized to perform this operation. (dry run with {cross_account_role_arn})"
    for role in profile["Roles"]:
        if not iam_policy.is_allowed(documents, "iam:PassRole", role["Arn"],
                                     {"iam:PassedToService": "ec2.amazonaws.com"}):
            raise _profile_error(f"{denied}: iam:PassRole on {role['Arn']} is not allowed")
    # AWS authorises RunInstances once per resource it names (IAM User Guide, "Policy evaluation logic"; EC2 Service
    # Authorization Reference, RunInstances): the instance and its volume with the request's tags, the AMI with its
    # owner (Databricks' image account; AMI ARNs name no account), and - the launch carries tags - ec2:CreateTags on
    # the new instance with ec2:CreateAction = RunInstances ("Grant permission to tag resources during creation").
    tags = {"aws:RequestTag/Vendor": "Databricks", "aws:TagKeys": ["Vendor", "ClusterId", "ClusterName"]}
    image_owner = DATABRICKS_GOV_IMAGE_ACCOUNT if region == "us-gov-west-1" else DATABRICKS_IMAGE_ACCOUNT
    for resource in (f"arn:aws:ec2:{region}:{account}:instance/*", f"arn:aws:ec2:{region}:{account}:volume/*"):
        if not iam_policy.is_allowed(documents, "ec2:RunInstances", resource, tags):
            raise _profile_error(f"{denied}: ec2:RunInstances on {resource} with the tag Vendor=Databricks is not "
                                 "allowed")
    image = f"arn:aws:ec2:{region}::image/{DATABRICKS_IMAGE_ID}"
    if not iam_policy.is_allowed(documents, "ec2:RunInstances", image, {"ec2:Owner": image_owner}):
        raise _profile_error(f"{denied}: ec2:RunInstances on {image} (owner {image_owner}) is not allowed")
    instance = f"arn:aws:ec2:{region}:{account}:instance/*"
    if not iam_policy.is_allowed(documents, "ec2:CreateTags", instance, {**tags, "ec2:CreateAction": "RunInstances"}):
        raise _profile_error(f"{denied}: ec2:CreateTags on {instance} while launching it (ec2:CreateAction "
                             "RunInstances) with the tag Vendor=Databricks is not allowed")


# --- Unity Catalog storage credentials ---------------------------------------------------------
# The principal Unity Catalog assumes a storage credential's role with (terraform-provider-databricks
# aws/constants.go, aws/data_aws_unity_catalog_assume_role_policy.go; Databricks, "Create a storage credential for
# connecting to AWS S3"), and the session name the emulator gives its calls.
UC_MASTER_ROLE = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"
UC_MASTER_SESSION = "arn:aws:sts::414351767826:assumed-role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL/uc"
# What Databricks answers when it cannot assume the role (a missing role, a trust policy without the principal, the
# external id or the self-assumption, or IAM still propagating a change: AWS gives one AccessDenied for all).
UC_ASSUME_FAILED = ("Failed to get credentials: AWS IAM role in the storage credential is not configured correctly. "
                    "Please contact your account admin to update the configuration.")


def _uc_assume_error(detail: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", f"{UC_ASSUME_FAILED} ({detail})")


def _uc_denied(access: str, url: str, detail: str) -> ApiError:
    return ApiError(403, "PERMISSION_DENIED", f"AWS IAM role does not have {access} permissions on url {url}. "
                                              f"Please contact your account admin to update the storage credential. "
                                              f"({detail})")


def split_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix without slashes) of an s3:// URL; 400 for anything else."""
    if not isinstance(url, str) or not url.startswith("s3://") or len(url) <= len("s3://"):
        raise invalid(f"Invalid url {url!r}: an AWS external location is an s3://<bucket>[/<path>] URL.")
    bucket, _, prefix = url[len("s3://"):].partition("/")
    if not bucket:
        raise invalid(f"Invalid url {url!r}: an AWS external location is an s3://<bucket>[/<path>] URL.")
    return bucket, prefix.strip("/")


def _role_fingerprint(role: dict, documents: list) -> str:
    return json.dumps([decoded(role["AssumeRolePolicyDocument"]), documents], sort_keys=True, default=str)


def validate_uc_storage(aws: AwsView, role_arn: str, external_id: str, url: str, read_only: bool, now: float,
                        propagation_s: float, seen: dict, sse: dict | None = None) -> None:
    """What Unity Catalog checks when an external location is created or changed (or a credential validated):
    it assumes the credential's role as its master role with the credential's external id, the role assumes itself
    with that id (self-assumption, required since 2023), and with the role it lists the URL, reads, writes and
    deletes a file under it (read only: list and read) - through the bucket's default KMS key when it has one.

    ``sse``: the location's ``encryption_details.sse_encryption_details``. Its algorithm is the
    ``x-amz-server-side-encryption`` header of Unity Catalog's writes (its key ARN, the key header); without it the
    writes carry no header, which a bucket policy requiring SSE-KMS denies.

    ``seen`` maps role ARN -> (fingerprint of its trust and policies, emulator time first seen): AWS answers a role
    changed less than ``propagation_s`` ago as it answers a misconfigured one (IAM is eventually consistent)."""
    split_s3_url(url)
    iam = aws.client("iam")
    try:
        role = iam.get_role(RoleName=_role_name(role_arn))["Role"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            raise _uc_assume_error(f"the role {role_arn} does not exist") from exc
        raise
    except ApiError as exc:
        raise _uc_assume_error(f"{role_arn} is not an IAM role ARN") from exc
    if role["Arn"] != role_arn:
        raise _uc_assume_error(f"the role is {role['Arn']}, not {role_arn}")
    documents = iam_policy.role_policy_documents(iam, role["RoleName"])
    fingerprint = _role_fingerprint(role, documents)
    known = seen.get(role_arn)
    if known is None or known[0] != fingerprint:
        seen[role_arn] = known = (fingerprint, now)
    if propagation_s > 0 and now - max(role["CreateDate"].timestamp(), known[1]) < propagation_s:
        raise _uc_assume_error(f"sts:AssumeRole on {role_arn} was denied: the role or its trust policy changed "
                               "moments ago and IAM has not propagated the change yet")
    trust = decoded(role["AssumeRolePolicyDocument"])
    assume = {"sts:ExternalId": external_id}
    if iam_policy.resource_policy_decision([trust], UC_MASTER_SESSION, "sts:AssumeRole", role_arn,
                                           assume) != "Allow":
        raise _uc_assume_error(f"the trust policy of {role_arn} does not let {UC_MASTER_ROLE} assume it with "
                               f"sts:ExternalId {external_id}")
    account = role_arn.split(":")[4]
    session = f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/uc"
    if not iam_policy.same_account_decision(trust, documents, session, "sts:AssumeRole", role_arn,
                                            dict(assume, **{"aws:PrincipalArn": role_arn})):
        raise _uc_assume_error(f"the IAM role for this storage credential was found to be non self-assuming: the "
                               f"trust policy of {role_arn} (and its own policy, when the trust names the account) "
                               f"must let the role assume itself with sts:ExternalId {external_id}")
    _validate_uc_bucket(aws, url, read_only, role_arn, session, documents, sse or {})


# encryption_details.sse_encryption_details.algorithm -> the x-amz-server-side-encryption header it sets (SDK
# SseEncryptionDetails: "Sets the value of the 'x-amz-server-side-encryption' header in S3 request").
UC_SSE_HEADERS = {"AWS_SSE_KMS": "aws:kms", "AWS_SSE_S3": "AES256"}


def _validate_uc_bucket(aws: AwsView, url: str, read_only: bool, role_arn: str, session: str,
                        documents: list, sse: dict) -> None:
    """The S3 and KMS half of validate_uc_storage: the role's session may use the URL and the bucket's key."""
    bucket, prefix = split_s3_url(url)
    account = role_arn.split(":")[4]
    region = bucket_region(aws, bucket)
    s3 = aws.client("s3", region)
    try:
        bucket_policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchBucketPolicy":
            raise
        bucket_policy = None
    bucket_arn = f"arn:aws:s3:::{bucket}"
    object_arn = f"{bucket_arn}/{prefix + '/' if prefix else ''}databricks-uc-validation"
    context = {"aws:SecureTransport": "true", "aws:PrincipalArn": role_arn, "s3:prefix": f"{prefix}/" if prefix else ""}
    if sse.get("algorithm") in UC_SSE_HEADERS:
        context["s3:x-amz-server-side-encryption"] = UC_SSE_HEADERS[sse["algorithm"]]
    if sse.get("aws_kms_key_arn"):
        context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = sse["aws_kms_key_arn"]
    checks = [("READ", "s3:ListBucket", bucket_arn), ("READ", "s3:GetBucketLocation", bucket_arn),
              ("READ", "s3:GetObject", object_arn)]
    if not read_only:
        checks += [("WRITE", "s3:PutObject", object_arn), ("DELETE", "s3:DeleteObject", object_arn)]
    for access, action, resource in checks:
        if not iam_policy.same_account_decision(bucket_policy, documents, session, action, resource, context,
                                                resource_policy_required=False):
            raise _uc_denied(access, url, f"{action} on {resource} is not allowed")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault") or {}
    # The key: the one the writes name (SSE-KMS header), else the bucket's default SSE-KMS key.
    key_id = sse.get("aws_kms_key_arn") if sse.get("algorithm") == "AWS_SSE_KMS" else None
    bucket_kms = default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")
    if not key_id and sse.get("algorithm") != "AWS_SSE_S3" and bucket_kms:
        key_id = default.get("KMSMasterKeyID")
    if not key_id:
        return
    kms = aws.client("kms", region)
    try:
        key_arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        key_policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    except ClientError as exc:
        raise _uc_denied("READ", url, f"the key {key_id} cannot be used: "
                                      f"{exc.response['Error']['Message']}") from exc
    kms_context = {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": account,
                   "kms:EncryptionContext:aws:s3:arn": bucket_arn if rules[0].get("BucketKeyEnabled") else object_arn,
                   "aws:PrincipalArn": role_arn}
    actions = [("READ", "kms:Decrypt")] + ([] if read_only else [("WRITE", "kms:GenerateDataKey")])
    for access, action in actions:
        if not iam_policy.same_account_decision(key_policy, documents, session, action, key_arn, kms_context):
            raise _uc_denied(access, url, f"{action} on the key {key_arn} is not allowed by the key policy "
                                          "and the role's policies")
