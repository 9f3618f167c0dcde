"""The one fault shape every fake tracker injects, and the queue that serves faults to requests."""

from __future__ import annotations

import threading
from typing import Any, Generic, Protocol, TypeVar

import attrs

__all__ = ["Fault", "FaultQueue"]


class QueuedFault(Protocol):
    """What :class:`FaultQueue` needs of a fault: where it applies and how often."""

    path: str | None
    """A part of the path the request must contain, or ``None`` for every path."""
    method: str | None
    """The request method it applies to, or ``None`` for every method."""
    times: int
    """How many more requests get it."""


@attrs.define
class Fault:
    """What goes wrong with the next ``times`` requests that match ``method`` and ``path``.

    ``path`` is a part the request's path must contain (``None``: every path),
    ``method`` the request method (``None``: every method).  The request waits
    ``delay`` seconds first; then it is answered with ``status`` (and
    ``headers``, and ``body`` or the tool's own error body), or the connection
    is dropped (``drop``) without an answer, or -- with neither -- answered normally.

    With ``after=True`` the request is handled first (a create really creates)
    and only then answered with ``status`` or dropped: the ambiguous failure a
    client cannot tell from one where nothing happened.

    The answer itself may misbehave on the wire: ``drip`` sends its body one
    byte every ``drip`` seconds, and ``truncate`` announces the whole body's
    ``Content-Length`` but closes the connection after half of it.

    With ``echo`` the error's message repeats the credentials the request
    carried, as a careless tracker's error page does: the ``Authorization``
    header as sent, URL-encoded, decoded when it is basic authentication, and
    the query string.
    """

    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    after: bool = False
    path: str | None = None
    method: str | None = None
    times: int = 1
    headers: dict[str, str] = attrs.field(factory=dict)
    body: Any = None
    drip: float = 0.0
    truncate: bool = False
    echo: bool = False

    def __attrs_post_init__(self) -> None:
        if self.drop and self.status is not None:
            raise ValueError("a fault either answers with a status or drops the connection, not both")
        if self.drop and (self.drip or self.truncate):
            raise ValueError("a dropped connection sends no body to drip or truncate")
        if self.after and self.status is None and not self.drop:
            raise ValueError("a fault after handling needs a status or drop=True")


F = TypeVar("F", bound=QueuedFault)


class FaultQueue(Generic[F]):
    r"""Faults a fake server injects, each into the next ``times`` requests it matches.

    A fault matches a request when its ``method`` (if set) is the request's and its
    ``path`` (if set) is part of the request's path.  Thread-safe: the server's
    threads :meth:`take` while the test :meth:`add`\ s.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[F] = []

    def add(self, fault: F) -> None:
        """Queue ``fault`` after the ones already waiting (one for no request is ignored)."""
        if fault.times > 0:
            with self._lock:
                self._faults.append(fault)

    def take(self, method: str, path: str) -> F | None:
        """The first queued fault for this request, counted down (and dropped when used up)."""
        method = method.upper()
        with self._lock:
            for fault in self._faults:
                if fault.method is not None and fault.method.upper() != method:
                    continue
                if fault.path is None or fault.path in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> int:
        """How many faults are still waiting."""
        with self._lock:
            return len(self._faults)

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()
