#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_token
short_description: Create, keep, rotate or revoke the caller's own Databricks personal access token
version_added: 0.1.0
description:
  - Manages a personal access token (PAT) of the principal the module authenticates as
    (for example the account service principal through workspace OAuth M2M).
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
  comment:
    description: Comment of a new token.
    type: str
    default: Managed by lakehouse.databricks_aws
  lifetime_seconds:
    description:
      - Lifetime of a new token in seconds (Databricks caps it at 730 days). No expiry when not set.
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
      - With O(state=present), revoke the caller's other tokens with the same O(comment) (all but O(token_id)
        and the one created). The comment marks the tokens of this caller; another token with it is one an
        interrupted run created and never stored, so it must not stay live. Returned in RV(revoked_token_ids).
      - Give each deployment (caller) a comment of its own when this is set.
    type: bool
    default: false
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Keep the automation PAT, or create a new one (and revoke other tokens with its comment)
  lakehouse.databricks_aws.databricks_token:
    workspace_host: "{{ workspace_url }}"
    client_id: "{{ databricks_client_id }}"
    client_secret: "{{ databricks_client_secret }}"
    comment: dev automation
    lifetime_seconds: 518400
    token_id: "{{ stored.pat.token_id | default(omit) }}"
    rotate_before_seconds: 86400
    exclusive: true
  register: pat
  no_log: true

- name: Revoke the previous token once the new one is stored
  lakehouse.databricks_aws.databricks_token:
    workspace_host: "{{ workspace_url }}"
    token_id: "{{ pat.previous_token_id }}"
    state: absent
  when: pat.previous_token_id is truthy
"""

RETURN = r"""
token_id:
  description: ID of the token in use after the run (null in check mode when a new one would be created).
  returned: always
  type: str
  sample: 5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4
token_value:
  description:
    - Value of the newly created token; null when the held token was kept. Secret.
  returned: when state=present
  type: str
token_info:
  description: Databricks' token_info of the token in use (no value).
  returned: when state=present and not in check mode before creation
  type: dict
  sample:
    token_id: 5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4
    comment: automation
    creation_time: 1700000000000
    expiry_time: 1700518400000
action:
  description: What happened to the held token, V(keep), V(create), V(rotate) or V(revoke).
  returned: always
  type: str
  sample: keep
reason:
  description: Why.
  returned: always
  type: str
  sample: expires in 3600 seconds (rotate_before_seconds=86400)
previous_token_id:
  description: The held token that a rotation replaced, to revoke once the new one is stored.
  returned: when state=present
  type: str
revoked_token_ids:
  description:
    - Tokens with O(comment) other than O(token_id) that O(exclusive=true) revoked (would revoke in check mode).
  returned: when state=present
  type: list
  elements: str
  sample: [0ea2b8d1c3f4a5b6c7d8e9f0a1b2c3d4]
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_tokens import (
    LIFECYCLE_ARGUMENT_SPEC,
    ensure_token_present,
    unstored,
)

SECRET_KEYS = ("token_value",)


def list_own_tokens(module):
    reply = module.request("GET", "/api/2.0/token/list", action="list tokens")
    return reply.get("token_infos") or []


def find_own_token(module, token_id):
    if not token_id:
        return None
    return next((info for info in list_own_tokens(module) if info.get("token_id") == token_id), None)


def ensure_absent(module):
    token_id = module.params["token_id"]
    current = find_own_token(module, token_id)
    if current is None:
        return module.result(changed=False, token_id=token_id, action="keep", reason="token does not exist",
                             diff={"before": {}, "after": {}})
    if not module.check_mode:
        module.request("POST", "/api/2.0/token/delete", body={"token_id": token_id},
                       action="revoke token %s" % token_id, not_found_ok=True)
    return module.result(changed=True, token_id=token_id, action="revoke", reason="state=absent",
                         diff={"before": {"token_id": token_id, "comment": current.get("comment")}, "after": {}})


def revoke_unstored(module, own):
    """Revoke (not in check mode) the other tokens with the comment; their ids."""
    params = module.params
    if not params["exclusive"]:
        return []
    stray = unstored(own, params["comment"], params["token_id"])
    if not module.check_mode:
        for token_id in stray:
            module.request("POST", "/api/2.0/token/delete", body={"token_id": token_id},
                           action="revoke unstored token %s" % token_id, not_found_ok=True)
    return stray


def ensure_present(module):
    params = module.params
    own = list_own_tokens(module) if params["token_id"] or params["exclusive"] else []
    current = next((info for info in own if info.get("token_id") == params["token_id"]), None) \
        if params["token_id"] else None
    return ensure_token_present(module, current, lambda: revoke_unstored(module, own),
                                lambda body: module.request("POST", "/api/2.0/token/create", body=body,
                                                            action="create token"))


def run(module):
    if module.params["state"] == "absent":
        return ensure_absent(module)
    return ensure_present(module)


def main():
    DatabricksModule(argument_spec=dict(LIFECYCLE_ARGUMENT_SPEC), api="workspace",
                     required_if=[("state", "absent", ["token_id"])]).run(run)


if __name__ == "__main__":
    main()
