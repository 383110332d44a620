"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test bootstraps pip in every virtual environment it creates by running a
``get-pip.py`` it downloads from the internet, caching it as
``~/.ansible/test/cache/get_pip_<version>.py``.  Machines without general internet
access (only a package index) cannot download it, so ``tests/tools/install_get_pip_standin.py``
copies this file to that cache path.

It does what get-pip does, with local means: ``ensurepip`` puts the bundled pip into the
running interpreter, then ``pip install`` installs the requested packages (for example
``pip==24.2``) from the index found in the caller's pip configuration file.
``--no-setuptools``/``--no-wheel`` are get-pip options that pip itself does not know.
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main():
    # ensurepip points PIP_CONFIG_FILE at /dev/null in this process; pip must keep the
    # caller's configuration (index, certificates), so it runs with the environment as it was.
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    command = [sys.executable, "-m", "pip", "install", "--quiet", *args]
    sys.exit(subprocess.call(command, env=environment))


if __name__ == "__main__":
    main()
