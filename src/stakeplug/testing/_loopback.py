"""The lifecycle every fake tracker server shares: serve on loopback in a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self

__all__ = ["LoopbackServer", "QuietThreadingServer"]


class QuietThreadingServer(ThreadingHTTPServer):
    """A threading HTTP server for fakes: daemon threads, a deep backlog, no noise on hang-ups."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    """Concurrent clients (a pool of fetchers, a benchmark) must not meet a full backlog."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, resets) are expected; stay quiet about them."""


class LoopbackServer:
    """Base class of a fake tracker: an HTTP server on loopback, started and stopped in tests.

    A subclass implements :meth:`make_handler` (the request handler class, usually bound
    to ``self``) and may set :attr:`server_class`, :attr:`thread_name` and override
    :meth:`started`, which runs once the socket is bound.  Use it as a context manager
    or call :meth:`start` and :meth:`stop`; ``port=0`` picks a free port.
    """

    server_class: ClassVar[type[ThreadingHTTPServer]] = QuietThreadingServer
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
