# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token lifecycle shared by the token and obo_token modules: keep, create or rotate.

A caller holds a token it stored earlier (its ``token_id``; the value lives in a secret store).
``decide(token_info, now_ms, rotate_before_seconds, force)`` says what to do with it:

* ``keep``  - the token exists and does not expire within ``rotate_before_seconds``;
* ``create`` - the caller holds no token, or it no longer exists (revoked, expired);
* ``rotate`` - it exists but expires within the margin, or ``force`` is set.

A rotation only *creates* the new token; the caller stores it and then revokes the previous one
(``state=absent``), so there is never a moment without a working token.

The token's ``comment`` marks it as the caller's: with ``exclusive``, every other live token with that
comment (``unstored(...)``) is one a run created and never stored (it was interrupted between the
creation and the store, or before revoking the previous token) and is revoked.

``ensure_token_present`` is the state=present flow of both modules; they pass in how to read, revoke and
create their kind of token. Pure Python (no SDK import).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

KEEP, CREATE, ROTATE = "keep", "create", "rotate"
NEVER = -1  # Databricks' expiry_time for a token without expiry

# Argument spec shared by the token modules (lifecycle part).
LIFECYCLE_ARGUMENT_SPEC = dict(
    comment=dict(type="str", default="Managed by lakehouse.databricks_aws"),
    lifetime_seconds=dict(type="int"),
    token_id=dict(type="str", no_log=False),
    rotate_before_seconds=dict(type="int", default=86400),
    force_rotate=dict(type="bool", default=False),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    exclusive=dict(type="bool", default=False),
)


def now_ms():
    return int(time.time() * 1000)


def seconds_left(token_info, at_ms):
    """Seconds until token_info expires (None when it never does)."""
    expiry = token_info.get("expiry_time")
    if expiry in (None, NEVER) or int(expiry) <= 0:
        return None
    return (int(expiry) - at_ms) / 1000.0


def decide(token_info, at_ms, rotate_before_seconds, force=False):
    """(action, reason) for the token the caller holds (token_info None: it holds none / it is gone)."""
    if token_info is None:
        return CREATE, "no usable token is held"
    if force:
        return ROTATE, "rotation requested"
    left = seconds_left(token_info, at_ms)
    if left is not None and left <= rotate_before_seconds:
        return ROTATE, "expires in %d seconds (rotate_before_seconds=%d)" % (max(0, left), rotate_before_seconds)
    return KEEP, "valid" if left is None else "valid for %d more seconds" % left


def unstored(token_infos, comment, held_token_id):
    """Ids of the tokens with this comment other than the held one, oldest first."""
    found = [info for info in token_infos or []
             if info.get("comment") == comment and info.get("token_id") and info.get("token_id") != held_token_id]
    return [info["token_id"] for info in sorted(found, key=lambda info: info.get("creation_time") or 0)]


def public_info(token_info):
    """token_info without anything secret (Databricks never returns values in token_info)."""
    return dict((k, v) for k, v in (token_info or {}).items() if k != "token_value")


def ensure_token_present(module, current, revoke_unstored, create, request_fields=None):
    """The state=present flow of both token modules: the module's result.

    current: the held token's info (None when none is held or it is gone); revoke_unstored(): revokes (not in
    check mode) the tokens ``unstored`` finds and returns their ids, [] unless ``exclusive``; create(body):
    the API reply of creating a token with body, which is request_fields plus the comment and lifetime.
    """
    params = module.params
    action, reason = decide(current, now_ms(), params["rotate_before_seconds"], params["force_rotate"])
    before = {"token_id": current["token_id"], "expiry_time": current.get("expiry_time")} if current else {}
    kept = dict(before)
    revoked = revoke_unstored()
    if revoked:
        before["unstored_token_ids"] = revoked
    if action == KEEP:
        return module.result(changed=bool(revoked), token_id=current["token_id"], token_value=None,
                             token_info=public_info(current), action=action, reason=reason, previous_token_id=None,
                             revoked_token_ids=revoked, diff={"before": before, "after": kept})
    previous = current["token_id"] if action == ROTATE else None
    body = dict(request_fields or {}, comment=params["comment"])
    if params["lifetime_seconds"]:
        body["lifetime_seconds"] = params["lifetime_seconds"]
    after = dict(body, token_id="(new token)", lifetime_seconds=params["lifetime_seconds"])
    if module.check_mode:
        return module.result(changed=True, token_id=None, token_value=None, action=action, reason=reason,
                             previous_token_id=previous, revoked_token_ids=revoked,
                             diff={"before": before, "after": after})
    created = create(body)
    info = created.get("token_info") or {}
    after["token_id"] = info.get("token_id")
    return module.result(changed=True, token_id=info.get("token_id"), token_value=created.get("token_value"),
                         token_info=public_info(info), action=action, reason=reason, previous_token_id=previous,
                         revoked_token_ids=revoked, diff={"before": before, "after": after})
