"""What the response modules build on: the request a handler gets, the ``Reply`` it may return, the
``@route`` decorator that registers it in the route table and ``match`` that finds it.

Imports nothing from ``responses/`` or ``models/``: the response modules import this one, and
``routes.py`` imports the response modules.
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
class Request:
    method: str
    path: str
    query: dict
    body: dict
    headers: dict
    params: dict
    state: object  # models.state.EmulatorState
    base_url: str
    workspace_id: int | None = None  # None on the account listener
    caller: str = ""  # SCIM id of the authenticated principal (account or workspace directory)
    form: dict = dataclasses.field(default_factory=dict)

    @property
    def backend(self):
        """The workspace backend (workspace listener only)."""
        return self.state.workspace_backend(self.workspace_id)


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


def match(routes: list[Route], listener: str, method: str, path: str):
    """(route, params) for a request; (None, allowed_methods) when the path exists with other methods."""
    allowed = []
    for candidate in routes:
        if candidate.listener != listener:
            continue
        found = candidate.pattern.match(path)
        if found:
            if candidate.method == method:
                return candidate, found.groupdict()
            allowed.append(candidate.method)
    return None, allowed
