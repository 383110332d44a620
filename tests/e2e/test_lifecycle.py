"""The product's lifecycle, end to end, on a sandbox of its own (one ordered test, one sandbox).

make demo on a fresh clone -> site again (changed=0) -> --check --diff after a variable change (a diff, no
mutation) -> reset_tokens -> sleep (NAT, EIPs and endpoints gone, a cluster start fails for lack of egress)
-> sleep again (changed=0) -> wake (a cluster start works) -> site (changed=0) -> a workspace tag change refused
while the cluster runs, applied once it is terminated -> destroy refused without
confirmation -> destroy (moto and the emulator hold nothing of the deployment but the disabled log-delivery
configurations) -> destroy again (changed=0).

Everything runs in a fresh clone (tests/stack.py) against a sandbox this test starts (not the session one,
so the end-state check sees only this deployment); the per-step times are printed at the end (pytest -s).
"""

import json
import os

from tests.e2e.conftest import ok, run_report
from tests.stack import CLUSTER, PREFIX, WORKSPACE, Stack

SLEEP_AWS_ACTIONS = {"DeleteVpcEndpoints", "DeleteNatGateway", "ReleaseAddress", "DisassociateAddress"}


def reads_of(read_plan):
    """Each session's reads in a read plan, in any order (the entries of one task are read side by side)."""
    return {session: sorted(map(tuple, reads)) for session, reads in read_plan["sessions"].items()}


