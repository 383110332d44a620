"""The read-ahead of a run's Databricks reads (_databricks_read_ahead).

A session's first GET in an interpreter sends the GETs its last run recorded, side by side; each task's first GET of
a path and query takes the prefetched outcome (reply or error), unless a write came in between, a task's second read
of it went to the API, or it is too old; the plan holds paths and queries only. Off without a plan path and where the
interpreter does not outlive the task.
"""

import json
import sys
import threading

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_read_ahead as read_ahead
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from requests.exceptions import RequestException

SESSION = ("account", "https://accounts.example", "acc-1", "oauth-m2m", "cid", "digest-of-the-secret", 60, False, 10)
OTHER_SESSION = ("workspace", "https://dbc-1.example", None, "pat", None, "digest-of-a-token", 60, False, 10)
BEARER = "Bearer dapi-token-value-4567"


class NotFound(RequestException):
    """An answer of the API (an error the module maps and retries)."""


class Api:
    """Stands in for the SDK's ApiClient: answers GETs from replies (raising a NotFound for a path it lacks) and
    keeps every request it was sent."""

    def __init__(self, replies):
        self.replies = replies
        self.sent = []
        self.lock = threading.Lock()

    def do(self, method, path=None, query=None, body=None, headers=None, **kwargs):
        with self.lock:
            self.sent.append((method, path, query))
        if method != "GET":
            return {}
        if path not in self.replies:
            raise NotFound(path)
        return dict(self.replies[path], query=query)


@pytest.fixture
def plan(tmp_path, monkeypatch):
    """A plan path in the environment, an interpreter that outlives the task, a fresh store per test."""
    path = tmp_path / "artifacts" / "host" / "databricks-read-plan.json"
    monkeypatch.setenv(read_ahead.PLAN_ENV, str(path))
    monkeypatch.setattr(read_ahead, "interpreter_outlives_the_task", lambda: True)
    new_interpreter()
    yield path
    new_interpreter()


def new_interpreter():
    """What the next run starts with: no read-ahead state (the plan file stays)."""
    store = sys.modules.pop(read_ahead.STORE_MODULE, None)
    if store is not None and store.pool is not None:
        store.pool.shutdown(wait=True)


def gets(api):
    return [(path, query) for method, path, query in api.sent if method == "GET"]


REPLIES = {"/credentials": {"items": 1}, "/networks": {"items": 2}, "/scim/v2/Groups": {"items": 3}}


def first_run(path):
    api = Api(REPLIES)
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/credentials")
    client.do("GET", "/networks", headers={"Authorization": BEARER})  # not a plain read: neither kept nor served
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    client.do("GET", "/credentials")  # a repeated read is kept once
    read_ahead.task_ended()  # the module invocation ends
    return api


def next_run(path):
    """After first_run: a new interpreter and the session's client (with the Api it sends to)."""
    first_run(path)
    new_interpreter()
    api = Api(REPLIES)
    return api, read_ahead.ReadAheadApiClient(api, SESSION)


def test_the_first_run_reads_as_before_and_keeps_its_plain_reads(plan):
    api = first_run(plan)
    assert gets(api) == [("/credentials", None), ("/networks", None),
                         ("/scim/v2/Groups", {"filter": 'displayName eq "admins"'}), ("/credentials", None)]
    kept = json.loads(plan.read_text())
    assert kept["version"] == read_ahead.PLAN_VERSION
    assert list(kept["sessions"].values()) == [[["/credentials", ""],
                                                ["/scim/v2/Groups", '{"filter": "displayName eq \\"admins\\""}']]]
    text = plan.read_text()
    for secret in ("digest-of-the-secret", "dapi-token-value", "cid"):
        assert secret not in text
    assert oct(plan.stat().st_mode & 0o777) == "0o600"


