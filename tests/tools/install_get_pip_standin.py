"""Install tests/tools/get_pip_standin.py where ansible-test looks for its cached get-pip script.

Usage: python tests/tools/install_get_pip_standin.py
Reads the pip version ansible-test bootstraps from the installed ansible-test, so the
stand-in follows ansible-core upgrades.  A real cached get-pip script already there is left
alone; an older copy of the stand-in is replaced.
"""

import os
import re
import shutil
import sys

import ansible_test

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN_MARKER = "Offline stand-in for the pip bootstrap script"


def ansible_test_pip_version():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        match = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit(f"cannot find the pip version ansible-test bootstraps in {source}")
    return match.group(1)


def main():
    version = ansible_test_pip_version()
    cache_path = os.path.expanduser(f"~/.ansible/test/cache/get_pip_{version.replace('.', '_')}.py")
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as handle:
            if STANDIN_MARKER not in handle.read():
                return
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    shutil.copyfile(os.path.join(HERE, "get_pip_standin.py"), cache_path)
    print(f"installed the offline pip bootstrap stand-in at {cache_path}")


if __name__ == "__main__":
    main()
