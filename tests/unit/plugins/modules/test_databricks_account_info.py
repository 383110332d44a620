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
    """probe(fake, reachable=None): databricks_account_info run against fake (an account client), the host reachable
    unless reachable is the exception requests.get raises."""

    def run(fake, reachable=None):
        get = mock.patch.object(account_info.requests, "get", side_effect=reachable)
        with get:
            return run_account_module(account_info.main, {}, fake)

    return run


def test_accepted_credentials_read_the_service_principal(probe):
    fake = FakeAccount({"Resources": [{"id": "7", "displayName": "automation"}]})
    result = probe(fake)
    assert result["authenticated"] is True and not result["changed"]
    assert result["service_principal_id"] == "7"
    assert fake.calls == [("GET", "/api/2.0/accounts/acc-1/scim/v2/ServicePrincipals",
                           {"filter": 'applicationId eq "cid"'})]


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


@pytest.mark.parametrize("error, kind", [
    (sdk_errors.PermissionDenied("not an account admin"), "permission"),
    (sdk_errors.NotFound("no such account"), "account"),
    (sdk_errors.Unauthenticated("bad token"), "authentication"),
])
def test_api_errors_are_classified(probe, error, kind):
    result = probe(FakeAccount(error))
    assert result["failed"] and result["error_kind"] == kind, result
