"""The fake GitHub's answers to the GraphQL queries the adapter sends.

Not a GraphQL engine: a small resolver that recognises the two queries
:mod:`stakeplug_github._graphql` builds (the aliased batch
``prN: pullRequest(number: N)`` under ``repository(owner:, name:)`` and the
follow-up ``node(id:)`` page of one pull request's reviews) and answers them
from the in-memory state, in the shapes GitHub's GraphQL API uses (grounded in
a recorded GitHub GraphQL session, see ``tests/data/github_graphql/``): HTTP
200 with ``data``; a missing repository or pull request is ``null`` in
``data`` with ``errors[{"type": "NOT_FOUND", "path": [...]}]``.

It keeps GraphQL's own point budget (one point a query here; headers
``x-ratelimit-resource: graphql``) and answers a used-up budget the way GitHub
does: 200 with ``errors[{"type": "RATE_LIMITED"}]`` and
``x-ratelimit-remaining: 0``.  :class:`GraphQLFaults` queues errors to inject.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from stakeplug.testing import Reply
from stakeplug_github.testing._state import FakeRepo, FakeReview, iso

__all__ = ["GraphQLFaults", "GraphQLResolver", "pull_node_id"]

_ALIAS = re.compile(r"(\w+): pullRequest\(number: (\d+)\) \{.*?reviews\(first: (\d+)\)")
RATE_LIMITED_MESSAGE = "API rate limit exceeded for user ID 1."
_STATUS_MESSAGES = {401: "Bad credentials", 403: "Forbidden", 404: "Not Found"}
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def pull_node_id(repo: FakeRepo, number: int) -> str:
    """The fake's GraphQL node id of pull request ``number``."""
    return f"PR_kwDO{repo.id}_{number}"


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:v2:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError):
        return 0


@attrs.define
class GraphQLFaults:
    """Errors the next GraphQL queries are answered with, one a query, in order.

    Each entry is ``"RATE_LIMITED"``, ``"SECONDARY"``, ``"ERROR"`` (a query
    error inside a 200, ``data`` null), ``"PARTIAL"`` (the first pull request
    of the batch ``null`` with an ``INTERNAL`` error), ``"NOT_FOUND"`` (the
    first pull request answered as one deleted since the REST listing named
    it), ``"OK"`` (answered as usual) or an HTTP status (``404`` when the
    server has no GraphQL endpoint).
    """

    queue: list[str | int] = attrs.Factory(list)
    disabled: bool = False
    """When set, ``/graphql`` answers 404 like a server without the GraphQL API."""

    def push(self, *faults: str | int) -> None:
        """Answer the next queries with ``faults``, one each."""
        self.queue.extend(faults)

    def take(self) -> str | int | None:
        return self.queue.pop(0) if self.queue else None


