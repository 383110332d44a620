"""Unit-test fixtures shared by every file under tests/unit."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils


@pytest.fixture(autouse=True)
def empty_session_cache():
    """Each test starts without the Databricks Configs an earlier test cached (one pytest process = one cache)."""
    client_utils._session_store().configs.clear()
    yield
    client_utils._session_store().configs.clear()
