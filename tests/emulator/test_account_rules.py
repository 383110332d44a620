"""Account API rules: lifecycle, in-use deletes, log delivery limits, error classes."""

import pytest
import requests
from databricks.sdk.errors import (
    BadRequest,
    InvalidParameterValue,
    InvalidState,
    NotFound,
    OperationFailed,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)
from databricks.sdk.service import billing, compute, provisioning

from .conftest import account_client, m2m_client, provision, sts_role, wait_for


@pytest.fixture
def a(emulator):
    return account_client(emulator)


def test_workspace_lifecycle_and_sandbox_listing(emulator, a, estate):
    requests.post(f"{emulator.url}/__sandbox/config", json={"provisioning_delay": 60}, timeout=5)
    ws, url = provision(a, estate, wait=False)
    assert ws.workspace_status == provisioning.WorkspaceStatus.PROVISIONING
    # The workspace host answers 503 until the workspace is RUNNING.
    assert requests.get(f"{url}/api/2.0/token/list", timeout=5).status_code == 503
    rows = requests.get(f"{emulator.url}/__sandbox/workspaces", timeout=5).json()
    assert rows == [{"workspace_id": ws.workspace_id, "deployment_name": ws.deployment_name, "url": url}]
    emulator.state.clock.advance(61)
    assert a.workspaces.get(ws.workspace_id).workspace_status == provisioning.WorkspaceStatus.RUNNING
    emulator.state.clock.advance(60)  # past the settle period of the new workspace
    requests.post(f"{emulator.url}/__sandbox/config", json={"workspace_deletion_seconds": 30}, timeout=5)
    a.workspaces.delete(ws.workspace_id)
    # Deletion is asynchronous: the workspace is CANCELLING, still holds its network, then it is gone.
    deleting = a.workspaces.get(ws.workspace_id)
    assert deleting.workspace_status == provisioning.WorkspaceStatus.CANCELLING
    assert [w.workspace_id for w in a.workspaces.list()] == [ws.workspace_id]
    with pytest.raises(InvalidState, match="used by active workspace"):
        a.networks.delete(deleting.network_id)
    emulator.state.clock.advance(31)
    with pytest.raises(ResourceDoesNotExist):
        a.workspaces.get(ws.workspace_id)
    assert a.workspaces.list() == []
    assert requests.get(f"{emulator.url}/__sandbox/workspaces", timeout=5).json() == []
    a.networks.delete(deleting.network_id)


def test_failed_workspace_on_demand(emulator, a, estate):
    requests.post(f"{emulator.url}/__sandbox/config", json={"fail_next_workspace": "MALFORMED_REQUEST: quota"},
                  timeout=5).raise_for_status()
    ws, _ = provision(a, estate)
    assert ws.workspace_status == provisioning.WorkspaceStatus.FAILED
    assert ws.workspace_status_message == "MALFORMED_REQUEST: quota"
    with pytest.raises(OperationFailed, match="quota"):
        a.workspaces.wait_get_workspace_running(ws.workspace_id)
    # The next one is fine again.
    assert requests.get(f"{emulator.url}/__sandbox/config", timeout=5).json()["fail_next_workspace"] is None


def test_in_use_objects_cannot_be_deleted(a, estate):
    ws, _ = provision(a, estate)
    ref = a.workspaces.get(ws.workspace_id)
    for delete, oid in ((a.credentials.delete, ref.credentials_id),
                        (a.storage.delete, ref.storage_configuration_id),
                        (a.networks.delete, ref.network_id),
                        (a.encryption_keys.delete, ref.storage_customer_managed_key_id)):
        with pytest.raises(InvalidState, match=f"used by active workspace {ws.workspace_id}"):
            delete(oid)
    a.workspaces.delete(ws.workspace_id)
    wait_for(a.workspaces.list, lambda rows: not rows)  # deletion is asynchronous
    assert a.networks.get(ref.network_id).vpc_status == provisioning.VpcStatus.UNATTACHED
    a.networks.delete(ref.network_id)
    a.credentials.delete(ref.credentials_id)


def test_network_used_by_another_workspace(a, estate):
    provision(a, estate)
    net = a.networks.list()[0]
    cred, storage = a.credentials.list()[0], a.storage.list()[0]
    with pytest.raises(InvalidParameterValue, match="already used"):
        a.workspaces.create(workspace_name="second", aws_region=estate.region, credentials_id=cred.credentials_id,
                            storage_configuration_id=storage.storage_configuration_id, network_id=net.network_id)


def test_workspace_patch(a, estate):
    ws, _ = provision(a, estate)
    cred2 = a.credentials.create(credentials_name="rotated", aws_credentials=sts_role(estate.role_arn))
    updated = a.workspaces.update(ws.workspace_id, provisioning.Workspace(credentials_id=cred2.credentials_id),
                                  update_mask="credentials_id").response
    assert updated.credentials_id == cred2.credentials_id
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        a.workspaces.update(ws.workspace_id, provisioning.Workspace(credentials_id="nope"),
                            update_mask="credentials_id")


