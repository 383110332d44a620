#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: account_workspace
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
  - A workspace that ends C(FAILED) makes the module fail with Databricks' status message. On the next run,
    once the cause is fixed, a C(FAILED) workspace whose fields differ is updated with C(PATCH), which makes
    Databricks deploy it again; one with nothing to update is deleted and created again
    (O(recreate_failed)), as a failed deployment holds no data.
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
    description: Whether to wait for the workspace to be C(RUNNING) after a creation or an update.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for C(RUNNING).
    type: int
    default: 1800
  recreate_failed:
    description:
      - Delete a C(FAILED) workspace that has nothing to update and create it again with the same name and
        configuration (a new workspace ID). When false, the module fails with Databricks' status message.
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
  lakehouse.databricks_aws.account_workspace:
    name: prod-workspace
    aws_region: eu-west-1
    credentials_id: "{{ credentials.credentials_id }}"
    storage_configuration_id: "{{ storage.storage_configuration_id }}"
    network_id: "{{ network.network_id }}"
    storage_customer_managed_key_id: "{{ storage_key.customer_managed_key_id }}"
    wait_timeout: 1800
  register: workspace

- name: Delete it
  lakehouse.databricks_aws.account_workspace:
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
replaced_workspace_id:
  description: ID of the C(FAILED) workspace that was deleted and created again (O(recreate_failed)).
  returned: when a failed workspace was replaced
  type: int
  sample: 1234567890123455
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

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_account import list_objects
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_module import DatabricksModule
from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_waiter import FAILED, TIMED_OUT

UPDATABLE = ("credentials_id", "storage_configuration_id", "network_id", "storage_customer_managed_key_id",
             "managed_services_customer_managed_key_id", "private_access_settings_id", "custom_tags")
IMMUTABLE = ("aws_region", "deployment_name", "pricing_tier")
FAILED_STATES = ("FAILED", "BANNED", "CANCELLING")
URL_TEMPLATE = "https://%s.cloud.databricks.com"


def comparable(workspace):
    return dict((field, workspace.get(field)) for field in UPDATABLE + IMMUTABLE)


class WorkspaceManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.wait_info = None
        self.replaced = None

    def path(self, workspace_id=None):
        return self.module.account_path("/workspaces" + ("/%s" % workspace_id if workspace_id else ""))

    def find(self):
        matches = [w for w in list_objects(self.module, "/workspaces", "list workspaces")
                   if w.get("workspace_name") == self.name]
        return matches[0] if matches else None

    def get(self, workspace_id):
        return self.module.request("GET", self.path(workspace_id), action="read workspace %s" % self.name)

    def desired(self):
        return dict((field, self.params[field]) for field in UPDATABLE + IMMUTABLE)

    def wait(self, workspace):
        result = self.module.wait_for_status(
            fetch=lambda: self.get(workspace["workspace_id"]),
            status_of=lambda w: w.get("workspace_status"),
            ready=("RUNNING",), failed=FAILED_STATES, timeout=self.params["wait_timeout"])
        self.wait_info = {"elapsed": result.elapsed, "polls": result.polls, "history": result.history}
        workspace = result.value
        if result.outcome == FAILED:
            message = "workspace %s (%s) is %s: %s" % (
                self.name, workspace["workspace_id"], result.status, workspace.get("workspace_status_message"))
            if result.status == "FAILED" and self.params["recreate_failed"]:
                message += " -- fix the cause and run again: the failed workspace is then deployed again"
            self.module.fail(message, error_code="WORKSPACE_%s" % result.status, workspace=workspace,
                             wait=self.wait_info)
        if result.outcome == TIMED_OUT:
            self.module.fail("workspace %s (%s) is still %s after %s seconds (wait_timeout); last message: %s"
                             % (self.name, workspace["workspace_id"], result.status, self.params["wait_timeout"],
                                workspace.get("workspace_status_message")),
                             error_code="WAIT_TIMEOUT", workspace=workspace, wait=self.wait_info)
        return workspace

    def finish(self, changed, workspace, diff, **extra):
        result = dict(workspace=workspace, workspace_id=workspace.get("workspace_id") if workspace else None, **extra)
        if workspace and workspace.get("deployment_name"):
            result.update(deployment_name=workspace["deployment_name"],
                          workspace_url=URL_TEMPLATE % workspace["deployment_name"],
                          workspace_status=workspace.get("workspace_status"))
        if self.wait_info:
            result["wait"] = self.wait_info
        if self.replaced:
            result["replaced_workspace_id"] = self.replaced
        self.module.exit(changed=changed, diff=diff, **result)

    def ensure_absent(self):
        current = self.find()
        if current is None:
            self.finish(False, None, absent_diff(None))
        if not self.module.check_mode:
            self.module.request("DELETE", self.path(current["workspace_id"]), action="delete workspace %s" % self.name,
                                not_found_ok=True)
        self.finish(True, current, absent_diff(comparable(current)))

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
            self.finish(True, None, delta.diff, updated_fields=[])
        body = dict((k, v) for k, v in self.desired().items() if v is not None)
        body["workspace_name"] = self.name
        created = self.module.request("POST", self.path(), body=body, action="create workspace %s" % self.name)
        if self.params["wait"]:
            created = self.wait(created)
        self.finish(True, created, delta.diff, updated_fields=[])

    def replace_failed(self, current):
        """Delete the FAILED workspace and create it again (finishes the module)."""
        self.replaced = current["workspace_id"]
        if self.module.check_mode:
            self.module.warn("workspace %s (%s) is FAILED (%s): it would be deleted and created again"
                             % (self.name, current["workspace_id"], current.get("workspace_status_message")))
        else:
            self.module.request("DELETE", self.path(current["workspace_id"]), not_found_ok=True,
                                action="delete failed workspace %s (%s)" % (self.name, current["workspace_id"]))
        self.create()

    def ensure_present(self):
        current = self.find()
        if current is None:
            self.create()
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
        if not delta.changes:
            if current.get("workspace_status") == "FAILED" and self.params["recreate_failed"]:
                self.replace_failed(current)
            if current.get("workspace_status") in FAILED_STATES:
                message = "workspace %s (%s) is %s: %s" % (
                    self.name, current["workspace_id"], current["workspace_status"],
                    current.get("workspace_status_message"))
                self.module.fail(message, error_code="WORKSPACE_%s" % current["workspace_status"], workspace=current)
            if current.get("workspace_status") != "RUNNING" and self.params["wait"] and not self.module.check_mode:
                current = self.wait(current)
            self.finish(False, current, delta.diff, updated_fields=[])
        fields = delta.changed_keys
        if self.module.check_mode:
            self.finish(True, current, delta.diff, updated_fields=fields)
        if current.get("workspace_status") not in ("RUNNING", "FAILED") and self.params["wait"]:
            current = self.wait(current)
        body = dict((f, self.params[f]) for f in fields)
        updated = self.module.request("PATCH", self.path(current["workspace_id"]), body=body,
                                      query={"update_mask": ",".join(fields)},
                                      action="update workspace %s (%s)" % (self.name, ", ".join(fields)))
        updated = updated or self.get(current["workspace_id"])
        if self.params["wait"]:
            updated = self.wait(updated)
        self.finish(True, updated, delta.diff, updated_fields=fields)


def main():
    module = DatabricksModule(
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
            recreate_failed=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        api="account",
    )
    manager = WorkspaceManager(module)
    if module.params["state"] == "absent":
        manager.ensure_absent()
    manager.ensure_present()


if __name__ == "__main__":
    main()
