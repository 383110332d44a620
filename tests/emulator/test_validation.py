"""Each Databricks validation rule: break the AWS side in moto, get Databricks' error."""

import json
import uuid

import pytest
import requests
from databricks.sdk.errors import BadRequest, InvalidParameterValue
from databricks.sdk.service import compute, provisioning

from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES

from .conftest import (
    ACCOUNT_ID,
    account_client,
    aws,
    build_estate,
    cross_account_policy,
    m2m_client,
    provision,
    sts_role,
    trust_policy,
)


@pytest.fixture
def a(emulator):
    return account_client(emulator)


def create_network(a, estate, **overrides):
    args = dict(network_name="net", vpc_id=estate.vpc_id, subnet_ids=estate.subnet_ids,
                security_group_ids=[estate.sg_id])
    args.update(overrides)
    return a.networks.create(**args)


# --- credentials ---------------------------------------------------------------------------------
@pytest.mark.parametrize("trust, reason", [
    (None, "does not exist"),
    (trust_policy(principal="arn:aws:iam::999999999999:root"), "does not allow"),
    (trust_policy(external_id="someone-else"), "sts:ExternalId"),
])
def test_credentials_need_a_role_trusting_databricks(a, estate, moto_url, trust, reason):
    role_arn = "arn:aws:iam::123456789012:role/missing"
    if trust:
        role_arn = aws(moto_url, "iam").create_role(RoleName=f"bad-{uuid.uuid4().hex[:8]}",
                                                        AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    with pytest.raises(BadRequest, match=f"Failed credential validation checks.*{reason}") as err:
        a.credentials.create(credentials_name="c", aws_credentials=sts_role(role_arn))
    assert err.value.error_code == "MALFORMED_REQUEST"


def test_credentials_fail_during_iam_propagation(emulator, a, estate):
    emulator.state.config["iam_propagation_seconds"] = 30
    with pytest.raises(BadRequest, match="Failed credential validation checks"):
        a.credentials.create(credentials_name="c", aws_credentials=sts_role(estate.role_arn))
    emulator.state.clock.advance(31)
    assert a.credentials.create(credentials_name="c", aws_credentials=sts_role(estate.role_arn)).credentials_id


# --- storage ---------------------------------------------------------------------------------------
def test_storage_configuration_needs_the_bucket(a, estate):
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        a.storage.create(storage_configuration_name="s",
                         root_bucket_info=provisioning.RootBucketInfo(bucket_name="no-such-bucket"))


def test_workspace_needs_root_bucket_policy_and_region(a, estate, moto_url):
    aws(moto_url, "s3").delete_bucket_policy(Bucket=estate.bucket)
    with pytest.raises(InvalidParameterValue, match="policy"):
        provision(a, estate)
    other = build_estate(moto_url, region="us-west-2")
    a2_storage = a.storage.create(storage_configuration_name="west",
                                  root_bucket_info=provisioning.RootBucketInfo(bucket_name=other.bucket))
    cred = a.credentials.list()[0]
    with pytest.raises(InvalidParameterValue, match="region"):
        a.workspaces.create(workspace_name="x", aws_region=estate.region, credentials_id=cred.credentials_id,
                            storage_configuration_id=a2_storage.storage_configuration_id)


def scoped_root_policy(bucket, region_name, workspace_id, account_id=ACCOUNT_ID):
    """The root bucket policy of Databricks' security reference architecture (restrictive_root_bucket)."""
    arn = f"arn:aws:s3:::{bucket}"
    condition = {"StringEquals": {"aws:PrincipalTag/DatabricksAccountId": account_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"}, "Condition": condition,
         "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": [f"{arn}/*", arn]},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"}, "Condition": condition,
         "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": [f"{arn}/{region_name}-prod/0_databricks_dev",
                      f"{arn}/ephemeral/{region_name}-prod/{workspace_id}/*",
                      f"{arn}/{region_name}-prod/{workspace_id}.*/*", f"{arn}/{region_name}-prod/{workspace_id}/*"]},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"{arn}/*", arn],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def test_root_bucket_policy_scoped_to_the_workspace_keeps_it_valid_and_no_other(a, estate, moto_url):
    ws, _ = provision(a, estate)
    s3 = aws(moto_url, "s3")
    cred2 = a.credentials.create(credentials_name="rotated", aws_credentials=sts_role(estate.role_arn))
    region_name = {"eu-west-1": "ireland", "us-east-1": "nvirginia", "us-west-2": "oregon"}[estate.region]
    s3.put_bucket_policy(Bucket=estate.bucket, Policy=scoped_root_policy(estate.bucket, region_name, ws.workspace_id))
    # An update validates the storage again: the workspace's own prefixes are enough.
    a.workspaces.update(ws.workspace_id, provisioning.Workspace(credentials_id=cred2.credentials_id),
                        update_mask="credentials_id")
    for wrong in (scoped_root_policy(estate.bucket, region_name, 1234),
                  scoped_root_policy(estate.bucket, "somewhere", ws.workspace_id),
                  scoped_root_policy(estate.bucket, region_name, ws.workspace_id, account_id=str(uuid.uuid4()))):
        s3.put_bucket_policy(Bucket=estate.bucket, Policy=wrong)
        with pytest.raises(InvalidParameterValue, match=r"validation checks: .*Put"):
            a.workspaces.update(ws.workspace_id, provisioning.Workspace(credentials_id=cred2.credentials_id),
                                update_mask="credentials_id")


