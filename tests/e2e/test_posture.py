"""The security posture of a deployed estate, item by item against Databricks' Security Reference Architecture (SRA).

One module-scoped deployment with the defaults (tests/stack.py: a fresh clone on a sandbox of its own): site.yml,
then the estate read back with boto3 and the databricks-sdk (that a second run changes nothing is
tests/e2e/test_lifecycle.py's). Each
test asserts one item of docs/security.md's posture table on what the services hold, not on what the roles meant
to write: requests are evaluated against the deployed policy documents (sandbox/databricks_emulator/aws/iam_policy.py,
AWS's evaluation logic), and every policy the deployment holds goes through parliament and cloudsplaining, whose
remaining findings must be exactly the ones docs/security.md lists with their justification.
"""

import base64
import json
import os

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import NotFound

from sandbox.databricks_emulator.aws.iam_policy import (
    endpoint_policy_allows,
    is_allowed,
    principal_account,
    resource_policy_decision,
)
from sandbox.policy_documents import as_list, statements
from tests.e2e.conftest import ok, run_report
from tests.policy_findings import accepted_findings, cloudsplaining_findings, parliament_findings, unaccepted
from tests.stack import PREFIX, SECRET, WORKSPACE, Stack

REGION = "eu-west-1"
REGION_NAME = "ireland"  # SRA variables.tf region_name_config: the root bucket's <name>-prod/ prefix
DATABRICKS_AWS_ACCOUNT = "414351767826"
DATABRICKS_AMI_OWNER = "601306020600"  # SRA main.tf locals: databricks_ec2_image_account_id (commercial)
BUCKETS = {logical: f"{PREFIX}-{suffix}" for logical, suffix in (
    ("root", "rootbucket"), ("raw", "raw"), ("prepared", "prepared"), ("trusted", "trusted"),
    ("s3_logging", "s3-logging"), ("databricks_logging", "databricks-logging"), ("audit_logs", "audit-logs"),
    ("catalog", "catalog"))}
KEYS = {name: f"alias/{PREFIX}-{suffix}" for name, suffix in (
    ("workspace_storage", "workspace-storage"), ("managed_services", "managed-services"), ("datalake", "datalake"),
    ("tokens", "tokens"), ("logging", "logging"))}
ROLES = {name: f"{PREFIX}-{suffix}" for name, suffix in (
    ("cross_account", "cross-account-role"), ("log_delivery", "log-delivery"), ("meta", "meta-role"),
    ("data_read", "data-read-role"), ("data_write", "data-write-role"), ("unity_catalog", "uc-storage-role"))}


# --- the deployment ---------------------------------------------------------------------------------------------------
def read_estate(stack):
    """Everything the posture tests check, read back from moto and the emulator."""
    kms, s3, iam, ec2 = stack.aws("kms"), stack.aws("s3"), stack.aws("iam"), stack.aws("ec2")
    account = stack.aws("sts").get_caller_identity()["Account"]
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    keys = {}
    for alias, key_id in aliases.items():
        if alias.startswith(f"alias/{PREFIX}-"):
            keys[alias] = {"arn": kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"],
                           "policy": json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])}
    buckets = {}
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        lock = {}
        if name == BUCKETS["audit_logs"]:
            lock = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
        buckets[name] = {
            "policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]),
            "encryption": s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
            "logging": s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"),
            "object_lock": lock,
        }
    details = iam.get_account_authorization_details(Filter=["Role", "LocalManagedPolicy"])
    roles = {}
    for role in details["RoleDetailList"]:
        if role["RoleName"].startswith(PREFIX):
            roles[role["RoleName"]] = {
                "arn": role["Arn"], "trust": role["AssumeRolePolicyDocument"],
                "inline": {p["PolicyName"]: p["PolicyDocument"] for p in role.get("RolePolicyList", [])},
                "attached": [p["PolicyArn"] for p in role.get("AttachedManagedPolicies", [])]}
    vpc_ids = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    in_vpc = [{"Name": "vpc-id", "Values": vpc_ids}]
    endpoints = [e for e in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]
                 if e["State"].lower() not in ("deleted", "deleting")]
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]}
    prefix_lists = {p["PrefixListName"]: p["PrefixListId"] for p in ec2.describe_managed_prefix_lists()["PrefixLists"]}
    secret = stack.aws("secretsmanager").describe_secret(SecretId=SECRET)
    return {"account": account, "keys": keys, "buckets": buckets, "roles": roles, "authorization_details": details,
            "vpc_ids": vpc_ids, "vpc_endpoints": endpoints, "security_groups": groups,
            "prefix_lists": prefix_lists, "token_secret_key": secret.get("KmsKeyId")}


