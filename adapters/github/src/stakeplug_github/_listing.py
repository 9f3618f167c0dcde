"""GitHub's listings as pages of records, and the tally of what a run read and had to skip.

Both sides of the adapter read through :class:`Listings`: the collection of a
repository's activity and the look-up of existing care tasks.  Each page is a
JSON list; before each request a used-up primary rate limit is waited out
within the retry budget, or the source stops with the time to run it again.
:class:`Tally` counts the items and activities read and the records that
could not be translated, with their reasons, for the source's statistics.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from stakeplug import Activity, SourceStats
from stakeplug.errors import PayloadError
from stakeplug.http import HttpClient, get_logger
from stakeplug_github._limits import GitHubLimits

__all__ = ["PER_PAGE", "Listings", "Tally"]

log: logging.Logger = get_logger("stakeplug.github")

PER_PAGE = 100
_MAX_REASONS = 20
T = TypeVar("T")


class Tally:
    """Items and activities read, and what had to be skipped (the first reasons kept); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items = 0
        self._activities = 0
        self._skipped = 0
        self._reasons: list[str] = []

    def count(self, *, items: int = 0, activities: int = 0) -> None:
        """Add ``items`` records and ``activities`` activities read."""
        with self._lock:
            self._items += items
            self._activities += activities

    def skip(self, reason: str) -> None:
        """Count one record skipped, for ``reason``."""
        log.warning("github: skipped %s", reason)
        with self._lock:
            self._skipped += 1
            if len(self._reasons) < _MAX_REASONS:
                self._reasons.append(reason)

    def guard(self, what: str, payload: Any, fn: Callable[[Any], T]) -> T | None:
        """Translate one payload; a malformed one is counted as skipped, never fatal."""
        try:
            return fn(payload)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            ident = payload.get("id") if isinstance(payload, Mapping) else None
            self.skip(f"{what} {ident if ident is not None else '?'}: {type(exc).__name__}: {exc}")
            return None

    def guard_each(self, what: str, page: list[Any], fn: Callable[[Any], Activity | None]) -> list[Activity]:
        """:meth:`guard` for each payload of ``page``; the activities of those that could be read."""
        return [a for a in (self.guard(what, p, fn) for p in page) if a is not None]

    def stats(self, requests: int) -> SourceStats:
        """The source's statistics, with ``requests`` made."""
        with self._lock:
            return SourceStats(
                requests=requests,
                items=self._items,
                activities=self._activities,
                skipped=self._skipped,
                skipped_reasons=tuple(self._reasons),
            )


class Listings:
    """Pages of GitHub's list endpoints, a used-up primary limit waited out before each request."""

    def __init__(self, http: HttpClient, limits: GitHubLimits, *, adapter: str = "github"):
        self._http = http
        self._limits = limits
        self._adapter = adapter

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Each page of a listing as a list, following ``link: rel="next"``.

        Before each request a used-up rate limit is waited out.  Paging, and its
        refusal to follow a next link to another host with the token, is
        :meth:`HttpClient.paginate`'s.
        """
        wait = partial(self._limits.wait_out, self._http.policy)
        pages = self._http.paginate(path, params={**params, "per_page": PER_PAGE}, before_each=wait)
        return (self._list(response) for response in pages)

    def _list(self, response: requests.Response) -> list[Any]:
        where = urlsplit(response.url).path
        try:
            data = response.json()
        except ValueError as exc:
            raise PayloadError(
                f"GitHub answered {where} with something that is not JSON",
                adapter=self._adapter,
                status=response.status_code,
            ) from exc
        if not isinstance(data, list):
            raise PayloadError(
                f"GitHub answered {where} with a {type(data).__name__}, not a list",
                adapter=self._adapter,
                status=response.status_code,
            )
        return data
