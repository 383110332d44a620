"""dbfs_file against the fake DBFS API."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_dbfs_file as dbfs_file
from test_account_fakes import WS_CONNECTION, run_module
from test_cluster_fakes import FakeWorkspace

XML = "<configuration></configuration>\n"


@pytest.fixture
def fake():
    return FakeWorkspace()


def put(fake, check_mode=False, **args):
    args.setdefault("path", "dbfs:/tmp/core-site.xml")
    return run_module(dbfs_file.main, dict(WS_CONNECTION, **args), fake, check_mode=check_mode, diff=True)


def test_uploaded_then_unchanged(fake):
    first = put(fake, content=XML)
    assert first["changed"] and fake.files["/tmp/core-site.xml"] == XML.encode()
    assert first["path"] == "dbfs:/tmp/core-site.xml" and first["size"] == len(XML)
    second = put(fake, content=XML)
    assert not second["changed"] and second["sha256"] == first["sha256"]


def test_check_mode_and_diff(fake):
    fake.files["/tmp/core-site.xml"] = b"old\n"
    result = put(fake, check_mode=True, content=XML)
    assert result["changed"] and fake.files["/tmp/core-site.xml"] == b"old\n" and fake.mutating_calls() == []
    assert result["diff"]["before"]["content"] == "old\n" and result["diff"]["after"]["content"] == XML


def test_large_file_in_blocks(fake, tmp_path):
    data = bytes(range(256)) * 9000  # 2.3 MB, binary
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    result = put(fake, path="/FileStore/blob.bin", src=str(src))
    assert result["changed"] and fake.files["/FileStore/blob.bin"] == data
    paths = [p for _method, p in fake.mutating_calls()]
    assert paths.count("/api/2.0/dbfs/add-block") == 3 and "content" not in result["diff"]["after"]
    assert not put(fake, path="/FileStore/blob.bin", src=str(src))["changed"]


def test_missing_src_fails(fake, tmp_path):
    result = put(fake, src=str(tmp_path / "nope"))
    assert result["failed"] and result["error_code"] == "SRC_UNREADABLE"


def test_absent(fake):
    put(fake, content=XML)
    assert put(fake, state="absent")["changed"] and fake.files == {}
    assert not put(fake, state="absent")["changed"]