def test_root_bucket_policy_needs_list_and_delete(a, estate, moto_url):
    arn = f"arn:aws:s3:::{estate.bucket}"
    aws(moto_url, "s3").put_bucket_policy(Bucket=estate.bucket, Policy=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"},
                       "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [f"{arn}/*"]}]}))
    with pytest.raises(InvalidParameterValue, match="validation checks: List,Location,Delete"):
        provision(a, estate)


# --- network ---------------------------------------------------------------------------------------
def test_network_needs_dns_attributes(a, estate, moto_url):
    aws(moto_url, "ec2").modify_vpc_attribute(VpcId=estate.vpc_id, EnableDnsHostnames={"Value": False})
    with pytest.raises(InvalidParameterValue, match="DNS"):
        create_network(a, estate)


def test_network_needs_two_subnets_in_distinct_azs(a, estate, moto_url):
    with pytest.raises(InvalidParameterValue, match="at least two subnets"):
        create_network(a, estate, subnet_ids=estate.subnet_ids[:1])
    with pytest.raises(InvalidParameterValue, match="availability zones"):
        create_network(a, estate, subnet_ids=[estate.subnet_ids[0], estate.public_subnet_id])


def test_network_subnet_masks(a, estate, moto_url):
    ec2 = aws(moto_url, "ec2")
    tiny = ec2.create_subnet(VpcId=estate.vpc_id, CidrBlock="10.0.200.0/28",
                             AvailabilityZone=f"{estate.region}c")["Subnet"]["SubnetId"]
    with pytest.raises(InvalidParameterValue, match="/28"):
        create_network(a, estate, subnet_ids=[estate.subnet_ids[0], tiny])


def test_network_security_groups_in_the_vpc(a, estate, moto_url):
    ec2 = aws(moto_url, "ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="foreign", Description="x", VpcId=other_vpc)["GroupId"]
    with pytest.raises(InvalidParameterValue, match="not in VPC"):
        create_network(a, estate, security_group_ids=[foreign])
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        create_network(a, estate, vpc_id="vpc-00000000")


# --- keys ------------------------------------------------------------------------------------------
def test_key_policy_must_let_databricks_use_the_key(a, estate, moto_url):
    kms = aws(moto_url, "kms")
    key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*",
        "Resource": "*"}]}))["KeyMetadata"]["Arn"]
    with pytest.raises(InvalidParameterValue, match="414351767826"):
        a.encryption_keys.create(aws_key_info=provisioning.CreateAwsKeyInfo(key_arn=key),
                                 use_cases=[provisioning.KeyUseCase.STORAGE])
    kms.disable_key(KeyId=estate.key_arn.rsplit("/", 1)[-1])
    with pytest.raises(InvalidParameterValue, match="not enabled"):
        a.encryption_keys.create(aws_key_info=provisioning.CreateAwsKeyInfo(key_arn=estate.key_arn),
                                 use_cases=[provisioning.KeyUseCase.STORAGE])


def test_key_policy_must_grant_databricks_each_use_case_with_its_principal_tag(a, moto_url):
    kms = aws(moto_url, "kms")

    def key(*grants):
        return kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*",
             "Resource": "*"}] + [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::414351767826:root"}, "Action": actions,
             "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/DatabricksAccountId": [account]}}}
            for actions, account in grants]}))["KeyMetadata"]["Arn"]

    def register(arn, use_case):
        return a.encryption_keys.create(aws_key_info=provisioning.CreateAwsKeyInfo(key_arn=arn), use_cases=[use_case])

    # Databricks' managed-services key policy (Encrypt, Decrypt) serves managed services, not workspace storage.
    managed = key((["kms:Encrypt", "kms:Decrypt"], ACCOUNT_ID))
    assert register(managed, provisioning.KeyUseCase.MANAGED_SERVICES).customer_managed_key_id
    with pytest.raises(InvalidParameterValue, match="kms:GenerateDataKey for use case STORAGE"):
        register(managed, provisioning.KeyUseCase.STORAGE)
    storage = key((["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                   ACCOUNT_ID))
    assert register(storage, provisioning.KeyUseCase.STORAGE).customer_managed_key_id
    # The principal tag names another Databricks account: the statement grants this account nothing.
    foreign = key((["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], str(uuid.uuid4())))
    with pytest.raises(InvalidParameterValue, match="principal tag DatabricksAccountId"):
        register(foreign, provisioning.KeyUseCase.MANAGED_SERVICES)


# --- instance profiles --------------------------------------------------------------------------------
def test_instance_profile_must_exist_unless_skip_validation(a, estate):
    _, url = provision(a, estate)
    w = m2m_client(url)
    missing = "arn:aws:iam::123456789012:instance-profile/missing"
    with pytest.raises(BadRequest, match=r"Verification of the instance profile failed.*Invalid IAM Instance"):
        w.instance_profiles.add(missing)
    w.instance_profiles.add(missing, skip_validation=True)
    assert [p.instance_profile_arn for p in w.instance_profiles.list()] == [missing]


def new_profile(moto_url, name=None):
    """An EC2 role and its instance profile; returns (profile ARN, role ARN)."""
    iam = aws(moto_url, "iam")
    name = name or f"data-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return profile, role["Role"]["Arn"]


def test_instance_profile_dry_run_needs_pass_role_from_the_cross_account_role(a, estate, moto_url):
    _, url = provision(a, estate)
    w = m2m_client(url)
    profile, role = new_profile(moto_url)
    with pytest.raises(BadRequest, match=f"not authorized.*iam:PassRole on {role}") as err:
        w.instance_profiles.add(profile)
    assert err.value.error_code == "DRY_RUN_FAILED"
    assert w.instance_profiles.list() == []
    w.instance_profiles.add(estate.instance_profile_arn)  # the meta role is passable
    aws(moto_url, "iam").put_role_policy(RoleName=estate.role_arn.rsplit("/", 1)[-1],
                                         PolicyName="databricks-cross-account",
                                         PolicyDocument=cross_account_policy([estate.instance_profile_arn.replace(
                                             "instance-profile/meta-", "role/meta-"), role]))
    w.instance_profiles.add(profile)
    assert {p.instance_profile_arn for p in w.instance_profiles.list()} == {profile, estate.instance_profile_arn}


def test_instance_profile_dry_run_honours_the_tag_conditions(a, estate, moto_url):
    _, url = provision(a, estate)
    meta_role = estate.instance_profile_arn.replace("instance-profile/meta-", "role/meta-")
    aws(moto_url, "iam").put_role_policy(RoleName=estate.role_arn.rsplit("/", 1)[-1],
                                         PolicyName="databricks-cross-account",
                                         PolicyDocument=cross_account_policy([meta_role], vendor="Someone"))
    with pytest.raises(BadRequest, match=r"ec2:RunInstances.*Vendor=Databricks") as err:
        m2m_client(url).instance_profiles.add(estate.instance_profile_arn)
    assert err.value.error_code == "DRY_RUN_FAILED"


@pytest.mark.parametrize("change, reason", [
    # AMIs of another owner only: Databricks' AMI (owner 601306020600) is refused.
    (lambda s: s[1]["Condition"]["StringEquals"].update({"ec2:Owner": "123456789012"}),
     r"ec2:RunInstances on arn:aws:ec2:[a-z0-9-]+::image/ami-\w+ \(owner 601306020600\)"),
    # An image statement scoped to an account: AMI ARNs name none, so it never matches.
    (lambda s: s[1].update({"Resource": "arn:aws:ec2:*:123456789012:image/*"}), r"ec2:RunInstances on .*image/"),
    # No tagging while launching: the launch carries tags, so AWS also authorises ec2:CreateTags.
    (lambda s: s.pop(2), r"ec2:CreateTags on .* while launching"),
    (lambda s: s[2]["Condition"]["StringEquals"].update({"ec2:CreateAction": "CreateVolume"}), r"ec2:CreateTags"),
])
def test_instance_profile_dry_run_needs_databricks_images_and_tagging_at_launch(a, estate, moto_url, change, reason):
    _, url = provision(a, estate)
    meta_role = estate.instance_profile_arn.replace("instance-profile/meta-", "role/meta-")
    policy = json.loads(cross_account_policy([meta_role]))
    change(policy["Statement"])
    aws(moto_url, "iam").put_role_policy(RoleName=estate.role_arn.rsplit("/", 1)[-1],
                                         PolicyName="databricks-cross-account", PolicyDocument=json.dumps(policy))
    with pytest.raises(BadRequest, match=reason) as err:
        m2m_client(url).instance_profiles.add(estate.instance_profile_arn)
    assert err.value.error_code == "DRY_RUN_FAILED"


def test_new_instance_profile_is_invalid_until_iam_propagates(a, estate, emulator, moto_url):
    _, url = provision(a, estate)
    w = m2m_client(url)
    profile, role = new_profile(moto_url)
    aws(moto_url, "iam").put_role_policy(RoleName=estate.role_arn.rsplit("/", 1)[-1],
                                         PolicyName="databricks-cross-account",
                                         PolicyDocument=cross_account_policy([role]))
    requests.post(f"{emulator.url}/__sandbox/config", json={"iam_propagation_seconds": 30}, timeout=10)
    with pytest.raises(BadRequest, match="Invalid IAM Instance Profile ARN") as err:
        w.instance_profiles.add(profile)
    assert err.value.error_code == "DRY_RUN_FAILED"
    requests.post(f"{emulator.url}/__sandbox/clock/advance", json={"seconds": 31}, timeout=10)
    w.instance_profiles.add(profile)
    assert [p.instance_profile_arn for p in w.instance_profiles.list()] == [profile]


# --- cluster egress -------------------------------------------------------------------------------------
def wait_cluster(w, cluster_id):
    from .conftest import wait_for

    return wait_for(lambda: w.clusters.get(cluster_id),
                    lambda c: c.state in (compute.State.RUNNING, compute.State.TERMINATED))


def test_cluster_needs_nat_egress(a, estate, moto_url):
    """Sleep (NAT deleted) -> cluster start fails with a clear reason; wake (NAT back) -> it runs."""
    _, url = provision(a, estate)
    w = m2m_client(url)
    ec2 = aws(moto_url, "ec2")
    ec2.delete_nat_gateway(NatGatewayId=estate.nat_id)
    cid = w.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="r5.large", num_workers=1).cluster_id
    cluster = wait_cluster(w, cid)
    assert cluster.state == compute.State.TERMINATED
    assert cluster.termination_reason.code == compute.TerminationReasonCode.NETWORK_CONFIGURATION_FAILURE
    assert "egress" in cluster.state_message
    # Wake: a new NAT and the route back.
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=estate.public_subnet_id, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    ec2.replace_route(RouteTableId=estate.private_route_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    w.clusters.start(cid)
    assert wait_cluster(w, cid).state == compute.State.RUNNING


def test_cluster_without_default_route(a, estate, moto_url):
    _, url = provision(a, estate)
    aws(moto_url, "ec2").delete_route(RouteTableId=estate.private_route_table, DestinationCidrBlock="0.0.0.0/0")
    w = m2m_client(url)
    cid = w.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="r5.large", num_workers=1).cluster_id
    cluster = wait_cluster(w, cid)
    assert cluster.state == compute.State.TERMINATED and "no route to 0.0.0.0/0" in cluster.state_message


def test_account_id_is_the_external_id(a, estate):
    cred = a.credentials.create(credentials_name="c", aws_credentials=sts_role(estate.role_arn))
    assert cred.account_id == ACCOUNT_ID


def test_network_subnets_must_be_in_the_vpc(a, estate, moto_url):
    ec2 = aws(moto_url, "ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    stray = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.8.1.0/24",
                              AvailabilityZone=f"{estate.region}c")["Subnet"]["SubnetId"]
    with pytest.raises(InvalidParameterValue, match=f"{stray} is not in VPC"):
        create_network(a, estate, subnet_ids=[estate.subnet_ids[0], stray])


def test_vpc_endpoint_must_exist_in_its_region(a, estate):
    with pytest.raises(InvalidParameterValue, match="vpce-0123456789abcdef0 does not exist"):
        a.vpc_endpoints.create(vpc_endpoint_name="rest", aws_vpc_endpoint_id="vpce-0123456789abcdef0",
                               region=estate.region)


def privatelink_endpoint(moto_url, estate, service, vpc_id=None, endpoint_type="Interface"):
    ec2 = aws(moto_url, "ec2", estate.region)
    options = {"SubnetIds": estate.subnet_ids[:1]} if endpoint_type == "Interface" else {}
    return ec2.create_vpc_endpoint(VpcId=vpc_id or estate.vpc_id, ServiceName=service, VpcEndpointType=endpoint_type,
                                   **options)["VpcEndpoint"]["VpcEndpointId"]


def test_a_vpc_endpoint_registration_needs_a_databricks_interface_endpoint(a, estate, moto_url):
    services = PRIVATELINK_SERVICES[estate.region]
    other = privatelink_endpoint(moto_url, estate, "com.amazonaws.%s.sts" % estate.region)
    with pytest.raises(InvalidParameterValue, match="not to a Databricks endpoint service"):
        a.vpc_endpoints.create(vpc_endpoint_name="sts", aws_vpc_endpoint_id=other, region=estate.region)
    gateway = privatelink_endpoint(moto_url, estate, services["workspace"], endpoint_type="Gateway")
    with pytest.raises(InvalidParameterValue, match="needs an Interface endpoint"):
        a.vpc_endpoints.create(vpc_endpoint_name="gw", aws_vpc_endpoint_id=gateway, region=estate.region)
    relay = a.vpc_endpoints.create(vpc_endpoint_name="relay-%s" % uuid.uuid4().hex[:6], region=estate.region,
                                   aws_vpc_endpoint_id=privatelink_endpoint(moto_url, estate, services["relay"]))
    assert relay.use_case.value == "DATAPLANE_RELAY_ACCESS"
    assert relay.aws_endpoint_service_id == services["relay"].rsplit(".", 1)[-1]


def test_a_network_takes_each_endpoint_for_its_use_and_from_its_vpc(a, estate, moto_url):
    services = PRIVATELINK_SERVICES[estate.region]
    tag = uuid.uuid4().hex[:6]
    rest = a.vpc_endpoints.create(vpc_endpoint_name="rest-" + tag, region=estate.region,
                                  aws_vpc_endpoint_id=privatelink_endpoint(moto_url, estate, services["workspace"]))
    relay = a.vpc_endpoints.create(vpc_endpoint_name="relay-" + tag, region=estate.region,
                                   aws_vpc_endpoint_id=privatelink_endpoint(moto_url, estate, services["relay"]))
    network = dict(vpc_id=estate.vpc_id, subnet_ids=estate.subnet_ids, security_group_ids=[estate.sg_id])
    with pytest.raises(InvalidParameterValue, match="needs WORKSPACE_ACCESS"):
        a.networks.create(network_name="swapped-" + tag, **network, vpc_endpoints=provisioning.NetworkVpcEndpoints(
            rest_api=[relay.vpc_endpoint_id], dataplane_relay=[rest.vpc_endpoint_id]))
    ec2 = aws(moto_url, "ec2", estate.region)
    elsewhere = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    far_id = ec2.create_vpc_endpoint(VpcId=elsewhere, ServiceName=services["workspace"],
                                     VpcEndpointType="Interface")["VpcEndpoint"]["VpcEndpointId"]
    far = a.vpc_endpoints.create(vpc_endpoint_name="far-" + tag, region=estate.region, aws_vpc_endpoint_id=far_id)
    with pytest.raises(InvalidParameterValue, match="not in the network's VPC"):
        a.networks.create(network_name="far-" + tag, **network, vpc_endpoints=provisioning.NetworkVpcEndpoints(
            rest_api=[far.vpc_endpoint_id], dataplane_relay=[relay.vpc_endpoint_id]))
    created = a.networks.create(network_name="pl-" + tag, **network, vpc_endpoints=provisioning.NetworkVpcEndpoints(
        rest_api=[rest.vpc_endpoint_id], dataplane_relay=[relay.vpc_endpoint_id]))
    assert created.vpc_endpoints.rest_api == [rest.vpc_endpoint_id]
