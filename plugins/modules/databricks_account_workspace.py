#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: databricks_account_workspace
short_description: Create, update, wait for and delete a Databricks workspace on AWS
version_added: 0.1.0
description:
  - Creates a workspace from account objects (credentials, storage configuration, network, keys)
    and waits until it is C(RUNNING), polling adaptively up to O(wait_timeout) seconds.
  - The workspace is found by O(name), so a re-run adopts the existing one.
  - On an existing workspace, the fields Databricks can change (credentials, storage configuration,
    network, customer-managed keys, private access settings, custom tags) are updated with C(PATCH)
    when they differ. A different O(aws_region), O(deployment_name) or O(pricing_tier) cannot be
    applied and fails with a clear message.
  - Databricks' update rules are checked before anything is sent, in check mode too, and a change they refuse
    fails with C(UPDATE_NOT_ALLOWED) naming the rule. A C(RUNNING) workspace can change its credentials,
    network (only when it already uses a customer-managed VPC), managed services key, private access settings
    and custom tags; its storage key can only be added, never replaced; a network, key or private access
    settings can be changed but never removed. The storage configuration can change only while the workspace
    is C(FAILED).
  - Databricks refuses to update a C(RUNNING) workspace while compute runs in it; the module then fails with
    C(WORKSPACE_HAS_RUNNING_COMPUTE) and nothing is changed. Terminate the clusters (for example with
    C(playbooks/sleep.yml)) and run again.
  - A workspace that ends C(FAILED) makes the module fail with Databricks' status message. On the next run,
    once the cause is fixed, a C(FAILED) workspace is repaired as Databricks documents it, by an update with
    C(PATCH) (its changed fields, or else its current configuration), which makes Databricks deploy it again
    (O(repair_failed)). It keeps its ID and its network; nothing is deleted.
  - Deletion is asynchronous. The workspace is C(CANCELLING) until Databricks has removed it, and until then
    it still holds its network and other account objects. With O(wait=true) the module polls until the
    workspace is gone, within O(wait_timeout). A workspace found C(CANCELLING) when it should be present is
    waited for and then created again.
author:
  - Lakehouse platform maintainers (@lakehouse)
