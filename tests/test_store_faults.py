"""Store faults caused for real: damaged and foreign files, a newer schema, a held lock, a kill, a full disk."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from spworld import UNTIL

from stakeplug import Activity, Item
from stakeplug.store import (
    SCHEMA_VERSION,
    Store,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
)

WINDOW = (UNTIL - timedelta(days=400), UNTIL)


def _acts(n: int, start: int = 0) -> list[Activity]:
    item = Item(tool="jira", id="AP-1", project="AP")
    return [
        Activity(kind="comment", actor="sam", item=item, timestamp=UNTIL - timedelta(minutes=i), id=str(i))
        for i in range(start, start + n)
    ]


def test_a_file_that_is_not_a_database_is_refused_naming_the_file_and_the_fix(tmp_path: Path) -> None:
    """Garbage at the store path is a clear error that names the file and `stakeplug store rebuild`."""
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreCorruptError) as caught:
        Store.open(path)
    assert str(path) in str(caught.value)
    assert "stakeplug store rebuild" in str(caught.value)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    """Another program's SQLite database at the store path is not taken over."""
    path = tmp_path / "store.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE photos (name TEXT)")
    other.commit()
    other.close()
    with pytest.raises(StoreCorruptError, match="not a stakeplug store"):
        Store.open(path)


def test_a_store_from_a_newer_stakeplug_is_left_untouched(tmp_path: Path) -> None:
    """A store whose schema is newer than this code reads is refused and not changed by a byte."""
    path = tmp_path / "store.sqlite"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match="newer stakeplug"):
        Store.open(path)
    assert path.read_bytes() == before


def test_rebuild_replaces_a_damaged_store(tmp_path: Path) -> None:
    """Rebuilding drops a damaged file and leaves an empty, working store."""
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"\0garbage" * 64)
    with Store.rebuild(path) as store:
        store.write("jira", _acts(3))
    with Store.open(path) as store:
        assert store.info().activities == 3


def test_a_second_run_waits_then_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    """While one run holds the store, another waits its bounded time and then fails saying why."""
    path = tmp_path / "store.sqlite"
    with Store.open(path):
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match="another stakeplug run"):
            Store.open(path, lock_timeout=0.3)
        assert time.monotonic() - started >= 0.3
    Store.open(path, lock_timeout=0).close()


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from stakeplug import Activity, Item
    from stakeplug.store import Store

    until = datetime(2026, 6, 1, tzinfo=UTC)
    item = Item(tool="jira", id="AP-1", project="AP")

    def stream():
        i = 0
        while True:
            yield Activity(kind="comment", actor="sam", item=item, timestamp=until - timedelta(seconds=i), id=str(i))
            i += 1
            if i % 1000 == 0:
                print(i, flush=True)

    store = Store.open(sys.argv[1])
    store.write("jira", stream(), batch=1000)
    """
)


def test_a_run_killed_mid_write_leaves_a_consistent_store_and_releases_the_lock(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing: the next run opens the store at once, finds only whole batches."""
    path = tmp_path / "store.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(5):
        proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(path, lock_timeout=2) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = store.info().activities
        assert count >= 4000
        assert count % 1000 == 0
        store.write("jira", _acts(1, start=10**7))


def test_a_full_disk_is_a_clear_error_and_keeps_the_committed_batches(tmp_path: Path) -> None:
    """When the database can grow no more, the write fails clearly and what was committed stays readable."""
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        store.write("jira", _acts(100))
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StoreError, match="disk is full"):
            store.write("jira", _acts(20_000, start=100), batch=20_000)
    with Store.open(path) as store:
        assert store.info().activities == 100


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clear_error_and_the_store_stays_intact(tmp_path: Path) -> None:
    """A store in a folder that cannot be written fails with a message saying so; its content survives."""
    folder = tmp_path / "ro"
    path = folder / "store.sqlite"
    with Store.open(path) as store:
        store.write("jira", _acts(10))
        store.checkpoint()
    for extra in ("store.sqlite-wal", "store.sqlite-shm"):
        (folder / extra).unlink(missing_ok=True)
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="cannot"), Store.open(path) as store:
            store.write("jira", _acts(10, start=10))
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == before
