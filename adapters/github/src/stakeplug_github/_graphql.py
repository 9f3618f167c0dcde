"""Reviews of many pull requests a query, through GitHub's GraphQL API.

REST has no repository-wide review listing, so reading reviews there costs one
request per pull request.  One GraphQL query asks for the reviews of up to
:data:`BATCH` pull requests of a repository at once, each under an alias
(``pr12: pullRequest(number: 12)``) by the numbers the REST issues listing
already returned; a pull request with more reviews than one nested page holds
gets follow-up pages of its own (``node(id:)`` with the ``endCursor``), which
is rare.  For P pull requests that is ⌈P/50⌉ queries.

GraphQL answers most failures with HTTP 200 and an ``errors`` list:

* ``RATE_LIMITED`` (or the newer ``RATE_LIMIT``) for the whole query becomes
  the same :class:`~stakeplug.errors.RateLimitedError` as REST's (a
  "secondary" message the secondary-limit one), raised inside the shared HTTP
  policy, so it waits and retries or stops exactly as it does for REST;
* ``NOT_FOUND`` with a ``path`` to one alias: that pull request is gone and is
  skipped with GitHub's message;
* any other error leaves the pull requests it touches without reviews: each is
  reported skipped with the reason, so the source is partial and no review
  disappears silently.  So does a query that still fails after the policy's
  retries (a 5xx, a cut connection, an answer that is not JSON) once GraphQL
  has worked: that batch is reported and the next one asked.

Each query also asks for ``rateLimit { cost remaining resetAt }``, GraphQL's
own point budget (5,000 points an hour for a token, apart from REST's
requests); the answer's figures (and its ``x-ratelimit-*`` headers, when
sent) are kept in a :class:`GitHubLimits` of its own, and a used-up budget is
waited for before the next query, within the policy's budget, or stops the
source with the same message as REST's limit.

The endpoint is derived from ``base_url`` (:func:`graphql_url`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import requests

from stakeplug.errors import PayloadError, RateLimitedError, TrackerError, UnavailableError
from stakeplug.http import HttpClient, NoRetry, get_logger
from stakeplug_github._limits import GitHubLimits

__all__ = [
    "BATCH",
    "REVIEWS_PAGE",
    "Fetched",
    "GraphQLReviews",
    "GraphQLUnavailableError",
    "batch_query",
    "graphql_url",
    "rest_review",
]

log: logging.Logger = get_logger("stakeplug.github")

BATCH = 50
"""Pull requests a query asks for; 50 with 50 reviews each keeps a query's cost at one point."""
REVIEWS_PAGE = 50
"""Reviews of each pull request in the batch query; more come from follow-up pages of 100."""
_RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})

_REVIEW_FIELDS = (
    "pageInfo { hasNextPage endCursor } "
    "nodes { databaseId author { login } state submittedAt body url comments { totalCount } }"
)

MORE_REVIEWS_QUERY = (
    "query StakeplugMoreReviews($id: ID!, $after: String!) {\n"
    "  rateLimit { cost remaining resetAt }\n"
    "  node(id: $id) { ... on PullRequest { reviews(first: 100, after: $after) { "
    f"{_REVIEW_FIELDS} }} }} }}\n"
    "}\n"
)


def batch_query(numbers: Sequence[int]) -> str:
    """The query for the reviews of ``numbers`` in the repository ``$owner/$name``."""
    parts = [
        f"    pr{n}: pullRequest(number: {n}) {{ id number reviews(first: {REVIEWS_PAGE}) {{ "
        f"{_REVIEW_FIELDS} }} }}"
        for n in numbers
    ]
    return (
        "query StakeplugReviews($owner: String!, $name: String!) {\n"
        "  rateLimit { cost remaining resetAt }\n"
        "  repository(owner: $owner, name: $name) {\n" + "\n".join(parts) + "\n  }\n}\n"
    )


def graphql_url(base_url: str) -> str:
    """GitHub's GraphQL endpoint beside the REST root ``base_url``.

    ``https://api.github.com`` → ``https://api.github.com/graphql``; GitHub
    Enterprise Server's ``https://HOST/api/v3`` → ``https://HOST/api/graphql``.
    """
    root = base_url.rstrip("/")
    if root.endswith("/api/v3"):
        return root[: -len("/v3")] + "/graphql"
    return root + "/graphql"


class GraphQLUnavailableError(TrackerError, RuntimeError):
    """The first GraphQL query failed in a way that says GraphQL cannot be used here."""


