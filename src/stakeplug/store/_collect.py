"""Collecting through the store: incremental where the adapter can, streamed back in time order.

:func:`stored_sources` wraps each ``(name, adapter)`` pair of an audit in a
:class:`StoredSource`.  Its ``collect(since, until)`` first asks the adapter for
what it has not seen yet and writes it to the store, in whatever order the
tracker returns it, then yields the source's stored activities of the window
oldest first.  The engine sees an ordinary source.

An adapter whose capabilities declare ``incremental`` (``collect(since, until)``
then returns everything that *changed* since ``since``, and every activity has a
stable id) is asked only from its cursor minus :data:`OVERLAP`; every other
adapter, and every adapter once every ``full_refresh_days``, is collected in full
and what the tracker no longer has is dropped.  A collection that fails keeps its
cursor; the audit still gets what the store held, and the source is reported
partial with the adapter's error.

While an incremental adapter is asked, what the store holds of the window before
the adapter's ``since`` is settled: :class:`ReadAhead` reads it on a thread of its
own meanwhile (a bounded number of activities), so a quiet night's requests and
its reading back overlap.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import attrs

from stakeplug.adapter import Capabilities
from stakeplug.domain.model import Activity
from stakeplug.domain.register import Register, normalize_account
from stakeplug.store._store import Store

__all__ = [
    "DEFAULT_PATH",
    "FULL_REFRESH_DAYS",
    "OVERLAP",
    "StoreSettings",
    "StoredSource",
    "opted_out_filter",
    "store_settings",
    "stored_sources",
]

OVERLAP = timedelta(hours=1)
"""How far before its cursor an incremental collection starts again, to catch late edits and clock skew."""

FULL_REFRESH_DAYS = 7
"""Days between full collections of an incremental source (these catch deletions)."""

PROGRESS_EVERY = 500
"""How many activities collected into the store between two progress reports."""

AHEAD_CHUNK = 2_000
"""Activities per chunk the read-ahead hands over."""

AHEAD_CHUNKS = 16
"""Chunks the read-ahead keeps waiting at most: 32,000 activities, some 17 MB, held at most."""

_DONE = object()


@attrs.frozen
class StoreSettings:
    """The ``[store]`` table: where the store lives and how often sources are collected in full."""

    path: str
    full_refresh_days: int = FULL_REFRESH_DAYS
    lock_timeout: float = 30.0


DEFAULT_PATH = ".stakeplug/store.sqlite"

_STORE_KEYS = ("enabled", "path", "full_refresh_days", "lock_timeout")


def store_settings(config: Any) -> StoreSettings | None:
    """The checked ``[store]`` table of a loaded config, or ``None`` when ``enabled = false``.

    ``path`` is relative to the config file's folder.
    """
    from stakeplug.domain.suggest import did_you_mean
    from stakeplug.errors import ConfigError

    table: Mapping[str, Any] = getattr(config, "store", {}) or {}
    where = getattr(config, "path", None)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, path=where, location=f"store.{key}" if key else "store")

    for key in table:
        if key not in _STORE_KEYS:
            raise fail(key, f"unknown key{did_you_mean(key, _STORE_KEYS)}; allowed: {', '.join(_STORE_KEYS)}")
    enabled = table.get("enabled", True)
    path = table.get("path", DEFAULT_PATH)
    days = table.get("full_refresh_days", FULL_REFRESH_DAYS)
    wait = table.get("lock_timeout", 30.0)
    if not isinstance(enabled, bool):
        raise fail("enabled", f"must be true or false, got {enabled!r}")
    if not isinstance(path, str) or not path.strip():
        raise fail("path", "must be a non-empty string: the store file, relative to this config")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise fail("full_refresh_days", f"must be an integer from 1 to 365, got {days!r}")
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        raise fail("lock_timeout", f"must be a number of seconds, 0 or more, got {wait!r}")
    if not enabled:
        return None
    base = Path(where).resolve().parent if where else Path.cwd()
    return StoreSettings(str(base / path), days, float(wait))


def opted_out_filter(register: Register) -> Callable[[Activity], bool]:
    """A ``keep`` filter for :meth:`Store.write` that drops what opted-out stakeholders did."""
    gone = {
        (identity.tool, normalize_account(identity.account))
        for person in register.stakeholders
        if person.opted_out
        for identity in person.identities
    }
    if not gone:
        return lambda activity: True
    return lambda a: a.actor is None or (a.item.tool, normalize_account(a.actor)) not in gone


class StoredSource:
    """One adapter seen through the store (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        source: str,
        adapter: Any,
        *,
        keep: Callable[[Activity], bool] | None = None,
        full_refresh_days: int = FULL_REFRESH_DAYS,
        now: datetime | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ):
        self.store = store
        self.source = source
        self.adapter = adapter
        self.keep = keep
        self.full_refresh_days = full_refresh_days
        self.now = now
        self.progress = progress
        """Told ``(source, activities collected, requests)`` while the adapter is read into the store."""
        self.full: bool | None = None
        """Whether the last collection was a full one (``None`` before the first)."""

    @property
    def name(self) -> str:
        return str(getattr(self.adapter, "name", type(self.adapter).__name__))

    @property
    def capabilities(self) -> Any:
        """The adapter's, with ``ordered`` set: whatever order the adapter yields, the store reads
        the window back oldest first."""
        caps = getattr(self.adapter, "capabilities", None)
        return attrs.evolve(caps, ordered=True) if isinstance(caps, Capabilities) else caps

    @property
    def stats(self) -> Any:
        return getattr(self.adapter, "stats", None)

    def close(self) -> None:
        close = getattr(self.adapter, "close", None)
        if callable(close):
            close()

    def _plan(self, since: datetime, until: datetime) -> tuple[bool, datetime]:
        """Whether to collect in full, and from when to ask the adapter."""
        state = self.store.source(self.source)
        incremental = bool(getattr(self.capabilities, "incremental", False))
        now = self.now or datetime.now(UTC)
        if (
            not incremental
            or state is None
            or state.adapter != self.name
            or state.cursor is None
            or state.full_refresh is None
            or now - state.full_refresh >= timedelta(days=self.full_refresh_days)
            or state.cursor > until
        ):
            return True, since
        return False, max(since, state.cursor - OVERLAP)

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Bring the store up to date from the adapter, then yield the window from the store, oldest first.

        An incremental collection asks the adapter only from ``ask_from``; what the store holds
        before that instant is settled, and is read ahead on a thread of its own while the
        adapter's requests are under way (:class:`ReadAhead`, at most :data:`AHEAD_CHUNKS`
        chunks of :data:`AHEAD_CHUNK` activities).
        Should the adapter deliver anything older after all, the read-ahead is dropped and the
        whole window is read again once the collection is stored.
        """
        full, ask_from = self._plan(since, until)
        self.full = full
        settled = min(ask_from, until)
        ahead = None if full or settled <= since else ReadAhead(self.store, self.source, since, settled)
        try:
            older, failure = self._collect_into_store(
                full, ask_from, until, since, settled if ahead is not None else None
            )
            if ahead is not None and older:
                ahead.close()
                ahead = None
            if ahead is None:
                yield from self.store.read(self.source, since, until)
            else:
                yield from ahead
                yield from self.store.read(self.source, settled, until)
        finally:
            if ahead is not None:
                ahead.close()
        if failure is not None:
            raise failure

    def _collect_into_store(
        self, full: bool, ask_from: datetime, until: datetime, since: datetime, settled: datetime | None
    ) -> tuple[bool, Exception | None]:
        """Ask the adapter from ``ask_from`` and store what it gives.

        Returns whether any of it is older than ``settled`` (watched only when a read-ahead
        needs to know) and the adapter's failure, which the caller raises after the read.
        """
        generation = self.store.start_collection(self.source, self.name, full=full)
        failure: Exception | None = None
        older = [False]
        try:
            collected = self.adapter.collect(ask_from, until)
            if self.progress is not None:
                collected = self._counted(collected, self.progress)
            if settled is not None:
                collected = _watch_older(collected, settled, older)
            self.store.write(self.source, collected, generation=generation, keep=self.keep)
        except Exception as exc:
            from stakeplug.store._db import StoreError

            if isinstance(exc, StoreError):
                raise
            failure = exc
        if failure is None:
            self.store.finish_collection(
                self.source, until=until, full=full, generation=generation, since=since, now=self.now
            )
        return older[0], failure

    def _counted(
        self, activities: Iterable[Activity], progress: Callable[[str, int, int], None]
    ) -> Iterator[Activity]:
        """``activities`` as they come, telling ``progress`` every :data:`PROGRESS_EVERY` and at the end."""
        count = 0
        for count, activity in enumerate(activities, 1):
            yield activity
            if not count % PROGRESS_EVERY:
                progress(self.source, count, self._requests())
        progress(self.source, count, self._requests())

    def _requests(self) -> int:
        stats = self.stats
        return int(getattr(stats, "requests", 0) or 0)


def _watch_older(activities: Iterable[Activity], settled: datetime, older: list[bool]) -> Iterator[Activity]:
    """``activities`` as they come; ``older[0]`` turns true once one is older than ``settled``."""
    for activity in activities:
        if activity.timestamp < settled:
            older[0] = True
        yield activity


class ReadAhead:
    """The stored activities of ``[since, until)`` of a source, read on a thread of their own.

    The thread reads the store (a connection of its own; the store's WAL lets the collection
    write meanwhile) into a queue of at most :data:`AHEAD_CHUNKS` chunks of
    :data:`AHEAD_CHUNK` activities, and waits while it is full, so memory stays bounded
    however long the window.  Iterating yields them oldest first, and raises what the read
    raised; :meth:`close` stops the thread and waits for it.
    """

    def __init__(self, store: Store, source: str, since: datetime, until: datetime):
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=AHEAD_CHUNKS)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(store, source, since, until), name="stakeplug-read-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, store: Store, source: str, since: datetime, until: datetime) -> None:
        try:
            stream = store.read(source, since, until)
            try:
                while not self._stop.is_set() and (chunk := list(islice(stream, AHEAD_CHUNK))):
                    self._queue.put(chunk)
            finally:
                stream.close()
            self._queue.put(_DONE)
        except BaseException as exc:  # handed to the reader, who raises it
            self._queue.put(exc)

    def __iter__(self) -> Iterator[Activity]:
        while (chunk := self._queue.get()) is not _DONE:
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk

    def close(self) -> None:
        """Stop reading (whatever is left unread is dropped) and wait for the thread."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()


def stored_sources(
    store: Store,
    sources: Iterable[tuple[str, Any]],
    register: Register,
    *,
    full_refresh_days: int = FULL_REFRESH_DAYS,
    now: datetime | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[tuple[str, StoredSource]]:
    """Wrap an audit's ``(name, adapter)`` pairs so they collect through ``store``.

    Activities of opted-out stakeholders stored by earlier runs are forgotten first.
    ``progress`` is told how collecting each source into the store goes (the engine's own
    progress then follows the window as it is read back).
    """
    for person in register.stakeholders:
        if person.opted_out:
            for identity in person.identities:
                store.forget(identity.tool, [identity.account])
    keep = opted_out_filter(register)
    return [
        (
            name,
            StoredSource(
                store,
                name,
                adapter,
                keep=keep,
                full_refresh_days=full_refresh_days,
                now=now,
                progress=progress,
            ),
        )
        for name, adapter in sources
    ]
