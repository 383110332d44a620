"""What every account resource family shares: the emulator state, the account id, new objects and the
name check.

The families are mixins of ``AccountBackend`` (as moto composes its EC2 backend): each keeps its own
collections and methods, and reads another family's collections through ``self``.
"""

import uuid

from ...errors import already_exists


class AccountFamily:
    def __init__(self, state):
        self.state = state  # EmulatorState: config, clock, aws, tokens, workspace listeners
        self.account_id = state.account_id

    def _now_ms(self) -> int:
        return self.state.clock.now_ms()

    def _base(self, id_field: str) -> dict:
        return {id_field: str(uuid.uuid4()), "account_id": self.account_id, "creation_time": self._now_ms()}

    def _unique_name(self, collection: dict, field: str, name: str, noun: str) -> None:
        if any(o.get(field) == name for o in collection.values()):
            raise already_exists(f"{noun} with name {name} already exists.")
