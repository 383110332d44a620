"""databricks_management against the sandbox: converge after site.yml, idempotence, client-side encryption
switches, in-place cluster edits, and --check --diff without mutating calls.

The whole estate runs once for this module (management_site.yml = site.yml + the management play) under its own
deployment_prefix, so it does not meet the other e2e modules' objects on the shared session sandbox. The later
runs use management_only.yml (the role alone; the earlier roles' outputs as extra vars, the tokens from Secrets
Manager). State is read with the databricks-sdk clients, not with the modules. Tests run in file order.
"""

import base64

import pytest
from databricks.sdk.errors import NotFound

from tests.e2e.conftest import ManagedDeployment, ok

PREFIX = "lh-mgmt"
CORE_SITE = "/tmp/core-site.xml"
SSE_KEYS = ("spark.hadoop.fs.s3a.server-side-encryption-algorithm", "spark.hadoop.fs.s3a.server-side-encryption.key")


class Deployment(ManagedDeployment):
    """The converged deployment and what this module reads of it with the SDK."""

    def cluster(self):
        found = [c for c in self.workspace.clusters.list() if c.cluster_name == self.prefix + "-High-Concurrency"]
        assert len(found) == 1
        return self.workspace.clusters.get(found[0].cluster_id)

    def init_script(self):
        found = [s for s in self.workspace.global_init_scripts.list() if s.name == "encryption_init_script"]
        assert len(found) == 1
        return self.workspace.global_init_scripts.get(found[0].script_id)

    def group(self, name):
        found = list(self.workspace.groups.list(filter='displayName eq "%s"' % name))
        assert len(found) == 1
        return found[0]

    def account_group(self, name):
        found = list(self.account.groups.list(filter='displayName eq "%s"' % name))
        assert len(found) == 1
        return found[0]

    def group_assignments(self):
        """{principal id: [permission]} of the workspace's permission assignments (account API)."""
        wid = self.outputs["databricks_provisioning_outputs"]["workspace_id"]
        return {a.principal.principal_id: sorted(p.value for p in a.permissions or [])
                for a in self.account.workspace_assignment.list(workspace_id=int(wid))}

    def log_deliveries(self):
        return [c for c in self.account.log_delivery.list() if (c.config_name or "").startswith(self.prefix)]


@pytest.fixture(scope="module")
def deployment(sandbox, tmp_path_factory):
    return Deployment.converge(sandbox, tmp_path_factory.mktemp("management"), PREFIX)


