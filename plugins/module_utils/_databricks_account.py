# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account-API objects that Databricks cannot change in place (credentials, storage
configurations, networks, customer-managed keys): found by name, adopted on re-runs, replaced
when their spec changed and no workspace uses them, refused with a clear error otherwise.

    spec = AccountObjectSpec(noun="credential configuration", path="/credentials",
                             id_field="credentials_id", result_key="credentials",
                             usage_fields=("credentials_id",))
    handler = ImmutableAccountObject(module, spec, match=lambda o: o["credentials_name"] == name,
                                     comparable=flatten, desired=dict(role_arn=...), body=dict(...))
    return handler.run(state)   # the module's result

``comparable(obj)`` flattens a Databricks object to the keys of ``desired``; the comparison is
``_databricks_diff.ResourceDiff`` (``unordered`` keys compare as sets).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lakehouse.databricks_aws.plugins.module_utils._databricks_diff import (
    ResourceDiff,
    absent_diff,
)

# The URL of a workspace on AWS, from its deployment name.
WORKSPACE_URL_TEMPLATE = "https://%s.cloud.databricks.com"

# Workspace fields that point at account objects.
WORKSPACE_REFERENCES = ("credentials_id", "storage_configuration_id", "network_id",
                        "storage_customer_managed_key_id", "managed_services_customer_managed_key_id",
                        "private_access_settings_id")


class AccountObjectSpec:
    def __init__(self, noun, path, id_field, result_key, usage_fields=(), unordered=()):
        self.noun = noun                  # for messages: "credential configuration"
        self.path = path                  # collection path under /api/2.0/accounts/<id>
        self.id_field = id_field          # "credentials_id"
        self.result_key = result_key      # module result key holding the object
        self.usage_fields = tuple(usage_fields)  # workspace fields that reference it
        self.unordered = tuple(unordered)


def list_objects(module, path, action):
    """All objects of an account collection (the API returns a JSON array; {} when empty); listed once for all
    the entries of a list option (DatabricksModule.shared_read)."""
    reply = module.shared_read(("GET", path), lambda: module.request("GET", module.account_path(path), action=action))
    return objects_of(reply)


def objects_of(reply):
    """The objects of an account collection's listing reply."""
    if isinstance(reply, dict):  # an empty body, or an object wrapping the list
        for value in reply.values():
            if isinstance(value, list):
                return value
        return []
    return list(reply or [])


def workspaces_matching(workspaces, name=None, workspace_id=None):
    """The workspaces of a listing with that name and ID (either may be None: any), each with its workspace_url."""
    found = []
    for workspace in workspaces:
        if name is not None and workspace.get("workspace_name") != name:
            continue
        if workspace_id is not None and int(workspace.get("workspace_id") or 0) != workspace_id:
            continue
        if workspace.get("deployment_name"):
            workspace["workspace_url"] = WORKSPACE_URL_TEMPLATE % workspace["deployment_name"]
        found.append(workspace)
    return found


def workspaces_using(module, object_id, fields=WORKSPACE_REFERENCES):
    """[(workspace_id, workspace_name)] of the workspaces whose fields reference object_id."""
    users = []
    for workspace in list_objects(module, "/workspaces", "list workspaces"):
        if any(workspace.get(field) == object_id for field in fields):
            users.append((workspace.get("workspace_id"), workspace.get("workspace_name")))
    return users


class ImmutableAccountObject:
    def __init__(self, module, spec, match, comparable, desired, body, label, create_call_kwargs=None, required=()):
        self.module = module
        self.spec = spec
        self.match = match                # obj -> bool: is this the object we manage?
        self.comparable = comparable      # obj -> dict with the keys of desired
        self.desired = desired            # managed spec, flattened like comparable()
        self.body = body                  # POST body that creates it
        self.label = label                # "credentials lh-sandbox-credentials" for messages
        self.create_call_kwargs = create_call_kwargs or {}
        self.required = tuple(required)   # options that state=present needs (checked here, not in the argspec,
        #                                   so that check mode can plan with inputs earlier tasks would create)

    def find(self):
        matches = [obj for obj in list_objects(self.module, self.spec.path, "list %ss" % self.spec.noun)
                   if self.match(obj)]
        if len(matches) > 1:
            ids = ", ".join(str(obj.get(self.spec.id_field)) for obj in matches)
            self.module.fail("%s: %d %ss match (%s); remove the duplicates or manage them by hand"
                             % (self.label, len(matches), self.spec.noun, ids), error_code="AMBIGUOUS_MATCH")
        return matches[0] if matches else None

    def _refuse_if_used(self, current, why):
        object_id = current[self.spec.id_field]
        users = workspaces_using(self.module, object_id, self.spec.usage_fields)
        if users:
            names = ", ".join("%s (%s)" % (name, wid) for wid, name in users)
            self.module.fail("%s (%s) %s, but it is used by workspace %s. Databricks cannot change a %s in place: "
                             "create one under another name and point the workspace at it, or detach it first."
                             % (self.label, object_id, why, names, self.spec.noun),
                             error_code="OBJECT_IN_USE", **{self.spec.id_field: object_id})

    def _delete(self, current):
        self.module.request("DELETE", self.module.account_path("%s/%s" % (self.spec.path, current[self.spec.id_field])),
                            action="delete %s" % self.label, not_found_ok=True)

    def _result(self, changed, obj, diff, **extra):
        extra[self.spec.result_key] = obj
        extra[self.spec.id_field] = obj.get(self.spec.id_field) if obj else None
        return self.module.result(changed=changed, diff=diff, **extra)

    def _missing_required(self):
        """The options state=present needs that are not set; in check mode a warning, else the module fails."""
        missing = [option for option in self.required if self.module.params.get(option) in (None, "", [])]
        if missing and not self.module.check_mode:
            self.module.fail("%s: state=present needs %s" % (self.label, ", ".join(missing)),
                             error_code="MISSING_PARAMETER")
        if missing:  # inputs produced by earlier tasks that check mode did not run
            self.module.warn("%s: %s not known yet in check mode; assuming the object would be created or "
                             "replaced" % (self.label, ", ".join(missing)))
        return missing

    def ensure_present(self):
        if self._missing_required():
            return self._result(True, None, {"before": {}, "after": {}})
        current = self.find()
        delta = ResourceDiff(self.desired, self.comparable(current) if current else None,
                             unordered=self.spec.unordered)
        if current is not None and not delta.changes:
            return self._result(False, current, delta.diff)
        replaced = False
        if current is not None:
            self._refuse_if_used(current, "must change (%s)" % ", ".join(delta.changed_keys))
            if not self.module.check_mode:
                self._delete(current)
            replaced = True
        if self.module.check_mode:
            return self._result(True, None, delta.diff, replaced=replaced)
        created = self.module.request("POST", self.module.account_path(self.spec.path), body=self.body,
                                      action="create %s" % self.label, **self.create_call_kwargs)
        return self._result(True, created, delta.diff, replaced=replaced)

    def ensure_absent(self):
        current = self.find()
        if current is None:
            return self._result(False, None, absent_diff(None))
        self._refuse_if_used(current, "is to be deleted")
        if not self.module.check_mode:
            self._delete(current)
        return self._result(True, current, absent_diff(self.comparable(current)))

    def run(self, state):
        """The module's result for state present or absent."""
        if state == "absent":
            return self.ensure_absent()
        return self.ensure_present()
