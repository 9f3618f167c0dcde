"""Reading ahead: the settled part of a window is read from the store while the tracker is asked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from spworld import UNTIL, make_register

from stakeplug import Activity, Capabilities, Item
from stakeplug.store import OVERLAP, Store, stored_sources
from stakeplug.store._collect import AHEAD_CHUNK, AHEAD_CHUNKS, StoredSource

SINCE = UNTIL - timedelta(days=180)
LATER = UNTIL + timedelta(days=1)
MANY = AHEAD_CHUNK * AHEAD_CHUNKS + 3_001
"""More activities than the read-ahead holds at once."""


def _readers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "stakeplug-read-ahead"]


class Tracker:
    """An incremental tracker that notes which read-ahead threads were alive while it was asked."""

    name: ClassVar[str] = "tracker"
    capabilities: ClassVar[Capabilities] = Capabilities(comments=True, incremental=True)

    def __init__(self, activities: list[Activity]):
        self.activities = activities
        self.readers_seen: list[list[str]] = []
        self.late: list[Activity] = []

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        self.readers_seen.append(_readers())
        yield from (a for a in self.activities if since <= a.timestamp < until)
        yield from self.late  # edits a tracker reports although they are older than asked for


def _comment(n: int, when: datetime) -> Activity:
    item = Item(tool="jira", id=f"AP-{n % 50}", url=f"https://jira.example.org/browse/AP-{n % 50}")
    return Activity(kind="comment", actor=f"u{n % 7}", item=item, timestamp=when, id=f"c{n}")


def _spread(count: int) -> list[Activity]:
    step = (UNTIL - OVERLAP - SINCE) / count
    return [_comment(n, SINCE + step * n) for n in range(count)]


def _source(store: Store, tracker: Tracker, now: datetime) -> StoredSource:
    ((_, source),) = stored_sources(store, [("jira", tracker)], make_register(), now=now)
    return source


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as s:
        yield s


def test_a_rerun_reads_ahead_while_asking_and_yields_the_whole_window_in_order(store: Store) -> None:
    """The second night's tracker is asked while a read-ahead thread is alive; what comes back is
    the stored window, oldest first, all of it although it is longer than the read-ahead holds."""
    tracker = Tracker(_spread(MANY))
    first = list(_source(store, tracker, UNTIL).collect(SINCE, UNTIL))
    assert len(first) == MANY and tracker.readers_seen == [[]]  # the cold night has nothing settled
    second = list(_source(store, tracker, LATER).collect(SINCE + timedelta(days=1), LATER))
    assert tracker.readers_seen[1] == ["stakeplug-read-ahead"]
    assert second == list(store.read("jira", SINCE + timedelta(days=1), LATER))
    assert [a.timestamp for a in second] == sorted(a.timestamp for a in second)
    assert len(second) == sum(1 for a in first if a.timestamp >= SINCE + timedelta(days=1))
    assert not _readers()


def test_an_older_activity_delivered_late_is_read_back_the_same_night(store: Store) -> None:
    """An activity older than the tracker was asked for replaces the read-ahead with a whole read."""
    tracker = Tracker(_spread(500))
    list(_source(store, tracker, UNTIL).collect(SINCE, UNTIL))
    tracker.late = [_comment(10_000, SINCE + timedelta(days=3))]
    second = list(_source(store, tracker, LATER).collect(SINCE, LATER))
    assert tracker.late[0] in second and len(second) == 501
    assert second == list(store.read("jira", SINCE, LATER))
    assert not _readers()


def test_stopping_part_way_ends_the_read_ahead(store: Store) -> None:
    """A reader that stops after a few activities leaves no thread behind."""
    tracker = Tracker(_spread(MANY))
    list(_source(store, tracker, UNTIL).collect(SINCE, UNTIL))
    stream = _source(store, tracker, LATER).collect(SINCE, LATER)
    assert len([next(stream) for _ in range(10)]) == 10
    stream.close()
    assert not _readers()
