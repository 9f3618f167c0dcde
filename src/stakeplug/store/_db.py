"""Opening the store file: the lock, the schema and its migrations, the error mapping.

The store is one SQLite file in WAL mode.  Its ``application_id`` says it is a
stakeplug store and its ``user_version`` which schema it holds; :data:`MIGRATIONS`
takes an older file forward one step at a time, each step in one transaction.

Two runs on the same store never interleave: the writer holds an exclusive
``fcntl.flock`` on a sidecar file (``store.sqlite.lock``) for as long as the store
is open.  The kernel drops such a lock when its process ends, however it ends, so
a run killed with SIGKILL never leaves a stale lock behind.  A second run waits
up to ``lock_timeout`` seconds and then gives up with :class:`StoreLockedError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from stakeplug.errors import StakeplugError

__all__ = [
    "ACTIVITY_COLUMNS",
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreVersionError",
    "connect",
]

APPLICATION_ID = 0x53544B50
"""``STKP``: marks a SQLite file as a stakeplug store."""

_REBUILD = "run `stakeplug store rebuild` to drop it and collect afresh"


class StoreError(StakeplugError, OSError):
    """The activity store cannot be opened, read or written; ``path`` names its file."""

    def __init__(self, message: str, *, path: str):
        self.path = path
        super().__init__(f"{path}: {message}")


class StoreCorruptError(StoreError):
    """The file at the store path is damaged, or is not a stakeplug store."""


class StoreVersionError(StoreError):
    """The store was written by a newer stakeplug; it is left untouched."""


class StoreLockedError(StoreError):
    """Another run holds the store and did not let go within the wait."""


_V1 = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    tool TEXT NOT NULL,
    item TEXT NOT NULL,
    url TEXT,
    title TEXT,
    labels TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT,
    UNIQUE (tool, item)
);
CREATE TABLE activities (
    source TEXT NOT NULL,
    key BLOB NOT NULL,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    item INTEGER NOT NULL REFERENCES items (id),
    addressees TEXT,
    verdict TEXT,
    due INTEGER,
    link_type TEXT,
    external INTEGER NOT NULL,
    count INTEGER NOT NULL,
    activity_id TEXT,
    details TEXT,
    generation INTEGER NOT NULL,
    PRIMARY KEY (source, key)
) WITHOUT ROWID;
CREATE INDEX activities_in_time ON activities (source, ts);
CREATE INDEX activities_by_actor ON activities (actor, ts);
CREATE TABLE sources (
    source TEXT PRIMARY KEY,
    adapter TEXT NOT NULL,
    cursor INTEGER,
    full_refresh INTEGER,
    generation INTEGER NOT NULL DEFAULT 0,
    updated INTEGER
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER NOT NULL
);
CREATE TABLE scores (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stakeholder TEXT NOT NULL,
    category TEXT NOT NULL,
    acceptance REAL NOT NULL,
    energy REAL NOT NULL,
    at_risk INTEGER NOT NULL,
    reason TEXT,
    PRIMARY KEY (run, stakeholder)
);
CREATE INDEX scores_by_stakeholder ON scores (stakeholder, run);
CREATE TABLE care_tasks (
    fingerprint TEXT PRIMARY KEY,
    stakeholder TEXT,
    action TEXT,
    owner TEXT,
    state TEXT NOT NULL,
    url TEXT,
    first_seen INTEGER NOT NULL,
    due INTEGER,
    closed INTEGER,
    updated INTEGER NOT NULL
);
"""

_V2 = """
ALTER TABLE activities ADD COLUMN actor_name TEXT;
"""
"""The name the tool shows for the actor, kept so reports name unregistered people as the audit does."""


_V3 = """
CREATE TABLE activities_in_order (
    source TEXT NOT NULL,
    ts INTEGER NOT NULL,
    key BLOB NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    item INTEGER NOT NULL REFERENCES items (id),
    addressees TEXT,
    verdict TEXT,
    due INTEGER,
    link_type TEXT,
    external INTEGER NOT NULL,
    count INTEGER NOT NULL,
    activity_id TEXT,
    details TEXT,
    generation INTEGER NOT NULL,
    actor_name TEXT,
    PRIMARY KEY (source, ts, key)
) WITHOUT ROWID;
INSERT INTO activities_in_order (source, ts, key, kind, actor, item, addressees, verdict, due, link_type,
    external, count, activity_id, details, generation, actor_name)
SELECT source, ts, key, kind, actor, item, addressees, verdict, due, link_type,
    external, count, activity_id, details, generation, actor_name FROM activities;
DROP TABLE activities;
ALTER TABLE activities_in_order RENAME TO activities;
CREATE UNIQUE INDEX activities_by_key ON activities (source, key);
CREATE INDEX activities_by_actor ON activities (actor, ts);
"""
"""Activities kept in time order: the table is clustered by ``(source, ts, key)``, so reading a
window oldest first is one range scan of the table instead of an index walk with a lookup per
row, and activities written roughly in time order append instead of landing at random places.
``(source, key)`` stays unique: writing an activity again replaces it, even at a new time."""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)

