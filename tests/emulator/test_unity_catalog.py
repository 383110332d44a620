"""Unity Catalog through the real databricks-sdk clients: metastores and assignments on the account, the metastore's
objects in its workspaces, and Databricks' refusals - storage validated against what moto holds."""

import json
import uuid

import pytest
import requests
from databricks.sdk.errors import BadRequest, NotFound, PermissionDenied, ResourceAlreadyExists, ResourceConflict
from databricks.sdk.service import catalog, settings

from sandbox.databricks_emulator.aws.validation import UC_MASTER_ROLE
from sandbox.databricks_emulator.routes import load_routes

from .conftest import (
    ACCOUNT_ID,
    CLIENT_ID,
    REGION,
    account_client,
    aws,
    build_estate,
    m2m_client,
    pat_client,
    provision,
)
from .test_sdk_scenario import is_unity_catalog_route, unknown_fields

ACCOUNT = "123456789012"
ASSUME_FAILED = "Failed to get credentials: AWS IAM role in the storage credential is not configured correctly"


def uc_trust(role_name: str, external_id: str, self_assume: bool = True) -> str:
    """The trust terraform-provider-databricks' aws_unity_catalog_assume_role_policy renders."""
    statements = [{"Sid": "UnityCatalogAssumeRole", "Effect": "Allow", "Principal": {"AWS": UC_MASTER_ROLE},
                   "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]
    if self_assume:
        statements.append({
            "Sid": "ExplicitSelfRoleAssumption", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}"},
                          "StringEquals": {"sts:ExternalId": external_id}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def uc_policy(role_arn: str, buckets: list, key_arn: str, kms: bool = True) -> str:
    statements = [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                                       "s3:GetBucketLocation"],
         "Resource": [arn for b in buckets for arn in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]
    if kms:
        statements.append({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                           "Resource": key_arn})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class UcEstate:
    """A catalog bucket and a data bucket (SSE-KMS with a bucket key) and the storage credential's role."""

    def __init__(self, moto_url: str):
        tag = uuid.uuid4().hex[:8]
        self.iam, self.s3, kms = (aws(moto_url, s) for s in ("iam", "s3", "kms"))
        self.key_arn = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "EnableAccountRootPermissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}))[
            "KeyMetadata"]["Arn"]
        self.buckets = [f"catalog-{tag}", f"raw-{tag}"]
        for bucket in self.buckets:
            self.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.key_arn},
                "BucketKeyEnabled": True}]})
        self.role_name = f"uc-{tag}"
        self.role_arn = self.iam.create_role(RoleName=self.role_name,
                                             AssumeRolePolicyDocument=uc_trust(self.role_name, "0000"))["Role"]["Arn"]
        self.put_policy()

    def put_policy(self, **kw):
        self.iam.put_role_policy(RoleName=self.role_name, PolicyName="databricks-unity-catalog",
                                 PolicyDocument=uc_policy(self.role_arn, self.buckets, self.key_arn, **kw))

    def trust(self, external_id: str, **kw):
        self.iam.update_assume_role_policy(RoleName=self.role_name,
                                           PolicyDocument=uc_trust(self.role_name, external_id, **kw))

    def url(self, index: int = 0, path: str = "") -> str:
        return f"s3://{self.buckets[index]}{path}"


@pytest.fixture
def a(emulator):
    return account_client(emulator)


@pytest.fixture
def ws(a, estate):
    workspace, url = provision(a, estate)
    return workspace.workspace_id, m2m_client(url)


@pytest.fixture
def metastore(a, ws):
    info = a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(name="primary", region=REGION))
    metastore_id = info.metastore_info.metastore_id
    a.metastore_assignments.create(ws[0], metastore_id)
    return metastore_id


@pytest.fixture
def uc(moto_url):
    return UcEstate(moto_url)


def credential_with_trust(w, uc: UcEstate) -> catalog.StorageCredentialInfo:
    """Create the credential, then put its external id in the role's trust (Databricks' documented order)."""
    cred = w.storage_credentials.create("cred", aws_iam_role=catalog.AwsIamRoleRequest(role_arn=uc.role_arn))
    uc.trust(cred.aws_iam_role.external_id)
    return cred