def test_state_after_site_matches_the_seed(deployment):
    iam = deployment.outputs["iam_outputs"]
    storage = deployment.outputs["storage_encryption_outputs"]
    ws = deployment.workspace
    # Unity Catalog (the default data access model): no instance profile is registered or granted to admins; the
    # groups are account groups assigned to the workspace with USER, seen there under their account ids, without
    # instance profiles or entitlements
    registered = {p.instance_profile_arn for p in ws.instance_profiles.list()}
    ours = {iam[key] for key in ("meta_instance_profile_arn", "data_read_instance_profile_arn",
                                 "data_write_instance_profile_arn")}
    assert not registered & ours, registered
    assert iam["meta_instance_profile_arn"] not in [r.value for r in deployment.group("admins").roles or []]
    assignments = deployment.group_assignments()
    for name in ("Read only", "All access"):
        group = deployment.group(name)
        assert group.id == deployment.account_group(name).id and group.meta.resource_type == "Group"
        assert assignments[int(group.id)] == ["USER"]
        assert not group.roles and not group.entitlements
    # the SSE-KMS settings in the admin-only init script itself, nothing on DBFS; the script disabled
    # (dbfs_client_side_enc off by default)
    with pytest.raises(NotFound):
        ws.dbfs.get_status(CORE_SITE)
    script = deployment.init_script()
    assert script.enabled is storage["client_side_encryption"]["dbfs"]
    body = base64.b64decode(script.script).decode()
    assert storage["datalake_key_arn"] in body and "SSE-KMS" in body
    assert "/dbfs" not in body and "dbfs:" not in body, body
    # the cluster
    cluster = deployment.cluster()
    assert cluster.state.value == "RUNNING"
    assert cluster.spark_version == "17.3.x-scala2.13"  # the emulator's latest LTS
    # smallest >= 15 GB, >= 2 cores, no local disk that the workspace offers (r4.large is NotAvailableInRegion)
    assert cluster.node_type_id == "r5.large"
    assert (cluster.autoscale.min_workers, cluster.autoscale.max_workers) == (1, 2)
    assert cluster.autotermination_minutes == 30
    assert cluster.data_security_mode.value == "USER_ISOLATION"  # the workspace enforces user isolation
    aws = cluster.aws_attributes
    assert aws.availability.value == "SPOT_WITH_FALLBACK" and aws.first_on_demand == 1
    assert aws.spot_bid_price_percent == 60 and (aws.ebs_volume_count, aws.ebs_volume_size) == (1, 32)
    assert aws.instance_profile_arn is None  # Unity Catalog: no instance profile on the cluster
    s3 = cluster.cluster_log_conf.s3
    assert s3.destination == "s3://%s/cluster-logs" % storage["buckets"]["databricks_logging"]
    assert s3.enable_encryption and s3.encryption_type == "sse-kms" and s3.kms_key == storage["logging_key_arn"]
    assert cluster.custom_tags["Project"] == "lakehouse"
    has_sse = all(key in (cluster.spark_conf or {}) for key in SSE_KEYS)
    assert has_sse is storage["client_side_encryption"]["datalake"]
    # log delivery: credentials, billable usage to the logging bucket, audit logs to a bucket and a storage
    # configuration of their own
    confs = {c.log_type.value: c for c in deployment.log_deliveries()}
    assert confs["BILLABLE_USAGE"].output_format.value == "CSV"
    assert confs["BILLABLE_USAGE"].delivery_path_prefix == "billable-usage"
    assert confs["AUDIT_LOGS"].output_format.value == "JSON"
    assert confs["AUDIT_LOGS"].delivery_path_prefix == "audit-logs"
    assert all(c.status.value == "ENABLED" for c in confs.values())
    audit_storage = deployment.account.storage.get(confs["AUDIT_LOGS"].storage_configuration_id)
    assert audit_storage.root_bucket_info.bucket_name == storage["buckets"]["audit_logs"] == PREFIX + "-audit-logs"
    assert audit_storage.storage_configuration_name == PREFIX + "-audit-log-storage"
    billable_storage = deployment.account.storage.get(confs["BILLABLE_USAGE"].storage_configuration_id)
    assert billable_storage.root_bucket_info.bucket_name == storage["buckets"]["databricks_logging"]
    assert confs["BILLABLE_USAGE"].credentials_id == confs["AUDIT_LOGS"].credentials_id
    credentials = deployment.account.credentials.get(confs["AUDIT_LOGS"].credentials_id)
    assert credentials.aws_credentials.sts_role.role_arn == iam["log_delivery_role_arn"]
    # the outputs
    outputs = deployment.outputs["databricks_management_outputs"]
    assert outputs["cluster_id"] == cluster.cluster_id and outputs["init_script_id"] == script.script_id
    assert outputs["group_ids"]["Read only"] == deployment.group("Read only").id
    assert outputs["data_access_model"] == "unity_catalog" and outputs["instance_profile_arns"] == {}
    assert set(outputs["log_delivery"]["config_ids"]) == {"BILLABLE_USAGE", "AUDIT_LOGS"}
    assert outputs["log_delivery"]["audit_storage_configuration_id"] == audit_storage.storage_configuration_id
    assert outputs["log_delivery"]["storage_configuration_id"] == billable_storage.storage_configuration_id


def test_second_run_changes_nothing(deployment):
    deployment.sandbox.clear_requests()
    run = ok(deployment.run())
    assert run.changed() == 0, run.stdout[-5000:]
    assert deployment.mutations() == []
    for token in (deployment.tokens["pat"]["token_value"], deployment.tokens["obo"]["token_value"]):
        assert token not in run.stdout + run.stderr


def test_the_dbfs_file_of_an_earlier_version_is_removed_once(deployment):
    """An earlier version uploaded the SSE-KMS settings to DBFS, where any user can overwrite them: a run removes
    that file (and only that), the next run has nothing to do."""
    ws = deployment.workspace
    ws.dbfs.put(CORE_SITE, contents=base64.b64encode(b"<configuration/>").decode(), overwrite=True)
    assert ws.dbfs.get_status(CORE_SITE).file_size > 0
    deployment.sandbox.clear_requests()
    run = ok(deployment.run())
    assert run.changed() == 1, run.stdout[-5000:]
    assert deployment.mutations() == [("POST", "/api/2.0/dbfs/delete")]
    with pytest.raises(NotFound):
        ws.dbfs.get_status(CORE_SITE)
    assert ok(deployment.run()).changed() == 0


