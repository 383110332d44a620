"""HTTP layer: parse requests, call the backends in ``models/``, render Databricks-shaped replies."""

import dataclasses


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
