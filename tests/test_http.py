"""The shared HTTP policy, exercised against a real loopback HTTP server.

The server plays a script of answers per path; the policy gets a fake sleep
that records each wait and a fixed clock, so nothing here really waits.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from stakeplug.errors import (
    AuthenticationError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    RateLimitedError,
    TrackerError,
    TransientError,
    UnavailableError,
)
from stakeplug.http import (
    HttpClient,
    HttpPolicy,
    RedactingFilter,
    RequestCounter,
    parse_retry_after,
    redact,
    register_secret,
)

NOW = 1_800_000_000.0
TOKEN = "ghp_s3cr3tT0kenValue1234"  # noqa: S105 - a fake credential the tests hunt for

RESET = "reset"
"""A scripted answer that closes the connection without a response."""


class Script:
    """Answers per path, played in order; the last one repeats."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Any]] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def set(self, path: str, *answers: Any) -> None:
        self.answers[path] = list(answers)

    def next(self, path: str) -> Any:
        with self.lock:
            queue = self.answers.get(path, [(404, {}, {"message": "no such path"})])
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            script.seen.append((self.command, self.path, dict(self.headers)))
            answer = script.next(path)
            if answer == RESET:
                self.close_connection = True
                return
            if isinstance(answer, tuple) and answer and answer[0] == "delay":
                time.sleep(answer[1])
                answer = answer[2]
            status, headers, body = answer
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(base: str, sleeps: Sleeps, **policy: Any) -> HttpClient:
    settings: dict[str, Any] = {"jitter": 0.0, "sleep": sleeps, "clock": lambda: NOW}
    settings.update(policy)
    return HttpClient(
        "tool",
        base,
        headers={"Authorization": f"Bearer {TOKEN}"},
        policy=HttpPolicy(**settings),
    )


OK: tuple[int, dict[str, str], Any] = (200, {}, {"ok": True})


def test_429_with_retry_after_seconds_waits_that_long(server: tuple[str, Script]) -> None:
    """A 429 with ``Retry-After: 7`` is retried once after exactly seven seconds."""
    base, script = server
    script.set("/things", (429, {"Retry-After": "7"}, {}), OK)
    sleeps = Sleeps()
    client = _client(base, sleeps)
    assert client.get_json("/things") == {"ok": True}
    assert sleeps == [7.0]
    assert client.counter.total == 2
    assert client.counter.by_path["/things"] == 2


def test_429_with_retry_after_http_date_waits_until_then(server: tuple[str, Script]) -> None:
    """A ``Retry-After`` HTTP date is turned into seconds with the injected clock."""
    base, script = server
    when = email.utils.formatdate(NOW + 30, usegmt=True)
    script.set("/things", (429, {"Retry-After": when}, {}), OK)
    sleeps = Sleeps()
    _client(base, sleeps).get_json("/things")
    assert sleeps == [30.0]


def test_503_then_200_backs_off_exponentially(server: tuple[str, Script]) -> None:
    """Unavailable answers are retried after 1, 2, 4 seconds when there is no jitter."""
    base, script = server
    script.set("/x", (503, {}, {}), (502, {}, {}), (500, {}, {}), OK)
    sleeps = Sleeps()
    client = _client(base, sleeps)
    assert client.request("GET", "x").status_code == 200
    assert sleeps == [1.0, 2.0, 4.0]
    assert client.counter.total == 4


def test_jitter_moves_each_wait_within_its_fraction(server: tuple[str, Script]) -> None:
    """With jitter 0.25 the waits stay within a quarter of the exponential delays."""
    base, script = server
    script.set("/x", (503, {}, {}), (503, {}, {}), OK)
    sleeps = Sleeps()
    _client(base, sleeps, jitter=0.25).request("GET", "/x")
    assert 0.75 <= sleeps[0] <= 1.25
    assert 1.5 <= sleeps[1] <= 2.5


def test_backoff_is_capped(server: tuple[str, Script]) -> None:
    """No backoff wait exceeds ``backoff_max``."""
    base, script = server
    script.set("/x", (503, {}, {}), (503, {}, {}), (503, {}, {}), OK)
    sleeps = Sleeps()
    _client(base, sleeps, backoff_base=10, backoff_max=15).request("GET", "/x")
    assert sleeps == [10.0, 15.0, 15.0]