def test_lifecycle(tmp_path):
    with Stack.started(tmp_path) as life:
        box = life.box
        # 1. make demo on the fresh clone: toolchain (linked), sandbox (reused), site.yml, summary
        demo = life.timed("make demo (site.yml, first run)", ["make", "demo"])
        ok(demo, "make demo")
        assert "==== make demo" in demo.stdout and "confirm_destroy=" + WORKSPACE in demo.stdout, demo.stdout[-3000:]
        stored = life.tokens()
        assert stored["workspace_url"] in demo.stdout
        with open(os.path.join(life.clone, "artifacts", "sandbox", "outputs.json"), encoding="utf-8") as handle:
            outputs_text = handle.read()
        outputs = json.loads(outputs_text)
        assert outputs["databricks_provisioning_outputs"]["workspace_url"] == stored["workspace_url"]
        assert outputs["databricks_management_outputs"]["cluster_name"] == CLUSTER
        secrets = (stored["pat"]["token_value"], stored["obo"]["token_value"], box.endpoints["client_secret"])
        for secret in secrets:
            assert secret not in outputs_text and secret not in demo.stdout
        assert life.cluster()["state"] == "RUNNING"

        # 2. a second run changes nothing
        again = life.playbook("site.yml (second run)", "site.yml")
        assert again.returncode == 0 and again.changed() == 0, run_report(again, "second site")

        # 2b. and a third: the Databricks reads the second one made were sent ahead, side by side, when each
        # session started; the read plan it kept holds the same reads, and no secret
        read_plan = os.path.join(life.clone, "artifacts", "sandbox", "databricks-read-plan.json")
        with open(read_plan, encoding="utf-8") as handle:
            plan_after_second = handle.read()
        box.clear_requests()
        third = life.playbook("site.yml (third run, reads ahead)", "site.yml")
        assert third.returncode == 0 and third.changed() == 0, run_report(third, "third site")
        with open(read_plan, encoding="utf-8") as handle:
            assert reads_of(json.load(handle)) == reads_of(json.loads(plan_after_second))
        for secret in secrets:
            assert secret not in plan_after_second
        log = box.emulator("/__sandbox/requests")
        workspace_starts = min(r["ts"] for r in log if r["listener"] != "account")
        # Read one task after another, the management and Unity Catalog roles' account reads come after the
        # workspace's first request; read ahead, with the provisioning role's first account read.
        late_account_reads = ("/log-delivery", "/metastores", "/scim/v2/Groups", "/permissionassignments")
        sent_ahead = {suffix for suffix in late_account_reads for r in log
                      if r["listener"] == "account" and r["method"] == "GET" and r["path"].endswith(suffix)
                      and r["ts"] < workspace_starts}
        assert sent_ahead == set(late_account_reads), [(r["ts"], r["listener"], r["path"]) for r in log]
        # A read several tasks make (the two roles' listings, the three account-group tasks' query) is sent once:
        # each task takes the outcome read ahead, no write coming in between.
        shared_reads = ("/credentials", "/storage-configurations", "/scim/v2/Groups")
        sent = {suffix: [r["ts"] for r in log if r["listener"] == "account" and r["method"] == "GET"
                         and r["path"].endswith(suffix)] for suffix in shared_reads}
        assert all(len(times) == 1 for times in sent.values()), sent

        # 3. a plan after a variable change: the right diff, no mutating call anywhere
        box.clear_requests()
        plan = life.playbook("site.yml --check --diff (variable change)", "site.yml", "--check", "--diff", "-e",
                             json.dumps({"network_tags": {"CostCenter": "cc-4242"},
                                         "databricks_management_cluster_autotermination_minutes": 45}))
        assert plan.returncode == 0 and plan.changed() > 0, run_report(plan, "check --diff")
        diff_lines = [line.strip() for line in plan.stdout.splitlines()]
        assert "+ CostCenter: cc-4242".replace(" ", "") in [line.replace(" ", "") for line in diff_lines]
        assert "-    autotermination_minutes: 30" in plan.stdout and "+    autotermination_minutes: 45" in plan.stdout
        assert box.aws_mutating_requests() == []
        assert box.databricks_mutations() == []

        # 4. token rotation
        rotate = life.playbook("site.yml --tags reset_tokens", "site.yml", "--tags", "reset_tokens")
        ok(rotate, "reset_tokens")
        rotated = life.tokens()
        assert rotated["pat"]["token_id"] != stored["pat"]["token_id"]
        assert rotated["obo"]["token_id"] != stored["obo"]["token_id"]

        # 5. sleep: cluster terminated, NAT + EIPs + endpoints gone, nothing else touched; no egress any more
        box.clear_requests()
        sleep = life.playbook("sleep.yml", "playbooks/sleep.yml")
        assert sleep.returncode == 0 and sleep.changed() > 0, run_report(sleep, "sleep")
        assert "Hourly cost stopped: 0.119 USD/h" in sleep.stdout, sleep.stdout[-3000:]
        assert life.live_network() == {"nat_gateways": [], "eips": [], "vpc_endpoints": []}
        assert {r["action"] for r in box.aws_mutating_requests()} <= SLEEP_AWS_ACTIONS
        assert {r["path"].rsplit("/", 1)[-1] for r in box.databricks_mutations()} == {"delete"}  # terminate
        cluster = life.start_cluster()
        assert cluster["state"] == "TERMINATED", cluster
        assert cluster["termination_reason"]["code"] == "NETWORK_CONFIGURATION_FAILURE", cluster
        assert "no egress" in cluster["state_message"], cluster

        # 6. sleep again: nothing to do
        sleep2 = life.playbook("sleep.yml (again)", "playbooks/sleep.yml")
        assert sleep2.returncode == 0 and sleep2.changed() == 0, run_report(sleep2, "second sleep")

        # 7. wake: the network is back, the workspace usable, a cluster start works
        wake = life.playbook("wake.yml", "playbooks/wake.yml")
        ok(wake, "wake")
        assert "is usable: RUNNING" in wake.stdout
        network = life.live_network()
        assert len(network["nat_gateways"]) == 1 and len(network["eips"]) == 1 and len(network["vpc_endpoints"]) == 3
        assert life.start_cluster()["state"] == "RUNNING"

        # 8. site after wake changes nothing
        site3 = life.playbook("site.yml (after wake)", "site.yml")
        assert site3.returncode == 0 and site3.changed() == 0, run_report(site3, "site after wake")

        # 8b. a workspace tag change while the cluster runs: Databricks refuses to update a running workspace
        # with running compute; the run stops at the workspace with what to do, having changed nothing there
        tag = json.dumps({"databricks_provisioning_custom_tags": {"CostCenter": "cc-4242"}})
        box.clear_requests()
        refused_update = life.playbook("site.yml (tag change, cluster running)", "site.yml", "-e", tag)
        assert refused_update.returncode != 0, run_report(refused_update, "tag change while the cluster runs")
        assert "WORKSPACE_HAS_RUNNING_COMPUTE" in refused_update.stdout and "sleep.yml" in refused_update.stdout
        assert [r for r in box.databricks_mutations() if 200 <= r["status"] < 300] == []
        # ... and once the cluster is terminated, the same run applies the tag to the same workspace
        life.workspace_api("/api/2.1/clusters/delete", {"cluster_id": life.cluster()["cluster_id"]})
        tagged = life.playbook("site.yml (tag change, cluster terminated)", "site.yml", "-e", tag)
        ok(tagged, "tag change")
        (workspace,) = [w for w in life.account_api("workspaces") if w["workspace_name"] == WORKSPACE]
        assert workspace["custom_tags"]["CostCenter"] == "cc-4242" and workspace["workspace_status"] == "RUNNING"

        # 9. destroy refuses without the workspace name and touches nothing
        box.clear_requests()
        refused = life.playbook("destroy.yml (unconfirmed)", "playbooks/destroy.yml")
        assert refused.returncode != 0 and "confirm_destroy=" + WORKSPACE in refused.stdout, \
            run_report(refused, "refusal")
        assert box.aws_mutating_requests() == [] and box.databricks_mutations() == []

        # 10. destroy: nothing of the deployment is left but the disabled log-delivery configurations
        destroy = life.playbook("destroy.yml", "playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
        ok(destroy, "destroy")
        assert life.leftovers() == {}
        deliveries = life.log_deliveries()
        assert sorted(d["config_name"] for d in deliveries) == [PREFIX + "-audit-logs", PREFIX + "-billable-usage"]

        # 11. destroy again: a no-op
        destroy2 = life.playbook("destroy.yml (again)", "playbooks/destroy.yml", "-e", "confirm_destroy=" + WORKSPACE)
        assert destroy2.returncode == 0 and destroy2.changed() == 0, run_report(destroy2, "second destroy")