def rest_review(node: Mapping[str, Any]) -> dict[str, Any]:
    """A GraphQL ``PullRequestReview`` in the shape of REST's review payload, plus its comment count."""
    comments = node.get("comments")
    count = comments.get("totalCount") if isinstance(comments, Mapping) else None
    return {
        "id": node.get("databaseId"),
        "user": node.get("author"),
        "state": node.get("state"),
        "submitted_at": node.get("submittedAt"),
        "body": node.get("body"),
        "html_url": node.get("url"),
        "comments": count if isinstance(count, int) else None,
    }


@attrs.define
class Fetched:
    """What the GraphQL reads found for one repository."""

    reviews: dict[int, list[dict[str, Any]]] = attrs.Factory(dict)
    """REST-shaped reviews by pull request number."""
    problems: list[tuple[int, str]] = attrs.Factory(list)
    """``(number, reason)`` for each pull request whose reviews could not be read."""


class GraphQLReviews:
    """Reads reviews through GraphQL with the adapter's HTTP client (its session, policy and counter).

    The point budget is kept in a :class:`GitHubLimits` of its own, so a
    used-up GraphQL budget never stops the REST listings and the other way round.
    """

    def __init__(self, http: HttpClient, *, token_env: str, batch: int = BATCH):
        self.http = http
        self.url = graphql_url(http.base_url)
        self.limits = GitHubLimits(adapter=http.adapter, token_env=token_env, clock=http.policy.clock)
        self.batch = batch
        self._body: Mapping[str, Any] = {}
        """The last answer :meth:`_classify` accepted."""
        self.succeeded = False
        """Whether any query has been answered: after that, a failure is one batch's, not GraphQL's."""

    # -- one query -------------------------------------------------------------------

    def query(self, text: str, variables: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, list[Any]]:
        """Send one query under the HTTP policy; return ``(data, errors)``."""
        self.limits.wait_out(self.http.policy)
        try:
            self.http.request(
                "POST",
                self.url,
                json={"query": text, "variables": dict(variables)},
                read_only=True,
                classify=self._classify,
            )
        except TrackerError as exc:
            if not self.succeeded and not isinstance(exc, RateLimitedError | UnavailableError):
                raise GraphQLUnavailableError(
                    f"GitHub's GraphQL API at {self.url} cannot be used: {exc}",
                    adapter=exc.adapter,
                    status=exc.status,
                ) from exc
            raise
        body = self._body
        data = body.get("data")
        errors = _errors(body)
        if not isinstance(data, Mapping):
            if not self.succeeded:
                raise GraphQLUnavailableError(
                    f"GitHub's GraphQL API at {self.url} answered {_describe(errors) or 'without data'}",
                    adapter=self.http.adapter,
                    status=200,
                )
            return None, errors
        self.succeeded = True
        return data, errors

    def _classify(self, response: requests.Response) -> TrackerError | None:
        """This query's answer read as the policy needs it: HTTP refusals, then rate limits inside a 200.

        A readable answer is kept in ``_body`` for :meth:`query`, so it is decoded once.
        """
        found = self.limits(response)
        if found is not None or not response.ok:
            return found
        try:
            body = response.json()
        except ValueError:
            return PayloadError(
                f"GitHub answered the GraphQL query at {self.url} with something that is not JSON",
                adapter=self.http.adapter,
                status=response.status_code,
            )
        if not isinstance(body, Mapping):
            return PayloadError(
                f"GitHub answered the GraphQL query at {self.url} with a {type(body).__name__}",
                adapter=self.http.adapter,
                status=response.status_code,
            )
        self._body = body
        self._note_points(body)
        return self._rate_limited(response, _errors(body))

    def _note_points(self, body: Mapping[str, Any]) -> None:
        """Keep the ``rateLimit`` the answer reports: the budget left, its reset, the query's cost.

        GitHub also sends ``x-ratelimit-*`` headers for GraphQL, but a proxy or a GitHub
        Enterprise Server set-up may not; the body's figures are the query's own.
        """
        data = body.get("data")
        found = data.get("rateLimit") if isinstance(data, Mapping) else None
        if not isinstance(found, Mapping) or not isinstance(found.get("remaining"), int):
            return
        reset = _epoch(found.get("resetAt"))
        self.limits.record_points(found["remaining"], reset, resource="graphql")
        cost = found.get("cost")
        if isinstance(cost, int):
            log.debug("github: GraphQL query cost %d point(s), %d left", cost, found["remaining"])

    def _rate_limited(self, response: requests.Response, errors: list[Any]) -> RateLimitedError | None:
        """The REST-worded rate-limit error a 200 answer's ``errors`` stand for, or ``None``."""
        hits = [
            e for e in errors if e.get("type") in _RATE_LIMIT_TYPES or e.get("code") == "graphql_rate_limit"
        ]
        if not hits:
            return None
        if "secondary" in str(hits[0].get("message", "")).lower():
            return self.limits._secondary(response, response.status_code)
        state = self.limits.state
        if state.remaining == 0 and state.reset is not None:
            return self.limits.primary_exhausted(state.reset, status=response.status_code)
        if state.remaining is None or state.reset is None:
            raise NoRetry(self.limits.reset_unknown(response.status_code))
        return self.limits.primary_exhausted(None, status=response.status_code)

    # -- a repository's pull requests -----------------------------------------------

    def fetch(self, repo: str, numbers: Sequence[int]) -> Fetched:
        """The reviews of pull requests ``numbers`` of ``repo``, :attr:`batch` a query."""
        found = Fetched()
        owner, _, name = repo.partition("/")
        for start in range(0, len(numbers), self.batch):
            part = numbers[start : start + self.batch]
            try:
                more = list(self._batch(owner, name, part, found))
            except (UnavailableError, PayloadError) as exc:
                if not self.succeeded:
                    raise
                found.problems.extend((n, f"the query for its batch failed: {exc}") for n in part)
                continue
            for number, node_id, cursor in more:
                self._more(number, node_id, cursor, found)
        return found

    def _batch(
        self, owner: str, name: str, part: Sequence[int], found: Fetched
    ) -> Iterator[tuple[int, str, str]]:
        """Read one batch into ``found``; yield the pull requests whose reviews go on."""
        data, errors = self.query(batch_query(part), {"owner": owner, "name": name})
        repository = data.get("repository") if data is not None else None
        loose = [e for e in errors if _alias(e) is None]
        for number in part:
            node = repository.get(f"pr{number}") if isinstance(repository, Mapping) else None
            mine = [e for e in errors if _alias(e) == f"pr{number}"]
            page = node.get("reviews") if isinstance(node, Mapping) else None
            if mine or loose or not isinstance(page, Mapping):
                found.problems.append(
                    (number, _describe(mine or loose) or "GitHub's GraphQL answer left it out")
                )
                continue
            found.reviews[number] = [
                rest_review(r) for r in page.get("nodes") or () if isinstance(r, Mapping)
            ]
            cursor = _next_cursor(page)
            if cursor is not None and isinstance(node, Mapping) and isinstance(node.get("id"), str):
                yield number, str(node["id"]), cursor

    def _more(self, number: int, node_id: str, cursor: str, found: Fetched) -> None:
        """Follow-up pages for a pull request with more reviews than the batch page held."""
        next_cursor: str | None = cursor
        while next_cursor is not None:
            try:
                data, errors = self.query(MORE_REVIEWS_QUERY, {"id": node_id, "after": next_cursor})
            except (UnavailableError, PayloadError) as exc:
                data, errors = None, [{"message": str(exc)}]
            node = data.get("node") if data is not None else None
            page = node.get("reviews") if isinstance(node, Mapping) else None
            if errors or not isinstance(page, Mapping):
                reason = _describe(errors) or "GitHub's GraphQL answer has no further reviews for it"
                found.problems.append((number, f"reviews after the first {REVIEWS_PAGE}: {reason}"))
                return
            found.reviews[number].extend(
                rest_review(r) for r in page.get("nodes") or () if isinstance(r, Mapping)
            )
            next_cursor = _next_cursor(page)


def _epoch(value: Any) -> float | None:
    """``resetAt`` (ISO 8601, ``Z`` for UTC) as epoch seconds, or ``None`` when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.timestamp() if when.tzinfo is not None else None


def _errors(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = body.get("errors")
    return [e for e in found if isinstance(e, Mapping)] if isinstance(found, list) else []


def _alias(error: Mapping[str, Any]) -> str | None:
    """The pull request alias (``pr12``) an error's ``path`` points at, if it does."""
    path = error.get("path")
    if isinstance(path, list) and len(path) >= 2 and path[0] == "repository" and isinstance(path[1], str):
        return path[1]
    return None


def _next_cursor(page: Mapping[str, Any]) -> str | None:
    info = page.get("pageInfo")
    if isinstance(info, Mapping) and info.get("hasNextPage") and isinstance(info.get("endCursor"), str):
        return str(info["endCursor"])
    return None


def _describe(errors: Sequence[Mapping[str, Any]]) -> str:
    """``NOT_FOUND: Could not resolve …`` for the first error or two."""
    parts = []
    for error in errors[:2]:
        kind = error.get("type")
        message = str(error.get("message") or "no message")
        parts.append(f"{kind}: {message}" if kind else message)
    return "; ".join(parts)
