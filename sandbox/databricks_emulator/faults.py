"""Test controls served under /__sandbox/: request log, counts and fault injection."""

import dataclasses
import re
import threading
import time


@dataclasses.dataclass
class Fault:
    route: re.Pattern
    method: str | None
    status: int | None  # None: a latency-only fault
    count: int
    retry_after: float | None = None
    latency: float | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and (self.method is None or self.method == method) and bool(self.route.search(path))


class FaultInjector:
    STATUSES = (429, 500, 503)

    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, body: dict) -> dict:
        status = body.get("status")
        if status is not None and int(status) not in self.STATUSES:
            raise ValueError(f"status must be one of {self.STATUSES}")
        if status is None and not body.get("latency"):
            raise ValueError("a fault needs a status or a latency")
        if not body.get("route"):
            raise ValueError("route (a regular expression matched against the path) is required")
        fault = Fault(route=re.compile(body["route"]), method=(body.get("method") or "").upper() or None,
                      status=int(status) if status is not None else None, count=int(body.get("count", 1)),
                      retry_after=body.get("retry_after"), latency=body.get("latency"))
        with self._lock:
            self._faults.append(fault)
        return {"route": body["route"], "method": fault.method, "status": fault.status, "count": fault.count}

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def armed(self) -> list[dict]:
        """Faults with uses left (latency-only ones included): what a test expects to be empty once hit."""
        with self._lock:
            return [{"route": f.route.pattern, "method": f.method, "status": f.status, "latency": f.latency,
                     "count": f.count} for f in self._faults if f.count > 0]

    def take(self, method: str, path: str) -> Fault | None:
        """The first armed fault matching the request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None


class RequestLog:
    def __init__(self):
        self._entries: list[dict] = []
        self._lock = threading.Lock()

    def add(self, listener, method: str, path: str, status: int) -> None:
        with self._lock:
            self._entries.append({"listener": listener, "method": method, "path": path, "status": status,
                                  "ts": time.time()})

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def counts(self) -> dict:
        counts: dict[str, int] = {}
        for entry in self.entries():
            key = f"{entry['method']} {entry['path']}"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