"""Step ``i`` takes a store from schema ``i`` to ``i + 1``; schema 0 is an empty file."""

SCHEMA_VERSION = len(MIGRATIONS)

ACTIVITY_COLUMNS = (
    "source, ts, key, kind, actor, item, addressees, verdict, due, link_type, external, count,"
    " activity_id, details, generation, actor_name"
)
"""The columns of ``activities`` in the order :meth:`Store.write` gives them."""


WRITE_CACHE_KIB = 16_384
"""Page cache of the store's own connection, the one that writes (SQLite's default is 2 MiB):
a collection's upserts touch the key index all over, and with the default cache most of them
read their page back from the file.  Streams read back for an audit use SQLite's default."""

AUTOCHECKPOINT_PAGES = 10_000
"""Pages (4 KiB) the write-ahead log may grow to before it is folded into the file (default
1,000): fewer, larger checkpoints while a collection writes; the run folds the rest in at its end."""


class _Lock:
    """An exclusive ``flock`` on the sidecar file, released by the kernel if the process dies."""

    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout
        self._file: IO[bytes] | None = None

    def acquire(self, store: str) -> None:
        try:
            handle = open(self.path, "ab")  # noqa: SIM115  (held open for the store's lifetime)
        except OSError as exc:
            raise StoreError(
                f"cannot create the lock file {self.path.name}: {exc.strerror}", path=store
            ) from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise StoreLockedError(
                        f"another stakeplug run is using this store (waited {self.timeout:g} s); "
                        "let it finish, or point [store] path elsewhere",
                        path=store,
                    ) from None
                time.sleep(0.05)
                continue
            self._file = handle
            return

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _check_identity(db: sqlite3.Connection, path: str) -> int:
    """The store's schema version, after checking the file is a stakeplug store this code can read."""
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if _unwritable(exc):
            raise _cannot_write(exc, path) from None
        raise StoreCorruptError(f"not a readable stakeplug store ({exc}); {_REBUILD}", path=path) from None
    if app_id != APPLICATION_ID and (tables or version or app_id):
        raise StoreCorruptError(f"this SQLite file is not a stakeplug store; {_REBUILD}", path=path)
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"written by a newer stakeplug (store schema {version}, this version reads up to "
            f"{SCHEMA_VERSION}); upgrade stakeplug, or {_REBUILD}. The store was not changed.",
            path=path,
        )
    return int(version)


def _migrate(db: sqlite3.Connection, version: int, path: str) -> None:
    for step in range(version, SCHEMA_VERSION):
        with write_errors(path):
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {step + 1}")
            except BaseException:
                db.rollback()
                raise
            db.commit()


def _unwritable(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("readonly" in text or "unable to open" in text)


def _cannot_write(exc: sqlite3.DatabaseError, path: str) -> StoreError:
    """A store that may not be written: the file or its folder is read-only (its WAL files live beside it)."""
    return StoreError(
        f"cannot write the store ({exc}); make the file and its folder writable, "
        "or point [store] path elsewhere",
        path=path,
    )


@contextlib.contextmanager
def write_errors(path: str) -> Iterator[None]:
    """Turn SQLite's failures into :class:`StoreError` naming the file: full disk, read-only, damage."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "full" in text:
            raise StoreError(
                f"the disk is full ({text}); the last complete batch is kept, free some space and rerun",
                path=path,
            ) from None
        if _unwritable(exc):
            raise _cannot_write(exc, path) from None
        if isinstance(exc, sqlite3.OperationalError):
            raise StoreError(f"store write failed: {text}", path=path) from None
        raise StoreCorruptError(f"the store is damaged ({text}); {_REBUILD}", path=path) from None


def connect(path: Path, *, lock_timeout: float, lock: bool = True) -> tuple[sqlite3.Connection, _Lock | None]:
    """Open (creating if needed) the store at ``path``, locked, checked and migrated to the current schema."""
    name = str(path)
    if path.exists() and not path.is_file():
        raise StoreCorruptError(f"not a file; {_REBUILD}", path=name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder: {exc.strerror}", path=name) from None
    holder = _Lock(path.with_name(path.name + ".lock"), lock_timeout) if lock else None
    if holder is not None:
        holder.acquire(name)
    try:
        with write_errors(name):
            db = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
        try:
            version = _check_identity(db, name)
            with write_errors(name):
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"cannot switch the store to WAL mode (got {mode})", path=name)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB}")
            db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
            db.execute("PRAGMA foreign_keys = ON")
            _migrate(db, version, name)
        except BaseException:
            db.close()
            raise
    except BaseException:
        if holder is not None:
            holder.release()
        raise
    return db, holder


def remove_files(path: Path) -> None:
    """Delete the store file and its WAL companions (the lock file stays: it may be held)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(path) + suffix)
