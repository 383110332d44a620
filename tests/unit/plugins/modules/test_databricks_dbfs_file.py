"""databricks_dbfs_file against the fake DBFS API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_dbfs_file as dbfs_file

XML = "<configuration></configuration>\n"


@pytest.fixture
def put(run_workspace_module, fake_workspace):
    """put(check_mode=False, **args): databricks_dbfs_file (path dbfs:/tmp/core-site.xml unless given) run against
    fake_workspace (diff on)."""
    return run_workspace_module.bind(dbfs_file.main, fake_workspace, diff=True, path="dbfs:/tmp/core-site.xml")


def test_uploaded_then_unchanged(put, fake_workspace):
    first = put(content=XML)
    assert first["changed"] and fake_workspace.files["/tmp/core-site.xml"] == XML.encode()
    assert first["path"] == "dbfs:/tmp/core-site.xml" and first["size"] == len(XML)
    second = put(content=XML)
    assert not second["changed"] and second["sha256"] == first["sha256"]


def test_check_mode_and_diff(put, fake_workspace):
    fake_workspace.files["/tmp/core-site.xml"] = b"old\n"
    result = put(check_mode=True, content=XML)
    assert result["changed"] and fake_workspace.files["/tmp/core-site.xml"] == b"old\n"
    assert fake_workspace.mutating_calls() == []
    assert result["diff"]["before"]["content"] == "old\n" and result["diff"]["after"]["content"] == XML


def test_large_file_in_blocks(put, fake_workspace, tmp_path):
    data = bytes(range(256)) * 9000  # 2.3 MB, binary
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    result = put(path="/FileStore/blob.bin", src=str(src))
    assert result["changed"] and fake_workspace.files["/FileStore/blob.bin"] == data
    paths = [p for _method, p in fake_workspace.mutating_calls()]
    assert paths.count("/api/2.0/dbfs/add-block") == 3 and "content" not in result["diff"]["after"]
    assert not put(path="/FileStore/blob.bin", src=str(src))["changed"]


def test_missing_src_fails(put, fake_workspace, tmp_path):
    result = put(src=str(tmp_path / "nope"))
    assert result["failed"] and result["error_code"] == "SRC_UNREADABLE"


def test_absent(put, fake_workspace):
    put(content=XML)
    assert put(state="absent")["changed"] and fake_workspace.files == {}
    assert not put(state="absent")["changed"]
