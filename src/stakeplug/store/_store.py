"""The activity store: what each source delivered, its cursor, read back in time order.

One transaction per batch of activities, so a run killed at any moment loses at
most the batch it was writing; a source's cursor moves only in the transaction
that closes a successful collection, so a source that fails is asked again for
the same span next time.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs

from stakeplug.domain.model import Activity, Item
from stakeplug.store._db import (
    ACTIVITY_COLUMNS,
    SCHEMA_VERSION,
    StoreError,
    connect,
    remove_files,
    write_errors,
)
from stakeplug.store._history import HistoryMixin
from stakeplug.store._rows import (
    activity_key,
    addressees_text,
    details_text,
    from_micros,
    item_row,
    micros,
    row_activity,
    row_item,
)

__all__ = ["SourceState", "Store", "StoreInfo"]

BATCH = 5_000
"""Activities written per transaction."""

PRUNE_MARGIN_DAYS = 14
"""Kept beyond the lookback window: a request just before the window can still be paired
with its answer (the default answer window is seven days), with room to spare."""

_ITEM_CACHE = 50_000


@attrs.frozen
class SourceState:
    """One source as the store knows it: its cursor and its last full refresh."""

    source: str
    adapter: str
    cursor: datetime | None
    full_refresh: datetime | None
    activities: int


@attrs.frozen
class StoreInfo:
    """What ``stakeplug store info`` prints."""

    path: str
    size: int
    """Bytes on disk, with the write-ahead log."""
    schema: int
    activities: int
    items: int
    runs: int
    last_run: datetime | None
    sources: tuple[SourceState, ...]


def _optional(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


class Store(HistoryMixin):
    """A local SQLite activity store, locked for the one run that has it open.

    Open it with :meth:`open` (or as a context manager) and close it when done;
    closing releases the lock.
    """

    def __init__(self, path: Path, db: sqlite3.Connection, lock: Any):
        self.path = path
        self._db = db
        self._lock = lock

    @classmethod
    def open(cls, path: str | Path, *, lock_timeout: float = 30.0, lock: bool = True) -> Store:
        """Open or create the store at ``path``; raises :class:`StoreError` subclasses on trouble.

        ``lock=False`` opens it for reading alongside a running audit (``store info``).
        """
        where = Path(path)
        db, holder = connect(where, lock_timeout=lock_timeout, lock=lock)
        return cls(where, db, holder)

    @classmethod
    def rebuild(cls, path: str | Path, *, lock_timeout: float = 30.0) -> Store:
        """Drop whatever is at ``path`` (damaged or not) and open a new, empty store there."""
        where = Path(path)
        probe = cls._locked_only(where, lock_timeout)
        try:
            remove_files(where)
            db, _ = connect(where, lock_timeout=lock_timeout, lock=False)
        except BaseException:
            probe.release()
            raise
        return cls(where, db, probe)

    @staticmethod
    def _locked_only(path: Path, timeout: float) -> Any:
        from stakeplug.store._db import _Lock

        holder = _Lock(path.with_name(path.name + ".lock"), timeout)
        path.parent.mkdir(parents=True, exist_ok=True)
        holder.acquire(str(path))
        return holder

    def close(self) -> None:
        """Close the database and release the lock."""
        self._db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with write_errors(str(self.path)):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()

    # ----------------------------------------------------------------- collection

    def source(self, name: str) -> SourceState | None:
        """The store's record of source ``name``, or ``None`` before its first collection."""
        return next((s for s in self.sources() if s.source == name), None)

    def sources(self) -> tuple[SourceState, ...]:
        """Every source the store has collected, by name."""
        rows = self._db.execute(
            "SELECT s.source, s.adapter, s.cursor, s.full_refresh,"
            " (SELECT count(*) FROM activities a WHERE a.source = s.source) FROM sources s ORDER BY s.source"
        ).fetchall()
        return tuple(SourceState(r[0], r[1], _optional(r[2]), _optional(r[3]), r[4]) for r in rows)

    def start_collection(self, source: str, adapter: str, *, full: bool) -> int:
        """Register a collection of ``source``; returns the generation its activities are written with.

        A full collection gets a new generation, so :meth:`finish_collection` can tell
        which stored activities the tracker no longer has.
        """
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sources (source, adapter) VALUES (?, ?)"
                " ON CONFLICT (source) DO UPDATE SET adapter = excluded.adapter",
                (source, adapter),
            )
            if full:
                db.execute("UPDATE sources SET generation = generation + 1 WHERE source = ?", (source,))
            (generation,) = db.execute(
                "SELECT generation FROM sources WHERE source = ?", (source,)
            ).fetchone()
        return int(generation)

    def write(
        self,
        source: str,
        activities: Iterable[Activity],
        *,
        generation: int = 0,
        keep: Callable[[Activity], bool] | None = None,
        batch: int = BATCH,
    ) -> int:
        """Store ``activities`` of ``source`` in any order, one transaction per ``batch``; returns how many.

        An activity already stored under the same key is replaced, never added twice.
        ``keep`` filters what is stored (the audit passes one that drops opted-out people).
        When the stream fails, what it delivered before is stored, then the failure raised.
        """
        written = 0
        items: dict[tuple[str, str], int] = {}
        stream = iter(activities)
        failure: Exception | None = None
        while failure is None:
            chunk: list[Activity] = []
            try:
                chunk.extend(islice(stream, batch))
            except Exception as exc:
                failure = exc
            if not chunk:
                break
            rows = [self._row(source, a, generation) for a in chunk if keep is None or keep(a)]
            with self._transaction() as db:
                for a, _row in rows:
                    key = (a.item.tool, a.item.id)
                    if key not in items:
                        items[key] = self._item_id(db, a.item)
                db.executemany(
                    f"INSERT OR REPLACE INTO activities ({ACTIVITY_COLUMNS})"  # noqa: S608  (constant)
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(*row[:5], items[(a.item.tool, a.item.id)], *row[5:]) for a, row in rows],
                )
            written += len(rows)
            if len(items) > _ITEM_CACHE:
                items.clear()
        if failure is not None:
            raise failure
        return written

    @staticmethod
    def _row(source: str, a: Activity, generation: int) -> tuple[Activity, tuple[Any, ...]]:
        return a, (
            source, micros(a.timestamp), activity_key(a), str(a.kind), a.actor, addressees_text(a.addressees),
            None if a.verdict is None else str(a.verdict), None if a.due is None else micros(a.due),
            a.link_type, int(a.external), a.count, a.id, details_text(a.details), generation, a.actor_name,
        )  # fmt: skip

    @staticmethod
    def _item_id(db: sqlite3.Connection, item: Item) -> int:
        row = item_row(item)
        found = db.execute(
            "INSERT INTO items (tool, item, url, title, labels, kind, project) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT (tool, item) DO UPDATE SET url = excluded.url, title = excluded.title,"
            " labels = excluded.labels, kind = excluded.kind, project = excluded.project RETURNING id",
            row,
        ).fetchone()
        return int(found[0])

    def finish_collection(
        self,
        source: str,
        *,
        until: datetime,
        full: bool = False,
        generation: int = 0,
        since: datetime | None = None,
        now: datetime | None = None,
    ) -> int:
        """Close a successful collection: move the cursor to ``until``; returns activities dropped.

        After a full collection of ``[since, until)``, stored activities of that span the
        tracker did not deliver again (deleted there) are dropped in the same transaction.
        """
        dropped = 0
        with self._transaction() as db:
            if full:
                low = micros(since) if since is not None else -(2**62)
                dropped = db.execute(
                    "DELETE FROM activities WHERE source = ? AND ts >= ? AND ts < ? AND generation < ?",
                    (source, low, micros(until), generation),
                ).rowcount
            at = micros(now or datetime.now(UTC))
            db.execute(
                "UPDATE sources SET cursor = max(coalesce(cursor, 0), ?), updated = ?,"
                " full_refresh = CASE WHEN ? THEN ? ELSE full_refresh END WHERE source = ?",
                (micros(until), at, int(full), at, source),
            )
        return dropped

    def read(self, source: str, since: datetime, until: datetime) -> Generator[Activity, None, None]:
        """The stored activities of ``source`` with ``since <= timestamp < until``, oldest first.

        A stream: rows are fetched as they are consumed, on a connection of its own.
        """
        db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            cursor = db.execute(
                "SELECT a.ts, a.kind, a.actor, a.addressees, a.verdict, a.due, a.link_type, a.external,"
                " a.count, a.activity_id, a.details, a.actor_name, a.item FROM activities a"
                " WHERE a.source = ? AND a.ts >= ? AND a.ts < ? ORDER BY a.ts, a.key",
                (source, micros(since), micros(until)),
            )
            items: dict[int, Item] = {}
            while rows := cursor.fetchmany(2_000):
                if len(items) > _ITEM_CACHE:
                    items.clear()
                missing = {row[12] for row in rows}.difference(items)
                if missing:
                    items.update(self._load_items(db, sorted(missing)))
                yield from [row_activity(row, items[row[12]]) for row in rows]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"reading the store failed: {exc}", path=str(self.path)) from None
        finally:
            db.close()

    @staticmethod
    def _load_items(db: sqlite3.Connection, ids: Sequence[int]) -> Iterator[tuple[int, Item]]:
        """The items of ``ids``, a few hundred a query."""
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = db.execute(
                "SELECT id, tool, item, url, title, labels, kind, project FROM items"  # noqa: S608
                f" WHERE id IN ({','.join('?' * len(part))})",  # (placeholders only)
                part,
            )
            for row in rows:
                yield row[0], row_item(row[1:])

    # ----------------------------------------------------------------- upkeep

    def forget(self, tool: str, accounts: Sequence[str]) -> int:
        """Drop every stored activity by ``accounts`` in ``tool`` (someone opted out); returns how many."""
        if not accounts:
            return 0
        marks = ",".join("?" * len(accounts))
        with self._transaction() as db:
            return db.execute(
                f"DELETE FROM activities WHERE actor IN ({marks})"  # noqa: S608  (placeholders only)
                " AND item IN (SELECT id FROM items WHERE tool = ?)",
                (*accounts, tool),
            ).rowcount

    def prune(self, before: datetime) -> int:
        """Drop activities older than ``before`` and items nothing refers to; returns activities dropped."""
        with self._transaction() as db:
            dropped = db.execute("DELETE FROM activities WHERE ts < ?", (micros(before),)).rowcount
            db.execute("DELETE FROM items WHERE id NOT IN (SELECT DISTINCT item FROM activities)")
        return dropped

    def prune_for(
        self, lookback_days: int, *, now: datetime | None = None, margin_days: int = PRUNE_MARGIN_DAYS
    ) -> int:
        """Prune what lies beyond the lookback window plus ``margin_days`` before ``now``."""
        now = now or datetime.now(UTC)
        return self.prune(now - timedelta(days=lookback_days + margin_days))

    def info(self) -> StoreInfo:
        """Size, contents, sources and their cursors."""
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        count = self._db.execute
        runs, last = count("SELECT count(*), max(at) FROM runs").fetchone()
        return StoreInfo(
            path=str(self.path),
            size=size,
            schema=SCHEMA_VERSION,
            activities=count("SELECT count(*) FROM activities").fetchone()[0],
            items=count("SELECT count(*) FROM items").fetchone()[0],
            runs=runs,
            last_run=_optional(last),
            sources=self.sources(),
        )

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file (before a CI cache saves it)."""
        with write_errors(str(self.path)):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