def patch(a, ws, **fields):
    return a.workspaces.update(ws.workspace_id, provisioning.Workspace(**fields),
                               update_mask=",".join(sorted(fields))).response


def test_workspace_update_rules_of_a_running_workspace(emulator, a, estate, moto_url):
    ws, url = provision(a, estate)
    storage2 = a.storage.create(storage_configuration_name="other-root",
                                root_bucket_info=provisioning.RootBucketInfo(bucket_name=estate.bucket))
    with pytest.raises(InvalidParameterValue, match=r"storage_configuration_id .* while it is RUNNING"):
        patch(a, ws, storage_configuration_id=storage2.storage_configuration_id)
    key2 = a.encryption_keys.create(aws_key_info=provisioning.CreateAwsKeyInfo(key_arn=estate.key_arn),
                                    use_cases=[provisioning.KeyUseCase.STORAGE])
    with pytest.raises(InvalidParameterValue, match="already has a storage customer-managed key"):
        patch(a, ws, storage_customer_managed_key_id=key2.customer_managed_key_id)
    with pytest.raises(InvalidParameterValue, match="changed, not removed"):
        a.workspaces.update(ws.workspace_id, provisioning.Workspace(), update_mask="network_id")
    with pytest.raises(InvalidParameterValue, match="1 to 127 characters"):
        patch(a, ws, custom_tags={"k" * 128: "v"})
    with pytest.raises(InvalidParameterValue, match="at most 255 characters"):
        patch(a, ws, custom_tags={"team": "v" * 256})
    # Empty custom tags are not applied; tags are.
    assert patch(a, ws, custom_tags={}).custom_tags is None
    assert patch(a, ws, custom_tags={"team": "data"}).custom_tags == {"team": "data"}
    # A customer-managed VPC workspace stays RUNNING through an update.
    assert a.workspaces.get(ws.workspace_id).workspace_status == provisioning.WorkspaceStatus.RUNNING
    # Refused while compute runs in the workspace (a PENDING or RUNNING cluster), allowed once it is terminated.
    emulator.state.clock.advance(60)  # past the new workspace's settle period
    w = m2m_client(url)
    cluster = w.clusters.create(cluster_name="c", spark_version="16.4.x-scala2.12", node_type_id="m5.large",
                                num_workers=1).response
    with pytest.raises(InvalidState, match=f"running compute resources \\(clusters {cluster.cluster_id}\\)"):
        patch(a, ws, custom_tags={"team": "platform"})
    w.clusters.delete(cluster.cluster_id)
    wait_for(lambda: w.clusters.get(cluster.cluster_id), lambda c: c.state == compute.State.TERMINATED)
    assert patch(a, ws, custom_tags={"team": "platform"}).custom_tags == {"team": "platform"}


def test_failed_workspace_is_redeployed_by_an_update(emulator, a, estate):
    requests.post(f"{emulator.url}/__sandbox/config", json={"fail_next_workspace": "quota"}, timeout=5)
    ws, _ = provision(a, estate)
    assert ws.workspace_status == provisioning.WorkspaceStatus.FAILED
    # Even with nothing changed, a PATCH deploys a FAILED workspace again: PROVISIONING, then RUNNING.
    redeployed = patch(a, ws, credentials_id=ws.credentials_id)
    assert redeployed.workspace_status == provisioning.WorkspaceStatus.PROVISIONING
    running = wait_for(lambda: a.workspaces.get(ws.workspace_id),
                       lambda w: w.workspace_status != provisioning.WorkspaceStatus.PROVISIONING)
    assert running.workspace_status == provisioning.WorkspaceStatus.RUNNING and running.workspace_id == ws.workspace_id


def test_storage_key_cannot_be_added_to_a_failed_workspace_that_ran(emulator, a, estate):
    ws, _ = provision(a, estate)
    emulator.state.account.workspaces[ws.workspace_id].update(workspace_status="FAILED",
                                                              storage_customer_managed_key_id=None)
    key = a.encryption_keys.create(aws_key_info=provisioning.CreateAwsKeyInfo(key_arn=estate.key_arn),
                                   use_cases=[provisioning.KeyUseCase.STORAGE])
    with pytest.raises(InvalidParameterValue, match="was running before it failed"):
        patch(a, ws, storage_customer_managed_key_id=key.customer_managed_key_id)