def test_metastores_one_per_region_assigned_to_workspaces_of_their_region(a, ws, emulator):
    workspace_id, w = ws
    with pytest.raises(NotFound) as err:  # no metastore yet: Unity Catalog refuses every call
        list(w.catalogs.list())
    assert err.value.error_code == "METASTORE_DOES_NOT_EXIST"
    with pytest.raises(BadRequest, match="region"):
        a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(name="no-region"))
    created = a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(
        name="primary", region=REGION, storage_root="s3://somewhere/uc")).metastore_info
    assert created.region == REGION and created.owner and created.storage_root == \
        f"s3://somewhere/uc/{created.metastore_id}"
    with pytest.raises(BadRequest, match="limit for metastores in region"):
        a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(name="second", region=REGION))
    other = a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(name="other", region="us-west-2"))
    with pytest.raises(BadRequest, match="its own region"):
        a.metastore_assignments.create(workspace_id, other.metastore_info.metastore_id)
    a.metastore_assignments.create(workspace_id, created.metastore_id)
    with pytest.raises(ResourceAlreadyExists, match="already has metastore"):
        a.metastore_assignments.create(workspace_id, created.metastore_id)
    assert a.metastore_assignments.get(workspace_id).metastore_assignment.metastore_id == created.metastore_id
    assert list(a.metastore_assignments.list(created.metastore_id)) == [workspace_id]
    current = w.metastores.current()
    assert (current.workspace_id, current.metastore_id) == (workspace_id, created.metastore_id)
    assert w.metastores.summary().name == "primary"
    assert {m.name for m in a.metastores.list()} == {"primary", "other"}
    with pytest.raises(BadRequest, match="not empty"):  # a workspace is still assigned
        a.metastores.delete(created.metastore_id)
    a.metastore_assignments.delete(workspace_id, created.metastore_id)
    with pytest.raises(NotFound):
        a.metastore_assignments.get(workspace_id)
    a.metastores.delete(created.metastore_id)
    with pytest.raises(NotFound):
        a.metastores.get(created.metastore_id)


