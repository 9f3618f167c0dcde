"""A loopback HTTP server that answers like GitHub's REST API, from in-memory repositories.

It serves the endpoints the adapter reads and writes, with GitHub's paging
(``per_page`` capped at 100, ``link`` headers with ``next``/``last``/``prev``/
``first``), ``since`` filtering where GitHub offers it (issues, issue comments,
review comments; the repository events listing has none and is newest first,
as on GitHub), and ``x-ratelimit-*`` headers that count down per request.

Faults are injected on the instance: a primary limit that is exhausted until
its reset, secondary limits with or without ``retry-after``, 5xx answers,
dropped connections and per-request latency.  ``GET /_fake/stats`` (not
counted, not rate limited) returns the requests by path and the issues created
through the API.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import attrs

from stakeplug.testing import FaultQueue, LoopbackServer
from stakeplug_github.testing._state import FakeRepo, iso

__all__ = ["FakeGitHub"]

_DOCS = "https://docs.github.com/rest"
PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID 0000:0000."
)
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID 0000:0000."
)


@attrs.define
class _Fault:
    status: int
    times: int
    path: str | None
    headers: dict[str, str]
    body: Any
    drop: bool = False
    method: str | None = None


class _Reply(Exception):
    """Raised inside a route to answer at once with a status and a JSON body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _since(query: dict[str, str]) -> datetime | None:
    raw = query.get("since")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise _Reply(422, {"message": f"Invalid value for since: {raw!r}"}) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """Concurrent clients (a pool of review fetchers, a benchmark) must not meet a full backlog."""


