"""Interrupted runs between a create call and the call that names or attaches what it created: the resource is
findable by what its create call set (a tag), so the re-run adopts it and destroy deletes it.

Two such pairs of the AWS estate, each killed (SIGKILL, the run's process group) at the point detected from the
sandbox's state, the window held open by a slow, refused second call (the sandbox's fault injection):
- KMS: CreateKey (tagged lakehouse:kms-alias = its alias) then CreateAlias - a key without alias;
- internet gateway: CreateInternetGateway (tagged Name) then AttachInternetGateway - a gateway attached to nothing.

One sandbox: site (network, iam, storage_encryption) killed at the gateway -> destroy deletes the gateway ->
site killed at the key -> destroy schedules the key's deletion -> site killed at the gateway (--check --diff plans
the attachment, changing nothing), then at the key (--check --diff plans the adoption) -> site converges, adopting
both (one gateway, attached; one key per alias, the datalake one the key left without alias) -> site changes
nothing -> destroy leaves nothing -> destroy changes nothing.
"""

import collections

from tests.e2e.conftest import ok, run_report
from tests.e2e.test_interrupted import DESTROY, Interrupted
from tests.stack import PREFIX

SITE = ("site.yml", "--tags", "network,iam,storage_encryption")
ALIAS_TAG = "lakehouse:kms-alias"
ALIASES = {"alias/%s-%s" % (PREFIX, use)
           for use in ("datalake", "workspace-storage", "managed-services", "tokens", "logging")}
IGW_NAME = PREFIX + "-igw"


class Orphans(Interrupted):
    def hold(self, service, action):
        """The next call of action: 5 s, then refused (it never lands; the run is killed meanwhile)."""
        self.box.moto("/__sandbox/faults", "DELETE")
        self.aws_control("faults", {"service": service, "action": action, "latency": 5, "status": 503,
                                    "user_agent": "Ansible/"})

    def release(self):
        self.box.moto("/__sandbox/faults", "DELETE")

    # --- KMS -------------------------------------------------------------------------------------------------
    def deployment_keys(self):
        """Every key created for one of the deployment's aliases: key_id -> (state, its aliases, tag value)."""
        kms = self.aws("kms")
        aliases = collections.defaultdict(list)
        for alias in kms.list_aliases()["Aliases"]:
            if alias.get("TargetKeyId"):
                aliases[alias["TargetKeyId"]].append(alias["AliasName"])
        found = {}
        for key in kms.list_keys()["Keys"]:
            tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
            if tags.get(ALIAS_TAG) in ALIASES:
                state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
                found[key["KeyId"]] = (state, sorted(aliases[key["KeyId"]]), tags[ALIAS_TAG])
        return found

    def keys_without_alias(self):
        return sorted(key_id for key_id, (state, aliases, _tag) in self.deployment_keys().items()
                      if not aliases and state != "PendingDeletion")

    def assert_one_key_per_alias(self, when):
        """Exactly one live key per alias, named by that alias and tagged for it; no live key without alias."""
        live = {key_id: value for key_id, value in self.deployment_keys().items() if value[0] != "PendingDeletion"}
        by_alias = {tag: (key_id, aliases) for key_id, (_state, aliases, tag) in live.items()}
        assert len(live) == len(ALIASES) and set(by_alias) == ALIASES, "%s: live keys %s" % (when, live)
        for alias, (_key_id, aliases) in by_alias.items():
            assert aliases == [alias], "%s: %s" % (when, live)
        return {alias: key_id for alias, (key_id, _aliases) in by_alias.items()}

    # --- internet gateways -------------------------------------------------------------------------------------
    def gateways(self):
        """The deployment's internet gateways (by Name tag): id -> the VPCs it is attached to."""
        reply = self.aws("ec2").describe_internet_gateways(Filters=[{"Name": "tag:Name", "Values": [IGW_NAME]}])
        return {g["InternetGatewayId"]: [a["VpcId"] for a in g.get("Attachments", [])]
                for g in reply["InternetGateways"]}

    def detached_gateways(self):
        return sorted(gateway for gateway, vpcs in self.gateways().items() if not vpcs)

    # --- steps ---------------------------------------------------------------------------------------------------
    def kill_at_gateway(self, step):
        self.hold("ec2", "AttachInternetGateway")
        run = self.start(step, *SITE)
        self.kill_when(run, "gateway attached to nothing", lambda: self.detached_gateways() != [])
        self.release()
        assert len(self.gateways()) == 1 and len(self.detached_gateways()) == 1, self.gateways()

    def kill_at_key(self, step):
        self.hold("kms", "CreateAlias")
        run = self.start(step, *SITE)
        self.kill_when(run, "key without alias", lambda: self.keys_without_alias() != [])
        self.release()
        orphans = self.keys_without_alias()
        assert len(orphans) == 1 and self.deployment_keys()[orphans[0]][2] == "alias/%s-datalake" % PREFIX, (
            self.deployment_keys())
        return orphans[0]

    def plan_changes_nothing(self, step, *expected):
        """site --check --diff succeeds, reports each expected line and makes no AWS change."""
        self.box.clear_aws_requests()
        plan = self.playbook(step, *SITE, "--check", "--diff")
        ok(plan, step)
        for line in expected:
            assert line in plan.stdout, "%s: %r not reported" % (step, line)
        changes = [(r["service"], r["action"]) for r in self.box.aws_mutating_requests() if not r["by_emulator"]]
        assert changes == [], "%s changed %s" % (step, changes)
        return plan

    def destroy_converges(self, step):
        destroy = self.playbook(step, *DESTROY)
        ok(destroy, step)
        assert self.leftovers() == {}, self.leftovers()
        assert self.gateways() == {}
        return destroy


