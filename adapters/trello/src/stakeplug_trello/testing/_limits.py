"""The fake Trello's rate limits: token buckets with Trello's numbers, and its 429 bodies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["KEY_BODY", "TOKEN_BODY", "Bucket", "Limits"]

TOKEN_BODY = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
KEY_BODY = {"error": "API_KEY_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}


class Bucket:
    """``capacity`` requests, refilled evenly over ``window`` seconds."""

    def __init__(self, capacity: int, window: float, clock: Callable[[], float]):
        self.capacity = capacity
        self.rate = capacity / window
        self._clock = clock
        self.level = float(capacity)
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.level = min(float(self.capacity), self.level + (now - self._at) * self.rate)
        self._at = now

    def has(self) -> bool:
        """Whether one more request fits now."""
        self._refill()
        return self.level >= 1.0

    def take(self) -> None:
        """Use one request."""
        self._refill()
        self.level -= 1.0

    def drain(self) -> None:
        """Use up everything (another program spent the budget)."""
        self._refill()
        self.level = 0.0


class Limits:
    """Trello's limits: per token, per API key, and the key's storm rule.

    300 requests per 10 s per key and 100 per 10 s per token; once a key has
    been answered 429 more than 200 times in a window, every request with it is
    refused until the window ends.  ``clock`` is monotonic seconds (tests share
    a fake one with the adapter).
    """

    def __init__(
        self,
        *,
        token_limit: int = 100,
        key_limit: int = 300,
        window: float = 10.0,
        storm_after: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token_limit = token_limit
        self.key_limit = key_limit
        self.window = window
        self.storm_after = storm_after
        self.clock = clock
        self.enabled = True
        self._lock = threading.Lock()
        self._tokens: dict[str, Bucket] = {}
        self._keys: dict[str, Bucket] = {}
        self._refusals: dict[str, list[float]] = {}
        self._storm_until: dict[str, float] = {}
        self.refused = {"API_TOKEN_LIMIT_EXCEEDED": 0, "API_KEY_LIMIT_EXCEEDED": 0}

    def _bucket(self, table: dict[str, Bucket], name: str, capacity: int) -> Bucket:
        found = table.get(name)
        if found is None:
            found = table[name] = Bucket(capacity, self.window, self.clock)
        return found

    def check(self, key: str, token: str) -> dict[str, Any] | None:
        """The 429 body for this request, or ``None`` after counting it against both limits."""
        if not self.enabled:
            return None
        with self._lock:
            now = self.clock()
            body: dict[str, Any] | None = None
            key_bucket = self._bucket(self._keys, key, self.key_limit)
            token_bucket = self._bucket(self._tokens, token, self.token_limit)
            if now < self._storm_until.get(key, float("-inf")) or not key_bucket.has():
                body = KEY_BODY
            elif not token_bucket.has():
                body = TOKEN_BODY
            if body is None:
                key_bucket.take()
                token_bucket.take()
                return None
            self.refused[body["error"]] += 1
            recent = [t for t in self._refusals.get(key, []) if t > now - self.window]
            recent.append(now)
            self._refusals[key] = recent
            if len(recent) > self.storm_after:
                self._storm_until[key] = recent[0] + self.window
            return dict(body)

    def use_up(self, which: str, name: str) -> None:
        """Spend the whole budget of a token (``which="token"``) or a key (``"key"``) at once."""
        with self._lock:
            if which == "token":
                self._bucket(self._tokens, name, self.token_limit).drain()
            elif which == "key":
                self._bucket(self._keys, name, self.key_limit).drain()
            else:
                raise ValueError(f"use_up: which must be 'token' or 'key', not {which!r}")

    def reset(self) -> None:
        """Full budgets again, no storm, no refusals counted."""
        with self._lock:
            self._tokens.clear()
            self._keys.clear()
            self._refusals.clear()
            self._storm_until.clear()
            for code in self.refused:
                self.refused[code] = 0
