"""PrivateLink on the sandbox: the network carries the workspace and relay endpoints, Databricks has them registered
in the workspace's network configuration, the workspace is attached to the private access settings, a re-run changes
nothing, sleep keeps the PrivateLink endpoints (and deletes the others), wake and destroy pass. One ordered test on
the session sandbox under its own deployment_prefix and VPC CIDR; state is read with boto3 and the databricks-sdk.
"""

import datetime
import json

from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.service import compute

from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES
from tests.e2e.conftest import live_vpc_endpoints, ok
from tests.e2e.test_network import assert_privatelink_group

PREFIX = "lh-pl"
REGION = "eu-west-1"
EXTRA = json.dumps({
    "deployment_prefix": PREFIX, "network_privatelink_enabled": True, "network_vpc_cidr": "10.31.0.0/16",
    "network_private_subnet_cidrs": ["10.31.1.0/24", "10.31.2.0/24", "10.31.3.0/24"],
    "network_public_subnet_cidrs": ["10.31.101.0/24"]})


def endpoints_by_name(sandbox, pattern):
    """The live VPC endpoints whose Name tag matches pattern, by name."""
    found = live_vpc_endpoints(sandbox.aws_client("ec2"), [{"Name": "tag:Name", "Values": [pattern]}])
    return {next(t["Value"] for t in e["Tags"] if t["Key"] == "Name"): e for e in found}


def terminate_clusters(sandbox, workspace_id):
    """Terminate the workspace's clusters (as its admin, the account service principal) and wait for them."""
    url = next(w["url"] for w in sandbox.emulator("/__sandbox/workspaces") if w["workspace_id"] == workspace_id)
    endpoints = sandbox.endpoints
    w = WorkspaceClient(config=Config(host=url, client_id=endpoints["client_id"],
                                      client_secret=endpoints["client_secret"], auth_type="oauth-m2m",
                                      retry_timeout_seconds=10))
    for cluster in w.clusters.list():
        if cluster.state != compute.State.TERMINATED:
            w.clusters.delete(cluster.cluster_id)
            w.clusters.wait_get_cluster_terminated(cluster.cluster_id, timeout=datetime.timedelta(seconds=60))


def workspace_of(account):
    return next(w for w in account.workspaces.list() if w.workspace_name.startswith(PREFIX))