def test_errors_for_missing_and_duplicate_objects(a, estate):
    with pytest.raises(NotFound):
        a.credentials.get("00000000-0000-0000-0000-000000000000")
    with pytest.raises(ResourceDoesNotExist):
        a.workspaces.delete(1234)
    a.credentials.create(credentials_name="c", aws_credentials=sts_role(estate.role_arn))
    with pytest.raises(ResourceAlreadyExists) as err:
        a.credentials.create(credentials_name="c", aws_credentials=sts_role(estate.role_arn))
    assert isinstance(err.value, ResourceConflict)
    with pytest.raises(InvalidParameterValue, match="credentials_name"):
        a.credentials.create(credentials_name="", aws_credentials=sts_role(estate.role_arn))
    # Unknown endpoint and malformed JSON: plain 404 / 400.
    with pytest.raises(NotFound):
        a.api_client.do("GET", f"/api/2.0/accounts/{a.config.account_id}/nothing-here")
    reply = requests.post(f"{a.config.host}/api/2.0/accounts/{a.config.account_id}/credentials", data="{not json",
                          headers=a.config.authenticate(), timeout=5)
    assert reply.status_code == 400 and reply.json()["error_code"] == "MALFORMED_REQUEST"
    with pytest.raises(BadRequest):
        a.api_client.do("POST", f"/api/2.0/accounts/{a.config.account_id}/credentials", body=[1])


def log_conf(a, log_type="AUDIT_LOGS", fmt="JSON", **kw):
    cred, storage = a.credentials.list()[0], a.storage.list()[0]
    return a.log_delivery.create(billing.CreateLogDeliveryConfigurationParams(
        log_type=billing.LogType(log_type), output_format=billing.OutputFormat(fmt),
        credentials_id=cred.credentials_id, storage_configuration_id=storage.storage_configuration_id, **kw)
    ).log_delivery_configuration


def test_log_delivery_limits_and_formats(emulator, a, estate):
    provision(a, estate)
    first, second = log_conf(a), log_conf(a)
    with pytest.raises(InvalidParameterValue, match="Only 2 account-level"):
        log_conf(a)
    billable = log_conf(a, "BILLABLE_USAGE", "CSV")  # other type: its own limit
    with pytest.raises(InvalidParameterValue, match="requires output_format CSV"):
        log_conf(a, "BILLABLE_USAGE", "JSON")
    a.log_delivery.patch_status(first.config_id, billing.LogDeliveryConfigStatus.DISABLED)
    third = log_conf(a)
    with pytest.raises(InvalidParameterValue):
        a.log_delivery.patch_status(first.config_id, billing.LogDeliveryConfigStatus.ENABLED)
    # Configurable limit; no DELETE route at all (Databricks can't delete them).
    requests.post(f"{emulator.url}/__sandbox/config", json={"log_delivery_enabled_limit": 3}, timeout=5)
    a.log_delivery.patch_status(first.config_id, billing.LogDeliveryConfigStatus.ENABLED)
    with pytest.raises(NotFound):
        a.api_client.do("DELETE", f"/api/2.0/accounts/{a.config.account_id}/log-delivery/{second.config_id}")
    enabled = a.log_delivery.list(status=billing.LogDeliveryConfigStatus.ENABLED)
    assert {c.config_id for c in enabled} == {first.config_id, second.config_id, third.config_id,
                                              billable.config_id}
    # Credentials used by an enabled configuration can't be deleted... once the workspace is gone.
    ws = a.workspaces.list()[0]
    a.workspaces.delete(ws.workspace_id)
    wait_for(a.workspaces.list, lambda rows: not rows)  # deletion is asynchronous
    with pytest.raises(InvalidState, match="log delivery"):
        a.credentials.delete(ws.credentials_id)


def test_log_delivery_list_is_paged(a, estate):
    cred = a.credentials.create(credentials_name="logs", aws_credentials=sts_role(estate.role_arn))
    storage = a.storage.create(storage_configuration_name="logs",
                               root_bucket_info=provisioning.RootBucketInfo(bucket_name=estate.bucket))
    names = [f"disabled-{i}" for i in range(7)]  # disabled configurations stay forever: accounts accumulate them
    for name in names:
        a.log_delivery.create(billing.CreateLogDeliveryConfigurationParams(
            config_name=name, log_type=billing.LogType.AUDIT_LOGS, output_format=billing.OutputFormat.JSON,
            credentials_id=cred.credentials_id, storage_configuration_id=storage.storage_configuration_id,
            status=billing.LogDeliveryConfigStatus.DISABLED))
    first = a.api_client.do("GET", f"/api/2.0/accounts/{a.config.account_id}/log-delivery")
    assert len(first["log_delivery_configurations"]) < len(names) and first["next_page_token"]
    assert [c.config_name for c in a.log_delivery.list()] == names  # the SDK follows next_page_token


def test_workspaces_cannot_share_subnets_or_security_groups(a, estate):
    provision(a, estate)
    cred = a.credentials.create(credentials_name="second", aws_credentials=sts_role(estate.role_arn))
    storage = a.storage.create(storage_configuration_name="second",
                               root_bucket_info=provisioning.RootBucketInfo(bucket_name=estate.bucket))
    same_subnets = a.networks.create(network_name="second", vpc_id=estate.vpc_id, subnet_ids=estate.subnet_ids,
                                     security_group_ids=[estate.sg_id])
    with pytest.raises(InvalidParameterValue, match="cannot be shared between workspaces"):
        a.workspaces.create(workspace_name="second", aws_region=estate.region, credentials_id=cred.credentials_id,
                            storage_configuration_id=storage.storage_configuration_id,
                            network_id=same_subnets.network_id)
