"""Unity Catalog on the sandbox (the unity_catalog role, on by default): one deployment converged with the defaults,
its catalog objects read back with the databricks-sdk (account and workspace clients) and boto3, a re-run that changes
nothing, grants made by hand reported by --check --diff and revoked on apply (kept where the securable is listed as
externally managed), and the instance-profile model of a deployment with Unity Catalog off.
"""

import json

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import NotFound
from databricks.sdk.service.catalog import PermissionsChange, Privilege

from tests.e2e.conftest import ok

PREFIX = "lh-uc"
CATALOG = "lh_uc"
REGION = "eu-west-1"
LAYERS = ("raw", "prepared", "trusted")
UC_MASTER_ROLE = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"


def site(sandbox, prefix, *args, **extra):
    return sandbox.playbook("site.yml", "-e", json.dumps(dict({"deployment_prefix": prefix}, **extra)), *args)


class Deployment:
    def __init__(self, sandbox, prefix, account):
        self.sandbox, self.prefix, self.account = sandbox, prefix, account
        secret = sandbox.aws_client("secretsmanager").get_secret_value(SecretId=prefix + "/databricks/tokens")
        self.tokens = json.loads(secret["SecretString"])
        self.workspace_id = int(self.tokens["workspace_id"])
        self.workspace = WorkspaceClient(config=Config(host=self.tokens["workspace_url"],
                                                       token=self.tokens["pat"]["token_value"], auth_type="pat",
                                                       retry_timeout_seconds=10))

    def service_principal(self):
        """The application id of the deployment's service principal (databricks_provisioning's)."""
        return next(sp.application_id for sp in self.workspace.service_principals.list()
                    if sp.display_name == "Service Principal")

    def grants(self, securable_type, full_name):
        reply = self.workspace.api_client.do("GET", f"/api/2.1/unity-catalog/permissions/{securable_type}/{full_name}")
        return {a["principal"]: sorted(a.get("privileges") or []) for a in reply.get("privilege_assignments") or []}


@pytest.fixture(scope="module")
def deployment(sandbox, account):
    ok(site(sandbox, PREFIX), "site.yml with Unity Catalog")
    return Deployment(sandbox, PREFIX, account)


def test_the_workspace_has_the_regions_metastore(deployment, account):
    metastores = [m for m in account.metastores.list() if m.region == REGION]
    assert len(metastores) == 1  # Databricks allows one per region; every deployment of the region shares it
    assignment = account.metastore_assignments.get(deployment.workspace_id).metastore_assignment
    assert assignment.metastore_id == metastores[0].metastore_id
    current = deployment.workspace.metastores.current()
    assert current.metastore_id == metastores[0].metastore_id


def test_the_catalog_is_isolated_on_its_own_bucket_with_the_layer_schemas(deployment):
    ws = deployment.workspace
    catalog = ws.catalogs.get(CATALOG)
    assert catalog.isolation_mode.value == "ISOLATED"
    assert catalog.storage_root.rstrip("/") == f"s3://{PREFIX}-catalog"
    assert catalog.owner == deployment.service_principal()  # the deployment's service principal owns it
    bindings = ws.api_client.do("GET", f"/api/2.1/unity-catalog/bindings/catalog/{CATALOG}")
    assert [b["workspace_id"] for b in bindings.get("bindings", [])] == [deployment.workspace_id]
    schemas = {s.name for s in ws.schemas.list(catalog_name=CATALOG)}
    assert set(LAYERS) <= schemas
    default = ws.settings.default_namespace.get()
    assert default.namespace.value == CATALOG
    # The catalog bucket: SSE-KMS with the data lake key, like the layers' buckets.
    s3 = deployment.sandbox.aws_client("s3")
    rule = s3.get_bucket_encryption(Bucket=f"{PREFIX}-catalog")["ServerSideEncryptionConfiguration"]["Rules"][0]
    raw_rule = s3.get_bucket_encryption(Bucket=f"{PREFIX}-raw")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == \
        raw_rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]


def test_the_storage_credential_role_trusts_unity_catalog_with_its_external_id_and_itself(deployment):
    credential = deployment.workspace.storage_credentials.get(f"{PREFIX}-uc-storage")
    external_id = credential.aws_iam_role.external_id
    assert external_id and external_id != "0000"
    role_name = credential.aws_iam_role.role_arn.split("/")[-1]
    assert role_name == f"{PREFIX}-uc-storage-role"
    role = deployment.sandbox.aws_client("iam").get_role(RoleName=role_name)["Role"]
    trust = {s.get("Sid"): s for s in role["AssumeRolePolicyDocument"]["Statement"]}
    assert trust["UnityCatalogAssumeRole"]["Principal"]["AWS"] == UC_MASTER_ROLE
    assert trust["UnityCatalogAssumeRole"]["Condition"]["StringEquals"]["sts:ExternalId"] == external_id
    self_assume = trust["ExplicitSelfRoleAssumption"]
    assert self_assume["Condition"]["ArnLike"]["aws:PrincipalArn"] == role["Arn"]
    assert self_assume["Condition"]["StringEquals"]["sts:ExternalId"] == external_id