class FakeGitHub(LoopbackServer):
    """An in-process fake of GitHub's REST API on ``127.0.0.1``.

    ``tokens`` are the accepted tokens (``Authorization: Bearer <token>`` or
    ``token <token>``); a request without a token may read public repositories
    only.  ``api_prefix`` (``/api/v3``) makes it look like GitHub Enterprise
    Server.  ``clock`` drives the rate-limit window so tests can move time
    without sleeping.  Use it as a context manager or call :meth:`start` and
    :meth:`stop`.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("test-token",),
        login: str = "stakeplug-bot",
        api_prefix: str = "",
        rate_limit: int = 5000,
        rate_window: float = 3600.0,
        clock: Callable[[], float] = time.time,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.tokens = frozenset(tokens)
        self.login = login
        self.api_prefix = api_prefix.rstrip("/")
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.clock = clock
        self.latency = latency
        super().__init__(host, port)
        self._lock = threading.RLock()
        self._repos: dict[str, FakeRepo] = {}
        self._faults: FaultQueue[_Fault] = FaultQueue()
        self._remaining = rate_limit
        self._reset = int(clock() + rate_window)
        self.request_log: list[tuple[str, str]] = []
        """Every counted request as ``(method, path with query)``."""
        self.by_path: Counter[str] = Counter()
        """Counted requests by ``"METHOD /path"`` (query left out)."""
        self.created_issues: list[dict[str, Any]] = []
        """Issues created through the API: repo, number, title, labels, assignees, body."""

    # -- lifecycle (start, stop, serve_forever: LoopbackServer) ----------------

    server_class = _Server
    thread_name = "fake-github"

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"owner": self})

    def started(self) -> None:
        for repo in self._repos.values():
            self._place(repo)

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>``: where the web pages (``html_url``) live."""
        return self.address

    @property
    def url(self) -> str:
        """The API base URL to give the adapter as ``base_url``."""
        return self.root + self.api_prefix

    # -- state ---------------------------------------------------------------

    def _place(self, repo: FakeRepo) -> None:
        if self._server is not None:
            repo.api = self.url
            repo.web = self.root if self.api_prefix else "https://github.com"

    def add_repo(
        self, full_name: str, *, private: bool = True, collaborators: Iterable[str] = ()
    ) -> FakeRepo:
        """Create an empty repository ``owner/name`` and return it for seeding."""
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
        repo = FakeRepo(owner, name, private=private, collaborators=set(collaborators))
        with self._lock:
            self._repos[full_name.lower()] = repo
        self._place(repo)
        return repo

    def repo(self, full_name: str) -> FakeRepo:
        """The repository ``owner/name``."""
        return self._repos[full_name.lower()]

    def generate(self, full_name: str, **options: Any) -> FakeRepo:
        """Add a generated repository; see :func:`stakeplug_github.testing.generate_repo`."""
        from stakeplug_github.testing._generate import generate_repo

        repo = self.add_repo(
            full_name,
            private=options.pop("private", True),
            collaborators=options.pop("collaborators", ()),
        )
        generate_repo(repo, **options)
        return repo

    # -- faults --------------------------------------------------------------

    def fail(
        self,
        status: int = 502,
        *,
        times: int = 1,
        path: str | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (whose path contains ``path``) with ``status``.

        ``method`` limits the fault to ``GET``, ``POST``...

        ``body`` is the JSON to send (GitHub's ``{"message": ...}`` shape by
        default); a 200 with a hand-made body serves malformed payloads.
        """
        self._faults.add(_Fault(status, times, path, dict(headers or {}), body, method=method))

    def drop_connections(self, *, times: int = 1, path: str | None = None) -> None:
        """Close the connection without answering on the next ``times`` requests."""
        self._faults.add(_Fault(0, times, path, {}, None, drop=True))

    def secondary_limit(
        self,
        *,
        times: int = 1,
        retry_after: int | None = None,
        status: int = 403,
        path: str | None = None,
    ) -> None:
        """Hit a secondary rate limit on the next ``times`` requests, with or without ``retry-after``."""
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        body = {
            "message": SECONDARY_MESSAGE,
            "documentation_url": f"{_DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        }
        self.fail(status, times=times, path=path, headers=headers, body=body)

    def set_rate_limit(self, remaining: int, *, reset_in: float | None = None) -> None:
        """Set the primary limit's remaining requests and, optionally, seconds until its reset."""
        with self._lock:
            self._remaining = remaining
            if reset_in is not None:
                self._reset = int(self.clock() + reset_in)

    def exhaust_rate_limit(self, *, reset_in: float = 60.0) -> None:
        """Use up the primary limit; it comes back ``reset_in`` seconds from now on the fake clock."""
        self.set_rate_limit(0, reset_in=reset_in)

    @property
    def rate_remaining(self) -> int:
        """Requests left in the current primary window."""
        return self._remaining

    # -- statistics ----------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Requests by path and issues created, as ``GET /_fake/stats`` returns them."""
        with self._lock:
            return {
                "requests": sum(self.by_path.values()),
                "by_path": dict(self.by_path),
                "created_issues": list(self.created_issues),
                "rate_limit": {
                    "limit": self.rate_limit,
                    "remaining": self._remaining,
                    "reset": self._reset,
                },
            }

    @property
    def requests(self) -> int:
        """How many counted requests arrived."""
        return sum(self.by_path.values())

    def reset_stats(self) -> None:
        """Forget the request log (created issues stay)."""
        with self._lock:
            self.request_log.clear()
            self.by_path.clear()

    # -- request handling (called from the server threads) ---------------------

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(max(self._remaining, 0)),
            "x-ratelimit-reset": str(self._reset),
            "x-ratelimit-used": str(self.rate_limit - max(self._remaining, 0)),
            "x-ratelimit-resource": "core",
        }

    def _spend(self) -> bool:
        """Count one request against the primary limit; False when it is exhausted."""
        with self._lock:
            now = self.clock()
            if now >= self._reset:
                self._remaining = self.rate_limit
                self._reset = int(now + self.rate_window)
            if self._remaining <= 0:
                return False
            self._remaining -= 1
            return True

    def _token(self, header: str | None) -> str | None:
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not value:
            raise _Reply(401, {"message": "Bad credentials", "documentation_url": _DOCS})
        if value.strip() not in self.tokens:
            raise _Reply(401, {"message": "Bad credentials", "documentation_url": _DOCS})
        return value.strip()

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], Any] | None:
        """Answer one request: ``(status, headers, json body)``, or ``None`` to drop the connection."""
        split = urlsplit(target)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        if path.startswith("/_fake/"):
            if path == "/_fake/stats":
                return 200, {}, self.stats()
            return 404, {}, {"message": "Not Found"}
        if self.api_prefix:
            if not path.startswith(self.api_prefix + "/"):
                return 404, {}, {"message": "Not Found"}
            path = path[len(self.api_prefix) :]
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.request_log.append((method, path + (f"?{split.query}" if split.query else "")))
            self.by_path[f"{method} {path}"] += 1
        fault = self._faults.take(method, path)
        if fault is not None and fault.drop:
            return None
        if fault is not None:
            extra = {**self._rate_headers(), **fault.headers}
            return fault.status, extra, {"message": "Server Error"} if fault.body is None else fault.body
        try:
            token = self._token(headers.get("authorization"))
            if not self._spend():
                return (
                    403,
                    self._rate_headers(),
                    {
                        "message": PRIMARY_MESSAGE,
                        "documentation_url": f"{_DOCS}/overview/rate-limits-for-the-rest-api"
                        "#about-primary-rate-limits",
                    },
                )
            status, extra, payload = self._route(method, path, query, token, body)
        except _Reply as reply:
            status, extra, payload = reply.status, reply.headers, reply.body
        return status, {**self._rate_headers(), **extra}, payload

    # -- routes --------------------------------------------------------------

    _REPO = re.compile(r"^/repos/([^/]+)/([^/]+)(/.*)?$")

    def _route(
        self, method: str, path: str, query: dict[str, str], token: str | None, body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        if path == "/rate_limit":
            core = {"limit": self.rate_limit, "remaining": self._remaining, "reset": self._reset}
            return 200, {}, {"resources": {"core": core}, "rate": core}
        m = self._REPO.match(path)
        if m is None:
            raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})
        repo = self._repos.get(f"{m.group(1)}/{m.group(2)}".lower())
        if repo is None or (repo.private and token is None):
            raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})
        rest = m.group(3) or ""
        with self._lock:
            if method == "POST" and rest == "/issues":
                return self._create_issue(repo, token, body)
            if method != "GET":
                raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})
            return self._get(repo, rest, path, query)

    def _get(
        self, repo: FakeRepo, rest: str, path: str, query: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        since = _since(query)
        if rest == "":
            return 200, {}, repo.repo_payload()
        if rest == "/issues":
            issues = list(repo.issues.values())
            state = query.get("state", "open")
            if state != "all":
                issues = [i for i in issues if i.state == state]
            if query.get("labels"):
                wanted = {x.strip() for x in query["labels"].split(",") if x.strip()}
                issues = [i for i in issues if wanted <= set(i.labels)]
            if since is not None:
                issues = [i for i in issues if i.updated_at >= since]
            key = query.get("sort", "created")
            if key == "updated":
                issues.sort(key=lambda i: (i.updated_at, i.number))
            elif key == "comments":
                issues.sort(key=lambda i: (i.comments, i.number))
            else:
                issues.sort(key=lambda i: (i.created_at, i.number))
            if query.get("direction", "desc") == "desc":
                issues.reverse()
            return self._page(path, query, issues, repo.issue_payload)
        if rest == "/issues/comments":
            comments = [c for c in repo.comments if since is None or c.updated_at >= since]
            return self._page(path, query, self._sorted(comments, query), repo.comment_payload)
        if rest == "/pulls/comments":
            rcs = [c for c in repo.review_comments if since is None or c.updated_at >= since]
            return self._page(path, query, self._sorted(rcs, query), repo.review_comment_payload)
        if rest == "/issues/events":
            events = sorted(repo.events, key=lambda e: (e.created_at, e.id), reverse=True)
            return self._page(path, query, events, repo.event_payload)
        m = re.fullmatch(r"/(issues|pulls)/(\d+)(/[a-z]+)?", rest)
        if m is None:
            raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})
        number = int(m.group(2))
        issue = repo.issues.get(number)
        if issue is None or (m.group(1) == "pulls" and not issue.is_pr):
            raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})
        sub = m.group(3)
        if sub is None:
            return 200, {}, repo.issue_payload(issue)
        if m.group(1) == "issues" and sub == "/comments":
            items = [c for c in repo.comments if c.issue_number == number]
            items = [c for c in items if since is None or c.updated_at >= since]
            return self._page(path, query, items, repo.comment_payload)
        if m.group(1) == "issues" and sub == "/events":
            evs = [e for e in repo.events if e.issue_number == number]
            return self._page(path, query, evs, repo.event_payload)
        if m.group(1) == "pulls" and sub == "/comments":
            rcs = [c for c in repo.review_comments if c.pr_number == number]
            return self._page(path, query, rcs, repo.review_comment_payload)
        if m.group(1) == "pulls" and sub == "/reviews":
            rvs = [r for r in repo.reviews if r.pr_number == number]
            return self._page(path, query, rvs, repo.review_payload)
        raise _Reply(404, {"message": "Not Found", "documentation_url": _DOCS})

    @staticmethod
    def _sorted(items: Sequence[Any], query: dict[str, str]) -> list[Any]:
        attr = "updated_at" if query.get("sort") == "updated" else "created_at"
        result = sorted(items, key=lambda c: (getattr(c, attr), c.id))
        if query.get("sort") and query.get("direction", "desc") == "desc":
            result.reverse()
        return result

    def _page(
        self, path: str, query: dict[str, str], items: Sequence[Any], render: Callable[[Any], Any]
    ) -> tuple[int, dict[str, str], Any]:
        try:
            per_page = max(1, min(int(query.get("per_page", 30)), 100))
            page = max(1, int(query.get("page", 1)))
        except ValueError:
            raise _Reply(422, {"message": "Invalid page or per_page"}) from None
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def link(n: int, rel: str) -> str:
            params = {**query, "per_page": str(per_page), "page": str(n)}
            return f'<{self.url}{path}?{urlencode(params)}>; rel="{rel}"'

        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        return 200, ({"link": ", ".join(links)} if links else {}), [render(x) for x in chunk]

    def _create_issue(self, repo: FakeRepo, token: str | None, raw: bytes) -> tuple[int, dict[str, str], Any]:
        if token is None:
            raise _Reply(401, {"message": "Requires authentication", "documentation_url": _DOCS})
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise _Reply(400, {"message": "Problems parsing JSON"}) from None
        doc = f"{_DOCS}/issues/issues#create-an-issue"
        title = data.get("title") if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip():
            errors = [{"resource": "Issue", "code": "missing_field", "field": "title"}]
            raise _Reply(422, {"message": "Validation Failed", "errors": errors, "documentation_url": doc})
        labels = [x["name"] if isinstance(x, dict) else str(x) for x in data.get("labels") or []]
        if not repo.token_can_create_labels:
            labels = [x for x in labels if x in repo.labels]
        assignees = [str(a) for a in data.get("assignees") or []]
        if data.get("assignee"):
            assignees.append(str(data["assignee"]))
        bad = [a for a in assignees if repo.collaborators and a not in repo.collaborators]
        if bad:
            errors = [{"value": a, "resource": "Issue", "field": "assignees", "code": "invalid"} for a in bad]
            raise _Reply(422, {"message": "Validation Failed", "errors": errors, "documentation_url": doc})
        now = datetime.fromtimestamp(self.clock(), UTC).replace(microsecond=0)
        issue = repo.open_issue(self.login, title, now, body=data.get("body"), labels=labels)
        issue.assignees = list(dict.fromkeys(assignees))
        self.created_issues.append(
            {
                "repo": repo.full_name,
                "number": issue.number,
                "title": title,
                "labels": labels,
                "assignees": issue.assignees,
                "body": issue.body,
                "created_at": iso(now),
            }
        )
        payload = repo.issue_payload(issue)
        return 201, {"location": payload["url"]}, payload


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGitHub
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the fake keeps its own request log."""

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.owner.handle(self.command, self.path, headers, body)
        if answer is None:
            self.close_connection = True
            return
        status, extra, payload = answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-github-media-type", "github.v3; format=json")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve
    do_PATCH = _serve
    do_DELETE = _serve
