"""The fake-tracker kit's server: routes, faults, a request log and the built-in ``/_fake/`` endpoints.

A fake tracker subclasses :class:`FakeServer`, adds its routes in
:meth:`~FakeServer.add_routes`, and overrides the few hooks where trackers
differ (:meth:`~FakeServer.error` for the tool's error body,
:meth:`~FakeServer.authorize`, :meth:`~FakeServer.prepare`,
:meth:`~FakeServer.finish`, :meth:`~FakeServer.extra_stats`,
:meth:`~FakeServer.on_reset`).  One request goes through, in order::

    /_fake/stats, /_fake/reset   answered by the kit, never counted
    prepare                       rewrite the request or answer it uncounted
    request log                   counted from here on
    latency, then the fault's delay
    fault (before handling)       status or dropped connection
    authorize, route, handler     the tracker's own answer
    fault (after handling)        the ambiguous failure: done, but not answered
    finish                        headers every answer carries
"""

from __future__ import annotations

import base64
import collections
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, Literal
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

import attrs

from stakeplug.testing._faults import Fault, FaultQueue
from stakeplug.testing._loopback import LoopbackServer
from stakeplug.testing._routes import Reply, ReplyNow, Request, Routes

__all__ = ["FakeServer", "RequestLog"]


class RequestLog:
    """Every counted request in arrival order, and the counts by path.

    ``key="method path"`` counts under ``"GET /repos/o/r/issues"``; ``key="path"``
    under the path alone.  The query string is kept in :attr:`entries` and left
    out of the counts.  Thread-safe.
    """

    def __init__(self, *, key: Literal["path", "method path"] = "method path"):
        self.key = key
        self._lock = threading.Lock()
        self.entries: list[tuple[str, str]] = []
        """Every counted request as ``(method, path with query)``."""
        self.by_path: collections.Counter[str] = collections.Counter()
        """Counted requests by path (with the method first when :attr:`key` says so)."""

    def record(self, method: str, target: str) -> None:
        """Count one request of ``method`` on ``target`` (a path with an optional query)."""
        path = target.partition("?")[0]
        with self._lock:
            self.entries.append((method, target))
            self.by_path[f"{method} {path}" if self.key == "method path" else path] += 1

    @property
    def total(self) -> int:
        """How many requests were counted."""
        with self._lock:
            return len(self.entries)

    def counts(self) -> dict[str, int]:
        """The counts by path, sorted by path."""
        with self._lock:
            return dict(sorted(self.by_path.items()))

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self.entries.clear()
            self.by_path.clear()