def test_external_locations_cover_the_catalog_and_the_layer_buckets(deployment):
    locations = {loc.name: loc for loc in deployment.workspace.external_locations.list()
                 if loc.name.startswith(PREFIX + "-")}
    assert {name: loc.url.rstrip("/") for name, loc in locations.items()} == {
        f"{PREFIX}-{part}": f"s3://{PREFIX}-{part}" for part in ("catalog", *LAYERS)}
    assert {loc.credential_name for loc in locations.values()} == {f"{PREFIX}-uc-storage"}
    # Unity Catalog's writes carry SSE-KMS with the data lake key, as the buckets' policies require.
    s3 = deployment.sandbox.aws_client("s3")
    bucket_key = s3.get_bucket_encryption(Bucket=f"{PREFIX}-raw")["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert {(loc.encryption_details.sse_encryption_details.algorithm.value,
             loc.encryption_details.sse_encryption_details.aws_kms_key_arn) for loc in locations.values()} == {
        ("AWS_SSE_KMS", bucket_key)}


def test_the_grants_are_exactly_the_roles(deployment):
    read, write = "Read only", "All access"
    assert deployment.grants("catalog", CATALOG) == {
        read: ["SELECT", "USE_CATALOG", "USE_SCHEMA"],
        write: sorted(["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE", "READ_VOLUME", "WRITE_VOLUME",
                       "CREATE_VOLUME"])}
    for layer in LAYERS:
        assert deployment.grants("external_location", f"{PREFIX}-{layer}") == {
            read: ["READ_FILES"], write: ["CREATE_EXTERNAL_TABLE", "READ_FILES", "WRITE_FILES"]}
        assert deployment.grants("schema", f"{CATALOG}.{layer}") == {}
    assert deployment.grants("external_location", f"{PREFIX}-catalog") == {}
    assert deployment.grants("storage_credential", f"{PREFIX}-uc-storage") == {}


def test_the_groups_are_account_groups_and_the_cluster_has_no_instance_profile(deployment, account):
    account_groups = {g.display_name for g in account.groups.list()}
    assert {"Read only", "All access"} <= account_groups
    clusters = [c for c in deployment.workspace.clusters.list() if c.cluster_name.startswith(PREFIX)]
    assert clusters
    for cluster in clusters:
        assert cluster.data_security_mode.value in ("USER_ISOLATION", "SINGLE_USER")
        assert not (cluster.aws_attributes and cluster.aws_attributes.instance_profile_arn)


def test_a_rerun_changes_nothing(deployment):
    again = ok(site(deployment.sandbox, PREFIX), "site.yml again")
    assert again.recap["sandbox"]["changed"] == 0, again.stdout[-6000:]


def test_a_grant_made_by_hand_is_planned_away_and_revoked(deployment):
    ws = deployment.workspace
    schema = f"{CATALOG}.raw"
    ws.grants.update("schema", schema, changes=[PermissionsChange(principal="Read only", add=[Privilege.MODIFY])])
    assert deployment.grants("schema", schema) == {"Read only": ["MODIFY"]}

    plan = ok(site(deployment.sandbox, PREFIX, "--tags", "unity_catalog", "--check", "--diff"), "plan")
    assert plan.recap["sandbox"]["changed"] >= 1
    assert "MODIFY" in plan.stdout and schema in plan.stdout
    assert deployment.grants("schema", schema) == {"Read only": ["MODIFY"]}  # check mode changed nothing

    # Listed as externally managed: the hand-made grant stays.
    kept = ok(site(deployment.sandbox, PREFIX, "--tags", "unity_catalog",
                   unity_catalog_externally_managed_grants=[f"schema:{schema}"]), "externally managed")
    assert kept.recap["sandbox"]["changed"] == 0, kept.stdout[-4000:]
    assert deployment.grants("schema", schema) == {"Read only": ["MODIFY"]}

    applied = ok(site(deployment.sandbox, PREFIX, "--tags", "unity_catalog"), "apply")
    assert applied.recap["sandbox"]["changed"] >= 1
    assert deployment.grants("schema", schema) == {}


def test_with_unity_catalog_off_the_workspace_keeps_the_instance_profile_model(sandbox, account, deployment):
    prefix = "lh-seed"
    ok(site(sandbox, prefix, unity_catalog_enabled=False), "site.yml with Unity Catalog off")
    seed = Deployment(sandbox, prefix, account)
    groups = {g.display_name: g for g in seed.workspace.groups.list(attributes="displayName,roles")}
    roles = {name: [r.value.split("/")[-1] for r in (groups[name].roles or [])] for name in ("Read only", "All access")}
    assert roles == {"Read only": [f"{prefix}-data-read-instance-profile"],
                     "All access": [f"{prefix}-data-write-instance-profile"]}
    cluster = next(c for c in seed.workspace.clusters.list() if c.cluster_name.startswith(prefix))
    assert cluster.aws_attributes.instance_profile_arn.endswith(f"{prefix}-meta-instance-profile")
    # No Unity Catalog objects of its own, and no Unity Catalog IAM role or catalog bucket.
    catalogs = {c.name for c in deployment.workspace.catalogs.list()}
    assert "lh_seed" not in catalogs
    iam = sandbox.aws_client("iam")
    assert f"{prefix}-uc-storage-role" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert f"{prefix}-catalog" not in {b["Name"] for b in sandbox.aws_client("s3").list_buckets()["Buckets"]}
    with pytest.raises(NotFound):  # no metastore assigned to the workspace
        account.metastore_assignments.get(seed.workspace_id)
