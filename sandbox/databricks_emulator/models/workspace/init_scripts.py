"""Global init scripts: base64 content up to 64 KB, kept in position order."""

import uuid

from ...errors import invalid, not_found, require
from ..common import b64decode_field
from .base import WorkspaceFamily


class GlobalInitScriptsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.init_scripts: dict[str, dict] = {}

    def _script_fields(self, body: dict, script: dict | None) -> dict:
        require(body, "name", "script")
        content = b64decode_field(body["script"], "script")
        if len(content) > 64 * 1024:
            raise invalid("Init script size exceeds the 64 KB limit.")
        position = body.get("position")
        if position is not None and int(position) < 0:
            raise invalid("position must be >= 0")
        return {"name": body["name"], "script": body["script"], "enabled": bool(body.get("enabled", False)),
                "position": int(position) if position is not None else (script or {}).get(
                    "position", len(self.init_scripts))}

    def _reorder_scripts(self, moved: dict) -> None:
        others = sorted((s for s in self.init_scripts.values() if s is not moved), key=lambda s: s["position"])
        others.insert(min(moved["position"], len(others)), moved)
        for position, script in enumerate(others):
            script["position"] = position

    def create_init_script(self, caller: str, body: dict) -> dict:
        self.require_admin(caller, "global init scripts")
        now = self.state.clock.now_ms()
        script = dict(self._script_fields(body, None), script_id=uuid.uuid4().hex[:16].upper(), created_at=now,
                      updated_at=now, created_by=self._name_of(caller), updated_by=self._name_of(caller))
        self.init_scripts[script["script_id"]] = script
        self._reorder_scripts(script)
        return {"script_id": script["script_id"]}

    def get_init_script(self, caller: str, script_id: str) -> dict:
        self.require_admin(caller, "global init scripts")
        if script_id not in self.init_scripts:
            raise not_found(f"The global init script {script_id} does not exist.")
        return self.init_scripts[script_id]

    def list_init_scripts(self, caller: str) -> dict:
        self.require_admin(caller, "global init scripts")
        scripts = sorted(self.init_scripts.values(), key=lambda s: s["position"])
        return {"scripts": [{k: v for k, v in s.items() if k != "script"} for s in scripts]}

    def update_init_script(self, caller: str, script_id: str, body: dict) -> None:
        script = self.get_init_script(caller, script_id)
        script.update(self._script_fields(body, script), updated_at=self.state.clock.now_ms(),
                      updated_by=self._name_of(caller))
        self._reorder_scripts(script)

    def delete_init_script(self, caller: str, script_id: str) -> None:
        self.get_init_script(caller, script_id)
        del self.init_scripts[script_id]
