"""workspace_conf and ip_access_list against a fake workspace API (faked at the module_utils seam)."""

import itertools

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_ip_access_list as ip_access_list
from ansible_collections.lakehouse.databricks_aws.plugins.modules import databricks_workspace_conf as workspace_conf
from databricks.sdk import errors as sdk_errors
from test_account_fakes import WS_CONNECTION, FakeDatabricks, run_module

CONF = "/api/2.0/workspace-conf"
LISTS = "/api/2.0/ip-access-lists"


class FakeHardening(FakeDatabricks):
    def __init__(self):
        super().__init__()
        self.conf = {"maxTokenLifetimeDays": None, "enableExportNotebook": "true", "enableVerboseAuditLogs": "false"}
        self.lists = {}
        self.ids = itertools.count(1)

    def _routes(self):
        item = LISTS + r"/(?P<lid>[^/]+)"
        return [
            *super()._routes(),
            (CONF, "GET", self.conf_get), (CONF, "PATCH", self.conf_patch),
            (LISTS, "GET", lambda query, body: {"ip_access_lists": list(self.lists.values())}),
            (LISTS, "POST", self.list_create), (item, "PUT", self.list_put), (item, "DELETE", self.list_delete),
        ]

    def conf_get(self, query, body):
        keys = query["keys"].split(",")
        unknown = [key for key in keys if key not in self.conf]
        if unknown:
            raise sdk_errors.InvalidParameterValue("Some of the keys are not supported: %s" % unknown,
                                                   error_code="INVALID_PARAMETER_VALUE")
        return dict((key, self.conf[key]) for key in keys)

    def conf_patch(self, query, body):
        assert all(isinstance(value, str) for value in body.values())  # the API stores strings
        self.conf.update(body)
        return {}

    def list_create(self, query, body):
        entry = dict(body, list_id="l%d" % next(self.ids))
        self.lists[entry["list_id"]] = entry
        return {"ip_access_list": entry}

    def list_put(self, lid, query, body):
        self.lists[lid] = dict(body, list_id=lid)
        return {}

    def list_delete(self, lid, query, body):
        del self.lists[lid]
        return {}


@pytest.fixture
def fake():
    return FakeHardening()


def conf(fake, settings, check_mode=False):
    return run_module(workspace_conf.main, dict(WS_CONNECTION, settings=settings), fake,
                      check_mode=check_mode, diff=True)


def ip_list(fake, check_mode=False, **args):
    return run_module(ip_access_list.main, dict(WS_CONNECTION, label="office", **args), fake,
                      check_mode=check_mode, diff=True)


def test_workspace_conf_sets_only_the_differing_keys_as_strings(fake):
    wanted = {"maxTokenLifetimeDays": 90, "enableExportNotebook": False, "enableVerboseAuditLogs": True}
    planned = conf(fake, wanted, check_mode=True)
    assert planned["changed"] and fake.mutating_calls() == []
    assert planned["settings"] == {"maxTokenLifetimeDays": "90", "enableExportNotebook": "false",
                                   "enableVerboseAuditLogs": "true"}
    assert planned["diff"]["before"]["enableExportNotebook"] == "true"

    fake.conf["enableVerboseAuditLogs"] = "true"  # already right: not sent
    applied = conf(fake, wanted)
    assert applied["changed_keys"] == ["enableExportNotebook", "maxTokenLifetimeDays"]
    assert fake.mutating_calls() == [("PATCH", CONF)]
    assert fake.conf == {"maxTokenLifetimeDays": "90", "enableExportNotebook": "false",
                         "enableVerboseAuditLogs": "true"}
    again = conf(fake, wanted)
    assert not again["changed"] and len(fake.mutating_calls()) == 1


def test_an_empty_string_unsets_a_key_and_matches_an_unset_one(fake):
    assert not conf(fake, {"maxTokenLifetimeDays": ""})["changed"]  # unset (null) already
    fake.conf["maxTokenLifetimeDays"] = "30"
    assert conf(fake, {"maxTokenLifetimeDays": ""})["changed"] and fake.conf["maxTokenLifetimeDays"] == ""


def test_an_unknown_key_fails_before_any_change(fake):
    result = conf(fake, {"enableExportNotebook": False, "enableTeleport": True})
    assert result["failed"] and "enableTeleport" in result["msg"]
    assert fake.mutating_calls() == []


def test_ip_access_list_created_replaced_and_unchanged_in_any_order(fake):
    planned = ip_list(fake, check_mode=True, ip_addresses=["203.0.113.0/24"])
    assert planned["changed"] and planned["ip_access_list"]["list_id"] is None and fake.mutating_calls() == []
    created = ip_list(fake, ip_addresses=["203.0.113.0/24", "198.51.100.7"])
    assert created["changed"] and created["ip_access_list"]["list_id"] == "l1"
    assert fake.lists["l1"]["list_type"] == "ALLOW" and fake.lists["l1"]["enabled"] is True
    assert not ip_list(fake, ip_addresses=["198.51.100.7", "203.0.113.0/24"])["changed"]
    replaced = ip_list(fake, ip_addresses=["198.51.100.7"], list_type="BLOCK")
    assert replaced["changed"] and replaced["diff"]["before"]["list_type"] == "ALLOW"
    assert fake.mutating_calls()[-1] == ("PUT", LISTS + "/l1") and fake.lists["l1"]["list_type"] == "BLOCK"


def test_ip_access_list_absent(fake):
    ip_list(fake, ip_addresses=["203.0.113.0/24"])
    assert ip_list(fake, state="absent", check_mode=True)["changed"] and fake.lists
    assert ip_list(fake, state="absent")["changed"] and fake.lists == {}
    assert not ip_list(fake, state="absent")["changed"]


def test_ip_access_list_present_needs_addresses(fake):
    result = ip_list(fake)
    assert result["failed"] and "ip_addresses" in result["msg"] and fake.calls == []
