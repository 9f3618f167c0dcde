"""A loopback HTTP server that answers like GitHub's REST API, from in-memory repositories.

Built on :class:`stakeplug.testing.FakeServer`.  It serves the endpoints the
adapter reads and writes, with GitHub's paging (``per_page`` capped at 100,
``link`` headers with ``next``/``last``/``prev``/``first``), ``since``
filtering where GitHub offers it (issues, issue comments, review comments; the
repository events listing has none and is newest first, as on GitHub), and
``x-ratelimit-*`` headers that count down per request.

Faults come from the kit (:meth:`~FakeServer.fail`,
:meth:`~FakeServer.drop_connections`, :meth:`~FakeServer.delay`), plus a
primary limit exhausted until its reset and secondary limits with or without
``retry-after``.  ``GET /_fake/stats`` (not counted, not rate limited) returns
the requests by path, the issues created through the API and the rate-limit
budget; ``POST /_fake/reset`` forgets the requests and faults and restores the
budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

import attrs

import stakeplug_github.testing._payloads as payloads
from stakeplug.testing import FakeServer, Reply, ReplyNow, Request, Routes
from stakeplug_github.testing._graphql import GraphQLResolver
from stakeplug_github.testing._state import FakeRepo
from stakeplug_github.testing._writes import DOCS, GitHubWrites

__all__ = ["PRIMARY_MESSAGE", "SECONDARY_MESSAGE", "FakeGitHub"]

PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID 0000:0000."
)
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID 0000:0000."
)
_STOCK = {401: "Bad credentials", 403: "Forbidden", 404: "Not Found", 422: "Validation Failed"}
_REPO = "/repos/{owner}/{repo}"


def _since(request: Request) -> datetime | None:
    raw = request.arg("since")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ReplyNow(Reply(422, {"message": f"Invalid value for since: {raw!r}"})) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class FakeGitHub(FakeServer):
    """An in-process fake of GitHub's REST API on ``127.0.0.1``.

    ``tokens`` are the accepted tokens (``Authorization: Bearer <token>`` or
    ``token <token>``); a request without a token may read public repositories
    only.  ``api_prefix`` (``/api/v3``) makes it look like GitHub Enterprise
    Server.  ``clock`` drives the rate-limit window so tests can move time
    without sleeping.  Use it as a context manager or call :meth:`start` and
    :meth:`stop`.
    """

    thread_name = "fake-github"
    server_version = "GitHub.com"
    base_headers: ClassVar[Mapping[str, str]] = {"x-github-media-type": "github.v3; format=json"}
    count_by = "method path"

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
        self.writes = GitHubWrites(self)
        """The write endpoints: issues, comments and labels created through the API."""
        super().__init__(host=host, port=port, latency=latency)
        self._repos: dict[str, FakeRepo] = {}
        self._remaining = rate_limit
        self._reset = int(clock() + rate_window)
        self._announce_reset = True
        self.created_issues: list[dict[str, Any]] = []
        """Issues created through the API: repo, number, title, labels, assignees, body."""
        self.graphql = GraphQLResolver(lambda: self._repos, clock=clock)
        """The GraphQL endpoint: its point budget and injectable faults (``graphql.faults.push``)."""

    # -- lifecycle (start, stop, serve_forever: the kit) -------------------------

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
        with self.lock:
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

    # -- GitHub's own faults ---------------------------------------------------

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
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        }
        self.fail(status, times=times, path=path, headers=headers, body=body)

    def set_rate_limit(self, remaining: int, *, reset_in: float | None = None) -> None:
        """Set the primary limit's remaining requests and, optionally, seconds until its reset."""
        with self.lock:
            self._remaining = remaining
            if reset_in is not None:
                self._reset = int(self.clock() + reset_in)

    def exhaust_rate_limit(self, *, reset_in: float = 60.0, announce_reset: bool = True) -> None:
        """Use up the primary limit; it comes back ``reset_in`` seconds from now on the fake clock.

        With ``announce_reset=False`` the answers leave out ``x-ratelimit-reset``
        (as some proxies and GitHub Enterprise set-ups do) until the window resets.
        """
        self.set_rate_limit(0, reset_in=reset_in)
        with self.lock:
            self._announce_reset = announce_reset

    @property
    def rate_remaining(self) -> int:
        """Requests left in the current primary window."""
        return self._remaining

    # -- kit hooks ---------------------------------------------------------------

    def extra_stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "created_issues": list(self.created_issues),
                "rate_limit": {"limit": self.rate_limit, "remaining": self._remaining, "reset": self._reset},
            }

    def on_reset(self) -> None:
        """A reset over HTTP also gives back the whole primary rate-limit budget."""
        with self.lock:
            self._remaining = self.rate_limit
            self._reset = int(self.clock() + self.rate_window)
        self.graphql.reset()

    def error(self, status: int, message: str | None = None) -> Reply:
        if message is None and status not in _STOCK:
            return Reply(status, {"message": "Server Error"})
        return Reply(status, {"message": message or _STOCK[status], "documentation_url": DOCS})

    def prepare(self, request: Request) -> Request | Reply:
        if self.api_prefix and request.target == self.api_prefix.rsplit("/", 1)[0] + "/graphql":
            return attrs.evolve(request, target="/graphql")
        if not self.api_prefix:
            return request
        if not request.target.startswith(self.api_prefix + "/"):
            return self.error(404)
        return attrs.evolve(request, target=request.target[len(self.api_prefix) :])

    def authorize(self, request: Request) -> Reply | None:
        self.token_of(request)
        if request.path == "/graphql" or self._spend():
            return None
        doc = f"{DOCS}/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
        return Reply(403, {"message": PRIMARY_MESSAGE, "documentation_url": doc})

    def finish(self, request: Request, reply: Reply) -> Reply:
        if request.path == "/graphql":
            return reply
        return attrs.evolve(reply, headers={**self._rate_headers(), **reply.headers})

    def _rate_headers(self) -> dict[str, str]:
        headers = {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(max(self._remaining, 0)),
            "x-ratelimit-reset": str(self._reset),
            "x-ratelimit-used": str(self.rate_limit - max(self._remaining, 0)),
            "x-ratelimit-resource": "core",
        }
        if not self._announce_reset:
            del headers["x-ratelimit-reset"]
        return headers

    def _spend(self) -> bool:
        """Count one request against the primary limit; False when it is exhausted."""
        with self.lock:
            now = self.clock()
            if now >= self._reset:
                self._remaining = self.rate_limit
                self._reset = int(now + self.rate_window)
                self._announce_reset = True
            if self._remaining <= 0:
                return False
            self._remaining -= 1
            return True

    def token_of(self, request: Request) -> str | None:
        """The request's token, ``None`` without one; a 401 answer for a token the fake does not know."""
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not value or value.strip() not in self.tokens:
            raise ReplyNow(self.error(401))
        return value.strip()

    # -- routes --------------------------------------------------------------

    def add_routes(self, routes: Routes) -> None:
        get = self._get_route
        routes.add("GET", "/rate_limit", self._rate_limit)
        routes.add("POST", "/graphql", lambda request: self.graphql.answer(request.body))
        routes.add("GET", _REPO, get(lambda repo, r: Reply(200, payloads.repo_payload(repo))))
        routes.add("GET", _REPO + "/issues", get(self._issues))
        routes.add("POST", _REPO + "/issues", self.writes.create_issue)
        routes.add("PATCH", _REPO + "/issues/{number:int}", self.writes.update_issue)
        routes.add("POST", _REPO + "/issues/{number:int}/comments", self.writes.add_comment)
        routes.add("POST", _REPO + "/labels", self.writes.create_label)
        routes.add("GET", _REPO + "/issues/comments", get(self._all_comments))
        routes.add("GET", _REPO + "/pulls/comments", get(self._all_review_comments))
        routes.add("GET", _REPO + "/issues/events", get(self._all_events))
        routes.add("GET", _REPO + "/issues/{number:int}", get(self._issue))
        routes.add("GET", _REPO + "/issues/{number:int}/comments", get(self._comments))
        routes.add("GET", _REPO + "/issues/{number:int}/events", get(self._events))
        routes.add("GET", _REPO + "/pulls/{number:int}", get(self._pull))
        routes.add("GET", _REPO + "/pulls/{number:int}/comments", get(self._review_comments))
        routes.add("GET", _REPO + "/pulls/{number:int}/reviews", get(self._reviews))

    def _get_route(self, handler: Callable[[FakeRepo, Request], Reply]) -> Callable[[Request], Reply]:
        """A read of one repository: found (and visible to the token) first, under the lock."""

        def route(request: Request) -> Reply:
            repo = self.visible_repo(request)
            with self.lock:
                return handler(repo, request)

        return route

    def visible_repo(self, request: Request) -> FakeRepo:
        """The repository the path names, if it exists and the token may see it; else a 404 answer."""
        token = self.token_of(request)
        repo = self._repos.get(f"{request.params['owner']}/{request.params['repo']}".lower())
        if repo is None or (repo.private and token is None):
            raise ReplyNow(self.error(404))
        return repo

    def _rate_limit(self, request: Request) -> Reply:
        core = {"limit": self.rate_limit, "remaining": self._remaining, "reset": self._reset}
        return Reply(200, {"resources": {"core": core}, "rate": core})

    def _issues(self, repo: FakeRepo, request: Request) -> Reply:
        since = _since(request)
        issues = list(repo.issues.values())
        state = request.arg("state", "open")
        if state != "all":
            issues = [i for i in issues if i.state == state]
        if request.arg("labels"):
            wanted = {x.strip() for x in (request.arg("labels") or "").split(",") if x.strip()}
            issues = [i for i in issues if wanted <= set(i.labels)]
        if since is not None:
            issues = [i for i in issues if i.updated_at >= since]
        key = request.arg("sort", "created")
        if key == "updated":
            issues.sort(key=lambda i: (i.updated_at, i.number))
        elif key == "comments":
            issues.sort(key=lambda i: (i.comments, i.number))
        else:
            issues.sort(key=lambda i: (i.created_at, i.number))
        if request.arg("direction", "desc") == "desc":
            issues.reverse()
        return self._page(request, issues, lambda i: payloads.issue_payload(repo, i))

    def _all_comments(self, repo: FakeRepo, request: Request) -> Reply:
        since = _since(request)
        comments = [c for c in repo.comments if since is None or c.updated_at >= since]
        return self._page(request, _sorted(comments, request), lambda c: payloads.comment_payload(repo, c))

    def _all_review_comments(self, repo: FakeRepo, request: Request) -> Reply:
        since = _since(request)
        rcs = [c for c in repo.review_comments if since is None or c.updated_at >= since]
        return self._page(request, _sorted(rcs, request), lambda c: payloads.review_comment_payload(repo, c))

    def _all_events(self, repo: FakeRepo, request: Request) -> Reply:
        events = sorted(repo.events, key=lambda e: (e.created_at, e.id), reverse=True)
        return self._page(request, events, lambda e: payloads.event_payload(repo, e))

    def numbered(self, repo: FakeRepo, request: Request, *, pull: bool = False) -> int:
        """The issue (with ``pull``, pull request) number the path names; a 404 answer if there is none."""
        number = int(request.params["number"])
        issue = repo.issues.get(number)
        if issue is None or (pull and not issue.is_pr):
            raise ReplyNow(self.error(404))
        return number

    def _issue(self, repo: FakeRepo, request: Request) -> Reply:
        number = self.numbered(repo, request)
        return Reply(200, payloads.issue_payload(repo, repo.issues[number]))

    def _pull(self, repo: FakeRepo, request: Request) -> Reply:
        number = self.numbered(repo, request, pull=True)
        return Reply(200, payloads.pull_payload(repo, repo.issues[number]))

    def _comments(self, repo: FakeRepo, request: Request) -> Reply:
        number, since = self.numbered(repo, request), _since(request)
        items = [c for c in repo.comments if c.issue_number == number]
        items = [c for c in items if since is None or c.updated_at >= since]
        return self._page(request, items, lambda c: payloads.comment_payload(repo, c))

    def _events(self, repo: FakeRepo, request: Request) -> Reply:
        number = self.numbered(repo, request)
        evs = [e for e in repo.events if e.issue_number == number]
        return self._page(request, evs, lambda e: payloads.event_payload(repo, e))

    def _review_comments(self, repo: FakeRepo, request: Request) -> Reply:
        number = self.numbered(repo, request, pull=True)
        rcs = [c for c in repo.review_comments if c.pr_number == number]
        return self._page(request, rcs, lambda c: payloads.review_comment_payload(repo, c))

    def _reviews(self, repo: FakeRepo, request: Request) -> Reply:
        number = self.numbered(repo, request, pull=True)
        rvs = [r for r in repo.reviews if r.pr_number == number]
        return self._page(request, rvs, lambda r: payloads.review_payload(repo, r))

    def _page(self, request: Request, items: Sequence[Any], render: Callable[[Any], Any]) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        try:
            per_page = max(1, min(int(query.get("per_page", 30)), 100))
            page = max(1, int(query.get("page", 1)))
        except ValueError:
            raise ReplyNow(Reply(422, {"message": "Invalid page or per_page"})) from None
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def link(n: int, rel: str) -> str:
            params = {**query, "per_page": str(per_page), "page": str(n)}
            return f'<{self.url}{request.path}?{urlencode(params)}>; rel="{rel}"'

        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        return Reply(200, [render(x) for x in chunk], {"link": ", ".join(links)} if links else {})


def _sorted(items: Sequence[Any], request: Request) -> list[Any]:
    attr = "updated_at" if request.arg("sort") == "updated" else "created_at"
    result = sorted(items, key=lambda c: (getattr(c, attr), c.id))
    if request.arg("sort") and request.arg("direction", "desc") == "desc":
        result.reverse()
    return result
