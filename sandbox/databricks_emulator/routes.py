"""Route table: (listener, method, path template) -> handler in ``responses/``.

Templates use ``{name}`` for path parameters, as the SDK's service modules do; the contract
test compares this table with the SDK's calls.
"""

import dataclasses
import re
from typing import Callable

ROUTES: list["Route"] = []


@dataclasses.dataclass
class Route:
    listener: str  # "account" or "workspace"
    method: str
    template: str
    handler: Callable
    auth: bool  # False for discovery and token endpoints
    pattern: re.Pattern = dataclasses.field(init=False)

    def __post_init__(self):
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        self.pattern = re.compile(f"^{regex}$")


@dataclasses.dataclass
class Reply:
    """A reply other than ``200`` + JSON object (handlers may also return a plain dict)."""

    status: int = 200
    body: object = None
    headers: dict = dataclasses.field(default_factory=dict)


def route(listener: str, method: str, template: str, auth: bool = True):
    def register(handler):
        ROUTES.append(Route(listener, method, template, handler, auth))
        return handler

    return register


def match(listener: str, method: str, path: str):
    """(route, params) for a request; (None, allowed_methods) when the path exists with other methods."""
    allowed = []
    for candidate in ROUTES:
        if candidate.listener != listener:
            continue
        found = candidate.pattern.match(path)
        if found:
            if candidate.method == method:
                return candidate, found.groupdict()
            allowed.append(candidate.method)
    return None, allowed


def load_routes() -> list[Route]:
    """Import the response modules (which register their routes) and return the table."""
    from .responses import account, auth, workspace  # noqa: F401  (imported for their @route side effects)

    return ROUTES