def test_connection_reset_is_retried(server: tuple[str, Script]) -> None:
    """A connection closed without an answer is a transient failure and is retried."""
    base, script = server
    script.set("/x", RESET, OK)
    sleeps = Sleeps()
    client = _client(base, sleeps)
    assert client.get_json("/x") == {"ok": True}
    assert client.counter.total == 2
    assert len(sleeps) == 1


def test_read_timeout_is_unavailable(server: tuple[str, Script]) -> None:
    """A tracker that does not answer within the read timeout raises UnavailableError."""
    base, script = server
    script.set("/slow", ("delay", 0.3, OK))
    sleeps = Sleeps()
    client = _client(base, sleeps, read_timeout=0.05, max_attempts=2)
    with pytest.raises(UnavailableError) as info:
        client.get_json("/slow")
    assert info.value.status is None
    assert "gave up after 2 attempts" in str(info.value)
    assert client.counter.total == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, TrackerError),
    ],
)
def test_client_errors_are_mapped_and_not_retried(
    server: tuple[str, Script], status: int, error: type[TrackerError]
) -> None:
    """401, 403, 404 and other 4xx answers raise their own class at once, without retrying."""
    base, script = server
    script.set("/x", (status, {}, {"message": "nope"}))
    sleeps = Sleeps()
    client = _client(base, sleeps)
    with pytest.raises(error) as info:
        client.get_json("/x")
    assert type(info.value) is error
    assert info.value.status == status
    assert info.value.adapter == "tool"
    assert "nope" in str(info.value)
    assert client.counter.total == 1
    assert sleeps == []


def test_budget_exhaustion_gives_up_with_clear_message(server: tuple[str, Script]) -> None:
    """When the next wait would exceed the budget, the last error is raised with a summary."""
    base, script = server
    script.set("/x", (503, {}, {"message": "down"}))
    sleeps = Sleeps()
    client = _client(base, sleeps, budget_seconds=5.0, max_attempts=10)
    with pytest.raises(UnavailableError) as info:
        client.get_json("/x")
    assert sleeps == [1.0, 2.0]
    assert client.counter.total == 3
    message = str(info.value)
    assert message.startswith("gave up after 3 attempts over 3.0 s: GET http://127.0.0.1:")
    assert "HTTP 503" in message
    assert info.value.status == 503


def test_max_attempts_counts_the_first_try(server: tuple[str, Script]) -> None:
    """``max_attempts=3`` means three requests and two waits."""
    base, script = server
    script.set("/x", (500, {}, {}))
    sleeps = Sleeps()
    client = _client(base, sleeps, max_attempts=3)
    with pytest.raises(UnavailableError, match=r"^gave up after 3 attempts over 3\.0 s"):
        client.get_json("/x")
    assert client.counter.total == 3


def test_retry_after_beyond_budget_gives_up_at_once(server: tuple[str, Script]) -> None:
    """A tracker asking for an hour's pause is not waited for; the error says when to retry."""
    base, script = server
    script.set("/x", (429, {"Retry-After": "3600"}, {}))
    sleeps = Sleeps()
    client = _client(base, sleeps, budget_seconds=300)
    with pytest.raises(RateLimitedError) as info:
        client.get_json("/x")
    assert sleeps == []
    assert client.counter.total == 1
    assert info.value.retry_after == 3600
    assert "gave up after 1 attempt over 0.0 s" in str(info.value)
    assert "retry after 2027-01-15T09:00:00Z" in str(info.value)


def test_exhausted_rate_limit_header_is_rate_limited(server: tuple[str, Script]) -> None:
    """A 403 with ``x-ratelimit-remaining: 0`` waits until ``x-ratelimit-reset``."""
    base, script = server
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW + 12))}
    script.set("/x", (403, headers, {"message": "API rate limit exceeded"}), OK)
    sleeps = Sleeps()
    _client(base, sleeps).get_json("/x")
    assert sleeps == [12.0]


def test_classify_can_turn_a_response_into_a_retryable_error(server: tuple[str, Script]) -> None:
    """An adapter's ``classify`` hook decides first; ``None`` leaves the default mapping."""
    base, script = server
    script.set("/x", (403, {}, {"message": "secondary rate limit"}), OK)
    script.set("/y", (404, {}, {}))

    def classify(response: requests.Response) -> TrackerError | None:
        if response.status_code == 403 and "secondary" in response.text:
            return RateLimitedError("slow down", adapter="tool", status=403, retry_after=60)
        return None

    sleeps = Sleeps()
    client = HttpClient("tool", base, policy=HttpPolicy(sleep=sleeps, jitter=0), classify=classify)
    assert client.get_json("/x") == {"ok": True}
    assert sleeps == [60.0]
    with pytest.raises(NotFoundError):
        client.get_json("/y")


