"""Emulator clock: wall time plus an offset that ``POST /__sandbox/clock/advance`` moves forward."""

import threading
import time


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the emulator sees them."""
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    def reset(self):
        with self._lock:
            self._offset = 0.0