def test_external_location_needs_the_trust_the_self_assumption_and_the_policy(ws, metastore, uc, emulator):
    _, w = ws
    cred = w.storage_credentials.create("cred", aws_iam_role=catalog.AwsIamRoleRequest(role_arn=uc.role_arn),
                                        comment="uc")
    assert cred.aws_iam_role.external_id and cred.aws_iam_role.unity_catalog_iam_arn == UC_MASTER_ROLE
    assert cred.owner and w.storage_credentials.get("CRED").id == cred.id  # names ignore case
    with pytest.raises(BadRequest, match=ASSUME_FAILED) as err:  # the trust still has the placeholder "0000"
        w.external_locations.create("raw", uc.url(1), "cred")
    assert "sts:ExternalId" in str(err.value)
    uc.trust(cred.aws_iam_role.external_id, self_assume=False)
    with pytest.raises(BadRequest, match="non self-assuming"):
        w.external_locations.create("raw", uc.url(1), "cred")
    uc.trust(cred.aws_iam_role.external_id)
    uc.put_policy(kms=False)
    with pytest.raises(PermissionDenied, match="kms:Decrypt"):
        w.external_locations.create("raw", uc.url(1), "cred")
    uc.put_policy()
    uc.s3.put_bucket_policy(Bucket=uc.buckets[1], Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{uc.buckets[1]}/*"}]}))
    with pytest.raises(PermissionDenied, match="DELETE permissions"):
        w.external_locations.create("raw", uc.url(1), "cred")
    assert w.external_locations.create("raw", uc.url(1), "cred", read_only=True).read_only  # reading is allowed
    w.external_locations.delete("raw")
    assert w.external_locations.create("unchecked", uc.url(1, "/x"), "cred", skip_validation=True).url
    w.external_locations.delete("unchecked")
    uc.s3.delete_bucket_policy(Bucket=uc.buckets[1])
    location = w.external_locations.create("raw", uc.url(1, "/"), "cred")
    assert (location.url, location.credential_name, location.credential_id) == (uc.url(1, "/"), "cred", cred.id)
    for url in (uc.url(1, "/sub"), uc.url(1)):
        with pytest.raises(BadRequest, match="overlaps"):
            w.external_locations.create("again", url, "cred", skip_validation=True)
    with pytest.raises(ResourceConflict):
        w.external_locations.create("raw", uc.url(0), "cred")
    with pytest.raises(BadRequest, match="dependent external location"):
        w.storage_credentials.delete("cred")
    w.external_locations.delete("raw")
    w.storage_credentials.delete("cred")
    with pytest.raises(NotFound) as err:
        w.storage_credentials.get("cred")
    assert err.value.error_code == "STORAGE_CREDENTIAL_DOES_NOT_EXIST"


def test_a_bucket_that_requires_sse_kms_needs_the_locations_encryption_details(ws, metastore, uc, emulator):
    _, w = ws
    credential_with_trust(w, uc)
    bucket = uc.buckets[1]
    uc.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyIncorrectEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Sid": "DenyUnencryptedObjectUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}))
    # Without encryption details Unity Catalog's writes carry no SSE header: the bucket policy denies them.
    with pytest.raises(PermissionDenied, match="WRITE permissions"):
        w.external_locations.create("raw", uc.url(1), "cred")
    with pytest.raises(PermissionDenied, match="WRITE permissions"):  # SSE-S3 is the wrong header
        w.external_locations.create("raw", uc.url(1), "cred", encryption_details=catalog.EncryptionDetails(
            sse_encryption_details=catalog.SseEncryptionDetails(
                algorithm=catalog.SseEncryptionDetailsAlgorithm.AWS_SSE_S3)))
    with pytest.raises(BadRequest, match="aws_kms_key_arn"):
        w.api_client.do("POST", "/api/2.1/unity-catalog/external-locations", body={
            "name": "raw", "url": uc.url(1), "credential_name": "cred", "encryption_details": {
                "sse_encryption_details": {"algorithm": "AWS_SSE_S3", "aws_kms_key_arn": uc.key_arn}}})
    sse_kms = catalog.EncryptionDetails(sse_encryption_details=catalog.SseEncryptionDetails(
        algorithm=catalog.SseEncryptionDetailsAlgorithm.AWS_SSE_KMS, aws_kms_key_arn=uc.key_arn))
    location = w.external_locations.create("raw", uc.url(1), "cred", encryption_details=sse_kms)
    assert location.encryption_details == sse_kms
    assert w.external_locations.get("raw").encryption_details == sse_kms
    # Clearing them is validated again, and refused by the same policy.
    with pytest.raises(PermissionDenied, match="WRITE permissions"):
        w.external_locations.update("raw", encryption_details=catalog.EncryptionDetails())
    assert w.external_locations.get("raw").encryption_details == sse_kms


def test_iam_changes_fail_validation_until_they_propagate(ws, metastore, uc, emulator):
    _, w = ws
    emulator.state.config["iam_propagation_seconds"] = 30
    credential_with_trust(w, uc)
    with pytest.raises(BadRequest, match="propagated"):
        w.external_locations.create("catalog", uc.url(0), "cred")
    emulator.state.clock.advance(31)
    w.external_locations.create("catalog", uc.url(0), "cred")
    uc.buckets.append(f"{uc.buckets[0]}-more")  # a policy change the emulator sees on its next look at the role
    uc.put_policy()
    with pytest.raises(BadRequest, match="propagated"):
        w.external_locations.update("catalog", read_only=True)
    emulator.state.clock.advance(31)
    assert w.external_locations.update("catalog", read_only=True).read_only


def test_catalog_storage_isolation_and_a_second_workspace_of_the_metastore(a, ws, metastore, uc, estate, moto_url):
    workspace_id, w = ws
    credential_with_trust(w, uc)
    w.external_locations.create("catalog", uc.url(0), "cred")
    with pytest.raises(BadRequest, match="Metastore storage root URL does not exist"):
        w.catalogs.create("nowhere")
    with pytest.raises(BadRequest, match="not covered by any external location"):
        w.catalogs.create("elsewhere", storage_root=uc.url(1))
    cat = w.catalogs.create("Lake", storage_root=uc.url(0, "/lake"), properties={"layer": "all"})
    assert cat.name == "lake" and cat.storage_location.startswith(f"{uc.url(0)}/lake/__unitystorage/catalogs/")
    assert [s.name for s in w.schemas.list("lake")] == ["default", "information_schema"]
    w.schemas.create("raw", "lake")
    with pytest.raises(BadRequest, match="is used as managed storage"):
        w.external_locations.delete("catalog")
    updated = w.catalogs.update("lake", isolation_mode=catalog.CatalogIsolationMode.ISOLATED)
    assert updated.isolation_mode == catalog.CatalogIsolationMode.ISOLATED
    assert [(b.workspace_id, b.binding_type) for b in w.workspace_bindings.get_bindings("catalog", "lake")] == \
        [(workspace_id, catalog.WorkspaceBindingBindingType.BINDING_TYPE_READ_WRITE)]
    # a second workspace of the region shares the metastore's objects, but not the isolated catalog
    second, url2 = provision(a, build_estate(moto_url), name="ws2")
    w2 = m2m_client(url2)
    with pytest.raises(NotFound):
        w2.storage_credentials.get("cred")
    with pytest.raises(BadRequest, match="not assigned to metastore"):
        w.workspace_bindings.update_bindings("catalog", "lake", add=[catalog.WorkspaceBinding(
            workspace_id=second.workspace_id)])
    a.metastore_assignments.create(second.workspace_id, metastore)
    assert w2.storage_credentials.get("cred").aws_iam_role.role_arn == uc.role_arn
    with pytest.raises(PermissionDenied, match="not accessible in current workspace"):
        w2.catalogs.get("lake")
    assert [c.name for c in w2.catalogs.list()] == []
    w.workspace_bindings.update_bindings("catalog", "lake", add=[catalog.WorkspaceBinding(
        workspace_id=second.workspace_id, binding_type=catalog.WorkspaceBindingBindingType.BINDING_TYPE_READ_ONLY)])
    assert w2.schemas.get("lake.raw").full_name == "lake.raw"
    with pytest.raises(PermissionDenied, match="read-only"):
        w2.schemas.create("other", "lake")
    assert sorted(w.workspace_bindings.get("lake").workspaces) == sorted([workspace_id, second.workspace_id])
    with pytest.raises(BadRequest, match="not empty"):
        w.catalogs.delete("lake")
    w.catalogs.delete("lake", force=True)
    assert list(w2.catalogs.list()) == []


def test_grants_take_account_principals_and_the_securable_types_privileges(a, ws, metastore, uc):
    _, w = ws
    credential_with_trust(w, uc)
    w.external_locations.create("catalog", uc.url(0), "cred")
    w.catalogs.create("lake", storage_root=uc.url(0))
    readers = a.groups.create(display_name="Read only")
    local = w.groups.create(display_name="workspace-local")
    change = catalog.PermissionsChange
    with pytest.raises(BadRequest, match="workspace-local group"):
        w.grants.update("catalog", "lake", changes=[change(principal=local.display_name, add=[
            catalog.Privilege.USE_CATALOG])])
    with pytest.raises(BadRequest, match="Could not find principal"):
        w.grants.update("catalog", "lake", changes=[change(principal="nobody", add=[catalog.Privilege.USE_CATALOG])])
    reply = requests.patch(f"{w.config.host}/api/2.1/unity-catalog/permissions/catalog/lake", timeout=10,
                           headers=w.config.authenticate(), json={"changes": [
                               {"principal": "Read only", "add": ["READ_FILES"]}]})
    assert reply.status_code == 400 and "not applicable" in reply.json()["message"]
    after = w.grants.update("catalog", "lake", changes=[change(principal=readers.display_name, add=[
        catalog.Privilege.USE_CATALOG, catalog.Privilege.SELECT, catalog.Privilege.USE_SCHEMA])])
    assert [(p.principal, sorted(x.value for x in p.privileges)) for p in after.privilege_assignments] == \
        [("Read only", ["SELECT", "USE_CATALOG", "USE_SCHEMA"])]
    w.grants.update("catalog", "lake", changes=[change(principal="Read only", remove=[catalog.Privilege.SELECT])])
    got = w.grants.get("catalog", "lake")
    assert [sorted(x.value for x in p.privileges) for p in got.privilege_assignments] == [["USE_CATALOG",
                                                                                          "USE_SCHEMA"]]
    w.grants.update("external_location", "catalog", changes=[change(principal="Read only", add=[
        catalog.Privilege.READ_FILES])])
    assert w.grants.get("external_location", "catalog", principal="Read only").privilege_assignments[0].principal
    with pytest.raises(NotFound):
        w.grants.get("schema", "lake.missing")
    w.catalogs.update("lake", owner=readers.display_name)
    with pytest.raises(BadRequest, match="workspace-local group"):
        w.catalogs.update("lake", owner=local.display_name)
    assert w.catalogs.get("lake").owner == "Read only"


def test_lists_are_paged_when_asked(ws, metastore, uc):
    _, w = ws
    for index in range(5):
        w.storage_credentials.create(f"cred{index}", aws_iam_role=catalog.AwsIamRoleRequest(role_arn=uc.role_arn))
    url = f"{w.config.host}/api/2.1/unity-catalog/storage-credentials"
    first = requests.get(url, params={"max_results": 2}, headers=w.config.authenticate(), timeout=10).json()
    assert [c["name"] for c in first["storage_credentials"]] == ["cred0", "cred1"] and first["next_page_token"]
    everything = requests.get(url, headers=w.config.authenticate(), timeout=10).json()
    assert len(everything["storage_credentials"]) == 5 and "next_page_token" not in everything
    assert [c.name for c in w.storage_credentials.list(max_results=2)] == [f"cred{i}" for i in range(5)]
    bad = requests.get(url, params={"max_results": -1}, headers=w.config.authenticate(), timeout=10)
    assert bad.status_code == 400


def test_default_namespace_setting(ws):
    _, w = ws
    assert w.settings.default_namespace.get().namespace.value is None
    written = w.settings.default_namespace.update(allow_missing=True, field_mask="namespace.value",
                                                  setting=settings.DefaultNamespaceSetting(
                                                      namespace=settings.StringMessage(value="lake")))
    assert written.namespace.value == "lake"
    assert w.settings.default_namespace.get().namespace.value == "lake"


def test_sdk_drives_every_unity_catalog_route(a, ws, uc, emulator):
    """Every Unity Catalog route answers the SDK's call with a reply the SDK parses without losing a field."""
    workspace_id, w = ws
    created = a.metastores.create(metastore_info=catalog.CreateAccountsMetastore(name="primary", region=REGION))
    metastore_id = created.metastore_info.metastore_id
    a.metastores.update(metastore_id, metastore_info=catalog.UpdateAccountsMetastore(owner=CLIENT_ID))
    a.metastore_assignments.create(workspace_id, metastore_id, metastore_assignment=catalog.CreateMetastoreAssignment(
        workspace_id=workspace_id, metastore_id=metastore_id, default_catalog_name="main"))
    a.metastore_assignments.update(workspace_id, metastore_id, metastore_assignment=catalog.UpdateMetastoreAssignment(
        workspace_id=workspace_id, metastore_id=metastore_id, default_catalog_name="lake"))
    assert a.metastore_assignments.get(workspace_id).metastore_assignment.default_catalog_name == "lake"
    assert list(a.metastore_assignments.list(metastore_id)) == [workspace_id]
    assert a.metastores.get(metastore_id).metastore_info.owner == CLIENT_ID
    assert [m.metastore_id for m in a.metastores.list()] == [metastore_id]
    assert w.metastores.current().default_catalog_name == "lake" and w.metastores.summary().region == REGION

    cred = credential_with_trust(w, uc)
    w.storage_credentials.update("cred", comment="uc storage")
    assert [c.name for c in w.storage_credentials.list()] == ["cred"]
    w.external_locations.create("catalog", uc.url(0), "cred")
    w.external_locations.update("catalog", comment="managed storage")
    assert [x.url for x in w.external_locations.list()] == [uc.url(0)]
    assert w.external_locations.get("catalog").credential_id == cred.id
    w.catalogs.create("lake", storage_root=uc.url(0))
    w.catalogs.update("lake", isolation_mode=catalog.CatalogIsolationMode.ISOLATED)
    assert [c.name for c in w.catalogs.list()] == ["lake"]
    w.schemas.create("raw", "lake")
    w.schemas.update("lake.raw", comment="raw layer")
    assert w.schemas.get("lake.raw").comment == "raw layer"
    w.grants.update("schema", "lake.raw", changes=[catalog.PermissionsChange(principal=CLIENT_ID, add=[
        catalog.Privilege.USE_SCHEMA])])
    w.workspace_bindings.update_bindings("external_location", "catalog", add=[catalog.WorkspaceBinding(
        workspace_id=workspace_id)])
    assert [b.workspace_id for b in w.workspace_bindings.get_bindings("external_location", "catalog")] == \
        [workspace_id]
    w.workspace_bindings.update("lake", assign_workspaces=[workspace_id])
    assert w.workspace_bindings.get("lake").workspaces == [workspace_id]
    namespace = w.settings.default_namespace.update(allow_missing=True, field_mask="namespace.value",
                                                    setting=settings.DefaultNamespaceSetting(
                                                        namespace=settings.StringMessage(value="lake")))
    w.settings.default_namespace.delete(etag=namespace.etag)

    U = "/api/2.1/unity-catalog"
    A = f"/api/2.0/accounts/{ACCOUNT_ID}"
    checks = [
        (a.api_client, f"{A}/metastores/{metastore_id}", catalog.AccountsGetMetastoreResponse),
        (a.api_client, f"{A}/metastores", catalog.AccountsListMetastoresResponse),
        (a.api_client, f"{A}/workspaces/{workspace_id}/metastore", catalog.AccountsMetastoreAssignment),
        (w.api_client, f"{U}/current-metastore-assignment", catalog.MetastoreAssignment),
        (w.api_client, f"{U}/metastore_summary", catalog.GetMetastoreSummaryResponse),
        (w.api_client, f"{U}/storage-credentials", catalog.ListStorageCredentialsResponse),
        (w.api_client, f"{U}/external-locations", catalog.ListExternalLocationsResponse),
        (w.api_client, f"{U}/catalogs", catalog.ListCatalogsResponse),
        (w.api_client, f"{U}/schemas?catalog_name=lake", catalog.ListSchemasResponse),
        (w.api_client, f"{U}/permissions/schema/lake.raw", catalog.GetPermissionsResponse),
        (w.api_client, f"{U}/bindings/catalog/lake", catalog.GetWorkspaceBindingsResponse),
        (w.api_client, f"{U}/storage-credentials/cred", catalog.StorageCredentialInfo),
        (w.api_client, f"{U}/external-locations/catalog", catalog.ExternalLocationInfo),
        (w.api_client, f"{U}/catalogs/lake", catalog.CatalogInfo),
        (w.api_client, f"{U}/schemas/lake.raw", catalog.SchemaInfo),
        (w.api_client, "/api/2.0/settings/types/default_namespace_ws/names/default", settings.DefaultNamespaceSetting),
    ]
    problems = [p for client, path, cls in checks for p in unknown_fields(cls, client.do("GET", path))]
    assert problems == [], problems

    w.grants.update("schema", "lake.raw", changes=[catalog.PermissionsChange(principal=CLIENT_ID, remove=[
        catalog.Privilege.USE_SCHEMA])])
    w.schemas.delete("lake.raw")
    w.catalogs.delete("lake", force=True)
    w.external_locations.delete("catalog")
    w.storage_credentials.delete("cred")
    a.metastore_assignments.delete(workspace_id, metastore_id)
    a.metastores.delete(metastore_id)

    log = requests.get(f"{emulator.url}/__sandbox/requests", timeout=10).json()
    ok = [(e["method"], e["path"]) for e in log if 200 <= e["status"] < 300]
    unreached = [f"{r.listener} {r.method} {r.template}" for r in load_routes() if is_unity_catalog_route(r)
                 and not any(m == r.method and r.pattern.match(p) for m, p in ok)]
    assert not unreached, unreached


def test_only_workspace_admins_change_unity_catalog_objects(ws, metastore, uc):
    """Writes need a workspace admin here (the metastore privilege model is not modelled); reads are open, and a
    workspace user is an account principal grants may name (identity federation)."""
    _, w = ws
    sp = w.service_principals.create(display_name="plain")
    w.token_management.set_permissions(access_control_list=[settings.TokenAccessControlRequest(
        group_name="users", permission_level=settings.TokenPermissionLevel.CAN_USE)])
    plain = pat_client(w.config.host, w.token_management.create_obo_token(sp.application_id).token_value)
    with pytest.raises(PermissionDenied):
        plain.storage_credentials.create("mine", aws_iam_role=catalog.AwsIamRoleRequest(role_arn=uc.role_arn))
    credential_with_trust(w, uc)
    w.external_locations.create("catalog", uc.url(0), "cred")
    w.catalogs.create("lake", storage_root=uc.url(0))
    with pytest.raises(PermissionDenied):
        plain.catalogs.update("lake", comment="mine now")
    with pytest.raises(PermissionDenied):
        plain.grants.update("catalog", "lake", changes=[catalog.PermissionsChange(
            principal=sp.application_id, add=[catalog.Privilege.USE_CATALOG])])
    assert [c.name for c in plain.catalogs.list()] == ["lake"]
    w.grants.update("catalog", "lake", changes=[catalog.PermissionsChange(
        principal=sp.application_id, add=[catalog.Privilege.USE_CATALOG])])
    assert plain.grants.get("catalog", "lake").privilege_assignments[0].principal == sp.application_id
