"""The SDK drives every emulator route; the request log proves each one answered 2xx, and the raw
replies parse into the SDK's dataclasses with no unknown field."""

import base64
import datetime
import io

import requests
from databricks.sdk.service import billing, compute, iam, provisioning, settings
from databricks.sdk.service import files as dbfs_types

from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES
from sandbox.databricks_emulator.routes import load_routes

from .conftest import REGION, account_client, aws, m2m_client, pat_client, provision, sts_role, wait_for


def unknown_fields(cls, data) -> list[str]:
    """Keys of a raw reply that do not survive the SDK's from_dict/as_dict round trip (unknown fields or
    enum values the SDK does not know)."""
    return _lost(data, cls.from_dict(data).as_dict(), cls.__name__)


def _lost(raw, parsed, where: str) -> list[str]:
    if isinstance(raw, dict):
        if not isinstance(parsed, dict):
            return [where]
        return [p for k, v in raw.items()
                if v not in ([], {}, None)  # as_dict drops empty values
                for p in ([f"{where}.{k}"] if k not in parsed else _lost(v, parsed[k], f"{where}.{k}"))]
    if isinstance(raw, list) and isinstance(parsed, list):
        return [p for i, (r, q) in enumerate(zip(raw, parsed, strict=False)) for p in _lost(r, q, f"{where}[{i}]")]
    return []


def is_unity_catalog_route(route) -> bool:
    """The Unity Catalog routes: test_unity_catalog.py::test_sdk_drives_every_unity_catalog_route drives them."""
    return "/unity-catalog/" in route.template or "/metastore" in route.template or \
        "default_namespace_ws" in route.template


