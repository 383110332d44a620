"""databricks_account_info (the preflight's account API check): reachable host, accepted credentials, the kind
of each failure."""

from unittest import mock

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_account_info as account_info
from databricks.sdk import errors as sdk_errors


class FakeAccount:
    """An account client whose one read returns reply, or raises it when it is an exception."""

    def __init__(self, reply):
        self.reply = reply
        self.calls = []
        self.api_client = self

    def do(self, method, path, query=None, body=None):
        self.calls.append((method, path, query))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def client(self, api, host=None):
        return self


@pytest.fixture
def probe(run_account_module):
    """probe(fake, reachable=None, args=None): databricks_account_info run with args against fake (an account client),
    the host reachable unless reachable is the exception requests.get raises."""

    def run(fake, reachable=None, args=None):
        get = mock.patch.object(account_info.requests, "get", side_effect=reachable)
        with get:
            return run_account_module(account_info.main, args or {}, fake)

    return run


def test_accepted_credentials_read_the_service_principal(probe):
    fake = FakeAccount({"Resources": [{"id": "7", "displayName": "automation"}]})
    result = probe(fake)
    assert result["authenticated"] is True and not result["changed"]
    assert result["service_principal_id"] == "7"
    assert fake.calls == [("GET", "/api/2.0/accounts/acc-1/scim/v2/ServicePrincipals",
                           {"filter": 'applicationId eq "cid"'})]


def test_with_a_workspace_name_the_workspace_listing_proves_the_credentials_and_finds_it(probe):
    fake = FakeAccount([{"workspace_name": "other", "workspace_id": 4, "deployment_name": "dbc-4"},
                        {"workspace_name": "prod", "workspace_id": 5, "deployment_name": "dbc-5"}])
    result = probe(fake, args={"workspace_name": "prod"})
    assert result["authenticated"] is True and not result["changed"]
    assert result["workspaces"] == [{"workspace_name": "prod", "workspace_id": 5, "deployment_name": "dbc-5",
                                     "workspace_url": "https://dbc-5.cloud.databricks.com"}]
    assert "service_principal_id" not in result
    assert fake.calls == [("GET", "/api/2.0/accounts/acc-1/workspaces", None)]  # the one read


def test_with_a_workspace_name_that_is_not_deployed_yet_no_workspace_is_found(probe):
    fake = FakeAccount([{"workspace_name": "other", "workspace_id": 4}])
    result = probe(fake, args={"workspace_name": "prod"})
    assert result["authenticated"] is True and result["workspaces"] == []


@pytest.mark.parametrize("error, reason", [
    (requests.exceptions.ConnectionError("Failed to establish a new connection: [Errno 111] Connection refused"),
     "connection refused"),
    (requests.exceptions.ConnectionError("NameResolutionError: Failed to resolve 'x.invalid' ([Errno -2] Name or "
                                         "service not known)"), "host name does not resolve"),
    (requests.exceptions.ConnectTimeout("timed out"), "no reply in time"),
])
def test_unreachable_host(probe, error, reason):
    fake = FakeAccount({})
    result = probe(fake, reachable=error)
    assert result["failed"] and result["error_kind"] == "unreachable" and result["reason"] == reason
    assert result["msg"] == "https://accounts.example is unreachable (%s)" % reason
    assert fake.calls == []  # no credential was sent


def test_refused_credentials_name_the_host_not_the_secret(probe):
    fake = FakeAccount(ValueError("default auth: oauth-m2m: invalid_client: Client authentication failed.. Config: "
                                  "host=https://accounts.example, client_secret=***"))
    result = probe(fake)
    assert result["failed"] and result["error_kind"] == "authentication"
    assert result["msg"].startswith("authentication to https://accounts.example failed (")
    assert "invalid_client" in result["reason"] and "Config:" not in result["reason"]
    assert "client-secret-value" not in str(result)


@pytest.mark.parametrize("workspace_name", [None, "prod"])  # either read proves the credentials
@pytest.mark.parametrize("error, kind", [
    (sdk_errors.PermissionDenied("not an account admin"), "permission"),
    (sdk_errors.NotFound("no such account"), "account"),
    (sdk_errors.Unauthenticated("bad token"), "authentication"),
])
def test_api_errors_are_classified(probe, error, kind, workspace_name):
    result = probe(FakeAccount(error), args={"workspace_name": workspace_name})
    assert result["failed"] and result["error_kind"] == kind, result
