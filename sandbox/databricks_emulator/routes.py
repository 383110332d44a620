"""Route table: (listener, method, path template) -> handler in ``responses/``.

The one place that loads the response modules: importing them runs their ``@route`` decorators
(``core.route``), which fill the table. Templates use ``{name}`` for path parameters, as the SDK's
service modules do; the contract test compares this table with the SDK's calls.
"""

from .core import ROUTES, Route
from .responses import account, auth, unity_catalog, workspace  # noqa: F401  (imported for their @route side effects)


def load_routes() -> list[Route]:
    """The route table, every response module loaded."""
    return ROUTES
