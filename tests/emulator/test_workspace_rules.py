"""Workspace API rules: SCIM, DBFS, clusters, workspace-conf, IP access lists, init scripts."""

import base64

import pytest
import requests
from databricks.sdk.errors import (
    BadRequest,
    InvalidParameterValue,
    InvalidState,
    NotFound,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)
from databricks.sdk.service import iam, settings

from .conftest import account_client, m2m_client, pat_client, provision


@pytest.fixture
def w(emulator, estate):
    _, url = provision(account_client(emulator), estate)
    return m2m_client(url)


def test_scim_errors_and_membership(w, estate):
    sp = w.service_principals.create(display_name="sp")
    with pytest.raises(ResourceConflict):
        w.service_principals.create(application_id=sp.application_id)
    with pytest.raises(ResourceConflict):
        w.groups.create(display_name="admins")
    with pytest.raises(NotFound):
        w.groups.get("123")
    group = w.groups.create(display_name="All access")
    with pytest.raises(BadRequest, match="not registered"):  # roles must be registered instance profiles
        w.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="roles",
                                                       value=[{"value": "arn:aws:iam::1:instance-profile/x"}])])
    with pytest.raises(NotFound):
        w.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": "42"}])])
    w.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": sp.id}])])
    assert {g.display for g in w.service_principals.get(sp.id).groups} == {"users", "All access"}
    w.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.REMOVE, path=f'members[value eq "{sp.id}"]')])
    assert not w.groups.get(group.id).members
    raw = requests.get(f"{w.config.host}/api/2.0/preview/scim/v2/Groups/999", headers=w.config.authenticate(),
                       timeout=5).json()
    assert raw["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and raw["status"] == "404"
    # SCIM list pagination and filters.
    page = w.api_client.do("GET", "/api/2.0/preview/scim/v2/Groups", query={"startIndex": 2, "count": 1})
    assert page["totalResults"] == 3 and page["itemsPerPage"] == 1 and page["startIndex"] == 2


def test_non_admin_user_cannot_write_scim(w, emulator):
    sp = w.service_principals.create(display_name="plain")
    w.token_management.set_permissions(access_control_list=[settings.TokenAccessControlRequest(
        group_name="users", permission_level=settings.TokenPermissionLevel.CAN_USE)])
    plain = pat_client(w.config.host, w.token_management.create_obo_token(sp.application_id).token_value)
    with pytest.raises(PermissionDenied):
        plain.groups.create(display_name="x")
    with pytest.raises(PermissionDenied, match="allow-cluster-create"):
        plain.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="r5.large", num_workers=0)
    assert plain.groups.list()  # reads are open
    # A deleted principal's tokens stop working.
    w.service_principals.delete(sp.id)
    with pytest.raises(PermissionDenied):
        plain.current_user.me()


def test_dbfs_rules(w):
    w.dbfs.put("dbfs:/a/b.txt", contents=base64.b64encode(b"x").decode())
    with pytest.raises(ResourceAlreadyExists):
        w.dbfs.put("/a/b.txt", contents=base64.b64encode(b"y").decode())
    with pytest.raises(ResourceDoesNotExist):
        w.dbfs.get_status("/nope")
    with pytest.raises(InvalidParameterValue, match="absolute"):
        w.dbfs.get_status("relative/path")
    with pytest.raises(BadRequest, match="not empty"):
        w.api_client.do("POST", "/api/2.0/dbfs/delete", body={"path": "/a"})  # (DbfsExt checks client-side)
    with pytest.raises(BadRequest, match="1 MB"):
        w.dbfs.put("/big", contents=base64.b64encode(b"0" * (1024 * 1024 + 1)).decode())
    # Deleting a missing path succeeds, as on Databricks.
    w.api_client.do("POST", "/api/2.0/dbfs/delete", body={"path": "/nope"})
    assert [f.path for f in w.dbfs.list("/a")] == ["/a/b.txt"]
    with pytest.raises(ResourceAlreadyExists):
        w.dbfs.mkdirs("/a/b.txt/c")


def test_cluster_rules(w, estate):
    with pytest.raises(InvalidParameterValue, match="spark version"):
        w.clusters.create(spark_version="1.0.x", node_type_id="r5.large", num_workers=0)
    with pytest.raises(InvalidParameterValue, match="not supported"):
        w.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="z9.huge", num_workers=0)
    from databricks.sdk.service.compute import AwsAttributes

    with pytest.raises(InvalidParameterValue, match="not registered"):
        w.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="r5.large", num_workers=0,
                          aws_attributes=AwsAttributes(instance_profile_arn=estate.instance_profile_arn))
    # The SDK maps "Cluster ... does not exist" on clusters/get to ResourceDoesNotExist.
    with pytest.raises(ResourceDoesNotExist):
        w.clusters.get("0000-000000-nothere")
    cid = w.clusters.create(spark_version="16.4.x-scala2.12", node_type_id="r5.large", num_workers=0).cluster_id
    with pytest.raises(InvalidState):
        w.clusters.start(cid)  # already PENDING


def test_workspace_conf_and_ip_access_lists(w):
    with pytest.raises(InvalidParameterValue, match="not supported"):
        w.workspace_conf.set_status({"noSuchKey": "true"})
    with pytest.raises(InvalidParameterValue):
        w.workspace_conf.set_status({"enableIpAccessLists": "yes"})
    with pytest.raises(InvalidParameterValue):
        w.ip_access_lists.create("bad", settings.ListType.ALLOW, ip_addresses=["999.1.1.1"])
    w.workspace_conf.set_status({"enableIpAccessLists": "true"})
    # Databricks refuses a list that would lock the caller out.
    with pytest.raises(InvalidState, match=r"127\.0\.0\.1"):
        w.ip_access_lists.create("office", settings.ListType.ALLOW, ip_addresses=["10.0.0.0/8"])
    w.ip_access_lists.create("block-me", settings.ListType.ALLOW, ip_addresses=["127.0.0.1"])
    with pytest.raises(NotFound):
        w.ip_access_lists.get("nope")


def test_global_init_script_rules(w):
    with pytest.raises(InvalidParameterValue, match="base64"):
        w.global_init_scripts.create("bad", "not base64!!")
    ids = [w.global_init_scripts.create(f"s{i}", base64.b64encode(b"#!/bin/sh").decode()).script_id
           for i in range(3)]
    w.global_init_scripts.update(ids[2], "s2", base64.b64encode(b"#!/bin/sh").decode(), position=0)
    assert [s.name for s in w.global_init_scripts.list()] == ["s2", "s0", "s1"]
    with pytest.raises(NotFound):
        w.global_init_scripts.get("nope")