def test_privatelink_deployment_lifecycle(sandbox, account):
    ok(sandbox.playbook("site.yml", "-e", EXTRA), "site.yml with PrivateLink")

    # AWS: two interface endpoints to Databricks' services, in the private subnets, behind their own group
    services = PRIVATELINK_SERVICES[REGION]
    endpoints = endpoints_by_name(sandbox, PREFIX + "-privatelink-*")
    assert set(endpoints) == {PREFIX + "-privatelink-workspace", PREFIX + "-privatelink-relay"}
    workspace_vpce, relay_vpce = endpoints[PREFIX + "-privatelink-workspace"], endpoints[PREFIX + "-privatelink-relay"]
    assert (workspace_vpce["ServiceName"], relay_vpce["ServiceName"]) == (services["workspace"], services["relay"])
    assert workspace_vpce["VpcEndpointType"] == "Interface" and workspace_vpce["PrivateDnsEnabled"]
    assert len(workspace_vpce["SubnetIds"]) == 3
    ec2 = sandbox.aws_client("ec2")
    group = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in workspace_vpce["Groups"]])["SecurityGroups"][0]
    assert group["GroupName"] == PREFIX + "-privatelink"
    (workspace_group,) = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": [PREFIX + "-workspace-sg"]}])["SecurityGroups"]
    assert_privatelink_group(group, workspace_group["GroupId"])

    # Databricks: the registrations, the network configuration carrying them, the workspace on it and on the PAS
    registrations = {e.vpc_endpoint_name: e for e in account.vpc_endpoints.list()}
    rest = registrations[PREFIX + "-privatelink-workspace"]
    relay = registrations[PREFIX + "-privatelink-relay"]
    assert rest.aws_vpc_endpoint_id == workspace_vpce["VpcEndpointId"] and rest.use_case.value == "WORKSPACE_ACCESS"
    assert relay.aws_vpc_endpoint_id == relay_vpce["VpcEndpointId"]
    workspace = workspace_of(account)
    network = account.networks.get(workspace.network_id)
    assert network.network_name == PREFIX + "-network-privatelink"
    assert network.vpc_endpoints.rest_api == [rest.vpc_endpoint_id]
    assert network.vpc_endpoints.dataplane_relay == [relay.vpc_endpoint_id]
    settings = account.private_access.get(workspace.private_access_settings_id)
    assert settings.private_access_settings_name == PREFIX + "-private-access"
    assert settings.private_access_level.value == "ENDPOINT"
    assert settings.allowed_vpc_endpoint_ids == [rest.vpc_endpoint_id]
    assert settings.public_access_enabled  # the run itself reaches the workspace API from outside the VPC

    again = ok(sandbox.playbook("site.yml", "-e", EXTRA), "site.yml again")
    assert again.changed() == 0, again.stdout[-6000:]

    # sleep deletes the other endpoints, NAT and EIP, and keeps the PrivateLink ones (the workspace's network
    # configuration holds their IDs); wake brings the others back and changes nothing in Databricks
    ok(sandbox.playbook("playbooks/sleep.yml", "-e", EXTRA), "sleep.yml")
    assert set(endpoints_by_name(sandbox, PREFIX + "-*-endpoint")) == set()
    assert set(endpoints_by_name(sandbox, PREFIX + "-privatelink-*")) == set(endpoints)
    ok(sandbox.playbook("playbooks/wake.yml", "-e", EXTRA), "wake.yml")
    assert len(endpoints_by_name(sandbox, PREFIX + "-*-endpoint")) == 3
    after_wake = ok(sandbox.playbook("site.yml", "-e", EXTRA), "site.yml after wake")
    assert after_wake.changed() == 0, after_wake.stdout[-6000:]
    assert workspace_of(account).network_id == workspace.network_id

    # destroy: the PrivateLink objects go with the rest
    confirm = json.dumps({"confirm_destroy": workspace.workspace_name})
    ok(sandbox.playbook("playbooks/destroy.yml", "-e", EXTRA, "-e", confirm), "destroy.yml")
    assert endpoints_by_name(sandbox, PREFIX + "-*") == {}
    assert not [e for e in account.vpc_endpoints.list() if e.vpc_endpoint_name.startswith(PREFIX)]
    assert not [p for p in account.private_access.list() if p.private_access_settings_name.startswith(PREFIX)]
    assert not [n for n in account.networks.list() if n.network_name.startswith(PREFIX)]
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [PREFIX + "-privatelink"]}])[
        "SecurityGroups"]


def test_turning_privatelink_on_moves_the_workspace_to_a_new_network_configuration(sandbox, account):
    prefix = "lh-pl-on"
    plain = {"deployment_prefix": prefix, "network_vpc_cidr": "10.32.0.0/16",
             "network_private_subnet_cidrs": ["10.32.1.0/24", "10.32.2.0/24", "10.32.3.0/24"],
             "network_public_subnet_cidrs": ["10.32.101.0/24"]}
    ok(sandbox.playbook("site.yml", "-e", json.dumps(plain)), "site.yml without PrivateLink")
    workspace = next(w for w in account.workspaces.list() if w.workspace_name.startswith(prefix))
    assert account.networks.get(workspace.network_id).network_name == prefix + "-network"
    assert not workspace.private_access_settings_id

    with_privatelink = json.dumps(dict(plain, network_privatelink_enabled=True))
    # Databricks does not change a running workspace's network while compute runs in it: the run stops at the
    # workspace, says what to do, and the workspace keeps its network
    refused = sandbox.playbook("site.yml", "-e", with_privatelink)
    assert refused.returncode != 0 and "WORKSPACE_HAS_RUNNING_COMPUTE" in refused.stdout, refused.stdout[-6000:]
    assert account.workspaces.get(workspace.workspace_id).network_id == workspace.network_id
    terminate_clusters(sandbox, workspace.workspace_id)
    ok(sandbox.playbook("site.yml", "-e", with_privatelink), "site.yml with PrivateLink turned on")
    moved = account.workspaces.get(workspace.workspace_id)
    network = account.networks.get(moved.network_id)
    assert network.network_name == prefix + "-network-privatelink" and network.vpc_endpoints.rest_api
    assert account.private_access.get(moved.private_access_settings_id).private_access_settings_name == (
        prefix + "-private-access")
    assert [n.network_name for n in account.networks.list() if n.network_name.startswith(prefix)] == [
        prefix + "-network-privatelink"]  # the configuration the workspace left is deleted
    again = ok(sandbox.playbook("site.yml", "-e", with_privatelink), "site.yml again")
    assert again.changed() == 0, again.stdout[-6000:]