class GraphQLResolver:
    """Answers ``POST /graphql`` for the fake GitHub server.

    ``repos`` gives the server's repositories by ``owner/name`` (lower case)
    and ``clock`` drives the point budget's hourly window.
    """

    def __init__(
        self,
        repos: Callable[[], Mapping[str, FakeRepo]],
        *,
        clock: Callable[[], float],
        points: int = 5000,
        window: float = 3600.0,
    ):
        self.repos = repos
        self.clock = clock
        self.points = points
        self.window = window
        self.faults = GraphQLFaults()
        self.queries = 0
        self.send_headers = True
        """Whether answers carry ``x-ratelimit-*`` headers (some proxies and GHES set-ups drop them)."""
        self._lock = threading.Lock()
        self._remaining = points
        self._reset = int(clock() + window)

    def reset(self) -> None:
        """A full budget and no faults (``/_fake/reset``)."""
        with self._lock:
            self._remaining = self.points
            self._reset = int(self.clock() + self.window)
            self.faults = GraphQLFaults()
            self.queries = 0
            self.send_headers = True

    def set_points(self, remaining: int, *, reset_in: float | None = None) -> None:
        """Set the point budget left (and when it resets)."""
        with self._lock:
            self._remaining = remaining
            if reset_in is not None:
                self._reset = int(self.clock() + reset_in)

    def headers(self) -> dict[str, str]:
        if not self.send_headers:
            return {}
        return {
            "x-ratelimit-limit": str(self.points),
            "x-ratelimit-remaining": str(max(self._remaining, 0)),
            "x-ratelimit-reset": str(self._reset),
            "x-ratelimit-used": str(self.points - max(self._remaining, 0)),
            "x-ratelimit-resource": "graphql",
        }

    def _spend(self) -> bool:
        with self._lock:
            now = self.clock()
            if now >= self._reset:
                self._remaining = self.points
                self._reset = int(now + self.window)
            if self._remaining <= 0:
                return False
            self._remaining -= 1
            return True

    def answer(self, body: bytes) -> Reply:
        """The reply to one GraphQL request body."""
        fault = self.faults.take()
        if self.faults.disabled or isinstance(fault, int):
            status = 404 if self.faults.disabled or fault is None else int(fault)
            message = _STATUS_MESSAGES.get(status, "Server Error")
            return Reply(status, {"message": message}, headers=self.headers())
        with self._lock:
            self.queries += 1
        if fault == "SECONDARY":
            error = {"type": "RATE_LIMITED", "message": SECONDARY_MESSAGE}
            return Reply(200, {"errors": [error]}, headers={**self.headers(), "retry-after": "30"})
        if not self._spend():
            return Reply(
                200,
                {"errors": [{"type": "RATE_LIMITED", "message": RATE_LIMITED_MESSAGE}]},
                headers=self.headers(),
            )
        if fault == "RATE_LIMITED":
            self.set_points(0)
            return Reply(
                200,
                {"errors": [{"type": "RATE_LIMITED", "message": RATE_LIMITED_MESSAGE}]},
                headers=self.headers(),
            )
        try:
            request = json.loads(body)
            text = str(request["query"])
            variables = request.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return Reply(400, {"message": "Problems parsing JSON"}, headers=self.headers())
        if fault == "ERROR":
            failed = {"message": "Something went wrong while executing your query."}
            return Reply(200, {"data": None, "errors": [failed]}, headers=self.headers())
        if "node(id: $id)" in text:
            result = self._more(variables)
        else:
            result = self._batch(text, variables, first=fault if isinstance(fault, str) else None)
        result["data"]["rateLimit"] = {
            "cost": 1,
            "remaining": self._remaining,
            "resetAt": iso_epoch(self._reset),
        }
        return Reply(200, result, headers=self.headers())

    def _batch(self, text: str, variables: Mapping[str, Any], *, first: str | None) -> dict[str, Any]:
        """The aliased pull requests; ``first`` ``"PARTIAL"`` or ``"NOT_FOUND"`` breaks the first one."""
        full = f"{variables.get('owner')}/{variables.get('name')}"
        repo = self.repos().get(full.lower())
        if repo is None:
            error = _not_found(["repository"], f"Could not resolve to a Repository with the name '{full}'.")
            return {"data": {"repository": None}, "errors": [error]}
        pulls = {i.number: i for i in repo.issues.values() if i.is_pr}
        out: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for index, (alias, number_text, first_text) in enumerate(_ALIAS.findall(text)):
            number = int(number_text)
            if first == "PARTIAL" and index == 0:
                out[alias] = None
                errors.append(
                    {
                        "type": "INTERNAL",
                        "path": ["repository", alias],
                        "message": "Something went wrong while resolving this pull request.",
                    }
                )
                continue
            if number not in pulls or (first == "NOT_FOUND" and index == 0):
                out[alias] = None
                errors.append(
                    _not_found(
                        ["repository", alias],
                        f"Could not resolve to a PullRequest with the number of {number}.",
                    )
                )
                continue
            reviews = [r for r in repo.reviews if r.pr_number == number]
            out[alias] = {
                "id": pull_node_id(repo, number),
                "number": number,
                "reviews": _page(repo, reviews, 0, int(first_text)),
            }
        result: dict[str, Any] = {"data": {"repository": out}}
        if errors:
            result["errors"] = errors
        return result

    def _more(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        node_id = str(variables.get("id"))
        for repo in list(self.repos().values()):
            for issue in repo.issues.values():
                if issue.is_pr and pull_node_id(repo, issue.number) == node_id:
                    reviews = [r for r in repo.reviews if r.pr_number == issue.number]
                    page = _page(repo, reviews, _offset(str(variables.get("after"))), 100)
                    return {"data": {"node": {"reviews": page}}}
        error = _not_found(["node"], f"Could not resolve to a node with the global id of '{node_id}'.")
        return {"data": {"node": None}, "errors": [error]}


def _page(repo: FakeRepo, reviews: list[FakeReview], offset: int, first: int) -> dict[str, Any]:
    part = reviews[offset : offset + first]
    end = offset + len(part)
    return {
        "pageInfo": {"hasNextPage": end < len(reviews), "endCursor": _cursor(end) if part else None},
        "nodes": [_review(repo, r) for r in part],
    }


def _review(repo: FakeRepo, r: FakeReview) -> dict[str, Any]:
    """A ``PullRequestReview`` node; the comment count is the line comments that name this review."""
    count = sum(1 for c in repo.review_comments if c.review_id == r.id)
    return {
        "databaseId": r.id,
        "author": {"login": r.user} if r.user is not None else None,
        "state": r.state,
        "submittedAt": iso(r.submitted_at) if r.submitted_at is not None else None,
        "body": r.body,
        "url": f"{repo.html_url}/pull/{r.pr_number}#pullrequestreview-{r.id}",
        "comments": {"totalCount": count},
    }


def _not_found(path: list[str], message: str) -> dict[str, Any]:
    return {"type": "NOT_FOUND", "path": path, "locations": [{"line": 3, "column": 3}], "message": message}


def iso_epoch(epoch: int) -> str:
    """``resetAt`` for an epoch second."""
    return str(iso(datetime.fromtimestamp(epoch, UTC)))