def test_orphans_of_killed_runs_are_adopted_or_destroyed(tmp_path):
    with Orphans.started(tmp_path) as stack:
        ok(stack.timed("make venv (toolchain, collection link)", ["make", "venv"]), "make venv")

        # 1. killed between CreateInternetGateway and AttachInternetGateway; destroy deletes the gateway (no VPC
        #    holds it, its Name tag finds it)
        stack.kill_at_gateway("site (killed before the gateway's attachment)")
        stack.destroy_converges("destroy (a gateway attached to nothing)")

        # 2. killed between CreateKey and CreateAlias; destroy schedules the key (found by its tag) for deletion
        orphan = stack.kill_at_key("site (killed before the key's alias)")
        stack.destroy_converges("destroy (a key without alias)")
        assert stack.deployment_keys()[orphan][0] == "PendingDeletion"

        # 3. killed at both points in turn (the second run attaches the first one's gateway); the re-run adopts the
        #    key: the alias names it, no second key is created
        stack.kill_at_gateway("site (killed before the gateway's attachment, again)")
        gateway = stack.detached_gateways()[0]
        stack.plan_changes_nothing("site --check --diff (the gateway to attach)")
        assert stack.detached_gateways() == [gateway]
        orphan = stack.kill_at_key("site (attaches it, killed before the key's alias)")
        stack.plan_changes_nothing("site --check --diff (the key to adopt)", "alias/%s-datalake: alias" % PREFIX)
        assert stack.keys_without_alias() == [orphan]
        vpc = stack.aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [PREFIX + "-vpc"]}])["Vpcs"]
        assert len(vpc) == 1 and stack.gateways() == {gateway: [vpc[0]["VpcId"]]}, stack.gateways()

        converged = stack.playbook("site (converges)", *SITE)
        ok(converged, "site after the kills")
        keys = stack.assert_one_key_per_alias("site converged")
        assert keys["alias/%s-datalake" % PREFIX] == orphan, (keys, orphan)
        assert stack.gateways() == {gateway: [vpc[0]["VpcId"]]}, stack.gateways()
        pending = [k for k, (state, _a, _t) in stack.deployment_keys().items() if state == "PendingDeletion"]
        assert len(pending) == 1, stack.deployment_keys()  # the key of step 2, scheduled by its destroy

        again = stack.playbook("site (changes nothing)", *SITE)
        assert again.returncode == 0 and again.changed() == 0, run_report(again, "site again")
        assert stack.assert_one_key_per_alias("site again") == keys

        # 4. destroy leaves nothing, and a second one changes nothing
        stack.destroy_converges("destroy (converges)")
        assert all(state == "PendingDeletion" for state, _a, _t in stack.deployment_keys().values())
        destroy2 = stack.playbook("destroy (changes nothing)", *DESTROY)
        assert destroy2.returncode == 0 and destroy2.changed() == 0, run_report(destroy2, "destroy again")
        assert stack.leftovers() == {}
