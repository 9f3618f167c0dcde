"""A wall clock for tests that moves only when something sleeps on it."""

from __future__ import annotations

__all__ = ["FakeClock"]


class FakeClock:
    """Pass it as both ``clock`` and ``sleep`` (``clock.sleep``) to the fake and the HTTP policy.

    Sleeping advances :attr:`now` at once and records the duration in
    :attr:`sleeps`, so rate-limit waits are checked exactly and cost no time.
    """

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and move the clock on by as much."""
        self.sleeps.append(seconds)
        self.now += seconds

    def __repr__(self) -> str:
        return f"FakeClock(now={self.now}, sleeps={len(self.sleeps)})"
