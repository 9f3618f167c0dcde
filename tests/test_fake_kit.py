"""The fake-tracker kit: routes, replies, faults, the request log and the built-in /_fake/ endpoints."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
import requests

from stakeplug.testing import FakeServer, Fault, Reply, ReplyNow, Request, Routes


class FakeTodo(FakeServer):
    """A tiny tracker: todos by number, created by POST, a token required."""

    server_version = "FakeTodo/1.0"

    def __init__(self) -> None:
        self.todos: dict[int, str] = {}
        self.resets = 0
        super().__init__()

    def add_routes(self, routes: Routes) -> None:
        routes.add("GET", "/todos/{number:int}", self.get_todo)
        routes.add("POST", "/todos", self.create_todo)
        routes.add("GET", "/files/{name:path}", lambda r: Reply(200, {"name": r.params["name"]}))

    def error(self, status: int, message: str | None = None) -> Reply:
        return Reply(status, {"error": message or f"stock {status}"})

    def authorize(self, request: Request) -> Reply | None:
        if request.headers.get("authorization") != "Bearer t":
            return self.error(401, "no token")
        return None

    def finish(self, request: Request, reply: Reply) -> Reply:
        return Reply(reply.status, reply.body, {"x-count": str(self.requests), **reply.headers}, reply.raw)

    def extra_stats(self) -> dict[str, object]:
        return {"todos": len(self.todos)}

    def on_reset(self) -> None:
        self.resets += 1

    def get_todo(self, request: Request) -> Reply:
        number = int(request.params["number"])
        if number not in self.todos:
            raise ReplyNow(self.error(404, f"no todo {number}"))
        return Reply(200, {"number": number, "title": self.todos[number], "q": request.arg("q")})

    def create_todo(self, request: Request) -> Reply:
        with self.lock:
            number = len(self.todos) + 1
            self.todos[number] = str(request.json()["title"])
        return Reply(201, {"number": number})


AUTH = {"authorization": "Bearer t"}


@pytest.fixture
def fake() -> Iterator[FakeTodo]:
    with FakeTodo() as server:
        yield server


def _session() -> requests.Session:
    session = requests.Session()
    session.headers.update(AUTH)
    return session


def test_routes_capture_segments_digits_and_the_rest_of_the_path() -> None:
    """A pattern captures one segment, digits only with :int, and the remaining path with :path."""
    routes = Routes()
    routes.add("GET", "/repos/{owner}/{repo}/pulls/{number:int}", lambda r: Reply())
    routes.add("GET", "/files/{name:path}", lambda r: Reply())
    found = routes.resolve("get", "/repos/o/r/pulls/12")
    assert found is not None and found[1] == {"owner": "o", "repo": "r", "number": "12"}
    assert routes.resolve("GET", "/repos/o/r/pulls/twelve") is None
    assert routes.resolve("POST", "/repos/o/r/pulls/12") is None
    assert routes.resolve("GET", "/repos/o/r/pulls/12/files") is None
    files = routes.resolve("GET", "/files/a/b.txt")
    assert files is not None and files[1] == {"name": "a/b.txt"}
    assert routes.patterns() == [
        ("GET", "/repos/{owner}/{repo}/pulls/{number:int}"),
        ("GET", "/files/{name:path}"),
    ]


def test_a_handler_answers_with_its_reply_and_a_reply_now_answers_from_deep_inside(fake: FakeTodo) -> None:
    """Handlers see parsed parameters, query and body; ReplyNow and unknown paths get the tool's error."""
    s = _session()
    made = s.post(fake.address + "/todos", json={"title": "write"}, timeout=5)
    assert (made.status_code, made.json()) == (201, {"number": 1})
    got = s.get(fake.address + "/todos/1?q=x", timeout=5)
    assert got.json() == {"number": 1, "title": "write", "q": "x"}
    assert got.headers["server"].startswith("FakeTodo/1.0")
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    missing = s.get(fake.address + "/todos/9", timeout=5)
    assert (missing.status_code, missing.json()) == (404, {"error": "no todo 9"})
    unknown = s.get(fake.address + "/nowhere", timeout=5)
    assert (unknown.status_code, unknown.json()) == (404, {"error": "stock 404"})
    assert s.get(fake.address + "/files/a/b", timeout=5).json() == {"name": "a/b"}


def test_authorize_refuses_before_the_route_runs(fake: FakeTodo) -> None:
    """A request without the token is refused and its handler never runs."""
    refused = requests.post(fake.address + "/todos", json={"title": "x"}, timeout=5)
    assert (refused.status_code, refused.json()) == (401, {"error": "no token"})
    assert fake.todos == {}


def test_the_request_log_counts_by_method_and_path_and_keeps_the_query(fake: FakeTodo) -> None:
    """Every counted request is logged in order with its query; counts leave the query out."""
    s = _session()
    s.get(fake.address + "/todos/1?q=1", timeout=5)
    s.get(fake.address + "/todos/1?q=2", timeout=5)
    assert fake.request_log == [("GET", "/todos/1?q=1"), ("GET", "/todos/1?q=2")]
    assert fake.by_path == {"GET /todos/1": 2}
    assert fake.requests == 2


