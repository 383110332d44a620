"""Sessions of PAT and basic credentials skip the SDK's host metadata request
(_interpreter_patches.skip_host_metadata_without_oauth); OAuth sessions keep it (it gives the OIDC endpoint).
No HTTP: the SDK's host metadata fetch is a recorder."""

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_connection as conn
from databricks.sdk import config as sdk_config

HOST = "https://dbc-1.cloud.databricks.com"


@pytest.fixture
def host_metadata_requests(monkeypatch):
    fetched = []

    def get_host_metadata(host, client=None):
        fetched.append(host)
        raise ValueError("no host metadata here")  # the SDK falls back to the explicit configuration

    monkeypatch.setattr(sdk_config, "get_host_metadata", get_host_metadata)
    monkeypatch.setattr(client_utils._session_store(), "configs", type(client_utils._session_store().configs)())
    return fetched


def params(**credentials):
    base = {name: spec.get("default") for name, spec in conn.connection_argument_spec().items()}
    base.update(workspace_host=HOST, account_host=HOST, account_id="acc-1", **credentials)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize("api, credentials", [("workspace", dict(token="dapi-secret-1")),
                                              ("account", dict(username="u", password="secret-2"))])
def test_token_and_basic_sessions_skip_the_host_metadata_request(host_metadata_requests, api, credentials):
    config = client_utils.build_config(params(**credentials), api)
    assert host_metadata_requests == []
    assert config.host == HOST and "Authorization" in config.authenticate()


def test_oauth_sessions_still_read_the_host_metadata(host_metadata_requests, monkeypatch):
    monkeypatch.setattr(sdk_config.Config, "init_auth", lambda self: None)  # no OIDC discovery over the network
    client_utils.build_config(params(client_id="cid", client_secret="secret-3"), "workspace")
    assert host_metadata_requests == [HOST]
