# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The callback plan_summary: per host and role, what a run would create, change and destroy (check mode) or did."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: plan_summary
type: aggregate
short_description: Per host and role, what a run would create, change and destroy, as Terraform's plan says it
version_added: 0.1.0
description:
  - "At the end of a playbook run, prints for each host and each role that ran a line such as
    C(Plan: sandbox network: 12 to add, 1 to change, 0 to destroy) in check mode, or
    C(Applied: sandbox network: 12 added, 1 changed, 0 destroyed) after a real run, then the resources
    (C(+) create, C(~) change, C(-) destroy) with their kind and name, and a total per host."
  - Only changed results count. C(debug), C(set_fact), C(assert) and the other controller-side actions count only
    in check mode, as the roles' predictions of what a skipped writer would do; a real run counts modules alone.
  - "A result is classified, first rule that applies: destroy when the module's C(state) is C(absent) or C(deleted)
    (or a prediction says C(delete)); by the module's C(diff) (empty before: create, empty after: destroy,
    else change; a diff keyed by the object, as amazon.aws.iam_policy's, is read at C(policy_name)); by a prediction's
    C(action); create when the loop label of the writer lists C(create) (the roles label writers with what differs);
    in check mode, create when the module returns nothing of the object (it does not exist yet); in a real run,
    create when the object's creation time (C(creation_time), C(create_date), C(created_at), ... in the result or one
    level down; a cluster's C(start_time)) is after the run started, else change; create when the AWS-generated ID
    the module returns (VPC, subnet, gateway, Elastic IP, NAT gateway, route table, IAM role, KMS key, flow log; every
    VPC endpoint of ec2_vpc_endpoint) appeared in no earlier result of the run (the roles read their estate first);
    otherwise change, counted as one the summary could not tell (C(?) after its name, and a note on the role's line)."
  - "A module that converges a list of objects in one result (C(databricks_grants) with C(securables),
    C(databricks_schema) with C(schemas), C(databricks_external_location) with C(locations), C(databricks_group) with
    C(groups), C(databricks_account_workspace_assignment) with C(group_names)) counts each entry as
    the result of a loop item would count, with its part of the diff."
  - "One resource counts once per role: results naming the same resource (a bucket and its lifecycle rules, a key's
    prediction and its writer) are one, with the strongest action (destroy, create, change)."
  - "Results hidden by C(no_log) show only C(changed): they count as changes (or destroys, by C(state))."
  - With a JSON stdout callback (C(ansible.posix.json)) the summary goes to stderr, so stdout stays one document.
requirements:
  - Enabled in C(ansible.cfg) (C(callbacks_enabled = lakehouse.databricks_aws.plan_summary)).
options:
  show_resources:
    description: List every resource under its role's line (else only the counts).
    type: bool
    default: true
    env:
      - name: LAKEHOUSE_PLAN_SHOW_RESOURCES
    ini:
      - section: callback_plan_summary
        key: show_resources
