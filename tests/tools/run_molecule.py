"""Run every molecule scenario in extensions/molecule/ against a fresh sandbox.

Usage: python tests/tools/run_molecule.py [scenario ...]

Starts a sandbox (moto + Databricks emulator) on free ports in a temporary folder, exports
its folder as SANDBOX_DIR (the scenarios read endpoints.json from there, as inventories/local
does), runs `molecule test -s <scenario>` for each scenario, stops the sandbox, and exits
non-zero if any scenario failed or if there was none to run.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.sandbox_harness import BIN, REPO, Sandbox

SCENARIOS = os.path.join(REPO, "extensions", "molecule")


def scenarios():
    return sorted(
        name for name in os.listdir(SCENARIOS)
        if os.path.isfile(os.path.join(SCENARIOS, name, "molecule.yml"))
    )


def main():
    names = sys.argv[1:] or scenarios()
    if not names:
        sys.exit("no molecule scenario found in extensions/molecule/")
    failed = []
    with tempfile.TemporaryDirectory(prefix="molecule-sandbox-") as folder:
        box = Sandbox(folder).up()
        try:
            env = dict(box.env, NO_COLOR="1", ANSIBLE_NOCOLOR="1")
            env.pop("ANSIBLE_CONFIG", None)  # molecule writes its own ansible.cfg per scenario
            for name in names:
                print(f"=== molecule scenario {name}", flush=True)
                command = [os.path.join(BIN, "molecule"), "test", "-s", name]
                if subprocess.run(command, cwd=REPO, env=env, check=False).returncode:
                    failed.append(name)
        finally:
            box.down()
    detail = f" ({', '.join(failed)})" if failed else ""
    print(f"molecule: {len(names) - len(failed)} passed, {len(failed)} failed{detail}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
