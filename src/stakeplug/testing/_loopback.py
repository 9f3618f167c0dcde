"""The lifecycle every fake tracker server shares: serve on loopback in a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, Generic, Protocol, Self, TypeVar

__all__ = ["FaultQueue", "LoopbackServer"]


class QueuedFault(Protocol):
    """What :class:`FaultQueue` needs of a fault: where it applies and how often."""

    path: str | None
    """A part of the path the request must contain, or ``None`` for every path."""
    method: str | None
    """The request method it applies to, or ``None`` for every method."""
    times: int
    """How many more requests get it."""


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

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()


class LoopbackServer:
    """Base class of a fake tracker: an HTTP server on loopback, started and stopped in tests.

    A subclass implements :meth:`make_handler` (the request handler class, usually bound
    to ``self``) and may set :attr:`server_class`, :attr:`thread_name` and override
    :meth:`started`, which runs once the socket is bound.  Use it as a context manager
    or call :meth:`start` and :meth:`stop`; ``port=0`` picks a free port.
    """

    server_class: ClassVar[type[ThreadingHTTPServer]] = ThreadingHTTPServer
    thread_name: ClassVar[str] = "fake-tracker"

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class to serve with."""
        raise NotImplementedError

    def started(self) -> None:
        """Called after :meth:`start` bound the socket (e.g. to learn the URL)."""

    @property
    def address(self) -> str:
        """``http://<host>:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started; call start() first")
        host, port = self._server.server_address[:2]
        shown = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{shown}:{port}"

    def start(self) -> Self:
        """Start serving in a daemon thread; returns ``self``.  Starting twice is harmless."""
        if self._server is not None:
            return self
        server = self.server_class((self.host, self.port), self.make_handler())
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        self.started()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Block serving until interrupted (what the fakes' command lines run)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
