"""Fixtures: moto (threaded server) and the Databricks emulator (in-process), both on free loopback ports."""

import dataclasses
import functools
import json
import logging
import time
import uuid

import boto3
import pytest
import requests
from databricks.sdk import AccountClient, WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.service import provisioning as prov
from moto.server import ThreadedMotoServer

from sandbox.databricks_emulator.server import EmulatorServer

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's access log drowns test output

ACCOUNT_ID = "0d3c9f2a-1111-4a5b-9c8d-000000000001"
CLIENT_ID = "emulator-test-client"
CLIENT_SECRET = "emulator-test-secret-value"
DATABRICKS = "arn:aws:iam::414351767826:root"
REGION = "eu-west-1"
# Strict by default, short to keep the suite quick: a new workspace refuses its API this long after RUNNING.
SETTLE_SECONDS = 0.2


@pytest.fixture(scope="session")
def moto_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def emulator_server(moto_url):
    server = EmulatorServer(aws_endpoint=moto_url, account_id=ACCOUNT_ID, client_id=CLIENT_ID,
                            client_secret=CLIENT_SECRET, provisioning_delay=0.05, cluster_start_seconds=0.05,
                            workspace_settle_seconds=SETTLE_SECONDS).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server, moto_url):
    """A clean emulator for each test (moto is shared: each estate has its own unique names and VPC)."""
    requests.post(f"{emulator_server.url}/__sandbox/reset", timeout=10).raise_for_status()
    requests.post(f"{emulator_server.url}/__sandbox/config", timeout=10, json={
        "provisioning_delay": 0.05, "cluster_start_seconds": 0.05, "workspace_deletion_seconds": 0.05,
        "workspace_settle_seconds": SETTLE_SECONDS}).raise_for_status()
    return emulator_server


def sdk_config(host: str, retry_timeout: int = 5, **auth) -> Config:
    return Config(host=host, retry_timeout_seconds=retry_timeout, http_timeout_seconds=10, **auth)


def account_client(emulator, secret: str = CLIENT_SECRET, **kw) -> AccountClient:
    return AccountClient(config=sdk_config(emulator.url, account_id=ACCOUNT_ID, client_id=CLIENT_ID,
                                           client_secret=secret, auth_type="oauth-m2m", **kw))


def pat_client(url: str, token: str, **kw) -> WorkspaceClient:
    return WorkspaceClient(config=sdk_config(url, token=token, auth_type="pat", **kw))


def m2m_client(url: str, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET, **kw) -> WorkspaceClient:
    return WorkspaceClient(config=sdk_config(url, client_id=client_id, client_secret=secret, auth_type="oauth-m2m",
                                             **kw))


@functools.lru_cache(maxsize=None)  # boto3 clients are slow to build; moto_url is fixed for the session
def aws(moto_url: str, service: str, region: str = REGION):
    return boto3.client(service, endpoint_url=moto_url, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@dataclasses.dataclass
class Estate:
    """The AWS side of one deployment, built in moto the way the collection's roles build it."""

    region: str
    role_arn: str
    bucket: str
    vpc_id: str
    subnet_ids: list
    public_subnet_id: str
    sg_id: str
    nat_id: str
    private_route_table: str
    key_arn: str
    instance_profile_arn: str


def trust_policy(external_id: str = ACCOUNT_ID, principal: str = DATABRICKS) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]})


