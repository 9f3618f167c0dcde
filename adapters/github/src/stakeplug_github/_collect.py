"""Reading one repository's activity from GitHub's repository-wide listings.

:class:`RepositoryReader` reads the issues listing (pull requests included),
then, while the reviews of the pull requests it named are read in the
background (:mod:`stakeplug_github._reviews`), the event, comment and
review-comment listings; it translates each record (:mod:`stakeplug_github._mapping`),
counting a malformed one as skipped, and yields the activities inside the
window page by page, holding back only what the end of the run settles
(:mod:`stakeplug_github._postpass`).  The events listing has no ``since`` and
comes newest first: paging stops at the first page that reaches before the
window, and a ``closed`` event that comes with a merge of the same pull
request counts once, as the merge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from stakeplug import Activity
from stakeplug.http import HttpClient
from stakeplug_github._listing import Listings, Tally
from stakeplug_github._mapping import Translator, is_pull_request, parse_time
from stakeplug_github._postpass import PostPass
from stakeplug_github._reviews import ReviewReader

__all__ = ["RepositoryReader"]

_EventKey = tuple[int | None, str | None, datetime | None]
_REMOVED = "review_request_removed"


class RepositoryReader:
    """Reads the activities of one repository in a window; the adapter's read side."""

    def __init__(
        self,
        http: HttpClient,
        listings: Listings,
        tally: Tally,
        *,
        reviews_via: str,
        token_env: str,
        review_workers: int,
        status_labels: Sequence[str],
        input_labels: Sequence[str],
    ):
        self._listings = listings
        self._tally = tally
        self.review_workers = review_workers
        self.status_labels = tuple(status_labels)
        self.input_labels = tuple(input_labels)
        self._reviews = ReviewReader(
            http, via=reviews_via, token_env=token_env, rest_fetch=self._rest_reviews, skip=tally.skip
        )

    def read(self, repo: str, since: datetime, until: datetime) -> Iterator[Activity]:
        """The activities of ``repo`` with ``since <= timestamp < until``, page by page as translated.

        In no particular order: what only the end of the run settles is held back by
        :class:`~stakeplug_github._postpass.PostPass` and yielded last.  When a listing
        fails part-way (a rate limit beyond the budget, a page that keeps failing),
        what was held is yielded too, settled with what was read, and then the error is raised.
        """
        tr = Translator(repo, status_labels=self.status_labels, input_labels=self.input_labels)
        post = PostPass(tr, since, until)
        try:
            yield from self._read(repo, since, tr, post)
        except Exception:
            yield from post.rest()
            raise
        yield from post.rest()

    def _read(self, repo: str, since: datetime, tr: Translator, post: PostPass) -> Iterator[Activity]:
        """Issues first, then (while the reviews are read in the background) events, comments,
        review comments, and the reviews."""
        guard, each = self._tally.guard, self._tally.guard_each
        pages, settle = self._listings.pages, post.settle
        stamp = _since_param(since)
        prs: list[int] = []
        listing = {"state": "all", "sort": "updated", "direction": "asc", "since": stamp}
        for page in pages(f"repos/{repo}/issues", listing):
            self._tally.count(items=len(page))
            for issue in page:
                yield from settle(guard(f"{repo} issue", issue, tr.issue) or ())
                if isinstance(issue, Mapping) and is_pull_request(issue):
                    number = issue.get("number")
                    if isinstance(number, int):
                        prs.append(number)
        with ThreadPoolExecutor(self.review_workers, thread_name_prefix="github-reviews") as pool:
            reviews = self._reviews.start(pool, repo, prs)
            try:
                yield from settle(self._events(repo, since, tr, post))
                comments = {"sort": "created", "direction": "asc", "since": stamp}
                for page in pages(f"repos/{repo}/issues/comments", comments):
                    yield from settle(each(f"{repo} comment", page, tr.comment))
                for page in pages(f"repos/{repo}/pulls/comments", comments):
                    yield from settle(each(f"{repo} review comment", page, tr.review_comment))
                for number, found in reviews.results():
                    yield from settle(each(f"{repo}#{number} review", found, partial(tr.review, number)))
            finally:
                reviews.cancel()

    def _events(self, repo: str, since: datetime, tr: Translator, post: PostPass) -> Iterator[Activity]:
        """Read the newest-first events listing back to ``since``; one completion per merge.

        The review requests taken back are read first, so ``post`` knows them before
        any request or answer is translated.
        """
        events: list[tuple[Any, _EventKey]] = []
        for page in self._listings.pages(f"repos/{repo}/issues/events", {}):
            reached = False
            for event in page:
                key = _event_key(event)
                if key[2] is not None and key[2] < since:
                    reached = True
                    continue
                events.append((event, key))
            if reached:
                break
        merged: dict[int, list[datetime]] = {}
        for _, (number, name, when) in events:
            if name == "merged" and number is not None and when is not None:
                merged.setdefault(number, []).append(when)
        for event, key in reversed(events):
            if key[1] == _REMOVED:
                self._tally.guard(f"{repo} event", event, tr.event)
        post.watch_removals()
        for event, key in reversed(events):
            if key[1] == _REMOVED or _closed_by_merge(key, merged):
                continue
            act = self._tally.guard(f"{repo} event", event, tr.event)
            if act is not None:
                yield act

    def _rest_reviews(self, repo: str, number: int) -> list[Any]:
        found: list[Any] = []
        for page in self._listings.pages(f"repos/{repo}/pulls/{number}/reviews", {}):
            found.extend(page)
        return found


def _since_param(since: datetime) -> str:
    """``since`` for GitHub: whole seconds, a second early.

    GitHub documents ``since`` as "updated after", and its timestamps have
    whole seconds; asking from a second earlier keeps a record updated exactly
    at the window start whichever way GitHub compares.  The window itself is
    applied exactly to the activities afterwards.
    """
    early = since.astimezone(UTC).replace(microsecond=0) - timedelta(seconds=1)
    return early.strftime("%Y-%m-%dT%H:%M:%SZ")


def _event_key(event: Any) -> _EventKey:
    """``(issue number, event name, time)`` of an event, with ``None`` for what is missing or malformed."""
    if not isinstance(event, Mapping):
        return None, None, None
    issue = event.get("issue")
    number = issue.get("number") if isinstance(issue, Mapping) else None
    try:
        when = parse_time(event.get("created_at"))
    except ValueError:
        when = None
    name = event.get("event")
    return (
        number if isinstance(number, int) else None,
        name if isinstance(name, str) else None,
        when,
    )


def _closed_by_merge(key: _EventKey, merged: Mapping[int, list[datetime]]) -> bool:
    """A ``closed`` event (by its :func:`_event_key`) that comes with a merge of the same pull
    request (GitHub sends both)."""
    number, name, when = key
    if name != "closed" or number is None or when is None:
        return False
    return any(abs((when - m).total_seconds()) <= 60 for m in merged.get(number, ()))
