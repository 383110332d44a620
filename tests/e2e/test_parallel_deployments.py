"""Several deployments of one run, under ansible.cfg's strategy and the sandbox inventory's connection settings.

Each inventory host must get a Python interpreter of its own (mitogen shares one between hosts whose
interpreter command is the same, and runs their modules one at a time), and no process may be pinned
to one CPU (mitogen's own affinity policy pins them all to CPU 1 on a 2-CPU machine).
"""

import json
import os
import subprocess

from tests.e2e.conftest import ok
from tests.sandbox_harness import BIN, REPO

HOSTS = ["deployment-a", "deployment-b", "deployment-c"]
# A Python module, run like the collection's modules: it reports the interpreter it runs in and its CPUs.
PROBE_MODULE = """#!/usr/bin/python
import os
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec={}, supports_check_mode=True)
module.exit_json(changed=False, interpreter=os.getpid(), cpus=sorted(os.sched_getaffinity(0)))
"""
PROBE = """---
- name: Where each deployment's modules run
  hosts: probe
  gather_facts: false
  tasks:
    - name: Interpreter and allowed CPUs
      lakehouse_probe:
      register: probe

    - name: Report
      ansible.builtin.debug:
        msg: "PROBE {{ {'host': inventory_hostname, 'interpreter': probe.interpreter, 'cpus': probe.cpus} | to_json }}"
"""


def test_each_deployment_runs_in_its_own_unpinned_interpreter(tmp_path):
    (tmp_path / "probe.yml").write_text(PROBE, encoding="utf-8")
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "lakehouse_probe.py").write_text(PROBE_MODULE, encoding="utf-8")
    (tmp_path / "hosts.yml").write_text(json.dumps({"probe": {"hosts": {host: {} for host in HOSTS}}}),
                                        encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_STRATEGY", None)
    run = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "-i",
                          str(tmp_path / "hosts.yml"), str(tmp_path / "probe.yml")],
                         cwd=REPO, env=env, capture_output=True, text=True, check=False)
    ok(run, "probe.yml")
    probes = [json.loads(line.split("PROBE ", 1)[1].strip().strip("'\"")) for line in run.stdout.splitlines()
              if "PROBE {" in line]
    assert sorted(probe["host"] for probe in probes) == HOSTS, run.stdout
    assert len({probe["interpreter"] for probe in probes}) == len(HOSTS), probes  # one interpreter per host
    assert all(probe["cpus"] == sorted(os.sched_getaffinity(0)) for probe in probes), probes  # none pinned
