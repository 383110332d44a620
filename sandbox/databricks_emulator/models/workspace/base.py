"""What every workspace resource family shares: the emulator state and the workspace it serves.

The families are mixins of ``WorkspaceBackend`` (as moto composes its EC2 backend): each keeps its own
collections and methods, and reads another family's through ``self``.
"""


class WorkspaceFamily:
    def __init__(self, state, ws: dict):
        self.state = state
        self.ws = ws
        self.workspace_id = ws["workspace_id"]
