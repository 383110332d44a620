"""Build the collection and unpack it where ansible-test wants it.

Usage: python tests/tools/copy_collection.py build/sanity/ansible_collections/lakehouse/databricks_aws

ansible-test needs the collection under ``ansible_collections/<namespace>/<name>/`` as real
files (not a symlink).  Building with ``ansible-galaxy collection build`` and unpacking the
tarball gives exactly what users install (``build_ignore`` applied), and proves the build works.
"""

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = os.path.abspath(sys.argv[1])
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([galaxy, "collection", "build", "--force", "--output-path", out, REPO], check=True)
        (tarball,) = glob.glob(os.path.join(out, "*.tar.gz"))
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        with tarfile.open(tarball) as archive:
            archive.extractall(target, filter="data")
    print(f"collection unpacked in {target}")


if __name__ == "__main__":
    main()
