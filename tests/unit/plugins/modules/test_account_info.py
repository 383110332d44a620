"""account_info (the preflight's account API check) and the preflight rules added with it."""

from unittest import mock

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.filter.network_input_errors import network_input_errors
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import describe_error
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_management_validation import (
    check_cluster,
)
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


def test_oauth_discovery_without_reply_reads_as_a_connection_error():
    error = ValueError("default auth: oauth-m2m: Invalid URL 'None': No scheme supplied. Perhaps you meant "
                       "https://None?. Config: host=http://127.0.0.1:9")
    info = describe_error(error, "connect to the Databricks account API")
    assert info.error_code == "CONNECTION_ERROR" and "gave no OAuth endpoints" in info.message
    assert "Config:" not in info.message


@pytest.mark.parametrize("value, good", [
    ("https://accounts.cloud.databricks.com", True), ("http://127.0.0.1:8080", True),
    ("accounts.cloud.databricks.com", False), ("ftp://accounts.cloud.databricks.com", False),
    ("https://accounts.cloud.databricks.com/api/2.0", False), (None, False),
])
def test_host_url_rule(value, good):
    assert (v.check_host_url("h", value) == []) is good


def test_missing_region_says_it_is_required():
    assert v.check_region("aws_region", "") == ["aws_region: '' is not an AWS region name such as eu-west-1; "
                                                "it is required"]
    assert "required" not in v.check_region("aws_region", "europe-1")[0]


def test_driver_on_spot_is_refused_but_on_demand_clusters_may_start_spot_free():
    base = {"databricks_management_cluster_name": "c", "databricks_management_cluster_min_workers": 1,
            "databricks_management_cluster_max_workers": 2, "databricks_management_cluster_autotermination_minutes": 30,
            "databricks_management_cluster_first_on_demand": 0,
            "databricks_management_cluster_spot_bid_price_percent": 60,
            "databricks_management_cluster_ebs_volume_type": "GENERAL_PURPOSE_SSD",
            "databricks_management_cluster_ebs_volume_count": 1, "databricks_management_cluster_ebs_volume_size": 32,
            "databricks_management_cluster_min_memory_gb": 15, "databricks_management_cluster_min_cores": 2,
            "databricks_management_cluster_wait_timeout": 60, "databricks_management_cluster_state": "present",
            "databricks_management_cluster_custom_tags": {}, "databricks_management_cluster_spark_conf": {}}
    spot = check_cluster(dict(base, databricks_management_cluster_availability="SPOT_WITH_FALLBACK"))
    assert spot == ["databricks_management_cluster_first_on_demand: 0 puts the driver on a spot instance "
                    "(databricks_management_cluster_availability SPOT_WITH_FALLBACK); use at least 1"]
    assert check_cluster(dict(base, databricks_management_cluster_availability="ON_DEMAND")) == []


def test_endpoint_policies_need_the_endpoints():
    policy = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]}
    inputs = {"aws_region": "eu-west-1", "deployment_prefix": "p", "network_vpc_cidr": "10.0.0.0/16",
              "network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24"],
              "network_public_subnet_cidrs": ["10.0.101.0/24"],
              "network_availability_zones": ["eu-west-1a", "eu-west-1b"], "network_nat_gateway_mode": "single",
              "network_vpc_endpoint_policies_enabled": True,
              "network_vpc_endpoint_policies": {"s3": policy, "sts": policy, "kinesis_streams": policy}}
    assert network_input_errors(dict(inputs, network_vpc_endpoints_enabled=True)) == []
    assert network_input_errors(dict(inputs, network_vpc_endpoints_enabled=False)) == [
        "network_vpc_endpoint_policies_enabled: true needs the VPC endpoints the policies apply to, but "
        "network_vpc_endpoints_enabled is false"]
