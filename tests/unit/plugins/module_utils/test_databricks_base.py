"""The Databricks module_utils: connection options, client factory, errors, diff, waiter
(the retry loop: test_databricks_retries.py)."""

import threading
import time
from types import SimpleNamespace

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_client as client_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_connection as conn
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_diff as diff_utils
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_errors as err
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_waiter as waiter
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._collection import COLLECTION_VERSION
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from databricks.sdk import errors as sdk_errors


def params(**overrides):
    base = {name: spec.get("default") for name, spec in conn.connection_argument_spec().items()}
    base.update(overrides)
    return base


# --- connection options ------------------------------------------------------------------------
def test_secrets_are_no_log_and_every_option_has_an_env_fallback():
    spec = conn.connection_argument_spec()
    for name in conn.SECRET_OPTIONS:
        assert spec[name]["no_log"] is True
    for name in ("account_host", "account_id", "client_id", "client_secret", "workspace_host", "token"):
        assert spec[name]["fallback"][1][0].startswith("DATABRICKS_")


def test_module_options_extend_the_connection_options():
    spec = conn.merge_argument_spec({"name": {"type": "str"}})
    assert "name" in spec and "client_secret" in spec


@pytest.mark.parametrize("api, options, expected", [
    ("account", dict(account_id="a", client_id="c", client_secret="s"), "oauth-m2m"),
    ("account", dict(account_id="a", username="u", password="p"), "basic"),
    ("workspace", dict(workspace_host="h", token="t", client_id="c", client_secret="s"), "pat"),
    ("workspace", dict(workspace_host="h", client_id="c", client_secret="s"), "oauth-m2m"),
    ("workspace", dict(workspace_host="h", token="t", client_id="c", client_secret="s", auth_type="oauth-m2m"),
     "oauth-m2m"),
])
def test_auth_type_follows_the_options(api, options, expected):
    assert conn.resolve_auth_type(params(**options), api) == (expected, None)


@pytest.mark.parametrize("api, options, fragment", [
    ("account", dict(client_id="c", client_secret="s"), "account_id is required"),
    ("account", dict(account_id="a"), "client_id and client_secret"),
    ("account", dict(account_id="a", token="t", auth_type="pat"), "not accepted"),
    ("workspace", dict(token="t"), "workspace_host is required"),
    ("workspace", dict(workspace_host="h"), "needs a token"),
])
def test_missing_options_are_named(api, options, fragment):
    auth_type, problem = conn.resolve_auth_type(params(**options), api)
    assert auth_type is None and fragment in problem


# --- client factory ---------------------------------------------------------------------------
def test_config_is_explicit_and_fails_fast(monkeypatch):
    seen = {}
    monkeypatch.setattr(client_utils, "Config", lambda **kwargs: seen.update(kwargs) or kwargs)
    client_utils.build_config(params(account_id="acc", client_id="cid", client_secret="sec",
                                     account_host="http://127.0.0.1:1/"), "account")
    assert seen["host"] == "http://127.0.0.1:1"
    assert seen["auth_type"] == "oauth-m2m" and seen["account_id"] == "acc"
    assert seen["retry_timeout_seconds"] <= client_utils.SDK_RETRY_WINDOW
    assert (seen["product"], seen["product_version"]) == ("lakehouse-databricks-aws", COLLECTION_VERSION)


def test_workspace_config_takes_another_host(monkeypatch):
    monkeypatch.setattr(client_utils, "Config", lambda **kwargs: kwargs)
    config = client_utils.build_config(params(workspace_host="https://a", token="t"), "workspace", host="http://b")
    assert config["host"] == "http://b" and config["token"] == "t" and config["auth_type"] == "pat"


def test_configuration_problem_raises_a_named_error():
    with pytest.raises(client_utils.DatabricksConfigurationError, match="account_id"):
        client_utils.build_config(params(client_id="c", client_secret="s"), "account")


def test_real_sdk_config_accepts_what_the_factory_builds():
    config = client_utils.build_config(params(workspace_host="http://127.0.0.1:9", token="dapi-x",
                                              retry_timeout=1, http_timeout=1), "workspace")
    assert config.host == "http://127.0.0.1:9"
    assert config.auth_type == "pat"


# --- errors and retries -----------------------------------------------------------------------
def test_error_message_carries_the_code_and_a_hint():
    info = err.describe_error(sdk_errors.PermissionDenied("nope", error_code="PERMISSION_DENIED"), "create x")
    assert info.error_code == "PERMISSION_DENIED"
    assert info.message.startswith("create x: PERMISSION_DENIED: nope")
    assert "lacks the permission" in info.message


def test_sdk_retry_timeout_is_unwrapped():
    try:
        try:
            raise sdk_errors.TooManyRequests("slow down", error_code="REQUEST_LIMIT_EXCEEDED", retry_after_secs=3)
        except sdk_errors.TooManyRequests as inner:
            raise TimeoutError("Timed out after 0:00:10") from inner
    except TimeoutError as exc:
        info = err.describe_error(exc)
        assert info.error_code == "REQUEST_LIMIT_EXCEEDED" and info.retry_after == 3
        assert err.is_transient(exc)


