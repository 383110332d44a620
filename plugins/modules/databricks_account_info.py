#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_info
short_description: Check that the Databricks account API is reachable and accepts the credentials
version_added: 0.1.0
description:
  - Read-only connectivity and authentication check of the account API, for a preflight before anything changes.
  - Reaches O(account_host) (the OAuth discovery document of O(account_id)), obtains an OAuth token with
    O(client_id) and O(client_secret) (M2M) and reads that service principal in the account (SCIM), or with
    O(workspace_name) the account's workspaces instead.
  - On failure RV(error_kind) tells what went wrong - V(unreachable) (no HTTP reply from the host),
    V(authentication) (the token request was refused - wrong client ID or secret, or a service principal of
    another account), V(permission) (authenticated, but not an account admin), V(account) (the account API
    does not know O(account_id)) or V(other).
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  probe_timeout:
    description: Seconds to wait for the host to answer the first request (connection and reply).
    type: int
    default: 10
  workspace_name:
    description:
      - Find this workspace with the read that proves the credentials - the account's workspace listing instead
        of the service principal's SCIM entry - and return it in RV(workspaces), as
        M(lakehouse.databricks_aws.databricks_workspace_info) finds a workspace by name.
      - A preflight that needs both learns them in one call.
    type: str
notes:
  - The client secret is never returned or logged; messages name the host and the account, not the secret.
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.info_attributes
  - lakehouse.databricks_aws.read_only
"""

EXAMPLES = r"""
- name: Check the account API and the service principal before any change
  lakehouse.databricks_aws.databricks_account_info:
    account_host: https://accounts.cloud.databricks.com
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    retry_timeout: 15
  register: account_check
  failed_when: false

- name: The same check, finding the deployed workspace with the same call
  lakehouse.databricks_aws.databricks_account_info:
    account_host: https://accounts.cloud.databricks.com
    account_id: "{{ databricks_account_id }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    workspace_name: prod-workspace
  register: account_check
  failed_when: false

- name: Stop with a readable reason
  ansible.builtin.assert:
    that: account_check.authenticated | default(false)
    fail_msg: "{{ account_check.error_kind | default('other') }}: {{ account_check.msg | default('') }}"
"""

RETURN = r"""
authenticated:
  description: V(true) when the credentials were accepted and the account could be read.
  returned: success
  type: bool
  sample: true
account_host:
  description: The account API host that was checked.
  returned: always
  type: str
  sample: https://accounts.cloud.databricks.com
account_id:
  description: The account that was checked.
  returned: always
  type: str
  sample: 0d2a9b6e-1c3f-4e5a-8b7c-9d0e1f2a3b4c
workspaces:
  description: The workspaces named O(workspace_name) (none when it does not exist), each with C(workspace_url).
  returned: success, with O(workspace_name)
  type: list
  elements: dict
  sample:
    - workspace_id: 1234567890123456
      workspace_name: prod-workspace
      deployment_name: dbc-1234abcd-5678
      workspace_status: RUNNING
      workspace_url: https://dbc-1234abcd-5678.cloud.databricks.com
service_principal_id:
  description: Account SCIM ID of the service principal O(client_id).
  returned: success, without O(workspace_name)
  type: str
  sample: "7064838425693283"
service_principal_name:
  description: Display name of that service principal.
  returned: success, without O(workspace_name)
  type: str
  sample: lakehouse-automation
error_kind:
  description: What failed - V(unreachable), V(authentication), V(permission), V(account) or V(other).
  returned: failure
  type: str
  sample: authentication
reason:
  description: Short reason of the failure (for example V(connection refused) or V(invalid_client ...)).
  returned: failure
  type: str
  sample: "invalid_client: Client authentication failed."
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    objects_of,
    workspaces_matching,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    describe_error,
    error_code_of,
    unwrap,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule

try:
    import requests
except ImportError:  # databricks-sdk depends on requests; the base module reports a missing SDK
    requests = None

