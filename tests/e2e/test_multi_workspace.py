"""The two-workspace inventory (inventories/multi) on the sandbox: both deployments converge in one run, share the
account's service principal and one account-wide log delivery, keep everything else apart, and a re-run changes
nothing on either. State is read with the databricks-sdk and boto3 clients, not with the modules.
"""

import pytest

from tests.e2e.conftest import ok

# -i inventories/local (the sandbox connection, given by the harness) -i inventories/multi --limit multi_workspace
MULTI = ("-i", "inventories/multi", "--limit", "multi_workspace")
HOSTS = {"analytics": "lh-analytics", "ml": "lh-ml"}


@pytest.fixture(scope="module")
def converged(sandbox):
    return ok(sandbox.playbook("site.yml", *MULTI), "site.yml on both workspaces")


def test_both_workspaces_converge_in_one_run(sandbox, converged, account):
    assert set(converged.recap) == set(HOSTS)  # the local "sandbox" host is left out by --limit
    assert all(recap["failed"] == 0 and recap["changed"] > 0 for recap in converged.recap.values())
    workspaces = {w.workspace_name: w for w in account.workspaces.list()}
    ec2 = sandbox.aws_client("ec2")
    vpcs = {}
    for prefix in HOSTS.values():
        workspace = next(w for name, w in workspaces.items() if name.startswith(prefix))
        assert workspace.workspace_status.value == "RUNNING"
        network = account.networks.get(workspace.network_id)
        vpcs[prefix] = ec2.describe_vpcs(VpcIds=[network.vpc_id])["Vpcs"][0]["CidrBlock"]
        credentials = account.credentials.get(workspace.credentials_id)
        assert credentials.credentials_name.startswith(prefix)  # the cross-account role is per VPC
        # a key of its own for the workspace storage and one for its managed services (storage_encryption_separate_keys)
        storage_key = account.encryption_keys.get(workspace.storage_customer_managed_key_id)
        services_key = account.encryption_keys.get(workspace.managed_services_customer_managed_key_id)
        assert [u.value for u in storage_key.use_cases] == ["STORAGE"]
        assert [u.value for u in services_key.use_cases] == ["MANAGED_SERVICES"]
        assert storage_key.aws_key_info.key_arn != services_key.aws_key_info.key_arn
        assert storage_key.aws_key_info.key_alias == f"alias/{prefix}-workspace-storage"
        assert services_key.aws_key_info.key_alias == f"alias/{prefix}-managed-services"
    assert vpcs == {"lh-analytics": "10.21.0.0/16", "lh-ml": "10.22.0.0/16"}


def test_one_account_wide_log_delivery_covers_both(converged, account):
    mine = [c for c in account.log_delivery.list() if (c.config_name or "").startswith(tuple(HOSTS.values()))]
    by_owner = {}
    for conf in mine:
        by_owner.setdefault(conf.config_name.split("-")[1], []).append(conf)
    assert sorted(c.log_type.value for c in by_owner["analytics"]) == ["AUDIT_LOGS", "BILLABLE_USAGE"]
    assert all(c.status.value == "ENABLED" and not c.workspace_ids_filter for c in by_owner["analytics"])
    assert "ml" not in by_owner  # delivered by analytics' account-wide configurations


def test_a_rerun_changes_nothing_on_either_workspace(sandbox, converged):
    again = ok(sandbox.playbook("site.yml", *MULTI), "site.yml again")
    assert {host: recap["changed"] for host, recap in again.recap.items()} == {"analytics": 0, "ml": 0}, \
        again.stdout[-6000:]