def test_fake_stats_and_reset_are_built_in_and_not_counted(fake: FakeTodo) -> None:
    """GET /_fake/stats shows counts and the tracker's own stats; POST /_fake/reset clears log and faults."""
    s = _session()
    s.post(fake.address + "/todos", json={"title": "a"}, timeout=5)
    fake.fail(503, times=5)
    stats = requests.get(fake.address + "/_fake/stats", timeout=5).json()
    assert stats == {"requests": 1, "by_path": {"POST /todos": 1}, "todos": 1}
    after = requests.post(fake.address + "/_fake/reset", timeout=5).json()
    assert after == {"requests": 0, "by_path": {}, "todos": 1}
    assert fake.resets == 1
    assert fake.faults.pending() == 0
    assert s.get(fake.address + "/todos/1", timeout=5).status_code == 200
    assert requests.get(fake.address + "/_fake/nothing", timeout=5).status_code == 404


def test_a_status_fault_answers_with_the_tools_error_body_and_counts_down(fake: FakeTodo) -> None:
    """A status fault serves the stock error (or the given body and headers) to the next matching requests."""
    s = _session()
    fake.todos[1] = "a"
    fake.fail(503, path="/todos", times=2, headers={"retry-after": "3"})
    first = s.get(fake.address + "/todos/1", timeout=5)
    assert (first.status_code, first.json(), first.headers["retry-after"]) == (
        503,
        {"error": "stock 503"},
        "3",
    )
    assert first.headers["x-count"] == "1"
    assert s.get(fake.address + "/todos/1", timeout=5).status_code == 503
    assert s.get(fake.address + "/todos/1", timeout=5).status_code == 200
    fake.fail(200, path="/todos/1", body=["not", "a", "todo"])
    assert s.get(fake.address + "/todos/1", timeout=5).json() == ["not", "a", "todo"]


def test_an_echo_fault_repeats_the_credentials_in_the_tools_error_body(fake: FakeTodo) -> None:
    """With echo the stock error's message carries the Authorization header raw and URL-encoded,
    a basic credential decoded, and the query string."""
    basic = "Basic " + base64.b64encode(b"bot@x.example:s3cret/pw").decode()
    fake.fail(401, path="/todos", echo=True)
    fake.fail(401, path="/todos", echo=True)
    first = requests.get(fake.address + "/todos/1?key=k3y", headers={"authorization": basic}, timeout=5)
    message = first.json()["error"]
    assert first.status_code == 401
    assert basic in message
    assert quote_plus(basic) in message
    assert quote(basic) in message
    assert "user bot@x.example:s3cret/pw" in message
    assert "query key=k3y" in message
    second = _session().get(fake.address + "/todos/1", timeout=5).json()["error"]
    assert second.startswith("refused Bearer t (links: /login?as=Bearer+t, /login/Bearer%20t)")


def test_a_fault_scoped_to_a_method_leaves_other_methods_alone(fake: FakeTodo) -> None:
    """A fault for POST does not touch GET requests on the same path."""
    s = _session()
    fake.todos[1] = "a"
    fake.fail(500, method="POST", path="/todos")
    assert s.get(fake.address + "/todos/1", timeout=5).status_code == 200
    assert s.post(fake.address + "/todos", json={"title": "b"}, timeout=5).status_code == 500
    assert list(fake.todos) == [1]


def test_a_dropped_connection_answers_nothing_and_the_next_request_is_served(fake: FakeTodo) -> None:
    """A drop fault resets the connection without a byte; the request is still counted."""
    fake.todos[1] = "a"
    fake.drop_connections(path="/todos/1")
    with pytest.raises(requests.ConnectionError):
        _session().get(fake.address + "/todos/1", timeout=5)
    assert _session().get(fake.address + "/todos/1", timeout=5).status_code == 200
    assert fake.requests == 2


def test_a_fault_after_handling_changes_state_and_then_fails(fake: FakeTodo) -> None:
    """An ambiguous failure: the create happens, the client sees a 503 or a dropped connection."""
    s = _session()
    fake.fail(503, method="POST", path="/todos", after=True)
    assert s.post(fake.address + "/todos", json={"title": "a"}, timeout=5).status_code == 503
    fake.drop_connections(method="POST", path="/todos", after=True)
    with pytest.raises(requests.ConnectionError):
        _session().post(fake.address + "/todos", json={"title": "b"}, timeout=5)
    assert fake.todos == {1: "a", 2: "b"}


def test_a_delay_fault_holds_the_answer_past_a_clients_read_timeout(fake: FakeTodo) -> None:
    """A delay fault answers normally, but later than a short read timeout allows."""
    fake.todos[1] = "a"
    fake.delay(1.0, path="/todos/1")
    with pytest.raises(requests.ReadTimeout):
        _session().get(fake.address + "/todos/1", timeout=(5, 0.2))
    assert _session().get(fake.address + "/todos/1", timeout=5).status_code == 200


def test_a_fault_cannot_both_answer_and_drop() -> None:
    """A fault with a status and drop=True, or after=True with neither, is refused when built."""
    with pytest.raises(ValueError, match="not both"):
        Fault(status=503, drop=True)
    with pytest.raises(ValueError, match="after handling"):
        Fault(after=True, delay=1.0)


def test_answers_go_out_with_nagle_turned_off(fake: FakeTodo) -> None:
    """The handler of every kit server sets TCP_NODELAY on the connections it serves."""
    assert fake.make_handler().disable_nagle_algorithm is True