def test_writes_are_retried_only_when_nothing_was_done(server: tuple[str, Script]) -> None:
    """A POST is retried after a 429, but a 500 may have created the task: no retry."""
    base, script = server
    script.set("/tasks", (429, {"Retry-After": "1"}, {}), (201, {}, {"id": 1}))
    script.set("/broken", (500, {}, {}), (201, {}, {"id": 2}))
    sleeps = Sleeps()
    client = _client(base, sleeps)
    assert client.request("POST", "/tasks", json={"title": "t"}).json() == {"id": 1}
    with pytest.raises(UnavailableError) as info:
        client.request("POST", "/broken", json={"title": "t"})
    assert "gave up" not in str(info.value)
    assert client.counter.by_path["/broken"] == 1
    assert client.counter.by_method["POST"] == 3


def test_a_write_that_timed_out_is_not_retried_and_keeps_its_cause(server: tuple[str, Script]) -> None:
    """No answer to a POST: the tracker may have created the task, so it is sent once, and the
    error still says what the HTTP library saw."""
    base, script = server
    script.set("/slow", ("delay", 0.3, OK))
    client = _client(base, Sleeps(), read_timeout=0.05, max_attempts=3)
    with pytest.raises(UnavailableError) as info:
        client.request("POST", "/slow", json={"title": "t"})
    assert "no answer within" in str(info.value)
    assert client.counter.by_path["/slow"] == 1
    assert info.value.__cause__ is not None
    assert "Timeout" in type(info.value.__cause__).__name__


def test_paginate_follows_next_links_and_counts_pages(server: tuple[str, Script]) -> None:
    """Pages are fetched until no ``rel="next"`` link remains; the count ignores query strings."""
    base, script = server
    script.set(
        "/items",
        (200, {"Link": f'<{base}/items?page=2>; rel="next"'}, [1, 2]),
        (200, {"Link": '</items?page=3>; rel="next", </items?page=1>; rel="first"'}, [3]),
        (200, {}, [4]),
    )
    client = _client(base, Sleeps())
    pages = [r.json() for r in client.paginate("/items", params={"per_page": 2})]
    assert pages == [[1, 2], [3], [4]]
    assert client.counter.total == 3
    assert dict(client.counter.by_path) == {"/items": 3}
    assert [path for _, path, _ in script.seen] == [
        "/items?per_page=2",
        "/items?page=2",
        "/items?page=3",
    ]


def test_paginate_never_follows_a_link_to_another_host(server: tuple[str, Script]) -> None:
    """A next link that leaves the API's host is refused: the credentials would go with it."""
    base, script = server
    script.set("/items", (200, {"Link": '<https://elsewhere.example.org/items?page=2>; rel="next"'}, [1]))
    client = _client(base, Sleeps())
    pages = client.paginate("/items")
    assert next(pages).json() == [1]
    with pytest.raises(PayloadError, match=r"another host \(elsewhere\.example\.org\)"):
        next(pages)
    assert client.counter.total == 1


def test_non_json_answer_is_a_payload_error(server: tuple[str, Script]) -> None:
    """``get_json`` on a body that is not JSON raises PayloadError."""
    base, script = server
    script.set("/x", (200, {}, b"<html>maintenance</html>"))
    with pytest.raises(PayloadError):
        _client(base, Sleeps()).get_json("/x")


def test_call_runs_any_callable_under_the_policy() -> None:
    """``call`` retries a client library's transient failures and passes other errors through."""
    sleeps = Sleeps()
    client = HttpClient("lib", "http://127.0.0.1:9", policy=HttpPolicy(sleep=sleeps, jitter=0))
    failures = [UnavailableError("503", adapter="lib", status=503)] * 2

    def flaky() -> str:
        if failures:
            raise failures.pop()
        return "done"

    assert client.call(flaky, what="search") == "done"
    assert sleeps == [1.0, 2.0]

    def refused() -> str:
        raise AuthenticationError("bad token", adapter="lib", status=401)

    with pytest.raises(AuthenticationError):
        client.call(refused, what="search")
    assert sleeps == [1.0, 2.0]


