#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_obo_token
short_description: Create, keep, rotate or revoke an on-behalf-of token for a Databricks service principal
version_added: 0.1.0
description:
  - Manages a token that a workspace admin creates on behalf of a service principal
    (token management API). The service principal needs C(CAN_USE) on tokens.
  - Databricks shows a token's value only when it is created, so the caller keeps the value
    (for example in AWS Secrets Manager) and passes the token's ID back as O(token_id). The module keeps
    that token while it exists and does not expire within O(rotate_before_seconds); otherwise, or with
    O(force_rotate=true), it creates a new one and returns its value in RV(token_value).
  - A rotation does not revoke the previous token (returned as RV(previous_token_id)); store the new
    value first, then revoke the old one with O(state=absent).
  - B(The task must use C(no_log=true)) whenever RV(token_value) can be returned.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  application_id:
    description: Application ID of the service principal. Required when O(state=present).
    type: str
  comment:
    description: Comment of a new token.
    type: str
    default: Managed by lakehouse.databricks_aws
  lifetime_seconds:
    description: Lifetime of a new token in seconds (Databricks caps it at 730 days). No expiry when not set.
    type: int
  token_id:
    description:
      - ID of the token the caller holds. With O(state=present), kept when still valid.
      - With O(state=absent), the token to revoke (required).
    type: str
  rotate_before_seconds:
    description: Create a new token when the held one expires within this many seconds.
    type: int
    default: 86400
  force_rotate:
    description: Create a new token even when the held one is valid.
    type: bool
    default: false
  state:
    description: V(present) keeps or creates a token, V(absent) revokes O(token_id).
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), revoke the service principal's other tokens with the same O(comment) (all but
        O(token_id) and the one created). The comment marks the tokens of this caller; another token with it is
        one an interrupted run created and never stored, so it must not stay live. Returned in
        RV(revoked_token_ids).
      - Give each deployment (caller) a comment of its own when this is set.
    type: bool
    default: false
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Keep the service principal's token, or create a new one
  lakehouse.databricks_aws.databricks_obo_token:
    workspace_host: "{{ workspace_url }}"
    application_id: "{{ sp.application_id }}"
    comment: dev service principal token
    lifetime_seconds: 518400
    token_id: "{{ stored.obo.token_id | default(omit) }}"
    exclusive: true
  register: obo
  no_log: true
"""

RETURN = r"""
token_id:
  description: ID of the token in use after the run (null in check mode when a new one would be created).
  returned: always
  type: str
  sample: 2f1c8a7f0e9d4b6a
token_value:
  description: Value of the newly created token; null when the held token was kept. Secret.
  returned: when state=present
  type: str
token_info:
  description: Databricks' token_info of the token in use (no value).
  returned: when state=present and not in check mode before creation
  type: dict
  sample:
    token_id: 2f1c8a7f0e9d4b6a
    owner_id: 1234567890
    created_by_id: 987654321
    expiry_time: 1700518400000
action:
  description: What happened to the held token, V(keep), V(create), V(rotate) or V(revoke).
  returned: always
  type: str
  sample: rotate
reason:
  description: Why.
  returned: always
  type: str
  sample: rotation requested
previous_token_id:
  description: The held token that a rotation replaced, to revoke once the new one is stored.
  returned: when state=present
  type: str
revoked_token_ids:
  description:
    - Tokens of the service principal with O(comment) other than O(token_id) that O(exclusive=true) revoked
      (would revoke in check mode).
  returned: when state=present
  type: list
  elements: str
  sample: [7c3e9a1b5d2f4e6a]
"""

from functools import partial

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_scim import find_one
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_tokens import (
    LIFECYCLE_ARGUMENT_SPEC,
    ensure_token_present,
    unstored,
)

BASE = "/api/2.0/token-management"


def get_token(module, token_id):
    if not token_id:
        return None
    reply = module.request("GET", "%s/tokens/%s" % (BASE, token_id), action="read token %s" % token_id,
                           not_found_ok=True)
    return (reply or {}).get("token_info")


def ensure_absent(module):
    token_id = module.params["token_id"]
    current = get_token(module, token_id)
    if current is None:
        return module.result(changed=False, token_id=token_id, action="keep", reason="token does not exist",
                             diff={"before": {}, "after": {}})
    if not module.check_mode:
        module.request("DELETE", "%s/tokens/%s" % (BASE, token_id), action="revoke token %s" % token_id,
                       not_found_ok=True)
    return module.result(changed=True, token_id=token_id, action="revoke", reason="state=absent",
                         diff={"before": {"token_id": token_id, "comment": current.get("comment")}, "after": {}})


def list_tokens(module):
    """The workspace's tokens (token-management lists every user's and service principal's)."""
    return module.request("GET", "%s/tokens" % BASE, action="list tokens").get("token_infos") or []


def revoke_unstored(module, token_infos):
    """Revoke (not in check mode) the service principal's other tokens with the comment; their ids."""
    params = module.params
    stray = unstored(token_infos, params["comment"], params["token_id"])
    if stray:  # only the service principal's own: look its id up once there is something to revoke
        sp = find_one(module, "ServicePrincipals", "applicationId", params["application_id"])
        owned = set(info["token_id"] for info in token_infos
                    if sp is not None and str(info.get("owner_id")) == str(sp.get("id")))
        stray = [token_id for token_id in stray if token_id in owned]
    if not module.check_mode:
        for token_id in stray:
            module.request("DELETE", "%s/tokens/%s" % (BASE, token_id), action="revoke unstored token %s" % token_id,
                           not_found_ok=True)
    return stray


def ensure_present(module):
    params = module.params
    application_id, held = params["application_id"], params["token_id"]
    if params["exclusive"]:  # the list holds the held token too: one read answers both
        token_infos = list_tokens(module)
        current = next((info for info in token_infos if held and info.get("token_id") == held), None)
    else:  # nothing to revoke: no listing
        token_infos, current = [], get_token(module, held)
    return ensure_token_present(module, current, partial(revoke_unstored, module, token_infos),
                                lambda body: module.request("POST", "%s/on-behalf-of/tokens" % BASE, body=body,
                                                            action="create a token on behalf of %s" % application_id),
                                request_fields={"application_id": application_id})


def run(module):
    if module.params["state"] == "absent":
        return ensure_absent(module)
    return ensure_present(module)


def main():
    DatabricksModule(argument_spec=dict(LIFECYCLE_ARGUMENT_SPEC, application_id=dict(type="str")), api="workspace",
                     required_if=[("state", "absent", ["token_id"]), ("state", "present", ["application_id"])]).run(run)


if __name__ == "__main__":
    main()
