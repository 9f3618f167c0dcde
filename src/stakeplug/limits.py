"""How long a run may take, and how a tracker's asked-for waits are read.

Three bounds keep a nightly job inside its CI timeout (:class:`Limits`):

* ``request_seconds`` -- the deadline of one request, connection, headers and
  body together, not only of each socket read: a server that drips a byte
  every two seconds is cut off there;
* ``source_seconds`` -- the time one source (one adapter's client) may spend
  from its first request, retries and waits included;
* ``run_seconds`` -- the time all the sources of one run may spend together.

The defaults fit a 30-minute CI job with room for the reports.  When a budget
runs out the client raises :class:`~stakeplug.errors.BudgetExhaustedError`,
and the audit reports the source as partial with what it collected and why.
The config's ``[limits]`` table sets them (in minutes and seconds); the
limits apply to the clients built inside :func:`use_limits`.

A tracker's ``Retry-After`` or rate-limit reset is read by :func:`read_wait`:
an unreadable, infinite or absurd value (``inf``, ``1e12``, a reset sent in
milliseconds) is clamped to :data:`MAX_WAIT` and the clamp explained, never a crash.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import math
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import attrs

__all__ = [
    "MAX_WAIT",
    "Limits",
    "RunClock",
    "Wait",
    "current_limits",
    "parse_retry_after",
    "read_reset",
    "read_wait",
    "use_limits",
    "utc_text",
]

MAX_WAIT = 86_400.0
"""The longest wait a tracker's answer is read as (one day): anything longer is clamped to it."""

_MILLISECONDS_FROM = 1e11
"""A reset time above this many epoch seconds (the year 5138) can only be milliseconds."""


def _positive_finite(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{attribute.name} must be a positive number of seconds, got {value}")


@attrs.frozen
class Limits:
    """The deadline of one request and the time budgets of a source and of a run, in seconds.

    ``clock`` is a monotonic clock; tests inject one that moves when they sleep.
    """

    request_seconds: float = attrs.field(default=120.0, validator=_positive_finite)
    source_seconds: float = attrs.field(default=15 * 60.0, validator=_positive_finite)
    run_seconds: float = attrs.field(default=25 * 60.0, validator=_positive_finite)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False, eq=False)


class RunClock:
    """The run's budget, shared by every client built under one :func:`use_limits`.

    It starts at the first request of any of them.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._started: float | None = None

    def start(self) -> None:
        """Start the run's clock if no request has started it yet."""
        with self._lock:
            if self._started is None:
                self._started = self.limits.clock()

    def remaining(self) -> float:
        """Seconds the run has left (its whole budget before the first request)."""
        with self._lock:
            started = self._started
        if started is None:
            return self.limits.run_seconds
        return self.limits.run_seconds - (self.limits.clock() - started)


_current: contextvars.ContextVar[RunClock | None] = contextvars.ContextVar("stakeplug_limits", default=None)


@contextlib.contextmanager
def use_limits(limits: Limits) -> Iterator[RunClock]:
    """Clients built inside this block share one run budget under ``limits``."""
    run = RunClock(limits)
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)


def current_limits() -> RunClock:
    """The run budget clients built now belong to: that of :func:`use_limits`, else a fresh default one."""
    run = _current.get()
    return run if run is not None else RunClock(Limits())


@attrs.frozen
class Wait:
    """A wait read from a tracker's answer: ``seconds`` to wait, and ``note`` when the value was clamped."""

    seconds: float
    note: str = ""


def read_wait(value: str | None, *, now: float) -> Wait | None:
    """The wait a ``Retry-After`` value (seconds or an HTTP date) asks for; ``None`` if absent or unreadable.

    A date in the past or a negative number means zero.  A wait that is not
    finite or longer than :data:`MAX_WAIT` is clamped to it, with a note saying so.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    if math.isnan(seconds):
        return None
    return _clamped(max(0.0, seconds), f"Retry-After {_quoted(value)}")


def read_reset(value: str | None, *, now: float) -> Wait | None:
    """The wait until a rate-limit reset given as epoch seconds, or ``None`` if absent or unreadable.

    A reset sent in milliseconds is read as such (and said so); a reset in the
    past means zero; a wait beyond :data:`MAX_WAIT` is clamped to it.
    """
    if value is None or not value.strip():
        return None
    try:
        reset = float(value.strip())
    except ValueError:
        return None
    if math.isnan(reset):
        return None
    note = ""
    if math.isfinite(reset) and reset > _MILLISECONDS_FROM:
        reset /= 1000.0
        note = f"the reset time {_quoted(value)} was read as milliseconds"
    wait = _clamped(max(0.0, reset - now), f"the reset time {_quoted(value)}")
    return wait if wait.note or not note else Wait(wait.seconds, note)


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value (see :func:`read_wait`), or ``None``."""
    wait = read_wait(value, now=now)
    return None if wait is None else wait.seconds


def utc_text(epoch: float) -> str:
    """An epoch time as ``2024-05-01T12:00:00Z``; a time beyond what a date can hold says so."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "an unknown time (the value is out of range)"


def _clamped(seconds: float, what: str) -> Wait:
    if seconds <= MAX_WAIT:
        return Wait(seconds)
    return Wait(MAX_WAIT, f"{what} is not a usable wait; read as {MAX_WAIT:.0f} s")


def _quoted(value: str) -> str:
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(text)