def test_check_diff_predicts_flips_without_mutating(deployment):
    before_script, before_cluster = deployment.init_script(), deployment.cluster()
    deployment.sandbox.clear_requests()
    run = ok(deployment.run("--check", "--diff", extra={"databricks_management_dbfs_client_side_enc": True,
                                                        "databricks_management_datalake_client_side_enc": False,
                                                        "databricks_management_cluster_max_workers": 3}))
    assert run.changed() == 2, run.stdout[-5000:]  # init script + cluster
    assert deployment.mutations() == []
    assert deployment.sandbox.aws_mutating_requests() == []
    assert "max_workers" in run.stdout and "enabled" in run.stdout
    assert deployment.init_script().enabled == before_script.enabled
    assert deployment.cluster().autoscale.max_workers == before_cluster.autoscale.max_workers


@pytest.mark.parametrize("flag, changed_path", [
    ("databricks_management_dbfs_client_side_enc", "/api/2.0/global-init-scripts/"),
    ("databricks_management_datalake_client_side_enc", "/api/2.1/clusters/edit"),
])
def test_flipping_a_flag_flips_only_its_object(deployment, flag, changed_path):
    storage = deployment.outputs["storage_encryption_outputs"]["client_side_encryption"]
    initial = storage["dbfs" if "dbfs" in flag else "datalake"]
    script_before, cluster_before = deployment.init_script(), deployment.cluster()
    for value in (not initial, initial):  # flip, then back
        deployment.sandbox.clear_requests()
        run = ok(deployment.run(extra={flag: value}))
        assert run.changed() == 1, run.stdout[-5000:]
        paths = [path for _, path in deployment.mutations()]
        assert paths and all(path.startswith(changed_path) for path in paths), paths
        script, cluster = deployment.init_script(), deployment.cluster()
        if "dbfs" in flag:
            assert script.enabled is value
            assert cluster.spark_conf == cluster_before.spark_conf
        else:
            assert all(key in (cluster.spark_conf or {}) for key in SSE_KEYS) is value
            assert script.enabled == script_before.enabled and script.script == script_before.script
    assert deployment.init_script().enabled == script_before.enabled
    assert deployment.cluster().spark_conf == cluster_before.spark_conf


def test_cluster_edits_in_place_and_terminated_stays_terminated(deployment):
    first = deployment.cluster()
    deployment.workspace.clusters.delete(first.cluster_id)  # terminate (not a permanent delete)
    deployment.sandbox.clear_requests()
    edits = {"databricks_management_cluster_max_workers": 3,
             "databricks_management_cluster_autotermination_minutes": 60,
             "databricks_management_cluster_custom_tags": {"Team": "data"}}
    run = ok(deployment.run(extra=edits))
    assert run.changed() == 1, run.stdout[-5000:]
    assert deployment.mutations() == [("POST", "/api/2.1/clusters/edit")]
    edited = deployment.cluster()
    assert edited.cluster_id == first.cluster_id and edited.state.value == "TERMINATED"
    assert edited.autoscale.max_workers == 3 and edited.autotermination_minutes == 60
    assert edited.custom_tags["Team"] == "data" and edited.custom_tags["Project"] == "lakehouse"
    started = ok(deployment.run(extra=dict(edits, databricks_management_cluster_state="running")))
    assert started.changed() == 1 and deployment.cluster().state.value == "RUNNING"
    assert deployment.cluster().cluster_id == first.cluster_id


def test_a_workspace_local_group_of_a_managed_name_is_replaced_by_the_account_group(deployment):
    """Moving from the instance-profile model: a workspace-local "All access" (the old model's) stands where the
    account group must go - two groups of one name cannot share a workspace - so the run deletes it and assigns the
    account group again; the next run changes nothing."""
    ok(deployment.run())  # back to the converged state the earlier tests changed
    group = deployment.account_group("All access")
    wid = int(deployment.outputs["databricks_provisioning_outputs"]["workspace_id"])
    deployment.account.workspace_assignment.delete(workspace_id=wid, principal_id=int(group.id))
    local = deployment.workspace.groups.create(display_name="All access")
    assert deployment.group("All access").meta.resource_type == "WorkspaceGroup"
    deployment.sandbox.clear_requests()
    run = ok(deployment.run())
    mutations = deployment.mutations()
    assert ("DELETE", "/api/2.0/preview/scim/v2/Groups/%s" % local.id) in mutations, mutations
    view = deployment.group("All access")
    assert view.id == group.id and view.meta.resource_type == "Group"
    assert deployment.group_assignments()[int(group.id)] == ["USER"]
    assert run.changed() == 2, run.stdout[-5000:]
    assert ok(deployment.run()).changed() == 0
