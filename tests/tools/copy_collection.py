"""Build the collection and unpack it where ansible-test wants it.

Usage: python tests/tools/copy_collection.py build/sanity/ansible_collections/lakehouse/databricks_aws

ansible-test needs the collection under ``ansible_collections/<namespace>/<name>/`` as real
files (not a symlink).  Building with ``ansible-galaxy collection build`` and unpacking the
tarball gives exactly what users install (``build_ignore`` applied), and proves the build works.
The copy gets a git repository of its own: ansible-test lists the files to test with git, and
the copy lives inside this repository's ignored build/ folder, where git would list none.
"""

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

DEPENDENCIES = ("amazon.aws", "community.aws")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = os.path.abspath(sys.argv[1])
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([galaxy, "collection", "build", "--force", "--output-path", out, REPO], check=True)
        (tarball,) = glob.glob(os.path.join(out, "*.tar.gz"))
        # Keep ansible-test's output folder (its cached virtual environments) between runs.
        output = os.path.join(target, "tests", "output")
        kept = os.path.join(out, "output")
        if os.path.isdir(output):
            shutil.move(output, kept)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        with tarfile.open(tarball) as archive:
            archive.extractall(target, filter="data")
        if os.path.isdir(kept):
            os.makedirs(os.path.dirname(output), exist_ok=True)
            shutil.move(kept, output)
    with open(os.path.join(target, ".gitignore"), "w", encoding="utf-8") as handle:
        handle.write("/tests/output/\n")  # ansible-test's own output and virtual environments
    git = ["git", "-c", "user.name=sanity", "-c", "user.email=sanity@localhost"]
    subprocess.run([*git, "init", "--quiet"], cwd=target, check=True)
    subprocess.run([*git, "add", "--all"], cwd=target, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "collection as built"], cwd=target, check=True)
    copy_dependencies(os.path.dirname(os.path.dirname(target)))
    print(f"collection unpacked in {target}")


def copy_dependencies(collections_root):
    """Put the collections this one depends on beside it: validate-modules resolves their doc
    fragments and module_utils from the same ansible_collections folder."""
    import ansible_collections.amazon.aws as amazon_aws  # from the `ansible` package

    installed_root = os.path.dirname(os.path.dirname(next(iter(amazon_aws.__path__))))
    for name in DEPENDENCIES:
        destination = os.path.join(collections_root, *name.split("."))
        if not os.path.isdir(destination):
            shutil.copytree(os.path.join(installed_root, *name.split(".")), destination,
                            ignore=shutil.ignore_patterns("__pycache__", "tests"))


if __name__ == "__main__":
    main()