"""

import datetime
import re
import sys
import time

from ansible import constants as C
from ansible.plugins.callback import CallbackBase

# Controller-side actions: their 'changed' is a report, counted only as a check-mode prediction (debug).
REPORTS = frozenset(
    (
        "debug",
        "set_fact",
        "assert",
        "fail",
        "meta",
        "pause",
        "set_stats",
        "add_host",
        "group_by",
        "include_tasks",
        "import_tasks",
        "include_role",
        "import_role",
        "include_vars",
        "validate_argument_spec",
        "stat",
        "file",
        "copy",
        "template",
    )
)
PREDICTIONS = frozenset(("debug",))
DELETE_STATES = frozenset(("absent", "deleted"))
CREATE = "create"
CHANGE = "change"
DELETE = "delete"
STRENGTH = {CHANGE: 0, CREATE: 1, DELETE: 2}
SIGN = {CREATE: "+", CHANGE: "~", DELETE: "-"}
# The AWS-generated ID of the object an amazon.aws writer returns (a path of keys into its result).
GENERATED_IDS = {
    "ec2_vpc_net": ("vpc", "id"),
    "ec2_vpc_subnet": ("subnet", "id"),
    "ec2_vpc_igw": ("gateway_id",),
    "ec2_eip": ("allocation_id",),
    "ec2_vpc_nat_gateway": ("nat_gateway_id",),
    "ec2_vpc_route_table": ("route_table", "id"),
    "ec2_security_group": ("group_id",),
    "iam_role": ("iam_role", "role_id"),
    "kms_key": ("key_id",),
    "ec2_vpc_flow_log": ("flow_log_id",),
    "ec2_vpc_endpoint": ("vpc_endpoint_ids",),  # a list: created when none of them was seen
}
# Seconds the clocks of the APIs may be behind the controller's.
CLOCK_SKEW = 5
# When the object was created, as the API returns it (epoch seconds or milliseconds, or ISO 8601): found in the
# result or one level down (credentials.creation_time, iam_role.create_date, script.created_at).
CREATED_KEYS = ("creation_time", "creation_date", "create_date", "create_time", "created_at")
# Objects whose creation time is under another name.
CREATED_AT = {"databricks_cluster": ("cluster", "start_time")}  # Databricks: when the create request came in
# Keys of a result that say nothing about the object itself.
META_KEYS = frozenset(
    (
        "changed",
        "failed",
        "msg",
        "diff",
        "warnings",
        "deprecations",
        "item",
        "ansible_loop_var",
        "invocation",
        "action",
        "replaced",
        "skipped",
        "attempts",
        "retries",
        "censored",
    )
)
# Modules that converge a list of objects in one result: the key of the list, the fields the diff names an entry by
# (_databricks_module.run_each) and the resource an entry is, as the loop of single objects labelled it.
LIST_RESULTS = {
    "databricks_grants": ("securables", ("securable_type", "full_name"), lambda entry, args: entry["full_name"]),
    "databricks_schema": ("schemas", ("name",),
                          lambda entry, args: "%s.%s" % (args.get("catalog_name"), entry["name"])),
    "databricks_external_location": ("locations", ("name",), lambda entry, args: entry["name"]),
    "databricks_group": ("groups", ("display_name",), lambda entry, args: entry["display_name"]),
    "databricks_account_workspace_assignment": ("assignments", ("group_name",),
                                                lambda entry, args: entry["group_name"]),
    "databricks_account_storage_configuration": ("configurations", ("name",), lambda entry, args: entry["name"]),
    "databricks_account_log_delivery": ("configurations", ("name",), lambda entry, args: entry["name"]),
    "databricks_account_customer_managed_key": ("configurations", ("key_arn", "use_cases"),
                                                lambda entry, args: entry.get("name") or entry["key_arn"]),
}
# What amazon.aws returns in check mode for the ID of an object it would create (rtb-xxxxxxxx).
PLACEHOLDER_ID = re.compile(r"\A[a-z]+-(x{8,}|0{8,}f?)\Z")
NAME_ARGS = ("name", "alias", "display_name", "cluster_name", "label", "path", "policy_name", "bucket_name", "group")
PREDICTION_ACTIONS = {
    "create": CREATE,
    "add": CREATE,
    "update": CHANGE,
    "change": CHANGE,
    "modify": CHANGE,
    "delete": DELETE,
    "destroy": DELETE,
    "remove": DELETE,
}


def short_action(action):
    """The module's short name: amazon.aws.ec2_vpc_net -> ec2_vpc_net."""
    return str(action or "").rsplit(".", 1)[-1]


def label_name(label):
    """The resource a loop label names: the part before ': ' (what differs follows it); of several words, the longest
    that looks like an identifier ('role lh-meta-role: create' -> lh-meta-role; 'lh-private-1a 10.0.1.0/24' ->
    lh-private-1a), else all of them ('Read only')."""
    text = str(label).split(": ", 1)[0].strip()
    identifiers = [word for word in text.split() if re.search(r"[-/._:]", word)]
    return max(identifiers, key=len) if identifiers else text


