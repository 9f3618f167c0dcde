"""A loopback HTTP server that answers like Jira Cloud or Jira Server/Data Center.

Built on :class:`stakeplug.testing.FakeServer`: the routes are here, the
payload shapes in ``_payloads`` and the endpoints in ``_api``.  The Cloud
instance answers the legacy ``/search`` with ``410 Gone``.

Requests are counted by path (``GET /_fake/stats``; ``POST /_fake/reset``
forgets them and the queued faults), so tests can assert how many requests a
client made, and faults can be queued: an HTTP status with an optional
``Retry-After``, a reset connection, or a delay that outlasts a client's read
timeout -- before the request is handled or, for ambiguous failures, after.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from stakeplug.testing import FakeServer, Fault, Reply, Request, Routes
from stakeplug_jira.testing._api import ApiError, JiraApi, body_params
from stakeplug_jira.testing._payloads import FIELDS, JiraShapes
from stakeplug_jira.testing._state import DELETE, STATUSES, FakeIssue, State
from stakeplug_jira.testing._writes import JiraWrites

__all__ = ["DELETE", "FakeJira", "Fault"]

_STOCK = {
    429: "Rate limit exceeded.",
    503: "Service temporarily unavailable.",
    401: "Client must be authenticated to access this resource.",
    403: "You do not have permission to perform this operation.",
    404: "The requested resource could not be found.",
}
_API = "/rest/api/{v}/"
JiraRoute = Callable[[str, Request, Any], tuple[int, Any]]
"""An endpoint: the API version, the request and its parsed JSON body to a status and a payload."""


class FakeJira(FakeServer):
    """A fake Jira on a loopback port, with in-memory state.

    ``mode`` is ``"cloud"`` (enhanced search with page tokens, legacy search
    answers 410, users by ``accountId``, API v2 and v3) or ``"server"``
    (``/rest/api/2/search`` with ``startAt``/``total``, users by name, API v2
    only).  Cloud clients authenticate with ``email`` and ``token`` (basic),
    Server clients with ``token`` as a bearer personal access token; pass
    ``token=None`` to accept anyone.  ``announce_deployment=False`` leaves
    ``deploymentType`` out of ``serverInfo`` (as in Atlassian's published
    example); a Cloud client then meets the legacy search's ``410 Gone``.
    ``search_lag`` makes the Cloud search eventually consistent, as Jira
    Cloud's is: an issue created through the API is missing from the next
    ``search_lag`` searches unless a search names its id in ``reconcileIssues``
    (a direct ``GET /issue/{key}`` always sees it).

    Build the world with :meth:`add_user`, :meth:`add_issue`, :meth:`comment`,
    :meth:`assign`, :meth:`transition`, :meth:`link` (or
    :func:`~stakeplug_jira.testing.generate_project`), start the server, and
    point a client at :attr:`url`::

        with FakeJira(mode="cloud") as jira:
            jira.add_user("5b10ac8d82e05b22cc7d4ef5", "Maria Jensen")
            ...
            adapter = JiraAdapter(url=jira.url, project="APOLLO", ...)
    """

    BOT = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
    """The account id of the authenticated automation user."""

    def __init__(
        self,
        *,
        mode: str = "cloud",
        email: str = "stakeplug-bot@example.org",
        token: str | None = "fake-jira-token",  # noqa: S107 - the fake's own made-up token
        inline_comments: int = 20,
        inline_histories: int = 100,
        page_cap: int = 100,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Any = None,
        announce_deployment: bool = True,
        search_lag: int = 0,
    ):
        if mode not in ("cloud", "server"):
            raise ValueError("mode must be 'cloud' or 'server'")
        self.mode = mode
        self.email = email
        self.token = token
        self.inline_comments = inline_comments
        self.inline_histories = inline_histories
        self.page_cap = page_cap
        self.clock = clock or (lambda: datetime.now(UTC))
        self.announce_deployment = announce_deployment
        self.search_lag = search_lag
        self.state = State()
        self.state.add_user(self.BOT, "stakeplug bot", name="stakeplug-bot", email=email)
        self.shapes = JiraShapes(self)
        self.api = JiraApi(self, self.shapes)
        self.writes = JiraWrites(self, self.shapes)
        super().__init__(host=host, port=port, latency=latency)

    # ------------------------------------------------------------------ lifecycle (the kit)

    thread_name = "fake-jira"
    server_version = "FakeJira/1.0"
    content_type = "application/json;charset=UTF-8"
    count_by = "path"

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. ``http://127.0.0.1:49152``."""
        return self.address

    # ------------------------------------------------------------------ building the world

    def add_user(
        self,
        account_id: str,
        display_name: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> str:
        """Add a user and return the id clients see: the ``accountId`` (Cloud) or user name (Server)."""
        user = self.state.add_user(account_id, display_name, name=name, email=email, active=active)
        return self.user_ref(user.account_id)

    def user_ref(self, account_id: str) -> str:
        """The id under which clients see ``account_id``: itself on Cloud, the user name on Server."""
        return account_id if self.mode == "cloud" else self.state.users[account_id].name

    def add_project(self, key: str, name: str | None = None) -> None:
        """Add a project (``add_issue`` adds missing projects itself)."""
        self.state.add_project(key, name)

    def add_issue(
        self,
        project: str,
        summary: str,
        *,
        creator: str | None,
        created: datetime,
        reporter: str | None = None,
        assignee: str | None = None,
        status: str = "To Do",
        duedate: date | None = None,
        labels: Iterable[str] = (),
        description: str = "",
        issuetype: str = "Task",
        resolutiondate: datetime | None = None,
    ) -> str:
        """Add an issue and return its key (``APOLLO-1``, ``APOLLO-2``...).

        People are account ids added with :meth:`add_user`; ``reporter``
        defaults to the creator.  An issue added as ``Done`` is resolved at
        ``created`` unless ``resolutiondate`` says otherwise; its changelog
        starts empty, like an imported issue.
        """
        return self.state.add_issue(
            project,
            summary,
            creator=creator,
            created=created,
            reporter=reporter,
            assignee=assignee,
            status=status,
            duedate=duedate,
            labels=labels,
            description=description,
            issuetype=issuetype,
            resolutiondate=resolutiondate,
        ).key

    def comment(self, key: str, author: str | None, body: str, *, at: datetime) -> int:
        """Add a comment; mention people in ``body`` as ``[~accountid:<id>]``."""
        return self.state.comment(key, author, body, at=at).id

    def assign(self, key: str, to: str | None, *, by: str | None, at: datetime) -> None:
        """``by`` assigns the issue to ``to`` (``None`` unassigns); recorded in the changelog."""
        self.state.assign(key, to, by=by, at=at)

    def transition(self, key: str, status: str, *, by: str | None, at: datetime) -> None:
        """``by`` moves the issue to ``status``; recorded in the changelog with the resolution."""
        self.state.transition(key, status, by=by, at=at)

    def link(
        self,
        key: str,
        other_key: str,
        link_type: str = "Blocks",
        *,
        outward: bool = True,
        by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Link ``key`` with ``other_key``; with ``at`` the link is also in ``key``'s changelog."""
        self.state.link(key, other_key, link_type, outward=outward, by=by, at=at)

    def corrupt(self, key: str, **fields: Any) -> None:
        """Serve broken values for fields of issue ``key`` (``DELETE`` removes the field).

        ``corrupt("APOLLO-3", created="yesterday")`` mimics a payload a client must survive.
        The pseudo-field ``fields=DELETE`` removes the whole ``fields`` object.
        """
        with self.state.lock:
            self.state.issue(key).corrupt.update(fields)

    def grant_browse(self, project: str, *holders: tuple[str, str | None]) -> None:
        """Set who may browse ``project``: ``("anyone", None)`` is public, ``("group", "staff")``...

        Without a call the project has the default scheme's grants (its
        Administrators role and the licensed users of Jira Software).
        """
        self.writes.browse[project] = list(holders)

    def open_tasks(self, fingerprint: str) -> list[str]:
        """The keys of the open issues labelled with ``fingerprint``, oldest first (for tests)."""
        label = f"stakeplug-fp-{fingerprint}"
        with self.state.lock:
            found = [i for i in self.state.issues.values() if label in i.labels]
            return [i.key for i in sorted(found, key=lambda i: i.id) if STATUSES[i.status][1] != "done"]

    @property
    def issues(self) -> Mapping[str, FakeIssue]:
        """The issues by key (read-only use)."""
        return self.state.issues

    @property
    def created_issues(self) -> list[dict[str, Any]]:
        """The issues created through ``POST /issue``, oldest first."""
        with self.state.lock:
            return list(self.state.created)

    # ------------------------------------------------------------------ faults and stats

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
        retry_after: str | float | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (see the kit's ``fail``).

        ``retry_after`` becomes the ``Retry-After`` header: seconds, or an HTTP
        date such as ``"Wed, 21 Oct 2026 07:28:00 GMT"``.
        """
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        super().fail(
            status, path=path, method=method, times=times, headers=extra, body=body, after=after, echo=echo
        )

    def reset_connection(
        self, *, path: str | None = None, method: str | None = None, times: int = 1, after: bool = False
    ) -> None:
        """Reset the connection of the next ``times`` matching requests (the kit's ``drop_connections``)."""
        self.drop_connections(path=path, method=method, times=times, after=after)

    def extra_stats(self) -> dict[str, Any]:
        """The issues created through the API, and how many issues there are."""
        return {"created_issues": self.created_issues, "issues": len(self.state.issues)}

    # ------------------------------------------------------------------ kit hooks

    def error(self, status: int, message: str | None = None) -> Reply:
        return Reply(
            status, {"errorMessages": [message or _STOCK.get(status, "Injected fault.")], "errors": {}}
        )

    def authorize(self, request: Request) -> Reply | None:
        if self.authorized(request.headers.get("authorization")):
            return None
        challenge = 'Basic realm="protected-area"' if self.mode == "cloud" else "Bearer"
        return Reply(401, self.error(401).body, {"WWW-Authenticate": challenge})

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the configured credentials."""
        if self.token is None:
            return True
        if not header:
            return False
        if self.mode == "cloud":
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"

    # ------------------------------------------------------------------ routes

    def add_routes(self, routes: Routes) -> None:
        api = self._versioned
        routes.add("GET", _API + "serverInfo", api(lambda v, r, b: (200, self.shapes.server_info())))
        routes.add("GET", _API + "field", api(lambda v, r, b: (200, FIELDS)))
        routes.add("GET", _API + "myself", api(self._myself))
        routes.add(
            "GET", _API + "status", api(lambda v, r, b: (200, [self.shapes.status(n, v) for n in STATUSES]))
        )
        routes.add("GET", _API + "search/jql", api(self._search_jql))
        routes.add("GET", _API + "search", api(self._search_legacy))
        routes.add("POST", _API + "search/jql", api(self._search_post))
        routes.add("POST", _API + "search", api(self._search_post))
        routes.add("GET", _API + "project/{key}", api(self._project))
        routes.add("GET", _API + "project/{key}/permissionscheme", api(self._permission_scheme))
        routes.add("GET", _API + "issue/{key}", api(self._issue))
        routes.add("GET", _API + "issue/{key}/transitions", api(self._transitions))
        routes.add("POST", _API + "issue/{key}/transitions", api(self._transition))
        routes.add("GET", _API + "issue/{key}/{sub}", api(self._issue))
        routes.add("POST", _API + "issue", api(lambda v, r, b: (201, self.api.create(v, b))))
        routes.add("POST", _API + "issue/{key}/comment", api(self._comment))

    def _versioned(self, endpoint: JiraRoute) -> Callable[[Request], Reply]:
        """The endpoint behind the version check and the JSON body parse Jira does first."""

        def route(request: Request) -> Reply:
            v = {"2": "2", "3": "3", "latest": "2"}.get(request.params["v"])
            if v is None:
                raise ApiError(404, ["Not found."])
            if self.mode == "server" and v == "3":
                raise ApiError(404, ["REST API version 3 is only available on Jira Cloud."])
            try:
                body = request.json()
            except ValueError:
                raise ApiError(400, ["Unexpected character in the request body."]) from None
            status, payload = endpoint(v, request, body)
            return Reply(status, payload)

        return route

    def _myself(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        bot = self.shapes.user(self.BOT, v) or {}
        return 200, {**bot, "emailAddress": self.email, "groups": {"size": 1, "items": []}}

    def _search_jql(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        if self.mode != "cloud":
            raise ApiError(404, [f"null for uri: /rest/api/{v}/search/jql"])
        return 200, self.api.search(v, request.query, cloud=True)

    def _search_legacy(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        if self.mode == "cloud":
            raise ApiError(
                410,
                [
                    "The requested API has been removed. Please use the newer, enhanced "
                    "search-based API instead. See "
                    "https://developer.atlassian.com/changelog/#CHANGE-2046 for more information."
                ],
            )
        return 200, self.api.search(v, request.query, cloud=False)

    def _search_post(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        cloud = self.mode == "cloud"
        if request.path.endswith("/search/jql") != cloud:
            raise ApiError(410 if cloud else 404, ["Use the search endpoint of this deployment."])
        return 200, self.api.search(v, body_params(body), cloud=cloud)

    def _project(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        key = request.params["key"]
        if key not in self.state.projects:
            raise ApiError(404, [f"No project could be found with key '{key}'."])
        return 200, {
            "key": key,
            "name": self.state.projects[key],
            "id": str(10000 + list(self.state.projects).index(key)),
        }

    def _issue(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        sub = request.params.get("sub")
        if sub not in (None, "comment", "changelog"):
            raise ApiError(404, [f"null for uri: {request.path}"])
        return 200, self.api.issue_get(v, request.params["key"], sub, request.query)

    def _permission_scheme(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        expand = ",".join(request.query.get("expand", []))
        return 200, self.writes.permission_scheme(v, request.params["key"], expand)

    def _transitions(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        return 200, self.writes.transitions(v, request.params["key"])

    def _transition(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        self.writes.transition(v, request.params["key"], body)
        return 204, None

    def _comment(self, v: str, request: Request, body: Any) -> tuple[int, Any]:
        return 201, self.api.add_comment(v, request.params["key"], body)