class FakeServer(LoopbackServer):
    """A fake tracker on loopback: a route table behind faults, a request log and ``/_fake/``.

    ``GET /_fake/stats`` answers :meth:`stats`; ``POST /_fake/reset`` runs
    :meth:`reset` and answers the stats after it.  Neither is counted, delayed
    or faulted.  ``latency`` is slept before every counted request.  Handlers run
    on the server's threads; state they share is guarded by :attr:`lock`.
    """

    thread_name = "fake-tracker"
    server_version: ClassVar[str] = "FakeTracker/1.0"
    """The ``Server`` header."""
    content_type: ClassVar[str] = "application/json; charset=utf-8"
    """The ``content-type`` of every answer unless a reply sets its own."""
    base_headers: ClassVar[Mapping[str, str]] = {}
    """Headers every answer carries."""
    count_by: ClassVar[Literal["path", "method path"]] = "method path"
    """How :attr:`RequestLog.by_path` keys its counts."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0):
        super().__init__(host, port)
        self.latency = latency
        self.lock = threading.RLock()
        self.faults: FaultQueue[Fault] = FaultQueue()
        self.log = RequestLog(key=self.count_by)
        self.routes = Routes()
        self.add_routes(self.routes)

    # -- hooks a tracker overrides ---------------------------------------------

    def add_routes(self, routes: Routes) -> None:
        """Add the tracker's routes (called once, from the constructor)."""

    def error(self, status: int, message: str | None = None) -> Reply:
        """The tracker's error answer for ``status`` (``message=None``: its stock message)."""
        return Reply(status, {"message": message or "Error"})

    def prepare(self, request: Request) -> Request | Reply:
        """Rewrite a request before it is counted (strip a prefix), or answer it uncounted."""
        return request

    def authorize(self, request: Request) -> Reply | None:
        """A reply refusing the request, or ``None`` to let it through to its route."""
        return None

    def finish(self, request: Request, reply: Reply) -> Reply:
        """Add what every counted answer carries (rate-limit headers, say)."""
        return reply

    def extra_stats(self) -> dict[str, Any]:
        """The tracker's own entries of :meth:`stats` (created issues, say)."""
        return {}

    def on_reset(self) -> None:
        """What :meth:`reset` does besides clearing the request log and the faults."""

    # -- faults ----------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Queue ``fault`` (see :class:`~stakeplug.testing.Fault`)."""
        self.faults.add(fault)

    def fail(
        self,
        status: int,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        after: bool = False,
        echo: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (after handling them, with ``after``).

        ``body`` is the JSON to send instead of the tracker's error body; a 200
        with a hand-made body serves malformed payloads.  With ``echo`` the
        tracker's error message repeats the request's credentials (see :class:`Fault`).
        """
        self.inject(
            Fault(
                status=status,
                path=path,
                method=method,
                times=times,
                headers=dict(headers or {}),
                body=body,
                after=after,
                echo=echo,
            )
        )

    def drop_connections(
        self, *, path: str | None = None, method: str | None = None, times: int = 1, after: bool = False
    ) -> None:
        """Close the connection of the next ``times`` matching requests without answering."""
        self.inject(Fault(drop=True, path=path, method=method, times=times, after=after))

    def drip(
        self, seconds: float, *, path: str | None = None, method: str | None = None, times: int = 1
    ) -> None:
        """Send the body of the next ``times`` matching answers one byte every ``seconds``."""
        self.inject(Fault(drip=seconds, path=path, method=method, times=times))

    def truncate_bodies(self, *, path: str | None = None, method: str | None = None, times: int = 1) -> None:
        """Cut the body of the next ``times`` matching answers in half, then close the connection."""
        self.inject(Fault(truncate=True, path=path, method=method, times=times))

    def delay(
        self, seconds: float, *, path: str | None = None, method: str | None = None, times: int = 1
    ) -> None:
        """Wait ``seconds`` before answering the next ``times`` matching requests normally."""
        self.inject(Fault(delay=seconds, path=path, method=method, times=times))

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self.faults.clear()

    # -- statistics --------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """``requests`` (counted), ``by_path`` and the tracker's :meth:`extra_stats`."""
        return {"requests": self.log.total, "by_path": self.log.counts(), **self.extra_stats()}

    @property
    def requests(self) -> int:
        """How many counted requests arrived."""
        return self.log.total

    @property
    def by_path(self) -> collections.Counter[str]:
        """Counted requests by path (see :class:`RequestLog`)."""
        return self.log.by_path

    @property
    def request_log(self) -> list[tuple[str, str]]:
        """Every counted request as ``(method, path with query)``."""
        return self.log.entries

    def reset_stats(self) -> None:
        """Forget the request log; the tracker's state stays."""
        self.log.clear()

    def reset(self) -> None:
        """Forget the request log and the queued faults, then :meth:`on_reset`; the state stays."""
        self.log.clear()
        self.faults.clear()
        self.on_reset()

    # -- one request (called on the server's threads) ----------------------------

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_FakeHandler,), {"fake": self, "server_version": self.server_version})

    def dispatch(self, request: Request) -> Reply | None:
        """The answer to ``request``, or ``None`` to drop the connection."""
        builtin = self._builtin(request)
        if builtin is not None:
            return builtin
        prepared = self.prepare(request)
        if isinstance(prepared, Reply):
            return prepared
        request = prepared
        self.log.record(request.method, request.target)
        if self.latency:
            time.sleep(self.latency)
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and not fault.after and (fault.drop or fault.status is not None):
            return None if fault.drop else self.finish(request, self._fault_reply(fault, request))
        reply = self.answer(request)
        if fault is not None and fault.after:
            return None if fault.drop else self.finish(request, self._fault_reply(fault, request))
        if fault is not None and (fault.drip or fault.truncate):
            reply = attrs.evolve(reply, drip=fault.drip, truncate=fault.truncate)
        return self.finish(request, reply)

    def answer(self, request: Request) -> Reply:
        """The tracker's own answer: authorisation, then the route's handler."""
        try:
            refused = self.authorize(request)
            if refused is not None:
                return refused
            found = self.routes.resolve(request.method, request.path)
            if found is None:
                return self.error(404)
            handler, params = found
            return handler(attrs.evolve(request, params=params))
        except ReplyNow as now:
            return now.reply

    def _fault_reply(self, fault: Fault, request: Request) -> Reply:
        status = 500 if fault.status is None else fault.status
        stock = self.error(status, _echo(request) if fault.echo else None)
        if fault.body is None:
            return attrs.evolve(stock, headers={**stock.headers, **fault.headers})
        return Reply(status, fault.body, {**stock.headers, **fault.headers})

    def _builtin(self, request: Request) -> Reply | None:
        path = request.path
        if not path.startswith("/_fake/"):
            return None
        if path == "/_fake/stats" and request.method == "GET":
            return Reply(200, self.stats())
        if path == "/_fake/reset" and request.method == "POST":
            self.reset()
            return Reply(200, self.stats())
        return self.error(404)


def _echo(request: Request) -> str:
    """An error message that repeats what the request authenticated with, in every form."""
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    parts = [f"refused {sent} (links: /login?as={quote_plus(sent)}, /login/{quote(sent)})"]
    if scheme.lower() == "basic":
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            parts.append(f"user {base64.b64decode(value, validate=True).decode()} sent {value}")
    query = urlsplit(request.target).query
    if query:
        parts.append(f"query {query} ({unquote_plus(query)})")
    return "; ".join(parts)


class _FakeHandler(BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """Small answers go out at once instead of waiting for the client's delayed ACK."""
    wbufsize = 1 << 16
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the fake keeps its own request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.fake.dispatch(Request(self.command, self.path, headers, body))
        if reply is None:
            self._drop()
            return
        data = reply.encoded()
        self.send_response(reply.status)
        sent = {k.lower() for k in reply.headers}
        if "content-type" not in sent:
            self.send_header("content-type", self.fake.content_type)
        if "content-length" not in sent:
            self.send_header("content-length", str(len(data)))
        for key, value in {**self.fake.base_headers, **reply.headers}.items():
            self.send_header(key, value)
        self.end_headers()
        if reply.truncate:
            data = data[: len(data) // 2]
        if reply.drip:
            self._drip(data, reply.drip)
        else:
            self.wfile.write(data)
        if reply.truncate:
            self.wfile.flush()
            self._drop()

    def _drip(self, data: bytes, seconds: float) -> None:
        """Send ``data`` a byte at a time, ``seconds`` apart, until done or the client hangs up."""
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(seconds)
        except OSError:
            self.close_connection = True

    def _drop(self) -> None:
        """Reset the connection without a byte of answer (a linger of zero sends RST)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_PATCH = _serve
    do_DELETE = _serve