def label_settings(label):
    """The words after ': ' in a loop label (what the role found different), lowercased."""
    parts = str(label).split(": ", 1)
    return set(re.findall(r"[a-z_]+", parts[1].lower())) if len(parts) == 2 else set()


def is_empty(value):
    return value in (None, "", {}, [])


def diff_action(diff, args):
    """create/change/delete from a module's diff (a dict or a list of them), None without a usable one."""
    diffs = diff if isinstance(diff, list) else [diff]
    diffs = [d for d in diffs if isinstance(d, dict) and ("before" in d or "after" in d)]
    if not diffs:
        return None
    befores = [d.get("before") for d in diffs]
    afters = [d.get("after") for d in diffs]
    key = args.get("policy_name")
    if key and all(isinstance(v, dict) for v in befores + afters):  # one diff for every object of its kind
        befores = [v.get(key) for v in befores]
        afters = [v.get(key) for v in afters]
    if all(is_empty(v) for v in befores) and not all(is_empty(v) for v in afters):
        return CREATE
    if all(is_empty(v) for v in afters) and not all(is_empty(v) for v in befores):
        return DELETE
    if all(is_empty(v) for v in befores + afters):
        return None
    return CHANGE


def prediction_action(result):
    """What a role's check-mode report says it would do: msg.action, or a 'would create/delete' sentence."""
    msg = result.get("msg")
    if isinstance(msg, dict):
        return PREDICTION_ACTIONS.get(str(msg.get("action", "")).lower(), CHANGE)
    text = " ".join(msg) if isinstance(msg, list) else str(msg or "")
    match = re.search(r"\bwould (\w+)", text.lower())
    if match:
        verb = match.group(1)
        if verb in ("put", "create", "add", "register"):
            return CREATE
        return PREDICTION_ACTIONS.get(verb, CHANGE)
    return CHANGE


def resource_name(args, task_name):
    """The name of the object a task without loop writes: its name-like argument, its Name tag, or the task's name."""
    for key in NAME_ARGS:
        if isinstance(args.get(key), str) and args[key]:
            return args[key]
    tags = args.get("tags")
    if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
        return tags["Name"]
    return task_name


def timestamp(value):
    """Epoch seconds of an API timestamp (seconds or milliseconds since the epoch, or ISO 8601), None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0 if value > 1e11 else float(value)
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return moment.timestamp()
    return None


def created_at(result, module):
    """When the object the result describes was created (epoch seconds), None when it does not say."""
    if module in CREATED_AT:
        return timestamp(dig(result, CREATED_AT[module]))
    for holder in [result] + [
        value for key, value in sorted(result.items()) if isinstance(value, dict) and key not in META_KEYS
    ]:
        for key in CREATED_KEYS:
            moment = timestamp(holder.get(key))
            if moment is not None:
                return moment
    return None


def dig(value, path):
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def strings(value, found, depth=0):
    """Every string value (not key) of a result, into found."""
    if depth > 12:
        return
    if isinstance(value, str):
        if len(value) < 256:
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            strings(item, found, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            strings(item, found, depth + 1)


def classify(result, module, args, label, check_mode, seen, prediction=False, started=None):
    """(action, known) for one changed result: create, change or delete, and whether a signal said so (False: no
    signal, counted as a change). The order of the rules is DOCUMENTATION's."""
    state = str(args.get("state", "")).lower()
    if state in DELETE_STATES:
        return DELETE, True
    if module == "ec2_security_group" and args.get("name") == "default":  # AWS makes it with its VPC: never created
        return CHANGE, True
    if prediction:
        return prediction_action(result), True
    action = diff_action(result.get("diff"), args)
    if action:
        return action, True
    if "create" in label_settings(label):
        return CREATE, True
    if result.get("censored"):  # no_log: nothing but 'changed' is known
        return CHANGE, False
    if check_mode:
        if "would be created" in str(result.get("msg", "")):
            return CREATE, True
        if all(is_empty(value) for key, value in result.items() if key not in META_KEYS and not key.startswith("_")):
            return CREATE, True
    created = None if check_mode or started is None else created_at(result, module)
    if created is not None:
        return (CREATE if created >= started - CLOCK_SKEW else CHANGE), True
    path = GENERATED_IDS.get(module)
    generated = dig(result, path) if path else None
    generated = [generated] if isinstance(generated, str) else generated
    if isinstance(generated, list) and generated and all(isinstance(value, str) and value for value in generated):
        fresh = all(value not in seen or PLACEHOLDER_ID.match(value) for value in generated)
        return (CREATE if fresh else CHANGE), True
    return CHANGE, False


