"""The launcher reuses a running sandbox and stops exactly what it started."""

import os

from tests.sandbox_harness import Sandbox


def process_alive(pid):
    """True for a live process; a zombie (exited, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_up_twice_reuses_and_down_twice_is_safe(tmp_path):
    box = Sandbox(tmp_path, services="aws").up()
    with open(tmp_path / "aws.pid", encoding="utf-8") as handle:
        pid = int(handle.read())
    assert os.path.exists(f"/proc/{pid}")

    box.up()
    with open(tmp_path / "aws.pid", encoding="utf-8") as handle:
        assert int(handle.read()) == pid

    mode = os.stat(tmp_path / "endpoints.json").st_mode & 0o777
    assert mode == 0o600

    box.down()
    assert not process_alive(pid)
    assert not os.path.exists(tmp_path / "aws.pid")
    box.down()


def test_describe_tags_reports_aws_resource_types(tmp_path):
    box = Sandbox(tmp_path, services="aws").up()
    try:
        ec2 = box.aws_client("ec2")
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_tags(Resources=[allocation], Tags=[{"Key": "Name", "Value": "eip"}])
        tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["elastic-ip"]}])["Tags"]
        assert [(tag["ResourceId"], tag["ResourceType"]) for tag in tags] == [(allocation, "elastic-ip")]
    finally:
        box.down()
