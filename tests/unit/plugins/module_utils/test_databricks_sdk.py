"""module_utils/_databricks_sdk: databricks.sdk's core without its service APIs, the whole package on demand.

Each case runs in a fresh interpreter: the pytest process has long imported databricks.sdk.
"""

import json
import os
import subprocess
import sys

from tests.sandbox_harness import REPO

COLLECTIONS = os.path.join(REPO, ".ansible", "collections")  # holds ansible_collections/lakehouse/databricks_aws

PRELUDE = """
import json, sys
def services():
    return sorted(m for m in sys.modules if m.startswith('databricks.sdk.service.'))
"""


CLIENT_UTILS = ("from ansible_collections.lakehouse.databricks_aws.plugins.module_utils"
                " import _databricks_client as client_utils\n")


def run_fresh(code):
    """Run PRELUDE + code in a new interpreter with the collection importable; its last stdout line as JSON."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([COLLECTIONS, os.environ.get("PYTHONPATH", "")]))
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
