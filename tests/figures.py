"""The figures docs/reliability.md states, read back so the tests that produce them assert the same numbers."""

import os
import re

from tests.sandbox_harness import REPO

PAGE = os.path.join(REPO, "docs", "reliability.md")
ROW = re.compile(r"^\| (?P<name>[a-z][^|]*?) \| (?P<value>\d+) \|", re.MULTILINE)


def documented(name):
    """The value of the figure `name` in the page's figures table."""
    with open(PAGE, encoding="utf-8") as handle:
        figures = {m["name"]: int(m["value"]) for m in ROW.finditer(handle.read())}
    assert name in figures, f"docs/reliability.md states no figure {name!r} (it has {sorted(figures)})"
    return figures[name]