def read_databricks(stack):
    """The Databricks side: the workspace, its account objects, its settings and its global init scripts."""
    workspace = next(w for w in stack.account_api("workspaces") if w["workspace_name"] == WORKSPACE)
    found = {"workspace": workspace}
    for path in ("networks", "storage-configurations", "customer-managed-keys", "credentials"):
        found[path] = stack.account_api(path)
    found["log_deliveries"] = stack.log_deliveries()
    stored = stack.tokens()
    client = WorkspaceClient(config=Config(host=stored["workspace_url"], token=stored["pat"]["token_value"],
                                           auth_type="pat", retry_timeout_seconds=10))
    found["workspace_client"] = client
    return found


class Estate:
    def __init__(self, stack, site):
        self.stack, self.site = stack, site
        self.aws = read_estate(stack)
        self.databricks = read_databricks(stack)

    def role(self, name):
        return self.aws["roles"][ROLES[name]]

    def identity_documents(self, name):
        return list(self.role(name)["inline"].values())

    def key_arn(self, name):
        return self.aws["keys"][KEYS[name]]["arn"]

    def bucket(self, logical):
        return self.aws["buckets"][BUCKETS[logical]]


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("posture"))
    with Stack.started(tmp) as stack:
        ok(stack.timed("make venv", ["make", "venv"]), "make venv")
        site = stack.playbook("site.yml", "site.yml")
        assert site.returncode == 0 and site.failed() == 0, run_report(site, "site.yml")
        found = Estate(stack, site)
        dump = os.environ.get("POSTURE_ESTATE_DUMP") or os.path.join(tmp, "estate.json")  # to read after a failure
        with open(dump, "w", encoding="utf-8") as handle:
            json.dump(found.aws, handle, indent=1, default=str)
        yield found


def resource_policy_allows(estate, policy, action, resource, principal, context=None, identity_allows=False):
    """AWS's verdict for a request on a resource with this policy, over TLS: an explicit deny in it refuses; else an
    allow in it grants; else only a principal of the resource's own account whose identity policies allow it gets
    through (IAM User Guide, "Policy evaluation logic", cross-account vs same-account)."""
    context = dict({"aws:SecureTransport": "true"}, **(context or {}))
    decision = resource_policy_decision([policy], principal, action, resource, context)
    if decision == "Deny":
        return False
    return decision == "Allow" or (identity_allows and principal_account(principal) == estate.aws["account"])


# --- 1. egress --------------------------------------------------------------------------------------------------------
# Databricks "Configure a customer-managed VPC", security groups: egress to 0.0.0.0/0 only on these TCP ports.
DOCUMENTED_EGRESS_PORTS = {443, 3306, 6666, 2443} | set(range(8443, 8452))


def ports(rule):
    if rule["IpProtocol"] == "-1":
        return set(range(0, 65536))
    return set(range(rule.get("FromPort", 0), rule.get("ToPort", 65535) + 1))


