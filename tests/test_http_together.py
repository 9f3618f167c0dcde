"""HttpClient.together: independent requests of one client sent at the same time, errors in order."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from stakeplug.errors import NotFoundError, UnavailableError
from stakeplug.http import HttpClient, HttpPolicy


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gate: threading.Barrier | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if _Handler.gate is not None:
            _Handler.gate.wait()  # every request of the round is held until all have arrived
        status = {"/missing": 404, "/down": 503}.get(path, 200)
        data = json.dumps({"path": path}).encode()
        self.send_response(status)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def base() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        _Handler.gate = None
        httpd.shutdown()
        httpd.server_close()


def _client(base: str) -> HttpClient:
    return HttpClient("tool", base, policy=HttpPolicy(jitter=0.0, max_attempts=2, sleep=lambda s: None))


def test_the_calls_are_in_flight_at_the_same_time(base: str) -> None:
    """The server answers none of three requests before all three have arrived: run one after
    another they would break the barrier (after its timeout); together each gets its answer."""
    _Handler.gate = threading.Barrier(3, timeout=10)
    with _client(base) as client:
        got = client.together(*(lambda p=p: client.get_json(p) for p in ("/a", "/b", "/c")))
        assert got == [{"path": "/a"}, {"path": "/b"}, {"path": "/c"}]
        assert client.counter.total == 3
        assert dict(client.counter.by_path) == {"/a": 1, "/b": 1, "/c": 1}


def test_the_error_raised_is_that_of_the_first_call_that_failed_in_the_order_given(base: str) -> None:
    """Every call runs to its end (the 503 is retried), then the first failure in order is raised."""
    with _client(base) as client:
        with pytest.raises(NotFoundError, match="/missing"):
            client.together(
                lambda: client.get_json("/a"),
                lambda: client.get_json("/missing"),
                lambda: client.get_json("/down"),
            )
        assert dict(client.counter.by_path) == {"/a": 1, "/missing": 1, "/down": 2}
        with pytest.raises(UnavailableError, match="gave up after 2 attempts"):
            client.together(lambda: client.get_json("/down"), lambda: client.get_json("/missing"))


def test_one_call_or_none_runs_on_this_thread(base: str) -> None:
    """Nothing to overlap: no thread is started."""
    with _client(base) as client:
        assert client.together() == []
        assert client.together(threading.current_thread) == [threading.current_thread()]
