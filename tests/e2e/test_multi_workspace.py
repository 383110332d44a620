"""The two-workspace inventory (inventories/multi) on the sandbox: both deployments converge in one run, share the
account's service principal and one account-wide log delivery, keep everything else apart, and a re-run changes
nothing on either; destroying one leaves the shared metastore and the other's catalog. State is read with the
databricks-sdk and boto3 clients, not with the modules.
"""

import json

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import DatabricksError

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


def workspace_client(sandbox, prefix):
    """A databricks-sdk WorkspaceClient on the deployment's workspace, with its automation PAT."""
    secret = sandbox.aws_client("secretsmanager").get_secret_value(SecretId=prefix + "/databricks/tokens")
    tokens = json.loads(secret["SecretString"])
    return int(tokens["workspace_id"]), WorkspaceClient(config=Config(
        host=tokens["workspace_url"], token=tokens["pat"]["token_value"], auth_type="pat", retry_timeout_seconds=10))


def test_both_workspaces_share_the_regions_metastore_each_with_its_own_isolated_catalog(sandbox, converged, account):
    clients = {prefix: workspace_client(sandbox, prefix) for prefix in HOSTS.values()}
    assigned = {prefix: account.metastore_assignments.get(ws_id).metastore_assignment.metastore_id
                for prefix, (ws_id, _ws) in clients.items()}
    assert len(set(assigned.values())) == 1, assigned  # one metastore per region, shared
    assert [m.metastore_id for m in account.metastores.list() if m.region == "eu-west-1"] == [assigned["lh-ml"]]
    for prefix, (ws_id, ws) in clients.items():
        catalog = prefix.replace("-", "_")
        assert ws.catalogs.get(catalog).isolation_mode.value == "ISOLATED"
        bindings = ws.api_client.do("GET", f"/api/2.1/unity-catalog/bindings/catalog/{catalog}")
        assert [b["workspace_id"] for b in bindings.get("bindings", [])] == [ws_id]
    # Isolated: the metastore holds both catalogs, but each workspace opens only its own.
    _ml_id, ml = clients["lh-ml"]
    with pytest.raises(DatabricksError):
        list(ml.schemas.list(catalog_name="lh_analytics"))


def test_a_rerun_changes_nothing_on_either_workspace(sandbox, converged):
    again = ok(sandbox.playbook("site.yml", *MULTI), "site.yml again")
    assert {host: recap["changed"] for host, recap in again.recap.items()} == {"analytics": 0, "ml": 0}, \
        again.stdout[-6000:]


def test_destroying_one_workspace_keeps_the_shared_metastore_and_the_others_catalog(sandbox, converged, account):
    analytics_id, analytics = workspace_client(sandbox, "lh-analytics")
    ml_id, _ml = workspace_client(sandbox, "lh-ml")
    metastore_id = account.metastore_assignments.get(ml_id).metastore_assignment.metastore_id

    def metastore_objects():
        # Metastore-level securables: each workspace of the metastore lists every deployment's (those of other
        # tests on this sandbox too); these two deployments' only.
        ours = tuple(prefix + "-" for prefix in HOSTS.values())
        return (sorted(c.name for c in analytics.storage_credentials.list() if c.name.startswith(ours)),
                sorted(loc.name for loc in analytics.external_locations.list() if loc.name.startswith(ours)))

    assert any(name.startswith("lh-ml-") for names in metastore_objects() for name in names), metastore_objects()
    ok(sandbox.playbook("playbooks/destroy.yml", "-i", "inventories/multi", "--limit", "ml",
                        "-e", "confirm_destroy=lh-ml-workspace"), "destroy.yml of lh-ml")

    credentials, locations = metastore_objects()
    assert credentials == ["lh-analytics-uc-storage"]
    assert locations == ["lh-analytics-" + layer for layer in ("catalog", "prepared", "raw", "trusted")]
    # The metastore stays: the other workspace is still assigned to it, with its catalog and schemas.
    assert [m.metastore_id for m in account.metastores.list() if m.region == "eu-west-1"] == [metastore_id]
    assert account.metastore_assignments.get(analytics_id).metastore_assignment.metastore_id == metastore_id
    assert analytics.catalogs.get("lh_analytics").isolation_mode.value == "ISOLATED"
    assert {"raw", "prepared", "trusted"} <= {s.name for s in analytics.schemas.list(catalog_name="lh_analytics")}
    assert not [w for w in account.workspaces.list() if w.workspace_name.startswith("lh-ml")]
