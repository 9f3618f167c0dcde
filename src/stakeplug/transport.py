"""Below the HTTP client: one deadline per request, and the one mapping of transport failures.

``requests`` bounds each socket read, not a request: a server that sends a
byte every two seconds holds it for as long as it likes.
:class:`DeadlineAdapter` (a ``requests`` transport adapter, mounted by
:class:`~stakeplug.http.HttpClient` on its own session and on the session of
a wrapped client library) starts a timer with each request that shuts the
connection down when the deadline of :func:`request_deadline` passes, headers
and body included; the request then fails with :class:`DeadlinePassed`.

:func:`transport_error` turns a failure without a whole answer into a
stakeplug error, the same way for every adapter.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from stakeplug.errors import PayloadError, TrackerError, UnavailableError

__all__ = ["DeadlineAdapter", "DeadlinePassed", "NoRetry", "request_deadline", "transport_error"]

_DETAIL = 200


class NoRetry(Exception):
    """Raised inside a function run by :meth:`HttpClient.call` to stop retrying at once.

    It carries a transient error that must not be retried, typically a write
    the tracker may have carried out; ``call`` raises that error (with this
    exception's cause) instead.  It never escapes ``call``.
    """

    def __init__(self, error: TrackerError):
        super().__init__(str(error))
        self.error = error


class DeadlinePassed(requests.exceptions.Timeout):
    """The whole answer did not arrive within the deadline of one request."""

    def __init__(self, seconds: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(f"no whole answer within {seconds:g} s", *args, **kwargs)
        self.seconds = seconds


class _Attempt:
    """The request in flight on one thread: its deadline and the connection carrying it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.connection: HTTPConnection | None = None
        self.expired = False
        self.lock = threading.Lock()

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            connection = self.connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_local = threading.local()


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Requests sent on this thread inside the block must be answered whole within ``seconds``."""
    previous = getattr(_local, "seconds", None)
    _local.seconds = seconds
    try:
        yield
    finally:
        _local.seconds = previous


def _track(connection: HTTPConnection) -> None:
    attempt: _Attempt | None = getattr(_local, "attempt", None)
    if attempt is not None:
        with attempt.lock:
            attempt.connection = connection
            expired = attempt.expired
        if expired:
            attempt.expire()


class _Connection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _track(self)
        super().request(*args, **kwargs)


class _TlsConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _track(self)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


class DeadlineAdapter(HTTPAdapter):
    """A transport adapter without retries whose requests end at the deadline of :func:`request_deadline`.

    Outside such a block a request has no overall deadline, only the socket timeouts.
    """

    def __init__(self) -> None:
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        seconds: float | None = getattr(_local, "seconds", None)
        if seconds is None:
            return super().send(request, **kwargs)
        stream = kwargs.pop("stream", False)
        attempt = _Attempt(seconds)
        timer = threading.Timer(max(0.0, seconds), attempt.expire)
        timer.daemon = True
        _local.attempt = attempt
        timer.start()
        try:
            response = super().send(request, stream=True, **kwargs)
            if not stream:
                _ = response.content  # the body is read under the deadline too
            return response
        except requests.RequestException as exc:
            if attempt.expired:
                raise DeadlinePassed(seconds, request=request) from exc
            raise
        finally:
            timer.cancel()
            _local.attempt = None


def transport_error(
    exc: requests.RequestException,
    what: str,
    *,
    adapter: str,
    write: bool,
    read_timeout: float,
    redact: Callable[[str], str],
) -> Exception:
    """The error for a request that got no whole answer: the one mapping every adapter uses.

    A timeout, a passed deadline, a dropped connection and a body cut off before
    its end are :class:`UnavailableError` (retried); on a write (``write=True``)
    the tracker may have acted already, so they come wrapped in :class:`NoRetry`,
    except a refused connection or a connect timeout, which surely did nothing.
    A body that is not JSON is a :class:`PayloadError`.
    """
    if isinstance(exc, ValueError):
        return PayloadError(redact(f"{what}: the answer is not JSON"), adapter=adapter)
    detail = redact(" ".join(str(exc).split()))[:_DETAIL]
    if isinstance(exc, requests.ConnectTimeout):
        return UnavailableError(redact(f"{what}: connection timed out: {detail}"), adapter=adapter)
    error: UnavailableError
    if isinstance(exc, DeadlinePassed):
        error = UnavailableError(
            f"{what}: no whole answer within {exc.seconds:g} s, the deadline of one request", adapter=adapter
        )
    elif isinstance(exc, requests.Timeout):
        error = UnavailableError(f"{what}: no answer within {read_timeout:g} s", adapter=adapter)
    elif isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        error = UnavailableError(
            f"{what}: the answer was cut off before its end (connection closed early): {detail}",
            adapter=adapter,
        )
    elif isinstance(exc, requests.ConnectionError):
        if "refused" in str(exc).lower():
            return UnavailableError(f"{what}: connection refused: {detail}", adapter=adapter)
        error = UnavailableError(f"{what}: connection failed: {detail}", adapter=adapter)
    else:
        return TrackerError(f"{what}: {type(exc).__name__}: {detail}", adapter=adapter)
    return NoRetry(error) if write else error