def cross_account_policy(pass_roles: list, vendor: str = "Databricks") -> str:
    """The parts of the cross-account policy Databricks' instance profile dry run exercises."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:RunInstances",
         "Resource": ["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*"],
         "Condition": {"StringEquals": {"aws:RequestTag/Vendor": vendor}}},
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*::image/*",
         "Condition": {"StringEquals": {"ec2:Owner": "601306020600"}}},
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"StringEquals": {"ec2:CreateAction": "RunInstances", "aws:RequestTag/Vendor": vendor}}},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": pass_roles}]})


def build_estate(moto_url: str, region: str = REGION) -> Estate:
    tag = uuid.uuid4().hex[:8]
    iam, s3, ec2, kms = (aws(moto_url, s, region) for s in ("iam", "s3", "ec2", "kms"))
    role_arn = iam.create_role(RoleName=f"cross-{tag}", AssumeRolePolicyDocument=trust_policy())["Role"]["Arn"]
    bucket = f"root-{tag}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": DATABRICKS},
        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                   "s3:GetBucketLocation"],
        "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"]}]}))
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for attr in ("EnableDnsHostnames", "EnableDnsSupport"):
        ec2.modify_vpc_attribute(VpcId=vpc_id, **{attr: {"Value": True}})
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{az}")
               ["Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "b"))]
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.101.0/24", AvailabilityZone=f"{region}a")
    public_id = public["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=public_id, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    sg_id = ec2.create_security_group(GroupName=f"sg-{tag}", Description="db", VpcId=vpc_id)["GroupId"]
    key_arn = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "databricks", "Effect": "Allow", "Principal": {"AWS": DATABRICKS},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]}))["KeyMetadata"]["Arn"]
    iam.create_role(RoleName=f"meta-{tag}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    profile = iam.create_instance_profile(InstanceProfileName=f"meta-{tag}")["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=f"meta-{tag}", RoleName=f"meta-{tag}")
    iam.put_role_policy(RoleName=f"cross-{tag}", PolicyName="databricks-cross-account",
                        PolicyDocument=cross_account_policy([f"arn:aws:iam::123456789012:role/meta-{tag}"]))
    return Estate(region, role_arn, bucket, vpc_id, subnets, public_id, sg_id, nat_id, table, key_arn, profile)


@pytest.fixture
def estate(emulator, moto_url) -> Estate:
    return build_estate(moto_url)


def provision(a: AccountClient, estate: Estate, name: str = "ws", wait: bool = True):
    """Credentials, storage, network, key and a RUNNING workspace; returns (workspace, its URL)."""
    cred = a.credentials.create(credentials_name=f"{name}-cred", aws_credentials=sts_role(estate.role_arn))
    storage = a.storage.create(storage_configuration_name=f"{name}-storage",
                               root_bucket_info=prov.RootBucketInfo(bucket_name=estate.bucket))
    network = a.networks.create(network_name=f"{name}-net", vpc_id=estate.vpc_id, subnet_ids=estate.subnet_ids,
                                security_group_ids=[estate.sg_id])
    key = a.encryption_keys.create(aws_key_info=prov.CreateAwsKeyInfo(key_arn=estate.key_arn),
                                   use_cases=[prov.KeyUseCase.STORAGE])
    waiter = a.workspaces.create(workspace_name=name, aws_region=estate.region, credentials_id=cred.credentials_id,
                                 storage_configuration_id=storage.storage_configuration_id,
                                 network_id=network.network_id,
                                 storage_customer_managed_key_id=key.customer_managed_key_id)
    ws = wait_for(lambda: a.workspaces.get(waiter.response.workspace_id),
                  lambda w: w.workspace_status.value != "PROVISIONING") if wait else waiter.response
    url = workspace_url(a, waiter.response.workspace_id)
    if wait and ws.workspace_status.value == "RUNNING":
        wait_for(lambda: reachable(url), bool)
    return ws, url


def reachable(url: str) -> bool:
    """The workspace serves requests: its settle period after RUNNING is over (what the Terraform provider
    checks after RUNNING, mws/resource_mws_workspaces.go verifyWorkspaceReachable). Any reply but the
    settle period's "no worker environment" one will do (discovery needs no authentication)."""
    reply = requests.get(f"{url}/.well-known/databricks-config", timeout=10)
    return "worker environment" not in reply.text


def wait_for(poll, done, timeout: float = 15, interval: float = 0.05):
    """Poll faster than the SDK's waiters (which sleep >= 1 s) to keep the suite quick."""
    deadline = time.monotonic() + timeout
    while True:
        value = poll()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def workspace_url(a_or_emulator, workspace_id: int) -> str:
    base = a_or_emulator.config.host if hasattr(a_or_emulator, "config") else a_or_emulator.url
    rows = requests.get(f"{base}/__sandbox/workspaces", timeout=10).json()
    return next(r["url"] for r in rows if r["workspace_id"] == workspace_id)


def sts_role(role_arn: str) -> prov.CreateCredentialAwsCredentials:
    return prov.CreateCredentialAwsCredentials(sts_role=prov.CreateCredentialStsRole(role_arn=role_arn))
