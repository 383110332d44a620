"""module_utils/_interpreter_patches: what each patch changes, and that LAKEHOUSE_INTERPRETER_PATCHES=0 changes nothing.

The databricks.sdk cases run in a fresh interpreter: the pytest process has long imported databricks.sdk.
"""

import json
import os
import subprocess
import sys

import pytest
import requests
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_retries as retries
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _interpreter_patches as patches
from databricks.sdk import oauth as sdk_oauth

from tests.sandbox_harness import REPO

COLLECTIONS = os.path.join(REPO, ".ansible", "collections")  # holds ansible_collections/lakehouse/databricks_aws

PRELUDE = """
import json, sys
def services():
    return sorted(m for m in sys.modules if m.startswith('databricks.sdk.service.'))
"""


CLIENT_UTILS = ("from ansible_collections.lakehouse.databricks_aws.plugins.module_utils"
                " import _databricks_client as client_utils\n")


def run_fresh(code, switch="1"):
    """Run PRELUDE + code in a new interpreter with the collection importable and the patches switched as given;
    its last stdout line as JSON."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([COLLECTIONS, os.environ.get("PYTHONPATH", "")]))
    env[patches.SWITCH] = switch
    done = subprocess.run([sys.executable, "-c", PRELUDE + code], capture_output=True, text=True, env=env,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_client_utils_load_the_sdk_core_without_the_service_apis():
    seen = run_fresh(CLIENT_UTILS + """
config_module = sys.modules['databricks.sdk.core']
print(json.dumps({'services': services(), 'has_sdk': client_utils.HAS_DATABRICKS_SDK,
                  'config': client_utils.Config is config_module.Config,
                  'init_ran': 'WorkspaceClient' in vars(sys.modules['databricks.sdk'])}))
""")
    assert seen["has_sdk"] is True
    assert seen["config"] is True
    assert seen["init_ran"] is False
    # the typed APIs (jobs, catalog, compute, iam, ...) are what the package __init__ would import
    assert "databricks.sdk.service.jobs" not in seen["services"]
    assert "databricks.sdk.service.catalog" not in seen["services"]
    assert len(seen["services"]) <= 5


def test_a_package_name_used_later_runs_the_real_init_once():
    seen = run_fresh(CLIENT_UTILS + """
import databricks.sdk
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import JobsAPI
w = WorkspaceClient(config=client_utils.Config(host='http://127.0.0.1:9', token='t', auth_type='pat',
                                               retry_timeout_seconds=1))
missing = None
try:
    databricks.sdk.not_a_name
except AttributeError as exc:
    missing = str(exc)
print(json.dumps({'jobs_api': isinstance(w.jobs, JobsAPI), 'same': databricks.sdk.WorkspaceClient is WorkspaceClient,
                  'hook_left': '__getattr__' in vars(databricks.sdk), 'missing': missing,
                  'services': len(services())}))
""")
    assert seen["jobs_api"] is True
    assert seen["same"] is True
    assert seen["hook_left"] is False
    assert "not_a_name" in seen["missing"]
    assert seen["services"] > 20


def test_an_sdk_imported_first_is_left_as_it_is():
    seen = run_fresh("""
import databricks.sdk
full = databricks.sdk
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _databricks_errors
print(json.dumps({'same': sys.modules['databricks.sdk'] is full, 'hook': '__getattr__' in vars(full),
                  'services': len(services())}))
""")
    assert seen["same"] is True
    assert seen["hook"] is False
    assert seen["services"] > 20


# --- botocore: one data loader per data path --------------------------------------------------
def test_botocore_sessions_share_one_data_loader_per_data_path(monkeypatch, tmp_path, interpreter_patches_on):
    import boto3
    import botocore.loaders
    import botocore.session

    # botocore as shipped (an earlier test's module may have shared the loaders already); undone after the test
    monkeypatch.setattr(botocore.session, "create_loader", botocore.loaders.create_loader)
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    unshared = [boto3.session.Session(region_name="eu-west-1")._session.get_component("data_loader")
                for _attempt in range(2)]
    assert unshared[0] is not unshared[1]  # botocore as shipped: one loader (one JSON parse) per session

    patches.share_botocore_data()
    patched = botocore.session.create_loader
    patches.share_botocore_data()  # mitogen imports module_utils again for each task: patched once
    assert botocore.session.create_loader is patched

    sessions = [boto3.session.Session(region_name="eu-west-1") for _attempt in range(3)]
    loaders = [session._session.get_component("data_loader") for session in sessions]
    assert loaders[0] is loaders[1] is loaders[2]
    # each boto3 Session appends its data folder to the loader: the list does not grow with the sessions
    paths_after_three = list(loaders[0].search_paths)
    for _attempt in range(10):
        boto3.session.Session(region_name="eu-west-1")
    assert loaders[0].search_paths == paths_after_three
    assert sessions[2].client("ec2").meta.service_model.service_name == "ec2"

    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    elsewhere = boto3.session.Session(region_name="eu-west-1")._session.get_component("data_loader")
    assert elsewhere is not loaders[0]
    assert str(tmp_path) in elsewhere.search_paths


# --- the switch ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value, on", [(None, True), ("1", True), ("yes", True), ("0", False), ("false", False),
                                       (" OFF ", False), ("no", False)])
def test_the_switch(monkeypatch, value, on):
    if value is None:
        monkeypatch.delenv(patches.SWITCH, raising=False)
    else:
        monkeypatch.setenv(patches.SWITCH, value)
    assert patches.enabled() is on


def test_switched_off_no_patch_changes_anything(monkeypatch):
    import botocore.loaders
    import botocore.session

    monkeypatch.setenv(patches.SWITCH, "0")
    monkeypatch.setattr(botocore.session, "create_loader", botocore.loaders.create_loader)
    monkeypatch.setattr(sdk_oauth, "requests", requests)
    patches.share_botocore_data()
    patches.retry_oauth_token_requests(sdk_oauth, 30, retries.backoff_delay)
    assert botocore.session.create_loader is botocore.loaders.create_loader
    assert sdk_oauth.requests is requests


def test_switched_off_the_modules_run_on_the_libraries_as_shipped():
    """A fresh interpreter with LAKEHOUSE_INTERPRETER_PATCHES=0 that imports the module_utils and builds an OAuth
    client and an AWS client, as a module does: databricks.sdk imported whole, botocore and oauth untouched."""
    seen = run_fresh(CLIENT_UTILS + """
from unittest import mock
import botocore.loaders, botocore.session, requests
import databricks.sdk.oauth as sdk_oauth
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _aws
client_utils.Config = lambda **kwargs: kwargs
client_utils.build_config(dict(account_host='https://accounts.example', account_id='a', client_id='c',
                               client_secret='s', retry_timeout=30, http_timeout=60, validate_certs=True,
                               auth_type=None), 'account')
_aws.retrying_client(mock.Mock(), 'ec2')
print(json.dumps({'init_ran': 'WorkspaceClient' in vars(sys.modules['databricks.sdk']),
                  'hook': '__getattr__' in vars(sys.modules['databricks.sdk']),
                  'loader': botocore.session.create_loader is botocore.loaders.create_loader,
                  'oauth': sdk_oauth.requests is requests}))
""", switch="0")
    assert seen == {"init_ran": True, "hook": False, "loader": True, "oauth": True}