def test_the_workspace_has_a_security_group_of_its_own_with_the_documented_rules(estate):
    groups = estate.aws["security_groups"]
    group = groups.get(f"{PREFIX}-workspace-sg")
    assert group, f"no workspace security group; groups in the VPC: {sorted(groups)}"
    own = group["GroupId"]
    for rule in group["IpPermissions"]:
        sources = [pair["GroupId"] for pair in rule.get("UserIdGroupPairs", [])]
        assert sources == [own] and not rule.get("IpRanges") and not rule.get("Ipv6Ranges") \
            and not rule.get("PrefixListIds"), f"ingress from outside the group: {rule}"
    assert {r["IpProtocol"] for r in group["IpPermissions"]} >= {"tcp", "udp"} or \
        any(r["IpProtocol"] == "-1" for r in group["IpPermissions"]), group["IpPermissions"]
    to_anywhere = set()
    for rule in group["IpPermissionsEgress"]:
        if any(r["CidrIp"] == "0.0.0.0/0" for r in rule.get("IpRanges", [])):
            assert rule["IpProtocol"] == "tcp", f"egress to 0.0.0.0/0 beyond TCP: {rule}"
            to_anywhere |= ports(rule)
        assert not rule.get("Ipv6Ranges"), rule
        for prefix_list in rule.get("PrefixListIds", []):
            assert prefix_list["PrefixListId"] == estate.aws["prefix_lists"].get(f"com.amazonaws.{REGION}.s3"), rule
    assert to_anywhere and to_anywhere <= DOCUMENTED_EGRESS_PORTS, \
        f"egress to 0.0.0.0/0 on undocumented ports: {sorted(to_anywhere - DOCUMENTED_EGRESS_PORTS)[:20]}"
    assert 443 in to_anywhere and 3306 in to_anywhere, sorted(to_anywhere)
    intra = [r for r in group["IpPermissionsEgress"] if [p["GroupId"] for p in r.get("UserIdGroupPairs", [])] == [own]]
    assert intra, f"no egress to the group itself: {group['IpPermissionsEgress']}"


def test_the_workspace_network_uses_that_group_and_the_default_group_is_closed(estate):
    groups = estate.aws["security_groups"]
    own = groups[f"{PREFIX}-workspace-sg"]["GroupId"]
    network_id = estate.databricks["workspace"]["network_id"]
    network = next(n for n in estate.databricks["networks"] if n["network_id"] == network_id)
    assert network["security_group_ids"] == [own], network
    default = groups["default"]
    assert not default["IpPermissions"] and not default["IpPermissionsEgress"], \
        f"the VPC's default security group is not closed: {default}"


# --- 2. VPC endpoint policies --------------------------------------------------------------------------------------
def endpoint_policy(estate, service):
    found = [e for e in estate.aws["vpc_endpoints"] if e["ServiceName"] == f"com.amazonaws.{REGION}.{service}"]
    assert len(found) == 1, [e["ServiceName"] for e in estate.aws["vpc_endpoints"]]
    return json.loads(found[0]["PolicyDocument"])


def test_the_s3_endpoint_lets_through_the_deployments_and_databricks_buckets_only(estate):
    policy = endpoint_policy(estate, "s3")
    account = estate.aws["account"]
    reader = estate.role("data_read")["arn"]
    writer = estate.role("data_write")["arn"]
    databricks = f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:role/databricks-workspace-access"
    assert endpoint_policy_allows(policy, reader, "s3:GetObject", f"arn:aws:s3:::{BUCKETS['raw']}/a.parquet",
                                  {"aws:ResourceAccount": account})
    assert endpoint_policy_allows(policy, writer, "s3:PutObject", f"arn:aws:s3:::{BUCKETS['trusted']}/a.parquet",
                                  {"aws:ResourceAccount": account})
    assert endpoint_policy_allows(policy, databricks, "s3:PutObject",
                                  f"arn:aws:s3:::{BUCKETS['root']}/{REGION_NAME}-prod/1/x",
                                  {"aws:ResourceAccount": account})
    assert endpoint_policy_allows(policy, writer, "s3:GetObject",
                                  f"arn:aws:s3:::databricks-prod-artifacts-{REGION}/dbr/x.tar",
                                  {"aws:ResourceAccount": DATABRICKS_AWS_ACCOUNT})
    assert endpoint_policy_allows(policy, writer, "s3:GetObject", f"arn:aws:s3:::packages.{REGION}.amazonaws.com/x",
                                  {"aws:ResourceAccount": "137112412989"})
    # The way out for data: this account's principal writing to a bucket of another account, even one named like
    # the deployment's; a principal of another account reading its own bucket through this VPC.
    refused = [
        (writer, "s3:PutObject", "arn:aws:s3:::exfiltration-target/dump.csv", "111122223333"),
        (writer, "s3:PutObject", f"arn:aws:s3:::{BUCKETS['raw']}/dump.csv", "111122223333"),
        ("arn:aws:iam::111122223333:role/intruder", "s3:GetObject", "arn:aws:s3:::intruder-bucket/x", "111122223333"),
        ("arn:aws:iam::111122223333:role/intruder", "s3:GetObject", f"arn:aws:s3:::{BUCKETS['raw']}/x", account),
        (writer, "s3:PutObject", f"arn:aws:s3:::databricks-prod-artifacts-{REGION}/x", DATABRICKS_AWS_ACCOUNT),
    ]
    for principal, action, resource, owner in refused:
        assert not endpoint_policy_allows(policy, principal, action, resource, {"aws:ResourceAccount": owner}), \
            (principal, action, resource)
    assert "${" not in json.dumps(policy), "a policy variable lets principals reach their own account's buckets"