options:
  name:
    description: Workspace name (C(workspace_name)).
    type: str
    required: true
  aws_region:
    description: AWS region of the workspace. Required when creating it.
    type: str
  credentials_id:
    description: ID of the credential configuration. Required when creating the workspace.
    type: str
  storage_configuration_id:
    description: ID of the storage configuration (root bucket). Required when creating the workspace.
    type: str
  network_id:
    description: ID of the network configuration (customer-managed VPC).
    type: str
  storage_customer_managed_key_id:
    description: ID of the customer-managed key configuration for workspace storage.
    type: str
  managed_services_customer_managed_key_id:
    description: ID of the customer-managed key configuration for managed services.
    type: str
  private_access_settings_id:
    description: ID of the private access settings (PrivateLink).
    type: str
  deployment_name:
    description:
      - Deployment name (the workspace URL's first label). Databricks picks one when not set.
        Cannot change after creation.
    type: str
  pricing_tier:
    description: Pricing tier. Cannot be changed by this module after creation.
    type: str
    choices: [PREMIUM, ENTERPRISE]
  custom_tags:
    description: Tags Databricks puts on the AWS resources it creates for the workspace.
    type: dict
  wait:
    description:
      - Whether to wait for the workspace to be C(RUNNING) after a creation or an update, and to be gone after
        a deletion.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for C(RUNNING), or for a deleted workspace to be gone.
    type: int
    default: 1800
  repair_failed:
    description:
      - Repair a C(FAILED) workspace with C(PATCH), which makes Databricks deploy it again. When false, the
        module fails with Databricks' status message.
    type: bool
    default: true
  state:
    description: Whether the workspace should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - RV(workspace_url) is C(https://<deployment_name>.cloud.databricks.com), the URL of a Databricks
    workspace on AWS; Databricks returns only the deployment name.
extends_documentation_fragment:
  - lakehouse.databricks_aws.databricks
  - lakehouse.databricks_aws.databricks.attributes
"""

EXAMPLES = r"""
- name: Create the workspace and wait until it runs
  lakehouse.databricks_aws.databricks_account_workspace:
    name: prod-workspace
    aws_region: eu-west-1
    credentials_id: "{{ credentials.credentials_id }}"
    storage_configuration_id: "{{ storage.storage_configuration_id }}"
    network_id: "{{ network.network_id }}"
    storage_customer_managed_key_id: "{{ storage_key.customer_managed_key_id }}"
    wait_timeout: 1800
  register: workspace

- name: Delete it
  lakehouse.databricks_aws.databricks_account_workspace:
    name: prod-workspace
    state: absent
"""

RETURN = r"""
workspace_id:
  description: Numeric ID of the workspace; null in check mode before it exists.
  returned: always
  type: int
  sample: 1234567890123456
deployment_name:
  description: Deployment name of the workspace.
  returned: when the workspace exists
  type: str
  sample: dbc-1234abcd-5678
workspace_url:
  description: URL of the workspace, C(https://<deployment_name>.cloud.databricks.com).
  returned: when the workspace exists
  type: str
  sample: https://dbc-1234abcd-5678.cloud.databricks.com
workspace_status:
  description: Last status seen (C(RUNNING), C(PROVISIONING), ...).
  returned: when the workspace exists
  type: str
  sample: RUNNING
workspace:
  description: The workspace as Databricks returns it (null when absent or not yet created).
  returned: always
  type: dict
  sample:
    workspace_id: 1234567890123456
    workspace_name: prod-workspace
    deployment_name: dbc-1234abcd-5678
    aws_region: eu-west-1
    workspace_status: RUNNING
    workspace_status_message: Workspace is running.
updated_fields:
  description: Fields changed with C(PATCH) on an existing workspace.
  returned: when state=present
  type: list
  elements: str
  sample: [custom_tags]
repaired:
  description: Whether a C(FAILED) workspace was deployed again (O(repair_failed)).
  returned: when state=present
  type: bool
  sample: false
wait:
  description: What happened while waiting (seconds elapsed, number of polls, status changes).
  returned: when the module waited
  type: dict
  sample:
    elapsed: 93.2
    polls: 12
    history:
      - {status: PROVISIONING, elapsed: 0.0}
      - {status: RUNNING, elapsed: 93.2}
"""

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import (
    WORKSPACE_URL_TEMPLATE,
    list_objects,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_errors import (
    API_ERRORS,
    has_error_code,
    message_contains,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_waiter import FAILED, TIMED_OUT

UPDATABLE = ("credentials_id", "storage_configuration_id", "network_id", "storage_customer_managed_key_id",
             "managed_services_customer_managed_key_id", "private_access_settings_id", "custom_tags")
IMMUTABLE = ("aws_region", "deployment_name", "pricing_tier")
FAILED_STATES = ("FAILED", "BANNED")
GONE = "DELETED"  # the waiter's name for a workspace that GET no longer finds
# Databricks' update rules (the SDK's WorkspacesAPI.update docstring, "Update a failed workspace" and
# "Update a running workspace"): what each status lets PATCH change. (Removing a value is never asked for:
# an option left unset is not managed.)
UPDATABLE_WHEN = {
    "RUNNING": ("credentials_id", "network_id", "storage_customer_managed_key_id",
                "managed_services_customer_managed_key_id", "private_access_settings_id", "custom_tags"),
    "FAILED": UPDATABLE,
}


def comparable(workspace):
    return dict((field, workspace.get(field)) for field in UPDATABLE + IMMUTABLE)


def update_refusals(workspace, changes):
    """Why Databricks would refuse to PATCH these changes (field -> new value) on this workspace; [] if it would not."""
    status = workspace.get("workspace_status")
    allowed = UPDATABLE_WHEN.get(status, ())
    reasons = ["%s cannot change while the workspace is %s (only %s can)"
               % (field, status, ", ".join(allowed) or "nothing") for field in changes if field not in allowed]
    if status == "RUNNING" and changes.get("network_id") and not workspace.get("network_id"):
        reasons.append("network_id: a running workspace with a Databricks-managed VPC cannot move to a "
                       "customer-managed VPC")
    if status == "RUNNING" and changes.get("storage_customer_managed_key_id") \
            and workspace.get("storage_customer_managed_key_id"):
        reasons.append("storage_customer_managed_key_id can only be added to a workspace without one, not replaced")
    return reasons


def is_running_compute_refusal(exc):
    return has_error_code(exc, "INVALID_STATE") and message_contains(exc, "running compute")


class WorkspaceManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.wait_info = None

    def path(self, workspace_id=None):
        return self.module.account_path("/workspaces" + ("/%s" % workspace_id if workspace_id else ""))

    def find(self):
        matches = [w for w in list_objects(self.module, "/workspaces", "list workspaces")
                   if w.get("workspace_name") == self.name]
        return matches[0] if matches else None

    def get(self, workspace_id, not_found_ok=False):
        return self.module.request("GET", self.path(workspace_id), action="read workspace %s" % self.name,
                                   not_found_ok=not_found_ok)

    def desired(self):
        return dict((field, self.params[field]) for field in UPDATABLE + IMMUTABLE)

    def _record_wait(self, result):
        self.wait_info = {"elapsed": result.elapsed, "polls": result.polls, "history": result.history}

    def wait(self, workspace):
        result = self.module.wait_for_status(
            fetch=lambda: self.get(workspace["workspace_id"]),
            status_of=lambda w: w.get("workspace_status"),
            ready=("RUNNING",), failed=(*FAILED_STATES, "CANCELLING"), timeout=self.params["wait_timeout"])
        self._record_wait(result)
        workspace = result.value
        if result.outcome == FAILED:
            message = "workspace %s (%s) is %s: %s" % (
                self.name, workspace["workspace_id"], result.status, workspace.get("workspace_status_message"))
            if result.status == "FAILED" and self.params["repair_failed"]:
                message += " -- fix the cause and run again: the failed workspace is then deployed again"
            self.module.fail(message, error_code="WORKSPACE_%s" % result.status, workspace=workspace,
                             wait=self.wait_info)
        if result.outcome == TIMED_OUT:
            self.module.fail("workspace %s (%s) is still %s after %s seconds (wait_timeout); last message: %s"
                             % (self.name, workspace["workspace_id"], result.status, self.params["wait_timeout"],
                                workspace.get("workspace_status_message")),
                             error_code="WAIT_TIMEOUT", workspace=workspace, wait=self.wait_info)
        return workspace

    def wait_gone(self, workspace):
        """Poll until Databricks has finished deleting the workspace (GET answers 404)."""
        result = self.module.wait_for_status(
            fetch=lambda: self.get(workspace["workspace_id"], not_found_ok=True),
            status_of=lambda w: GONE if w is None else w.get("workspace_status"),
            ready=(GONE,), timeout=self.params["wait_timeout"])
        self._record_wait(result)
        if result.outcome == TIMED_OUT:
            self.module.fail("workspace %s (%s) is still %s %s seconds after its deletion (wait_timeout); it still "
                             "holds its network and account objects" % (
                                 self.name, workspace["workspace_id"], result.status, self.params["wait_timeout"]),
                             error_code="WAIT_TIMEOUT", workspace=result.value, wait=self.wait_info)

    def finish(self, changed, workspace, diff, **extra):
        result = dict(workspace=workspace, workspace_id=workspace.get("workspace_id") if workspace else None, **extra)
        if workspace and workspace.get("deployment_name"):
            result.update(deployment_name=workspace["deployment_name"],
                          workspace_url=WORKSPACE_URL_TEMPLATE % workspace["deployment_name"],
                          workspace_status=workspace.get("workspace_status"))
        if self.wait_info:
            result["wait"] = self.wait_info
        return self.module.result(changed=changed, diff=diff, **result)

    def ensure_absent(self):
        current = self.find()
        if current is None:
            return self.finish(False, None, absent_diff(None))
        changed = current.get("workspace_status") != "CANCELLING"  # a deletion under way is not a change
        if changed and not self.module.check_mode:
            self.module.request("DELETE", self.path(current["workspace_id"]), action="delete workspace %s" % self.name,
                                not_found_ok=True)
        if self.params["wait"] and not self.module.check_mode:
            self.wait_gone(current)
        return self.finish(changed, current, absent_diff(comparable(current) if changed else None))

    def create(self):
        missing = [f for f in ("aws_region", "credentials_id", "storage_configuration_id") if not self.params[f]]
        if missing and self.module.check_mode:  # ids of account objects that check mode did not create
            self.module.warn("workspace %s: %s not known yet in check mode; assuming it would be created"
                             % (self.name, ", ".join(missing)))
        elif missing:
            self.module.fail("workspace %s does not exist; creating it needs %s" % (self.name, ", ".join(missing)),
                             error_code="MISSING_PARAMETER")
        delta = ResourceDiff(self.desired(), None)
        if self.module.check_mode:
            return self.finish(True, None, delta.diff, updated_fields=[], repaired=False)
        body = dict((k, v) for k, v in self.desired().items() if v is not None)
        body["workspace_name"] = self.name
        created = self.module.request("POST", self.path(), body=body, action="create workspace %s" % self.name)
        if self.params["wait"]:
            created = self.wait(created)
        return self.finish(True, created, delta.diff, updated_fields=[], repaired=False)

    def fail_if_failed(self, current):
        if current.get("workspace_status") in FAILED_STATES:
            self.module.fail("workspace %s (%s) is %s: %s" % (
                self.name, current["workspace_id"], current["workspace_status"],
                current.get("workspace_status_message")),
                error_code="WORKSPACE_%s" % current["workspace_status"], workspace=current)

    def patch(self, current, body):
        """PATCH the workspace; Databricks' refusal while compute runs ends the module with what to do."""
        fields = sorted(body)
        try:
            return self.module.request("PATCH", self.path(current["workspace_id"]), body=body,
                                       query={"update_mask": ",".join(fields)}, fail=False,
                                       action="update workspace %s (%s)" % (self.name, ", ".join(fields)))
        except API_ERRORS as exc:  # pylint: disable=catching-non-exception  # a tuple of exception classes
            if is_running_compute_refusal(exc):
                message = ("workspace %s (%s): Databricks does not update a running workspace while compute runs "
                           "in it, and %s must change; nothing was changed. Terminate the workspace's clusters "
                           "(for example with playbooks/sleep.yml) and run again."
                           % (self.name, current["workspace_id"], ", ".join(fields)))
                self.module.fail(message, error_code="WORKSPACE_HAS_RUNNING_COMPUTE", workspace=current)
            self.module.fail_error(exc, action="update workspace %s (%s)" % (self.name, ", ".join(fields)))
        return None  # not reached: fail and fail_error raise

    def ensure_present(self):
        current = self.find()
        if current is not None and current.get("workspace_status") == "CANCELLING":
            if self.module.check_mode or not self.params["wait"]:
                self.module.warn("workspace %s (%s) is being deleted; it would be created again once it is gone"
                                 % (self.name, current["workspace_id"]))
            else:
                self.wait_gone(current)
            current = None
        if current is None:
            return self.create()
        delta = ResourceDiff(self.desired(), comparable(current))
        blocked = [f for f in delta.changed_keys if f in IMMUTABLE]
        if blocked:
            self.module.fail("workspace %s (%s): %s cannot be changed after creation (%s); delete and recreate the "
                             "workspace, or keep the current value" % (
                                 self.name, current["workspace_id"], ", ".join(blocked),
                                 "; ".join("%s is %r, wanted %r"
                                           % (f, delta.changes[f]["before"], delta.changes[f]["after"])
                                           for f in blocked)),
                             error_code="IMMUTABLE_FIELD", workspace=current)
        fields = delta.changed_keys
        status = current.get("workspace_status")
        repair = status == "FAILED" and self.params["repair_failed"]
        if not fields and not repair:
            self.fail_if_failed(current)
            if status != "RUNNING" and self.params["wait"] and not self.module.check_mode:
                current = self.wait(current)
            return self.finish(False, current, delta.diff, updated_fields=[], repaired=False)
        if status not in UPDATABLE_WHEN:
            if self.module.check_mode or not self.params["wait"]:
                self.fail_if_failed(current)
                return self.finish(True, current, delta.diff, updated_fields=fields, repaired=False)
            current = self.wait(current)  # PROVISIONING: updatable once RUNNING
            status = current.get("workspace_status")
        if status == "FAILED" and not repair:
            self.fail_if_failed(current)
        refusals = update_refusals(current, dict((f, self.params[f]) for f in fields))
        if refusals:
            self.module.fail("workspace %s (%s) is %s and Databricks would refuse this update: %s. Keep the current "
                             "values, or replace the workspace deliberately (state=absent, then present)" % (
                                 self.name, current["workspace_id"], status, "; ".join(refusals)),
                             error_code="UPDATE_NOT_ALLOWED", workspace=current)
        # A FAILED workspace with nothing to change is deployed again by a PATCH of its current configuration.
        body = dict((f, self.params[f]) for f in fields) or dict(
            (f, current[f]) for f in ("credentials_id", "storage_configuration_id") if current.get(f))
        if self.module.check_mode:
            if repair:
                self.module.warn("workspace %s (%s) is FAILED (%s): it would be deployed again with PATCH"
                                 % (self.name, current["workspace_id"], current.get("workspace_status_message")))
            return self.finish(True, current, delta.diff, updated_fields=fields, repaired=repair)
        updated = self.patch(current, body) or self.get(current["workspace_id"])
        if self.params["wait"]:
            updated = self.wait(updated)
        return self.finish(True, updated, delta.diff, updated_fields=fields, repaired=repair)


def run(module):
    manager = WorkspaceManager(module)
    if module.params["state"] == "absent":
        return manager.ensure_absent()
    return manager.ensure_present()


def main():
    DatabricksModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            aws_region=dict(type="str"),
            credentials_id=dict(type="str"),
            storage_configuration_id=dict(type="str"),
            network_id=dict(type="str"),
            storage_customer_managed_key_id=dict(type="str", no_log=False),
            managed_services_customer_managed_key_id=dict(type="str", no_log=False),
            private_access_settings_id=dict(type="str"),
            deployment_name=dict(type="str"),
            pricing_tier=dict(type="str", choices=["PREMIUM", "ENTERPRISE"]),
            custom_tags=dict(type="dict"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
            repair_failed=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    ).run(run)


if __name__ == "__main__":
    main()
