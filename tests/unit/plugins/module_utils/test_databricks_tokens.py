"""_databricks_tokens: the token lifecycle databricks_token and databricks_obo_token share."""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_tokens as lifecycle


def test_decide():
    now = 1_000_000
    assert lifecycle.decide(None, now, 60)[0] == lifecycle.CREATE
    assert lifecycle.decide({"expiry_time": -1}, now, 60)[0] == lifecycle.KEEP
    assert lifecycle.decide({"expiry_time": now + 120_000}, now, 60)[0] == lifecycle.KEEP
    assert lifecycle.decide({"expiry_time": now + 30_000}, now, 60)[0] == lifecycle.ROTATE
    assert lifecycle.decide({"expiry_time": now + 120_000}, now, 60, force=True)[0] == lifecycle.ROTATE
