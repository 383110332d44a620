"""DBFS: files and directories in memory, single-call puts and streamed uploads (create, add-block,
close), reads by offset, moves and deletes."""

import base64
import posixpath
import random

from ...errors import ApiError, invalid, not_found
from ..common import b64decode_field
from .base import WorkspaceFamily

DBFS_BLOCK_LIMIT = 1024 * 1024


class DbfsBackend(WorkspaceFamily):
    def __init__(self, state, ws: dict):
        super().__init__(state, ws)
        self.files: dict[str, bytes] = {}
        self.file_mtime: dict[str, int] = {}
        self.dirs: set[str] = {"/"}
        self.handles: dict[int, dict] = {}

    @staticmethod
    def dbfs_path(path) -> str:
        if not path:
            raise invalid("Missing required field: path")
        path = str(path)
        if path.startswith("dbfs:"):
            path = path[len("dbfs:"):]
        if not path.startswith("/"):
            raise invalid(f"Path must be absolute: {path}")
        return posixpath.normpath(path).replace("//", "/")

    def _exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def _mkdirs(self, path: str) -> None:
        parts = [p for p in path.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            if current in self.files:
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A file exists at the path dbfs:{current}.")
            self.dirs.add(current)

    def _write(self, path: str, data: bytes, overwrite: bool) -> None:
        if path in self.dirs:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A directory already exists at the path dbfs:{path}.")
        if path in self.files and not overwrite:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                           f"A file or directory already exists at the input path dbfs:{path}.")
        self._mkdirs(posixpath.dirname(path))
        self.files[path] = data
        self.file_mtime[path] = self.state.clock.now_ms()

    def dbfs_put(self, body: dict) -> None:
        path = self.dbfs_path(body.get("path"))
        data = b64decode_field(body.get("contents", ""), "contents")
        if len(data) > DBFS_BLOCK_LIMIT:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "The contents of put exceed the 1 MB limit; use "
                                                           "create/add-block/close.")
        self._write(path, data, bool(body.get("overwrite")))

    def dbfs_create(self, body: dict) -> dict:
        path = self.dbfs_path(body.get("path"))
        if self._exists(path) and not body.get("overwrite"):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                           f"A file or directory already exists at the input path dbfs:{path}.")
        handle = random.randint(1, 2**31)
        self.handles[handle] = {"path": path, "data": bytearray(), "overwrite": bool(body.get("overwrite"))}
        return {"handle": handle}

    def _handle(self, handle) -> dict:
        try:
            return self.handles[int(handle)]
        except (KeyError, TypeError, ValueError) as exc:
            raise not_found(f"Handle {handle} does not exist.") from exc

    def dbfs_add_block(self, body: dict) -> None:
        data = b64decode_field(body.get("data", ""), "data")
        if len(data) > DBFS_BLOCK_LIMIT:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "A block must not exceed 1 MB.")
        self._handle(body.get("handle"))["data"].extend(data)

    def dbfs_close(self, body: dict) -> None:
        pending = self._handle(body.get("handle"))
        del self.handles[int(body["handle"])]
        self._write(pending["path"], bytes(pending["data"]), True)

    def _status(self, path: str) -> dict:
        if path in self.dirs:
            return {"path": path, "is_dir": True, "file_size": 0, "modification_time": 0}
        if path in self.files:
            return {"path": path, "is_dir": False, "file_size": len(self.files[path]),
                    "modification_time": self.file_mtime[path]}
        raise not_found(f"No file or directory exists on path dbfs:{path}.")

    def dbfs_get_status(self, query: dict) -> dict:
        return self._status(self.dbfs_path(query.get("path")))

    def dbfs_list(self, query: dict) -> dict:
        path = self.dbfs_path(query.get("path"))
        status = self._status(path)
        if not status["is_dir"]:
            return {"files": [status]}
        children = sorted(p for p in self.files.keys() | self.dirs if p != path and posixpath.dirname(p) == path)
        return {"files": [self._status(p) for p in children]}

    def dbfs_read(self, query: dict) -> dict:
        path = self.dbfs_path(query.get("path"))
        if path in self.dirs:
            raise invalid(f"Cannot read a directory: dbfs:{path}")
        if path not in self.files:
            raise not_found(f"No file or directory exists on path dbfs:{path}.")
        offset, length = int(query.get("offset") or 0), int(query.get("length") or 512 * 1024)
        if offset < 0 or length < 0 or length > DBFS_BLOCK_LIMIT:
            raise invalid("offset must be >= 0 and length between 0 and 1 MB")
        chunk = self.files[path][offset:offset + length]
        return {"bytes_read": len(chunk), "data": base64.b64encode(chunk).decode()}

    def dbfs_delete(self, body: dict) -> None:
        path = self.dbfs_path(body.get("path"))
        if path == "/":
            raise invalid("Cannot delete the root directory")
        if path in self.files:
            del self.files[path]
            return
        if path in self.dirs:
            inside = [p for p in self.files.keys() | self.dirs if p.startswith(path + "/")]
            if inside and not body.get("recursive"):
                raise ApiError(400, "IO_ERROR", f"Directory dbfs:{path} is not empty; use recursive.")
            for p in [*inside, path]:
                self.files.pop(p, None)
                self.dirs.discard(p)

    def dbfs_mkdirs(self, body: dict) -> None:
        self._mkdirs(self.dbfs_path(body.get("path")))

    def dbfs_move(self, body: dict) -> None:
        source, target = self.dbfs_path(body.get("source_path")), self.dbfs_path(body.get("destination_path"))
        self._status(source)
        if self._exists(target):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"A file or directory already exists at dbfs:{target}.")
        self._mkdirs(posixpath.dirname(target))
        for p in sorted(p for p in self.files.keys() | self.dirs if p == source or p.startswith(source + "/")):
            new = target + p[len(source):]
            if p in self.files:
                self.files[new] = self.files.pop(p)
                self.file_mtime[new] = self.file_mtime.pop(p)
            else:
                self.dirs.discard(p)
                self.dirs.add(new)
