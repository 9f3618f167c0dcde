"""Where the GitHub adapter reads pull request reviews from: GraphQL in batches, or REST one by one.

``reviews_via = "graphql"`` (the default) reads the reviews of 50 pull requests
a query (:mod:`stakeplug_github._graphql`); ``"rest"`` reads
``/pulls/{n}/reviews`` for each pull request, a small thread pool at a time.
When the very first GraphQL query fails in a way that says GraphQL cannot be
used with this server or token (a 404 for the endpoint, a refusal, an answer
without data), the adapter says so in a warning and reads reviews through
REST from then on; a failure after GraphQL has worked once is one batch's and
marks only its pull requests skipped, with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from stakeplug.errors import NotFoundError
from stakeplug.http import HttpClient, get_logger
from stakeplug_github._graphql import Fetched, GraphQLReviews, GraphQLUnavailableError

__all__ = ["REVIEWS_VIA", "PendingReviews", "ReviewReader"]

log: logging.Logger = get_logger("stakeplug.github")

REVIEWS_VIA = ("graphql", "rest")


class PendingReviews:
    """Reviews of one repository's pull requests being read in the background."""

    def __init__(
        self,
        reader: ReviewReader,
        pool: ThreadPoolExecutor,
        repo: str,
        numbers: Sequence[int],
    ):
        self.reader = reader
        self.pool = pool
        self.repo = repo
        self.numbers = list(numbers)
        self._batch: Future[Fetched] | None = None
        self._each: list[tuple[int, Future[list[Any]]]] = []
        if not self.numbers:
            return
        if reader.via == "graphql":
            self._batch = pool.submit(reader.graphql.fetch, repo, self.numbers)
        else:
            self._start_rest()

    def _start_rest(self) -> None:
        fetch = self.reader.rest_fetch
        self._each = [(n, self.pool.submit(fetch, self.repo, n)) for n in self.numbers]

    def results(self) -> Iterator[tuple[int, list[Any]]]:
        """``(number, REST-shaped reviews)`` for each pull request read; the others are reported skipped."""
        if self._batch is not None:
            try:
                fetched = self._batch.result()
            except GraphQLUnavailableError as exc:
                self.reader.fall_back(exc)
                self._start_rest()
            else:
                for number, reason in fetched.problems:
                    self.reader.skip(f"{self.repo}#{number} reviews: {reason}")
                yield from fetched.reviews.items()
                return
        for number, future in self._each:
            try:
                found = future.result()
            except NotFoundError as exc:
                self.reader.skip(f"{self.repo}#{number} reviews: {exc}")
                continue
            yield number, found

    def cancel(self) -> None:
        """Give up what has not started (the listings failed)."""
        if self._batch is not None:
            self._batch.cancel()
        for _, future in self._each:
            future.cancel()


class ReviewReader:
    """Chooses and remembers the way reviews are read for one adapter.

    ``rest_fetch(repo, number)`` reads one pull request's reviews through
    REST; ``skip(reason)`` reports a pull request whose reviews could not be read.
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        via: str,
        token_env: str,
        rest_fetch: Callable[[str, int], list[Any]],
        skip: Callable[[str], None],
    ):
        self.via = via
        self.graphql = GraphQLReviews(http, token_env=token_env)
        self.rest_fetch = rest_fetch
        self.skip = skip

    def start(self, pool: ThreadPoolExecutor, repo: str, numbers: Sequence[int]) -> PendingReviews:
        """Begin reading the reviews of ``numbers`` in ``repo`` on ``pool``."""
        return PendingReviews(self, pool, repo, numbers)

    def fall_back(self, error: GraphQLUnavailableError) -> None:
        """GraphQL cannot be used here: say so once and read reviews through REST from now on."""
        if self.via == "rest":
            return
        self.via = "rest"
        log.warning(
            "github: %s; reading reviews through REST instead (one request per pull request); "
            'set reviews_via = "rest" to skip the attempt',
            error,
        )