def entries(result, args, key, identity, name_of):
    """The entries of a list-taking module's result, each as the result of a loop item: its own diff, and a loop
    label naming its resource."""
    diff = result.get("diff") if isinstance(result.get("diff"), dict) else None
    for entry in result[key]:
        item = dict(entry, ansible_loop_var="item", _ansible_item_label="%s: " % name_of(entry, args))
        item["failed"] = result.get("failed", False)
        if diff is not None:
            named = " ".join(str(entry.get(field)) for field in identity)
            item["diff"] = {"before": (diff.get("before") or {}).get(named),
                            "after": (diff.get("after") or {}).get(named)}
        yield item


class Resource(object):
    __slots__ = ("action", "from_module", "kind", "known", "name")

    def __init__(self, kind, name, action, from_module, known=True):
        self.kind, self.name, self.action, self.from_module, self.known = kind, name, action, from_module, known


class RunSummary(object):
    """The resources of a run, per host and role; the callback feeds it, the unit tests too."""

    def __init__(self, check_mode=False, started=None):
        self.check_mode = check_mode
        self.started = started  # epoch seconds: an object created since was created by the run
        self.roles = {}  # host -> role -> {name: Resource}, roles in the order they first reported
        self.ran = set()  # (host, role) of the roles that ran a task other than a report
        self.seen = {}  # host -> the string values of its results so far

    def role_ran(self, host, role):
        self.roles.setdefault(host, {}).setdefault(role, {})
        self.ran.add((host, role))

    def add(self, host, role, action_name, task_name, result, args=None):
        """One result (a loop item or a task without loop) of action action_name."""
        args = args or {}
        invocation = result.get("invocation")
        if isinstance(invocation, dict) and isinstance(invocation.get("module_args"), dict):
            args = dict(args, **invocation["module_args"])
        module = short_action(action_name)
        if module in LIST_RESULTS and isinstance(result.get(LIST_RESULTS[module][0]), list):
            for entry in entries(result, args, *LIST_RESULTS[module]):
                self.add(host, role, action_name, task_name, entry, args)
            return
        seen = self.seen.setdefault(host, set())
        self.roles.setdefault(host, {}).setdefault(role, {})
        counted = bool(result.get("changed")) and not result.get("failed")
        prediction = module in PREDICTIONS and self.check_mode
        if module in REPORTS and not prediction:
            counted = False
        if counted:
            label = result.get("_ansible_item_label", result.get("item", "")) if "ansible_loop_var" in result else ""
            label = label if isinstance(label, str) else ""
            action, known = classify(result, module, args, label, self.check_mode, seen, prediction, self.started)
            name = label_name(label) if label else resource_name(args, task_name)
            kind = module
            if prediction:
                msg = result.get("msg") if isinstance(result.get("msg"), dict) else {}
                kind = str(msg.get("resource") or next((key for key in ("bucket", "key") if key in msg), "planned"))
                name = str(msg.get("name") or msg.get("key") or msg.get("bucket") or name)
            self._record(host, role, Resource(kind, name, action, not prediction, known))
        strings({key: value for key, value in result.items() if key != "invocation"}, seen)

    def _record(self, host, role, resource):
        resources = self.roles.setdefault(host, {}).setdefault(role, {})
        known = resources.get(resource.name)
        if known is None:
            resources[resource.name] = resource
            return
        if STRENGTH[resource.action] > STRENGTH[known.action]:
            known.action, known.known = resource.action, resource.known
        elif resource.action == known.action:
            known.known = known.known or resource.known
        if resource.from_module and not known.from_module:  # a module's kind is more precise than a prediction's
            known.kind, known.from_module = resource.kind, True

    def counts(self, host, role):
        actions = [resource.action for resource in self.roles[host][role].values()]
        return actions.count(CREATE), actions.count(CHANGE), actions.count(DELETE)

    def unclassified(self, host, role):
        """How many of the role's changes no signal classified (a result hidden by no_log, or without its diff)."""
        return sum(1 for resource in self.roles[host][role].values() if not resource.known)

    def lines(self, show_resources=True):
        """The summary: per host, a line per role that ran (its resources under it), then the host's total."""
        word, verbs = (
            ("Plan", ("to add", "to change", "to destroy"))
            if self.check_mode
            else ("Applied", ("added", "changed", "destroyed"))
        )

        def phrase(numbers):
            return ", ".join("%d %s" % (numbers[index], verbs[index]) for index in range(3))

        out = []
        for host in sorted(self.roles):
            totals = [0, 0, 0]
            for role, resources in self.roles[host].items():
                if (host, role) not in self.ran and not resources:
                    continue
                numbers = self.counts(host, role)
                totals = [totals[index] + numbers[index] for index in range(3)]
                unclassified = self.unclassified(host, role)
                note = (
                    (
                        " (%d of the changes without a diff to tell a create: hidden by no_log, or run without --diff)"
                        % unclassified
                    )
                    if unclassified
                    else ""
                )
                out.append("%s: %s %s: %s%s" % (word, host, role, phrase(numbers), note))
                if show_resources:
                    for resource in sorted(resources.values(), key=lambda r: (-STRENGTH[r.action], r.kind, r.name)):
                        out.append(
                            "    %s %s %s%s"
                            % (SIGN[resource.action], resource.kind, resource.name, "" if resource.known else " (?)")
                        )
            out.append("%s: %s total: %s" % (word, host, phrase(totals)))
        return out


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "lakehouse.databricks_aws.plan_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.summary = RunSummary()

    def v2_playbook_on_start(self, playbook):
        from ansible import context

        self.summary.check_mode = bool(context.CLIARGS.get("check", False))
        self.summary.started = time.time()

    @staticmethod
    def _role(task):
        role = getattr(task, "_role", None)
        return role.get_name(include_role_fqcn=False) if role is not None else None

    def _result(self, result):
        task = result._task
        role = self._role(task)
        if role is None:
            return
        host = result._host.get_name()
        if short_action(task.action) not in REPORTS:
            self.summary.role_ran(host, role)
        # The task's own arguments, as written: only literal ones (a template is not rendered here).
        args = {
            key: value
            for key, value in (task.args or {}).items()
            if isinstance(value, (bool, int)) or (isinstance(value, str) and "{{" not in value)
        }
        self.summary.add(host, role, task.action, task.name or task.action, result._result, args)

    def v2_runner_on_ok(self, result):
        if isinstance(result._result.get("results"), list):  # a loop: its items came one by one
            return
        self._result(result)

    def v2_runner_item_on_ok(self, result):
        self._result(result)

    def v2_playbook_on_stats(self, stats):
        lines = self.summary.lines(self.get_option("show_resources"))
        if not lines:
            return
        stdout_callback = str(C.DEFAULT_STDOUT_CALLBACK or "")
        to_stderr = "json" in stdout_callback
        if to_stderr:
            sys.stderr.write("\n".join(lines) + "\n")
            return
        self._display.banner("PLAN SUMMARY" if self.summary.check_mode else "APPLIED SUMMARY")
        for line in lines:
            self._display.display(line)