def test_sdk_drives_every_route(emulator, estate, moto_url):
    a = account_client(emulator)
    ws, url = provision(a, estate, name="main")
    wid = ws.workspace_id
    # The SDK's own waiter parses the workspace on the way.
    assert a.workspaces.wait_get_workspace_running(wid).workspace_status == provisioning.WorkspaceStatus.RUNNING
    assert [w.workspace_id for w in a.workspaces.list()] == [wid]
    a.workspaces.update(wid, provisioning.Workspace(custom_tags={"env": "test"}), update_mask="custom_tags")
    assert a.workspaces.get(wid).custom_tags == {"env": "test"}

    # Immutable account objects: list/get/delete of spares.
    spare_cred = a.credentials.create(credentials_name="spare", aws_credentials=sts_role(estate.role_arn))
    assert {c.credentials_name for c in a.credentials.list()} == {"main-cred", "spare"}
    assert a.credentials.get(spare_cred.credentials_id).aws_credentials.sts_role.role_arn == estate.role_arn
    spare_storage = a.storage.create(storage_configuration_name="spare-storage",
                                     root_bucket_info=provisioning.RootBucketInfo(bucket_name=estate.bucket))
    assert len(a.storage.list()) == 2
    assert a.storage.get(spare_storage.storage_configuration_id).root_bucket_info.bucket_name == estate.bucket
    net = a.networks.list()[0]
    assert a.networks.get(net.network_id).vpc_status == provisioning.VpcStatus.VALID
    key = a.encryption_keys.list()[0]
    assert a.encryption_keys.get(key.customer_managed_key_id).aws_key_info.key_region == REGION

    # Log delivery.
    logs = a.log_delivery.create(billing.CreateLogDeliveryConfigurationParams(
        config_name="billable", log_type=billing.LogType.BILLABLE_USAGE, output_format=billing.OutputFormat.CSV,
        credentials_id=spare_cred.credentials_id, storage_configuration_id=spare_storage.storage_configuration_id,
        delivery_path_prefix="billable-usage")).log_delivery_configuration
    assert [c.config_id for c in a.log_delivery.list()] == [logs.config_id]
    a.log_delivery.patch_status(logs.config_id, billing.LogDeliveryConfigStatus.DISABLED)
    got = a.log_delivery.get(logs.config_id).log_delivery_configuration
    assert got.status == billing.LogDeliveryConfigStatus.DISABLED
    a.credentials.delete(spare_cred.credentials_id)
    a.storage.delete(spare_storage.storage_configuration_id)

    # PrivateLink objects.
    ec2 = aws(moto_url, "ec2")
    endpoint_id = ec2.create_vpc_endpoint(VpcId=estate.vpc_id, ServiceName=PRIVATELINK_SERVICES[REGION]["workspace"],
                                          VpcEndpointType="Interface",
                                          SubnetIds=estate.subnet_ids[:1])["VpcEndpoint"]["VpcEndpointId"]
    vpce = a.vpc_endpoints.create(vpc_endpoint_name="rest", aws_vpc_endpoint_id=endpoint_id, region=REGION)
    assert a.vpc_endpoints.get(vpce.vpc_endpoint_id).aws_vpc_endpoint_id == endpoint_id
    assert len(a.vpc_endpoints.list()) == 1
    pas = a.private_access.create(private_access_settings_name="pas", region=REGION, public_access_enabled=True,
                                  allowed_vpc_endpoint_ids=[vpce.vpc_endpoint_id],
                                  private_access_level=provisioning.PrivateAccessLevel.ENDPOINT)
    a.private_access.replace(pas.private_access_settings_id, provisioning.PrivateAccessSettings(
        private_access_settings_name="pas2", region=REGION, public_access_enabled=False))
    assert a.private_access.get(pas.private_access_settings_id).private_access_settings_name == "pas2"
    assert len(a.private_access.list()) == 1
    a.private_access.delete(pas.private_access_settings_id)
    a.vpc_endpoints.delete(vpce.vpc_endpoint_id)

    # Account identities, SP secrets, workspace assignment.
    sp = a.service_principals.create(display_name="deployer")
    assert a.service_principals.get(sp.id).application_id == sp.application_id
    assert any(s.id == sp.id for s in a.service_principals.list(filter='displayName eq "deployer"'))
    a.service_principals.update(sp.id, display_name="deployer2", application_id=sp.application_id)
    a.service_principals.patch(sp.id, operations=[iam.Patch(op=iam.PatchOp.REPLACE, path="active", value=True)])
    user = a.users.create(user_name="ops@example.com")
    group = a.groups.create(display_name="ops", members=[iam.ComplexValue(value=user.id)])
    assert a.groups.get(group.id).members[0].value == user.id
    assert a.users.get(user.id).groups[0].display == "ops"
    assert [g.display_name for g in a.groups.list(filter='displayName eq "ops"')] == ["ops"]
    assert [u.user_name for u in a.users.list()] == ["ops@example.com"]
    a.users.update(user.id, user_name="ops@example.com", display_name="Ops")
    a.users.patch(user.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="displayName", value="Ops 2")])
    a.groups.update(group.id, display_name="ops")
    a.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members",
                                                   value=[{"value": sp.id}])])
    secret = a.service_principal_secrets.create(sp.id)
    assert secret.secret and [s.id for s in a.service_principal_secrets.list(sp.id)] == [secret.id]
    assignment = a.workspace_assignment.update(wid, int(sp.id), permissions=[iam.WorkspacePermission.ADMIN])
    assert assignment.permissions == [iam.WorkspacePermission.ADMIN]
    assert {p.principal.principal_id for p in a.workspace_assignment.list(wid)} >= {int(sp.id)}
    assert a.workspace_assignment.get(wid).permissions
    # The new SP (OAuth M2M with its own secret) now administers the workspace.
    w_sp = m2m_client(url, client_id=sp.application_id, secret=secret.secret)
    assert w_sp.current_user.me().user_name == sp.application_id
    a.workspace_assignment.delete(wid, int(sp.id))
    a.service_principal_secrets.delete(sp.id, secret.id)
    a.groups.delete(group.id)
    a.users.delete(user.id)
    a.service_principals.delete(sp.id)

    # Workspace: the account SP (OAuth M2M) creates the automation PAT.
    w = m2m_client(url)
    pat = w.tokens.create(comment="automation", lifetime_seconds=3600)
    assert [t.comment for t in w.tokens.list()] == ["automation"]
    wp = pat_client(url, pat.token_value)

    # Service principal in admins with token CAN_USE, then its on-behalf-of token.
    wsp = wp.service_principals.create(display_name="Service Principal",
                                       entitlements=[iam.ComplexValue(value="allow-cluster-create")])
    assert wp.service_principals.get(wsp.id).display_name == "Service Principal"
    assert [s.id for s in wp.service_principals.list(filter=f'applicationId eq "{wsp.application_id}"')] == [wsp.id]
    wp.service_principals.update(wsp.id, application_id=wsp.application_id, display_name="Service Principal",
                                 entitlements=[iam.ComplexValue(value="allow-cluster-create")])
    admins = next(iter(wp.groups.list(filter='displayName eq "admins"')))
    wp.groups.patch(admins.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members",
                                                     value=[{"value": wsp.id}])])
    assert any(m.value == wsp.id for m in wp.groups.get(admins.id).members)
    wp.service_principals.patch(wsp.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="displayName",
                                                              value="Service Principal")])
    levels = wp.token_management.get_permission_levels().permission_levels
    assert settings.TokenPermissionLevel.CAN_USE in {lvl.permission_level for lvl in levels}
    wp.token_management.set_permissions(access_control_list=[settings.TokenAccessControlRequest(
        group_name="users", permission_level=settings.TokenPermissionLevel.CAN_USE)])
    perms = wp.token_management.update_permissions(access_control_list=[settings.TokenAccessControlRequest(
        service_principal_name=wsp.application_id, permission_level=settings.TokenPermissionLevel.CAN_USE)])
    assert len(perms.access_control_list) == 3
    assert wp.token_management.get_permissions().object_type == "tokens"
    obo = wp.token_management.create_obo_token(wsp.application_id, lifetime_seconds=3600, comment="sp")
    assert obo.token_info.owner_id == int(wsp.id)
    assert wp.token_management.get(obo.token_info.token_id).token_info.comment == "sp"
    assert len(list(wp.token_management.list())) == 2
    w_obo = pat_client(url, obo.token_value)
    assert w_obo.current_user.me().user_name == wsp.application_id

    # Users and groups in the workspace, instance profiles and the group `roles` link.
    u = wp.users.create(user_name="analyst@example.com")
    assert wp.users.get(u.id).user_name == "analyst@example.com"
    assert len(list(wp.users.list())) == 1
    wp.users.update(u.id, user_name="analyst@example.com", display_name="Analyst")
    wp.users.patch(u.id, operations=[iam.Patch(op=iam.PatchOp.REPLACE, path="displayName", value="A")])
    wp.instance_profiles.add(estate.instance_profile_arn, is_meta_instance_profile=True)
    wp.instance_profiles.edit(estate.instance_profile_arn, is_meta_instance_profile=True)
    assert [p.instance_profile_arn for p in wp.instance_profiles.list()] == [estate.instance_profile_arn]
    ro = wp.groups.create(display_name="Read only")
    wp.groups.update(ro.id, display_name="Read only")
    wp.groups.patch(ro.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="roles",
                                                 value=[{"value": estate.instance_profile_arn}])])
    assert wp.groups.get(ro.id).roles[0].value == estate.instance_profile_arn

    # DBFS + global init script.
    w_obo.dbfs.upload("dbfs:/tmp/core-site.xml", io.BytesIO(b"<configuration/>"), overwrite=True)
    handle = wp.dbfs.create("/tmp/big.bin", overwrite=True).handle
    wp.dbfs.add_block(handle, base64.b64encode(b"x" * 10).decode())
    wp.dbfs.close(handle)
    wp.dbfs.put("/tmp/small.txt", contents=base64.b64encode(b"hi").decode(), overwrite=True)
    wp.dbfs.mkdirs("/tmp/dir")
    wp.dbfs.move("/tmp/small.txt", "/tmp/dir/small.txt")
    assert wp.dbfs.get_status("dbfs:/tmp/core-site.xml").file_size == len(b"<configuration/>")
    assert {f.path for f in wp.dbfs.list("/tmp")} == {"/tmp/core-site.xml", "/tmp/big.bin", "/tmp/dir"}
    assert base64.b64decode(wp.dbfs.read("/tmp/dir/small.txt").data) == b"hi"
    wp.dbfs.delete("/tmp/dir", recursive=True)
    script = wp.global_init_scripts.create("encryption_init_script", base64.b64encode(b"#!/bin/bash\n").decode(),
                                           enabled=True)
    wp.global_init_scripts.update(script.script_id, "encryption_init_script",
                                  base64.b64encode(b"#!/bin/bash\necho\n").decode(), enabled=False)
    assert wp.global_init_scripts.get(script.script_id).enabled is False
    assert [s.name for s in wp.global_init_scripts.list()] == ["encryption_init_script"]

    # Cluster (selection helpers, spot with fallback, meta instance profile).
    version = wp.clusters.select_spark_version(latest=True, long_term_support=True)
    node = wp.clusters.select_node_type(local_disk=False, min_memory_gb=15, min_cores=2)
    assert (version, node) == ("16.4.x-scala2.12", "r5.large")
    cluster = w_obo.clusters.create_and_wait(
        spark_version=version, cluster_name="High-Concurrency", node_type_id=node,
        autoscale=compute.AutoScale(min_workers=1, max_workers=2), autotermination_minutes=30,
        aws_attributes=compute.AwsAttributes(availability=compute.AwsAvailability.SPOT_WITH_FALLBACK,
                                             first_on_demand=1, spot_bid_price_percent=60,
                                             instance_profile_arn=estate.instance_profile_arn),
        timeout=datetime.timedelta(seconds=20))
    assert cluster.state == compute.State.RUNNING
    w_obo.clusters.edit(cluster.cluster_id, spark_version=version, node_type_id=node, num_workers=1,
                        cluster_name="High-Concurrency")
    edited = wait_for(lambda: wp.clusters.get(cluster.cluster_id), lambda c: c.state == compute.State.RUNNING)
    assert edited.num_workers == 1
    wp.clusters.delete(cluster.cluster_id).result()  # asynchronous: TERMINATING, then TERMINATED
    wp.clusters.start(cluster.cluster_id)
    assert [c.cluster_id for c in wp.clusters.list()] == [cluster.cluster_id]
    wp.clusters.permanent_delete(cluster.cluster_id)
    # Legacy /api/2.0/clusters paths, through the SDK's own HTTP client.
    body = {"spark_version": version, "node_type_id": node, "num_workers": 0, "cluster_name": "legacy"}
    cid = wp.api_client.do("POST", "/api/2.0/clusters/create", body=body)["cluster_id"]
    body["cluster_id"] = cid
    assert wp.api_client.do("GET", "/api/2.0/clusters/get", query={"cluster_id": cid})["cluster_name"] == "legacy"
    assert wp.api_client.do("GET", "/api/2.0/clusters/list")["clusters"]
    assert wp.api_client.do("GET", "/api/2.0/clusters/spark-versions")["versions"]
    assert wp.api_client.do("GET", "/api/2.0/clusters/list-node-types")["node_types"]
    wait_for(lambda: wp.api_client.do("GET", "/api/2.0/clusters/get", query={"cluster_id": cid}),
             lambda c: c["state"] == "RUNNING")
    wp.api_client.do("POST", "/api/2.0/clusters/edit", body=dict(body, num_workers=1))
    wait_for(lambda: wp.api_client.do("GET", "/api/2.0/clusters/get", query={"cluster_id": cid}),
             lambda c: c["state"] == "RUNNING")
    wp.api_client.do("POST", "/api/2.0/clusters/delete", body={"cluster_id": cid})
    wait_for(lambda: wp.api_client.do("GET", "/api/2.0/clusters/get", query={"cluster_id": cid}),
             lambda c: c["state"] == "TERMINATED")
    wp.api_client.do("POST", "/api/2.0/clusters/start", body={"cluster_id": cid})
    wp.api_client.do("POST", "/api/2.0/clusters/permanent-delete", body={"cluster_id": cid})

    # Workspace conf and IP access lists.
    wp.workspace_conf.set_status({"maxTokenLifetimeDays": "90", "enableIpAccessLists": "true"})
    assert wp.workspace_conf.get_status("maxTokenLifetimeDays,enableIpAccessLists") == {
        "maxTokenLifetimeDays": "90", "enableIpAccessLists": "true"}
    acl = wp.ip_access_lists.create("office", settings.ListType.ALLOW, ip_addresses=["127.0.0.1/32", "10.0.0.0/8"])
    lid = acl.ip_access_list.list_id
    wp.ip_access_lists.update(lid, label="office2")
    wp.ip_access_lists.replace(lid, "office3", settings.ListType.ALLOW, True, ip_addresses=["127.0.0.0/8"])
    assert wp.ip_access_lists.get(lid).ip_access_list.label == "office3"
    assert len(list(wp.ip_access_lists.list())) == 1
    wp.ip_access_lists.delete(lid)

    # The settings API, workspace and account: read -> update with the etag -> delete with the new etag.
    for api, cls, field in ((wp.settings.disable_legacy_dbfs, settings.DisableLegacyDbfs, "disable_legacy_dbfs"),
                            (wp.settings.disable_legacy_access, settings.DisableLegacyAccess, "disable_legacy_access"),
                            (a.settings.disable_legacy_features, settings.DisableLegacyFeatures,
                             "disable_legacy_features")):
        etag = api.get().etag
        updated = api.update(True, cls(**{field: settings.BooleanMessage(value=True)}, etag=etag), f"{field}.value")
        assert getattr(api.get(), field).value is True and updated.etag != etag
        api.delete(etag=updated.etag)
        assert not getattr(api.get(), field).value

    # Raw replies parse into the SDK dataclasses with no unknown field.
    raw = pat_client(url, pat.token_value).api_client
    A = f"/api/2.0/accounts/{a.config.account_id}"
    checks = [
        (a.api_client, f"{A}/workspaces/{wid}", provisioning.Workspace),
        (a.api_client, f"{A}/networks/{net.network_id}", provisioning.Network),
        (a.api_client, f"{A}/customer-managed-keys/{key.customer_managed_key_id}", provisioning.CustomerManagedKey),
        (a.api_client, f"{A}/credentials/{a.credentials.list()[0].credentials_id}", provisioning.Credential),
        (a.api_client, f"{A}/log-delivery/{logs.config_id}", billing.WrappedLogDeliveryConfiguration),
        (a.api_client, f"{A}/workspaces/{wid}/permissionassignments", iam.PermissionAssignments),
        (raw, "/api/2.0/token/list", settings.ListPublicTokensResponse),
        (raw, "/api/2.0/token-management/tokens", settings.ListTokensResponse),
        (raw, "/api/2.0/permissions/authorization/tokens", settings.TokenPermissions),
        (raw, f"/api/2.0/preview/scim/v2/Groups/{ro.id}", iam.Group),
        (raw, f"/api/2.0/preview/scim/v2/ServicePrincipals/{wsp.id}", iam.ServicePrincipal),
        (raw, f"/api/2.0/preview/scim/v2/Users/{u.id}", iam.User),
        (raw, "/api/2.0/preview/scim/v2/Groups", iam.ListGroupsResponse),
        (raw, "/api/2.0/instance-profiles/list", compute.ListInstanceProfilesResponse),
        (raw, f"/api/2.0/global-init-scripts/{script.script_id}", compute.GlobalInitScriptDetailsWithContent),
        (raw, "/api/2.0/global-init-scripts", compute.ListGlobalInitScriptsResponse),
        (raw, "/api/2.1/clusters/list-node-types", compute.ListNodeTypesResponse),
        (raw, "/api/2.1/clusters/spark-versions", compute.GetSparkVersionsResponse),
        (raw, "/api/2.1/clusters/list", compute.ListClustersResponse),
        (raw, "/api/2.0/dbfs/list?path=/tmp", dbfs_types.ListStatusResponse),
        (raw, "/api/2.0/settings/types/disable_legacy_dbfs/names/default", settings.DisableLegacyDbfs),
        (a.api_client, f"{A}/settings/types/disable_legacy_features/names/default", settings.DisableLegacyFeatures),
    ]
    problems = []
    for client, path, cls in checks:
        problems += unknown_fields(cls, client.do("GET", path))
    # Databricks lists admins with CAN_MANAGE on tokens; the SDK's TokenPermissionLevel enum only knows CAN_USE.
    assert problems == ["TokenPermissions.access_control_list[0].all_permissions[0].permission_level"], problems

    # Teardown order Databricks enforces: workspace first, then what it used.
    wp.global_init_scripts.delete(script.script_id)
    wp.groups.delete(ro.id)
    wp.users.delete(u.id)
    wp.instance_profiles.remove(estate.instance_profile_arn)
    wp.token_management.delete(obo.token_info.token_id)
    wp.tokens.delete(pat.token_info.token_id)
    wp2 = m2m_client(url)
    wp2.service_principals.delete(wsp.id)
    a.workspaces.delete(wid)
    wait_for(a.workspaces.list, lambda rows: not rows)  # deletion is asynchronous
    a.networks.delete(net.network_id)
    a.encryption_keys.delete(key.customer_managed_key_id)

    # Every route of the table answered 2xx at least once.
    log = requests.get(f"{emulator.url}/__sandbox/requests", timeout=10).json()
    ok = [(e["method"], e["path"]) for e in log if 200 <= e["status"] < 300]
    unreached = [f"{r.listener} {r.method} {r.template}" for r in load_routes() if not is_unity_catalog_route(r)
                 and not any(m == r.method and r.pattern.match(p) for m, p in ok)]
    assert not unreached, unreached
