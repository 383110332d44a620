# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the shared Databricks connection options (plugins/module_utils/_databricks_connection.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Every Databricks module accepts all of these, so that one module_defaults group sets them.
    DOCUMENTATION = r"""
options:
  account_host:
    description:
      - URL of the Databricks account API.
      - If not set, the value of the E(DATABRICKS_ACCOUNT_HOST) environment variable is used.
    type: str
    default: https://accounts.cloud.databricks.com
  account_id:
    description:
      - Databricks account ID. Required by modules that call the account API.
      - If not set, the value of the E(DATABRICKS_ACCOUNT_ID) environment variable is used.
    type: str
  client_id:
    description:
      - OAuth machine-to-machine client ID (the application ID of a service principal).
      - For the account API this is an account service principal with the account admin role.
      - For the workspace API it is used when O(token) is not set (workspace OAuth M2M).
      - If not set, the value of the E(DATABRICKS_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - OAuth secret of O(client_id). Never logged or returned.
      - If not set, the value of the E(DATABRICKS_CLIENT_SECRET) environment variable is used.
    type: str
  workspace_host:
    description:
      - URL of the workspace, for example V(https://dbc-1234abcd-5678.cloud.databricks.com).
      - Required by modules that call the workspace API.
      - If not set, the value of the E(DATABRICKS_HOST) environment variable is used.
    type: str
    aliases: [host]
  token:
    description:
      - Personal access token (or on-behalf-of token) for the workspace API. Never logged or returned.
      - If not set, the value of the E(DATABRICKS_TOKEN) environment variable is used.
    type: str
  username:
    description:
      - B(Legacy.) User name for basic authentication to the account API.
      - Databricks ended password authentication for its APIs on 2024-07-10; use O(client_id) and
        O(client_secret). Only used when O(auth_type=basic) or when no OAuth client is set.
      - If not set, the value of the E(DATABRICKS_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - B(Legacy.) Password for O(username). Never logged or returned.
      - If not set, the value of the E(DATABRICKS_PASSWORD) environment variable is used.
    type: str
  auth_type:
    description:
      - How to authenticate. When not set, the account API uses V(oauth-m2m) when O(client_id)
        and O(client_secret) are set (V(basic) only as a legacy fallback), and the workspace API
        uses V(pat) when O(token) is set, else V(oauth-m2m).
      - If not set, the value of the E(DATABRICKS_AUTH_TYPE) environment variable is used.
    type: str
    choices: [oauth-m2m, pat, basic]
  http_timeout:
    description:
      - Seconds to wait for one HTTP response.
    type: int
    default: 60
  retry_timeout:
    description:
      - Seconds to keep retrying a call that Databricks throttles (HTTP 429) or that is
        temporarily unavailable (HTTP 503/504, connection errors), with jittered exponential
        backoff honouring C(Retry-After). V(0) disables these retries.
    type: int
    default: 120
  validate_certs:
    description:
      - Whether to verify the TLS certificates of Databricks.
    type: bool
    default: true
requirements:
  - python >= 3.9
  - databricks-sdk >= 0.156.0
notes:
  - All Databricks modules of this collection are in the action group
    C(lakehouse.databricks_aws.databricks), so C(module_defaults) can set the connection options once.
  - Errors are returned with the Databricks error code in RV(ignore:error_code), for example
    C(RESOURCE_DOES_NOT_EXIST), C(PERMISSION_DENIED), C(MALFORMED_REQUEST).
"""

    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  action_group:
    description: Use C(group/lakehouse.databricks_aws.databricks) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lakehouse.databricks_aws.databricks
"""

    # For read-only modules (*_info), with lakehouse.databricks_aws.read_only for check and diff mode.
    INFO_ATTRIBUTES = r"""
attributes:
  action_group:
    description: Use C(group/lakehouse.databricks_aws.databricks) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lakehouse.databricks_aws.databricks
"""
