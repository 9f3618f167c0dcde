"""The retry policy every tool adapter shares, and the counter of real HTTP attempts.

:class:`HttpPolicy` says how long to wait for a tracker, how often to retry and
how long to keep trying; :func:`write_may_retry` says when a failed write may be
sent again, :func:`write_may_have_acted` when a failed write may have been
carried out all the same (look before sending it again); :class:`RequestCounter`
counts every attempt for tests and benchmarks.  :class:`stakeplug.http.HttpClient`
applies them; all of them are
re-exported from :mod:`stakeplug.http`, their public home.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs

from stakeplug.errors import RateLimitedError, TrackerError, TransientError

__all__ = ["IDEMPOTENT_METHODS", "HttpPolicy", "RequestCounter", "write_may_have_acted", "write_may_retry"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
"""Methods that may be sent again after any transient failure."""


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class HttpPolicy:
    """How long to wait for a tracker, how often to retry, and how long to keep trying.

    ``sleep`` and ``clock`` are injected by tests (a fake that records waits and
    never sleeps; a fixed wall clock for HTTP-date ``Retry-After`` values).
    """

    connect_timeout: float = attrs.field(default=5.0, validator=_positive)
    read_timeout: float = attrs.field(default=30.0, validator=_positive)
    max_attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    """Attempts per call, the first try included."""
    budget_seconds: float = attrs.field(default=300.0, validator=_positive)
    """Total seconds one call may spend waiting between retries."""
    backoff_base: float = attrs.field(default=1.0, validator=_positive)
    backoff_max: float = attrs.field(default=60.0, validator=_positive)
    jitter: float = attrs.field(default=0.25, validator=[_positive, attrs.validators.le(1.0)])
    """Each backoff delay is moved by up to this fraction, up or down."""
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
    """Wall clock (epoch seconds), for HTTP-date ``Retry-After`` and reset headers."""

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed attempt ``attempt`` (1-based) when the tracker named none."""
        delay: float = min(self.backoff_max, self.backoff_base * (2.0 ** max(attempt - 1, 0)))
        if self.jitter:
            delay *= 1.0 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, min(self.backoff_max, delay))


class RequestCounter:
    """Counts every real HTTP attempt, in total and by URL path (query string left out).

    Thread-safe; tests and benchmarks read :attr:`total` and :attr:`by_path`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_path: collections.Counter[str] = collections.Counter()
        self.by_method: collections.Counter[str] = collections.Counter()

    def record(self, method: str, url: str) -> None:
        """Count one attempt of ``method`` on ``url``."""
        path = urlsplit(url).path or "/"
        with self._lock:
            self.total += 1
            self.by_path[path] += 1
            self.by_method[method.upper()] += 1

    def reset(self) -> None:
        """Set every count back to zero."""
        with self._lock:
            self.total = 0
            self.by_path.clear()
            self.by_method.clear()

    def __repr__(self) -> str:
        return f"RequestCounter(total={self.total})"


def write_may_retry(error: TransientError) -> bool:
    """Whether a write that failed with the answer ``error`` may be sent again.

    Only when the tracker surely did nothing: it asked to slow down (rate
    limit).  Any other failure of a write, a 503 included, may come after the
    tracker created the thing already; the adapter looks before it tries
    again.  A refused connection is safe too; the caller that saw it knows.
    """
    return isinstance(error, RateLimitedError)


def write_may_have_acted(error: TrackerError) -> bool:
    """Whether a write that failed with ``error`` may still have been carried out.

    No answer at all, a timeout or a 5xx can come after the tracker created
    the thing: the adapter looks (by fingerprint) before it sends the write
    again.  A rate limit or a 4xx refusal means the tracker did nothing.
    """
    if isinstance(error, TransientError):
        return not write_may_retry(error)
    return error.status is not None and error.status >= 500
