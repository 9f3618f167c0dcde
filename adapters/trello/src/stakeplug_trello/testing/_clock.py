"""A clock that tests move by hand, shared by the adapter's HTTP policy and the fake's rate limits."""

from __future__ import annotations

import threading

__all__ = ["FakeClock"]


class FakeClock:
    """Seconds that pass only when :meth:`sleep` or :meth:`advance` says so; ``waits`` records each sleep."""

    def __init__(self, start: float = 1_800_000_000.0):
        self._now = start
        self._lock = threading.Lock()
        self.waits: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Pretend to sleep: move the clock on and remember the wait."""
        with self._lock:
            self.waits.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Move the clock on without recording a wait."""
        with self._lock:
            self._now += seconds