AUTHENTICATION_CODES = ("UNAUTHENTICATED", "AUTHENTICATION_ERROR", "INVALID_CLIENT")
PERMISSION_CODES = ("PERMISSION_DENIED",)
ACCOUNT_CODES = ("NOT_FOUND", "RESOURCE_DOES_NOT_EXIST")


def unreachable_reason(exc):
    """A short, stable reason for a request that got no HTTP reply."""
    text = str(exc)
    lowered = text.lower()
    if requests is not None and isinstance(exc, requests.exceptions.Timeout):
        return "no reply in time"
    if requests is not None and isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if "refused" in lowered:
        return "connection refused"
    if any(word in lowered for word in ("name or service not known", "nodename nor servname", "name resolution",
                                        "getaddrinfo", "no address associated", "nameresolutionerror")):
        return "host name does not resolve"
    if "invalid url" in lowered or "no scheme supplied" in lowered or "no connection adapters" in lowered:
        return "not an http(s) URL"
    return type(exc).__name__


def run(module):
    params = module.params
    host = (params.get("account_host") or "").rstrip("/")
    account_id = params.get("account_id") or ""
    result = dict(account_host=host, account_id=account_id)

    def stop(kind, reason, message):
        module.fail(message, error_kind=kind, reason=reason, changed=False, **result)

    # 1. Reachability: the OAuth discovery document the SDK reads first (no credential sent).
    discovery = "%s/oidc/accounts/%s/.well-known/oauth-authorization-server" % (host, account_id)
    try:
        requests.get(discovery, timeout=params["probe_timeout"], verify=params["validate_certs"],
                     allow_redirects=False)
    except (requests.exceptions.RequestException, ValueError) as exc:
        reason = unreachable_reason(exc)
        stop("unreachable", reason, "%s is unreachable (%s)" % (host, reason))

    # 2. Authentication (OAuth M2M token) and 3. a read of the account.
    try:
        client = module.account_client_factory(params)
        found = read_account(module, client)
    except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
        inner = unwrap(exc)
        code = error_code_of(inner)
        text = str(inner)
        if "invalid_client" in text or "invalid_grant" in text or code in AUTHENTICATION_CODES:
            reason = text.split(". Config:", maxsplit=1)[0].strip() or code
            stop("authentication", reason, "authentication to %s failed (%s)" % (host, reason))
        if code in PERMISSION_CODES:
            stop("permission", "%s: %s" % (code, text), "the service principal is authenticated at %s but may not "
                 "read account %s (%s: %s)" % (host, account_id, code, text))
        if code in ACCOUNT_CODES:
            stop("account", "%s: %s" % (code, text), "account %s is not known at %s (%s: %s)"
                 % (account_id, host, code, text))
        info = describe_error(exc, "check the Databricks account API at %s" % host)
        stop("other", code, info.message)
    return module.result(changed=False, authenticated=True, **dict(result, **found))


def read_account(module, client):
    """The read that proves the credentials, as result keys: the workspace of workspace_name, or else the
    service principal. API errors are raised, for run() to tell their kind."""
    name = module.params.get("workspace_name")
    if name is not None:
        reply = module.call(client.api_client.do, "GET", module.account_path("/workspaces"),
                            action="list the workspaces", fail=False)
        return dict(workspaces=workspaces_matching(objects_of(reply), name))
    reply = module.call(client.api_client.do, "GET", module.account_path("/scim/v2/ServicePrincipals"),
                        query={"filter": 'applicationId eq "%s"' % module.params["client_id"]},
                        action="read the service principal", fail=False) or {}
    principal = next(iter(reply.get("Resources") or []), {})
    return dict(service_principal_id=principal.get("id"), service_principal_name=principal.get("displayName"))


def main():
    DatabricksModule(argument_spec=dict(probe_timeout=dict(type="int", default=10), workspace_name=dict(type="str")),
                     api="account").run(run)


if __name__ == "__main__":
    main()