def test_codes_default_from_the_exception_class():
    assert err.error_code_of(sdk_errors.ResourceDoesNotExist("gone")) == "RESOURCE_DOES_NOT_EXIST"
    assert err.is_not_found(sdk_errors.NotFound("gone"))
    assert not err.is_transient(sdk_errors.InternalError("boom"))


def test_oauth_discovery_without_reply_reads_as_a_connection_error():
    error = ValueError("default auth: oauth-m2m: Invalid URL 'None': No scheme supplied. Perhaps you meant "
                       "https://None?. Config: host=http://127.0.0.1:9")
    info = err.describe_error(error, "connect to the Databricks account API")
    assert info.error_code == "CONNECTION_ERROR" and "gave no OAuth endpoints" in info.message
    assert "Config:" not in info.message


# --- diff -------------------------------------------------------------------------------------
def test_diff_compares_only_managed_keys_and_lists_as_sets_when_asked():
    current = {"vpc_id": "vpc-1", "subnet_ids": ["b", "a"], "other": 1}
    same = diff_utils.ResourceDiff({"vpc_id": "vpc-1", "subnet_ids": ["a", "b"], "role": None}, current,
                                   unordered=("subnet_ids",))
    assert not same.changed and same.changes == {}
    moved = diff_utils.ResourceDiff({"subnet_ids": ["a", "c"]}, current, unordered=("subnet_ids",))
    assert moved.changed and moved.changed_keys == ["subnet_ids"]
    assert moved.diff["after"]["subnet_ids"] == ["a", "c"] and moved.diff["before"]["other"] == 1


def test_missing_object_is_a_change_and_secrets_are_masked():
    delta = diff_utils.ResourceDiff({"comment": "x", "token_value": "dapi-secret"}, None, secret_keys=("token_value",))
    assert delta.changed and not delta.exists
    assert delta.diff["before"] == {}
    assert "dapi-secret" not in repr(delta.diff)
    assert diff_utils.absent_diff({"a": 1}) == {"before": {"a": 1}, "after": {}}


def test_nested_dicts_ignore_none_members():
    delta = diff_utils.ResourceDiff({"tags": {"a": "1"}}, {"tags": {"a": "1", "b": None}})
    assert not delta.changed


# --- waiter -----------------------------------------------------------------------------------
def test_waiter_polls_adaptively_and_records_status_changes(fake_clock):
    clock = fake_clock
    statuses = ["PROVISIONING"] * 5 + ["RUNNING"]
    result = waiter.wait_for_status(lambda: {"s": statuses.pop(0)}, lambda v: v["s"], ready=("RUNNING",),
                                    failed=("FAILED",), timeout=600, sleep=clock.sleep, clock=clock.time)
    assert result.outcome == waiter.READY and result.polls == 6
    assert [h["status"] for h in result.history] == ["PROVISIONING", "RUNNING"]
    assert clock.sleeps == sorted(clock.sleeps)  # never faster than before


def test_waiter_reports_failure_and_timeout(fake_clock):
    clock = fake_clock
    failed = waiter.wait_for_status(lambda: "FAILED", lambda v: v, ready=("RUNNING",), failed=("FAILED",),
                                    sleep=clock.sleep, clock=clock.time)
    assert failed.outcome == waiter.FAILED
    stuck = waiter.wait_for_status(lambda: "PROVISIONING", lambda v: v, ready=("RUNNING",), timeout=30,
                                   sleep=clock.sleep, clock=clock.time)
    assert stuck.outcome == waiter.TIMED_OUT and clock.now <= 30 + 1e-9
    assert waiter.next_interval(1000, maximum=15) == 15


# --- run_each: a list of objects in one module run ----------------------------------------------
def test_run_each_keeps_the_order_shares_one_client_and_names_each_entry_in_the_diff():
    module = object.__new__(DatabricksModule)  # the base without an AnsibleModule: only what run_each uses
    module.module = SimpleNamespace(params={"retry_timeout": 0, "name": None, "comment": "the module's"},
                                    check_mode=False, _diff=True)
    module.api, module._clients, module._clients_lock, module.retry_state = "workspace", {}, threading.Lock(), None
    built = []

    def factory(params, host=None):
        built.append(host)
        time.sleep(0.05)  # both entries ask for the client while it is being built
        return "client"

    module.workspace_client_factory = factory

    def runner(view):
        assert view.workspace == "client" and not view.check_mode
        time.sleep(0.05 if view.params["name"] == "a" else 0)  # the first entry ends last
        return view.result(changed=view.params["name"] == "b", comment=view.params["comment"],
                           diff={"before": {}, "after": {"comment": view.params["comment"]}})

    result = module.run_each(runner, [{"name": "a", "comment": None}, {"name": "b", "comment": "its own"}], "things",
                             identity=("name",))
    assert built == [None]
    assert result == {
        "changed": True,
        "things": [{"name": "a", "changed": False, "comment": "the module's"},
                   {"name": "b", "changed": True, "comment": "its own"}],
        "diff": {"before": {"a": {}, "b": {}},
                 "after": {"a": {"comment": "the module's"}, "b": {"comment": "its own"}}},
    }