def test_the_sts_and_kinesis_endpoints_name_their_accounts(estate):
    sts = endpoint_policy(estate, "sts")
    account = estate.aws["account"]
    meta = estate.role("meta")["arn"]
    assert endpoint_policy_allows(sts, meta, "sts:AssumeRole", estate.role("data_read")["arn"])
    assert not endpoint_policy_allows(sts, meta, "sts:AssumeRole", "arn:aws:iam::111122223333:role/outside")
    assert not endpoint_policy_allows(sts, "arn:aws:iam::111122223333:role/intruder", "sts:AssumeRole",
                                      "arn:aws:iam::111122223333:role/intruder-admin")
    assert endpoint_policy_allows(sts, f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root", "sts:AssumeRole",
                                  f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:role/x")
    kinesis = endpoint_policy(estate, "kinesis-streams")
    stream = f"arn:aws:kinesis:{REGION}:{DATABRICKS_AWS_ACCOUNT}:stream/prod-{REGION}-log-stream"
    assert endpoint_policy_allows(kinesis, f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:root", "kinesis:PutRecord", stream)
    for principal, resource in ((meta, f"arn:aws:kinesis:{REGION}:{account}:stream/mine"),
                                (meta, f"arn:aws:kinesis:{REGION}:111122223333:stream/elsewhere")):
        assert not endpoint_policy_allows(kinesis, principal, "kinesis:PutRecord", resource), (principal, resource)


# --- 3. the audit trail -----------------------------------------------------------------------------------------------
def test_audit_logs_have_a_locked_versioned_logged_bucket_of_their_own(estate):
    bucket = estate.bucket("audit_logs")
    lock = bucket["object_lock"]
    assert lock.get("ObjectLockEnabled") == "Enabled", lock
    retention = lock["Rule"]["DefaultRetention"]
    days = retention.get("Days") or 365 * retention.get("Years", 0)
    assert days >= 365 and retention["Mode"] in ("GOVERNANCE", "COMPLIANCE"), retention
    assert bucket["versioning"] == "Enabled", bucket["versioning"]
    audit = [d for d in estate.databricks["log_deliveries"]
             if d["log_type"] == "AUDIT_LOGS" and d["status"] == "ENABLED"]
    assert audit, estate.databricks["log_deliveries"]
    configs = {s["storage_configuration_id"]: s["root_bucket_info"]["bucket_name"]
               for s in estate.databricks["storage-configurations"]}
    assert {configs[d["storage_configuration_id"]] for d in audit} == {BUCKETS["audit_logs"]}, (audit, configs)
    usage = [d for d in estate.databricks["log_deliveries"] if d["log_type"] == "BILLABLE_USAGE"]
    assert {configs[d["storage_configuration_id"]] for d in usage} == {BUCKETS["databricks_logging"]}, usage


def test_only_the_log_delivery_role_writes_the_audit_bucket(estate):
    bucket_arn = f"arn:aws:s3:::{BUCKETS['audit_logs']}"
    policy = estate.bucket("audit_logs")["policy"]
    writer = estate.role("log_delivery")["arn"]
    others = [estate.role(name)["arn"] for name in ROLES if name != "log_delivery"]
    others.append(f"arn:aws:iam::{estate.aws['account']}:root")
    assert resource_policy_allows(estate, policy, "s3:PutObject", bucket_arn + "/audit-logs/x.json", writer,
                                  identity_allows=True)
    for principal in others:
        for action in ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectRetention"):
            assert not resource_policy_allows(estate, policy, action, bucket_arn + "/audit-logs/x.json", principal,
                                              identity_allows=True), (principal, action)
    # The meta role, which every cluster user has, reaches nothing in it by its own policies either.
    meta = estate.identity_documents("meta")
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"):
        for resource in (bucket_arn, bucket_arn + "/audit-logs/x.json"):
            assert not is_allowed(meta, action, resource), (action, resource)


def test_the_meta_role_writes_cluster_logs_only(estate):
    meta = estate.identity_documents("meta")
    logs = f"arn:aws:s3:::{BUCKETS['databricks_logging']}"
    assert is_allowed(meta, "s3:PutObject", logs + "/cluster-logs/0101-abc/driver/log4j.txt")
    assert not is_allowed(meta, "s3:PutObject", logs + "/billable-usage/x.csv")
    assert not is_allowed(meta, "s3:GetObject", logs + "/billable-usage/x.csv")


def test_every_bucket_logs_its_access_to_the_s3_logging_bucket(estate):
    target = BUCKETS["s3_logging"]
    missing = {name: b["logging"] for name, b in estate.aws["buckets"].items()
               if name != target and (b["logging"] or {}).get("TargetBucket") != target}
    assert not missing, f"buckets without server access logging to {target}: {missing}"
    prefixes = [b["logging"]["TargetPrefix"] for name, b in estate.aws["buckets"].items() if name != target]
    assert len(set(prefixes)) == len(prefixes), f"buckets share an access-log prefix: {prefixes}"


# --- 4. the cross-account role ----------------------------------------------------------------------------------------
def ec2_arn(estate, kind, ident):
    return f"arn:aws:ec2:{REGION}:{estate.aws['account']}:{kind}/{ident}"


def test_the_cross_account_role_tags_only_at_creation_or_what_databricks_tagged(estate):
    policy = estate.identity_documents("cross_account")
    instance = ec2_arn(estate, "instance", "i-0123456789abcdef0")
    at_launch = {"ec2:CreateAction": "RunInstances", "aws:RequestTag/Vendor": "Databricks",
                 "aws:TagKeys": ["Vendor"]}
    assert is_allowed(policy, "ec2:CreateTags", instance, at_launch)
    retag = {"ec2:ResourceTag/Vendor": "Databricks", "aws:RequestTag/Vendor": "Databricks"}
    assert is_allowed(policy, "ec2:CreateTags", instance, retag)
    # Someone else's instance: tagging it Vendor=Databricks, then terminating it, must both be refused.
    not_at_launch = {"aws:RequestTag/Vendor": "Databricks", "aws:TagKeys": ["Vendor"]}
    assert not is_allowed(policy, "ec2:CreateTags", instance, not_at_launch)
    assert not is_allowed(policy, "ec2:TerminateInstances", instance, {})
    assert not is_allowed(policy, "ec2:DeleteTags", instance, {})
    assert is_allowed(policy, "ec2:TerminateInstances", instance, {"ec2:ResourceTag/Vendor": "Databricks"})


def test_the_cross_account_role_launches_only_databricks_images(estate):
    policy = estate.identity_documents("cross_account")
    image = f"arn:aws:ec2:{REGION}::image/ami-0123456789abcdef0"
    request = {"aws:RequestTag/Vendor": "Databricks", "aws:TagKeys": ["Vendor"]}
    assert is_allowed(policy, "ec2:RunInstances", image, dict(request, **{"ec2:Owner": DATABRICKS_AMI_OWNER}))
    for owner in ("123456789012", "amazon", estate.aws["account"]):
        assert not is_allowed(policy, "ec2:RunInstances", image, dict(request, **{"ec2:Owner": owner})), owner


def test_the_cross_account_role_changes_rules_only_on_the_workspace_group(estate):
    policy = estate.identity_documents("cross_account")
    own = estate.aws["security_groups"][f"{PREFIX}-workspace-sg"]["GroupId"]
    default = estate.aws["security_groups"]["default"]["GroupId"]
    in_vpc = {"ec2:Vpc": ec2_arn(estate, "vpc", estate.aws["vpc_ids"][0])}
    for action in ("ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
                   "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"):
        assert is_allowed(policy, action, ec2_arn(estate, "security-group", own), in_vpc), action
        for other in (default, "sg-0123456789abcdef0"):
            assert not is_allowed(policy, action, ec2_arn(estate, "security-group", other), in_vpc), (action, other)


# --- 5. the root bucket grant -----------------------------------------------------------------------------------------
def test_databricks_writes_the_root_bucket_only_under_the_workspace_prefix(estate):
    bucket_arn = f"arn:aws:s3:::{BUCKETS['root']}"
    policy = estate.bucket("root")["policy"]
    workspace_id = estate.databricks["workspace"]["workspace_id"]
    databricks = f"arn:aws:iam::{DATABRICKS_AWS_ACCOUNT}:role/databricks-workspace-access"
    tagged = {"aws:PrincipalTag/DatabricksAccountId": estate.stack.box.endpoints["databricks_account_id"]}

    def allows(action, key, context):
        return resource_policy_allows(estate, policy, action, f"{bucket_arn}/{key}", databricks, context)

    for key in (f"{REGION_NAME}-prod/{workspace_id}/user/hive/warehouse/x",
                f"{REGION_NAME}-prod/{workspace_id}.jobs/x", f"ephemeral/{REGION_NAME}-prod/{workspace_id}/x"):
        assert allows("s3:PutObject", key, tagged), key
    for key in (f"{REGION_NAME}-prod/{workspace_id + 1}/x", "elsewhere/x", f"{REGION_NAME}-prod/x"):
        assert not allows("s3:PutObject", key, tagged), key
    assert allows("s3:GetObject", f"{REGION_NAME}-prod/{workspace_id}/x", tagged)
    # Databricks' principals of another Databricks account get nothing.
    other = {"aws:PrincipalTag/DatabricksAccountId": "00000000-0000-0000-0000-000000000000"}
    assert not allows("s3:GetObject", f"{REGION_NAME}-prod/{workspace_id}/x", other)


# --- 6. keys ----------------------------------------------------------------------------------------------------------
def default_key(bucket):
    sse = bucket["encryption"][0]["ApplyServerSideEncryptionByDefault"]
    return sse["SSEAlgorithm"], sse.get("KMSMasterKeyID")


def same_key(found, arn):
    return found in (arn, arn.split("/")[-1])


def test_each_use_has_a_key_of_its_own(estate):
    arns = {name: estate.key_arn(name) for name in KEYS}
    assert len(set(arns.values())) == len(KEYS), arns
    wanted = {"root": "workspace_storage", "raw": "datalake", "prepared": "datalake", "trusted": "datalake",
              "databricks_logging": "logging", "audit_logs": "logging"}
    wrong = {}
    for logical, key in wanted.items():
        algorithm, key_id = default_key(estate.bucket(logical))
        if algorithm != "aws:kms" or not same_key(key_id, arns[key]):
            wrong[logical] = (algorithm, key_id, key)
    assert not wrong, wrong
    assert same_key(estate.aws["token_secret_key"], arns["tokens"]) or \
        estate.aws["token_secret_key"] == KEYS["tokens"], estate.aws["token_secret_key"]
    workspace = estate.databricks["workspace"]
    cmks = {k["customer_managed_key_id"]: k["aws_key_info"]["key_arn"]
            for k in estate.databricks["customer-managed-keys"]}
    assert cmks[workspace["storage_customer_managed_key_id"]] == arns["workspace_storage"], (workspace, cmks)
    assert cmks[workspace["managed_services_customer_managed_key_id"]] == arns["managed_services"], (workspace, cmks)


def allowed_principals(policy, account):
    """Who the Allow statements of a key policy name, but the account's own administration statement."""
    named = set()
    for s in statements(policy):
        if s["Effect"] != "Allow":
            continue
        principal = s.get("Principal", {})
        for kind, values in (principal.items() if isinstance(principal, dict) else [("AWS", principal)]):
            named |= {f"{kind}:{v}" for v in as_list(values)}
    return named - {f"AWS:arn:aws:iam::{account}:root"}


def test_the_logging_key_grants_only_the_services_that_use_it(estate):
    account = estate.aws["account"]
    named = allowed_principals(estate.aws["keys"][KEYS["logging"]]["policy"], account)
    expected = {"Service:delivery.logs.amazonaws.com", f"AWS:{estate.role('log_delivery')['arn']}",
                f"AWS:{estate.role('meta')['arn']}"}
    assert named and named <= expected, f"the logging key also grants {sorted(named - expected)}"
    for role in ("data_read", "data_write", "cross_account"):
        assert f"AWS:{estate.role(role)['arn']}" not in named, role
        assert not is_allowed(estate.identity_documents(role), "kms:Decrypt", estate.key_arn("logging")), role


# --- 7. data access ---------------------------------------------------------------------------------------------------
def test_the_raw_bucket_is_versioned(estate):
    assert estate.bucket("raw")["versioning"] == "Enabled"


def test_glue_reaches_only_the_deployments_databases(estate):
    writer = estate.identity_documents("data_write")
    glue = f"arn:aws:glue:{REGION}:{estate.aws['account']}"
    database = PREFIX.replace("-", "_")
    assert is_allowed(writer, "glue:GetTable", f"{glue}:table/{database}/events")
    assert is_allowed(writer, "glue:CreateTable", f"{glue}:database/{database}")
    for resource in (f"{glue}:database/payroll", f"{glue}:table/payroll/salaries",
                     f"arn:aws:glue:{REGION}:111122223333:table/{database}/events"):
        for action in ("glue:GetTable", "glue:GetTables", "glue:DeleteTable", "glue:UpdateTable"):
            assert not is_allowed(writer, action, resource), (action, resource)
    wildcard = [s for document in writer for s in statements(document)
                if s["Effect"] == "Allow" and any(a.startswith("glue:") for a in as_list(s.get("Action")))
                and "*" in as_list(s.get("Resource"))]
    assert not wildcard, wildcard


def test_the_read_only_group_cannot_reach_write_access_through_the_meta_role(estate):
    meta = estate.identity_documents("meta")
    assert is_allowed(meta, "sts:AssumeRole", estate.role("data_read")["arn"])
    assert not is_allowed(meta, "sts:AssumeRole", estate.role("data_write")["arn"])
    trust = estate.role("data_write")["trust"]
    trusted = {v for s in statements(trust) if s["Effect"] == "Allow"
               for v in as_list((s.get("Principal") or {}).get("AWS", []))}
    assert estate.role("meta")["arn"] not in trusted, trust
    # And the groups: with Unity Catalog (the default) they are account groups that hold no instance profile at all
    # (their data access is Unity Catalog's grants), "Read only" never the write profile.
    client = estate.databricks["workspace_client"]
    groups = {g.display_name: g for g in client.groups.list(attributes="displayName,roles,meta")}
    read_only = {r.value for r in (groups["Read only"].roles or [])}
    assert groups["Read only"].meta.resource_type == "Group", groups["Read only"]
    assert not read_only and not groups["All access"].roles, (read_only, groups["All access"].roles)


# --- 8. the init script -----------------------------------------------------------------------------------------------
def test_the_init_script_takes_its_encryption_settings_from_nowhere_a_user_can_write(estate):
    client = estate.databricks["workspace_client"]
    scripts = [client.global_init_scripts.get(s.script_id) for s in client.global_init_scripts.list()]
    assert scripts, "no global init script"
    for script in scripts:
        body = base64.b64decode(script.script).decode()
        assert "/dbfs/" not in body and "dbfs:" not in body, f"{script.name} reads from DBFS:\n{body}"
    bodies = "\n".join(base64.b64decode(s.script).decode() for s in scripts)
    assert estate.key_arn("datalake") in bodies, "the SSE-KMS key is not in the admin-only init script"
    with pytest.raises(NotFound):
        client.dbfs.get_status("/tmp/core-site.xml")


# --- 9. workspace settings --------------------------------------------------------------------------------------------
# SRA aws/customizations/workspace/admin_configuration and modules/databricks_workspace/disable_legacy_settings.
HARDENED_CONF = {"enforceUserIsolation": "true", "enableUploadDataUis": "false",
                 "enableNotebookTableClipboard": "false", "enableResultsDownloading": "false",
                 "enableExportNotebook": "false", "enableDbfsFileBrowser": "false", "enableWebTerminal": "false"}


def test_the_workspace_settings_are_set_as_sra_sets_them(estate):
    client = estate.databricks["workspace_client"]
    conf = client.workspace_conf.get_status(keys=",".join(sorted(HARDENED_CONF)))
    assert {k: str(v).lower() for k, v in conf.items()} == HARDENED_CONF, conf
    assert client.settings.disable_legacy_dbfs.get().disable_legacy_dbfs.value is True


# --- every policy the deployment holds, through parliament and cloudsplaining -----------------------------------------
def deployed_documents(estate):
    """Every policy document of the deployment, named as tests/policy_findings.py names them."""
    documents = {}
    for name, role in estate.aws["roles"].items():
        documents[f"trust:{name}"] = role["trust"]
        documents.update({f"inline:{name}:{policy}": doc for policy, doc in role["inline"].items()})
    documents.update({f"key:{alias.removeprefix(f'alias/{PREFIX}-').replace('-', '_')}": key["policy"]
                      for alias, key in estate.aws["keys"].items()})
    logical = {name: key for key, name in BUCKETS.items()}
    documents.update({f"bucket:{logical[name]}": bucket["policy"] for name, bucket in estate.aws["buckets"].items()})
    for endpoint in estate.aws["vpc_endpoints"]:
        service = endpoint["ServiceName"].rsplit(".", 1)[-1].replace("-", "_")
        documents[f"vpce:{service}"] = json.loads(endpoint["PolicyDocument"])
    return documents


def test_every_policy_passes_parliament_but_the_findings_docs_security_justifies(estate):
    documents = deployed_documents(estate)
    kinds = {name.split(":", 1)[0] for name in documents}
    assert kinds == {"trust", "inline", "key", "bucket", "vpce"}, sorted(documents)
    unexpected, stale = unaccepted(parliament_findings(documents), accepted_findings(), {"parliament"})
    assert not unexpected, "parliament findings docs/security.md does not list:\n" + "\n".join(map(str, unexpected))
    assert not stale, "docs/security.md lists parliament findings the deployment no longer has:\n" + \
        "\n".join(map(str, stale))


def test_every_role_passes_cloudsplaining_but_the_findings_docs_security_justifies(estate):
    details = estate.aws["authorization_details"]
    ours = dict(details, RoleDetailList=[r for r in details["RoleDetailList"] if r["RoleName"].startswith(PREFIX)],
                UserDetailList=[], GroupDetailList=[])
    assert len(ours["RoleDetailList"]) == len(ROLES), [r["RoleName"] for r in ours["RoleDetailList"]]
    found = cloudsplaining_findings(json.loads(json.dumps(ours, default=str)))
    unexpected, stale = unaccepted(found, accepted_findings(), {"cloudsplaining"})
    assert not unexpected, "cloudsplaining findings docs/security.md does not list:\n" + \
        "\n".join(map(str, unexpected))
    assert not stale, "docs/security.md lists cloudsplaining findings the deployment no longer has:\n" + \
        "\n".join(map(str, stale))