def test_the_next_run_sends_the_plan_ahead_and_each_read_takes_its_reply(plan):
    api, client = next_run(plan)
    groups = client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    credentials = client.do("GET", "/credentials")
    assert groups == {"items": 3, "query": {"filter": 'displayName eq "admins"'}}
    assert credentials == {"items": 1, "query": None}
    # Both were read once, ahead of the tasks (in either order); nothing was read twice.
    assert sorted(gets(api), key=str) == sorted([("/credentials", None),
                                                 ("/scim/v2/Groups", {"filter": 'displayName eq "admins"'})], key=str)
    client.do("GET", "/credentials")  # the task's second read of it (a retry, a poll) goes to the API
    assert gets(api).count(("/credentials", None)) == 2


def test_each_task_takes_the_outcome_of_a_read_they_share(plan):
    api, client = next_run(plan)
    assert client.do("GET", "/credentials") == {"items": 1, "query": None}
    read_ahead.task_ended()
    assert client.do("GET", "/credentials") == {"items": 1, "query": None}  # the next task's listing of the same
    read_ahead.task_ended()
    assert client.do("GET", "/credentials") == {"items": 1, "query": None}
    assert gets(api).count(("/credentials", None)) == 1


def test_after_a_read_went_to_the_api_no_later_task_takes_the_older_outcome(plan):
    api, client = next_run(plan)
    client.do("GET", "/credentials")
    api.replies = dict(REPLIES, **{"/credentials": {"items": 5}})  # changed since it was read ahead
    assert client.do("GET", "/credentials") == {"items": 5, "query": None}  # the task polls: the API answers
    read_ahead.task_ended()
    assert client.do("GET", "/credentials") == {"items": 5, "query": None}  # not the older outcome
    assert gets(api).count(("/credentials", None)) == 3


def test_a_write_drops_what_was_read_ahead(plan):
    api, client = next_run(plan)
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    read_ahead._store().pool.shutdown(wait=True)  # the prefetch of /credentials has ended
    read_ahead.ReadAheadApiClient(api, OTHER_SESSION).do("POST", "/scim/v2/Groups", body={"displayName": "x"})
    client.do("GET", "/credentials")
    assert gets(api).count(("/credentials", None)) == 2  # read ahead, dropped by the write, read again
    read_ahead.task_ended()
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})  # taken before the write
    assert gets(api).count(("/scim/v2/Groups", {"filter": 'displayName eq "admins"'})) == 2  # not by the next task


def test_the_error_a_read_ahead_met_is_the_reads_own(plan):
    first_run(plan)
    new_interpreter()
    api = Api({"/scim/v2/Groups": {"items": 3}})  # /credentials is gone since the last run
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    with pytest.raises(NotFound, match="/credentials"):
        client.do("GET", "/credentials")
    with pytest.raises(NotFound):  # the retry reads
        client.do("GET", "/credentials")
    assert gets(api).count(("/credentials", None)) == 2


def test_an_old_outcome_is_not_used(plan, monkeypatch):
    first_run(plan)
    new_interpreter()
    monkeypatch.setattr(read_ahead, "MAX_AGE", -1)
    api = Api(REPLIES)
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    client.do("GET", "/credentials")
    assert gets(api).count(("/credentials", None)) == 2


def test_only_the_sessions_own_reads_are_sent_ahead(plan):
    first_run(plan)
    new_interpreter()
    api = Api(REPLIES)
    read_ahead.ReadAheadApiClient(api, OTHER_SESSION).do("GET", "/networks")
    read_ahead._store().pool is None or read_ahead._store().pool.shutdown(wait=True)
    assert gets(api) == [("/networks", None)]


def test_a_later_pages_token_is_not_kept(plan):
    api = Api({"/clusters/list": {"clusters": []}})
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/clusters/list")
    client.do("GET", "/clusters/list", query={"page_token": "opaque"})
    read_ahead.task_ended()
    assert list(json.loads(plan.read_text())["sessions"].values()) == [[["/clusters/list", ""]]]