def test_the_token_never_appears_in_errors_reprs_or_logs(
    server: tuple[str, Script], caplog: pytest.LogCaptureFixture
) -> None:
    """A tracker echoing the credential back is redacted in the exception, repr and log lines."""
    base, script = server
    echo = {"message": f"bad credentials Bearer {TOKEN}", "url": f"{base}/x?access_token={TOKEN}"}
    script.set("/x", (503, {}, echo), (401, {}, echo))
    caplog.set_level(logging.DEBUG, logger="stakeplug")
    client = _client(base, Sleeps())
    with pytest.raises(AuthenticationError) as info:
        client.get_json("/x")
    assert TOKEN not in str(info.value)
    assert "***" in str(info.value)
    assert TOKEN not in repr(client)
    assert caplog.records, "the retry was logged"
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    assert script.seen[0][2]["Authorization"] == f"Bearer {TOKEN}"


def test_redact_hides_every_kind_of_credential() -> None:
    """Headers, query tokens, JSON tokens, URL passwords and given secrets are all hidden."""
    text = (
        "{'Authorization': 'Basic dXNlcjpwYXNz'} "
        "GET https://api.example.com/1/boards?key=abcdef123&token=tok987654 "
        '{"access_token": "at-123456"} '
        "https://bob:hunter22@jira.example.com/rest "
        "password=pw-998877 and the plain value my-registered-secret "
        "and quoted my%2Fslash%2Fsecret"
    )
    out = redact(text, secrets=["my-registered-secret", "my/slash/secret"])
    for secret in (
        "dXNlcjpwYXNz",
        "abcdef123",
        "tok987654",
        "at-123456",
        "hunter22",
        "pw-998877",
        "my-registered-secret",
        "my%2Fslash%2Fsecret",
    ):
        assert secret not in out, secret
    assert "https://api.example.com/1/boards" in out
    assert "Authorization: ***" in redact("Authorization: Bearer xyz.abc")


def test_registered_secret_is_hidden_in_log_records(caplog: pytest.LogCaptureFixture) -> None:
    """A secret registered once is redacted from any stakeplug log line, also as an argument."""
    register_secret("s3cret-registered-in-test")
    caplog.set_level(logging.INFO, logger="stakeplug")
    logging.getLogger("stakeplug").info("using %s", "s3cret-registered-in-test")
    assert caplog.records[-1].getMessage() == "using ***"


def test_redacting_filter_can_be_put_on_any_handler() -> None:
    """The filter rewrites the message and keeps the record."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("abc12345",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "token=***"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("12", 12.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After is read as seconds or as an HTTP date; nonsense gives None."""
    assert parse_retry_after(value, now=NOW) == expected


def test_request_counter_is_thread_safe() -> None:
    """Parallel records are all counted."""
    counter = RequestCounter()

    def work() -> None:
        for i in range(500):
            counter.record("GET", f"https://h/p{i % 2}?q={i}")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.total == 2000
    assert counter.by_path == {"/p0": 1000, "/p1": 1000}


def test_policy_validates_its_values() -> None:
    """Nonsense limits are refused when the policy is built."""
    with pytest.raises(ValueError):
        HttpPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        HttpPolicy(budget_seconds=-1)


def test_transient_errors_are_connection_errors() -> None:
    """Callers can catch a transient failure as the builtin ConnectionError."""
    assert issubclass(UnavailableError, ConnectionError)
    assert issubclass(RateLimitedError, TransientError)


def test_a_token_in_the_query_string_never_reaches_a_traceback() -> None:
    """A refused connection to a URL carrying key and token prints neither, causes included."""
    import socket
    import traceback

    key = "-".join(("trello", "key", "abcdef"))  # spelt apart: the traceback shows source lines
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HttpClient(
        "trello",
        f"http://127.0.0.1:{port}",
        policy=HttpPolicy(max_attempts=2, sleep=Sleeps(), jitter=0),
        secrets=[key, TOKEN],
    )
    with pytest.raises(UnavailableError) as info:
        client.get_json("/1/boards/b1/actions", params={"key": key, "token": TOKEN})
    printed = "".join(traceback.format_exception(info.value))
    assert "Connection" in printed or "connection" in printed
    assert TOKEN not in printed
    assert key not in printed
    assert client.counter.total == 2