@pytest.mark.parametrize("setting", ["no plan path", "a new process per task"])
def test_off_without_a_plan_or_a_lasting_interpreter(plan, monkeypatch, setting):
    first_run(plan)
    new_interpreter()
    before = plan.read_text()
    if setting == "no plan path":
        monkeypatch.delenv(read_ahead.PLAN_ENV)
    else:
        monkeypatch.setattr(read_ahead, "interpreter_outlives_the_task", lambda: False)
    api = Api(REPLIES)
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/networks")
    client.do("GET", "/credentials")
    read_ahead.task_ended()
    assert gets(api) == [("/networks", None), ("/credentials", None)]
    assert plan.read_text() == before
    assert read_ahead.STORE_MODULE not in sys.modules


def test_an_unreadable_plan_means_no_read_ahead(plan):
    plan.parent.mkdir(parents=True)
    plan.write_text("{not json")
    api = Api(REPLIES)
    read_ahead.ReadAheadApiClient(api, SESSION).do("GET", "/credentials")
    read_ahead.task_ended()
    assert gets(api) == [("/credentials", None)]
    assert json.loads(plan.read_text())["version"] == read_ahead.PLAN_VERSION


def test_the_plan_is_written_once_per_invocation_and_only_when_it_grew(plan, monkeypatch):
    writes = []
    save = read_ahead._save
    monkeypatch.setattr(read_ahead, "_save", lambda path, recorded: (writes.append(path), save(path, recorded)))
    client = read_ahead.ReadAheadApiClient(Api(REPLIES), SESSION)
    client.do("GET", "/credentials")
    client.do("GET", "/networks")
    assert not plan.exists()  # nothing written while the module reads
    read_ahead.task_ended()
    assert writes == [str(plan)]
    assert len(json.loads(plan.read_text())["sessions"][read_ahead.session_label(SESSION)]) == 2
    client.do("GET", "/credentials")  # a read already in the plan
    read_ahead.task_ended()
    assert writes == [str(plan)]
    client.do("GET", "/scim/v2/Groups")
    read_ahead.task_ended()
    assert writes == [str(plan), str(plan)]


def test_a_plan_that_cannot_be_written_leaves_no_temporary_file(plan, monkeypatch):
    def refuse(source, target):
        raise OSError("read-only file system")

    monkeypatch.setattr(read_ahead.os, "replace", refuse)
    read_ahead.ReadAheadApiClient(Api(REPLIES), SESSION).do("GET", "/credentials")
    read_ahead.task_ended()
    assert list(plan.parent.iterdir()) == []


@pytest.mark.parametrize("outcome", ["returns", "fails"])
def test_a_module_invocation_writes_its_reads_as_it_ends(plan, run_main, outcome):
    def runner(module):
        read_ahead.ReadAheadApiClient(Api(REPLIES), SESSION).do("GET", "/credentials")
        assert not plan.exists()
        if outcome == "fails":
            module.fail("a later call failed")
        return module.result()

    def main():
        with patch_module_args({}):
            DatabricksModule(argument_spec={}).run(runner)

    result = run_main(main)
    assert bool(result.get("failed")) == (outcome == "fails")
    assert list(json.loads(plan.read_text())["sessions"].values()) == [[["/credentials", ""]]]


def test_an_error_that_is_not_the_apis_is_not_used_and_the_read_is_sent_again(plan):
    first_run(plan)
    new_interpreter()

    class EnvironmentChangedUnderTheThread(Api):
        def do(self, method, path=None, query=None, body=None, headers=None, **kwargs):
            if path == "/credentials" and not any(sent[1] == "/credentials" for sent in self.sent):
                with self.lock:
                    self.sent.append((method, path, query))
                raise KeyError("LAKEHOUSE_DATABRICKS_READ_PLAN")  # os.environ iterated while a key went away
            return super().do(method, path, query=query, body=body, headers=headers, **kwargs)

    api = EnvironmentChangedUnderTheThread(REPLIES)
    client = read_ahead.ReadAheadApiClient(api, SESSION)
    client.do("GET", "/scim/v2/Groups", query={"filter": 'displayName eq "admins"'})
    assert client.do("GET", "/credentials") == {"items": 1, "query": None}
    assert gets(api).count(("/credentials", None)) == 2  # read ahead (it failed), then read by the task
