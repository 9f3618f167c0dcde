"""Collecting through the store: incremental asks, merging by id, full refreshes, failures, opt-outs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from spworld import UNTIL, World, make_register

from stakeplug import Activity, Capabilities, Item, SourceStats, audit
from stakeplug.errors import UnavailableError
from stakeplug.store import OVERLAP, Store, stored_sources

SINCE = UNTIL - timedelta(days=180)


class Tracker:
    """A tracker that remembers how it was asked; activities carry stable ids."""

    name: ClassVar[str] = "tracker"
    capabilities: ClassVar[Capabilities] = Capabilities(comments=True, incremental=True)

    def __init__(self, activities: list[Activity]):
        self.activities = activities
        self.asked: list[datetime] = []
        self.fail_after: int | None = None

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        self.asked.append(since)
        for n, a in enumerate(reversed(self.activities)):  # newest first, as many APIs return them
            if self.fail_after is not None and n >= self.fail_after:
                raise UnavailableError("tracker went away", adapter="tracker", status=503)
            if since <= a.timestamp < until:
                yield a

    @property
    def stats(self) -> SourceStats:
        return SourceStats(requests=len(self.asked))


class FullOnly(Tracker):
    capabilities: ClassVar[Capabilities] = Capabilities(comments=True)


def _comment(actor: str, days_ago: float, id: str) -> Activity:
    item = Item(tool="jira", id="AP-1", url="https://jira.example.org/browse/AP-1", project="AP")
    return Activity(kind="comment", actor=actor, item=item, timestamp=UNTIL - timedelta(days=days_ago), id=id)


def _audit(store: Store, tracker: Tracker, until: datetime = UNTIL, register: object = None) -> object:
    reg = register or make_register()
    sources = stored_sources(store, [("jira", tracker)], reg, now=until)  # type: ignore[arg-type]
    return audit(reg, sources, until=until)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as s:
        yield s


def test_a_rerun_asks_an_incremental_tracker_only_from_its_cursor_minus_the_overlap(store: Store) -> None:
    """The first run collects the whole window; the next asks from the last until minus the overlap."""
    tracker = Tracker([_comment("sam", 20, "a"), _comment("sam", 10, "b")])
    _audit(store, tracker)
    later = UNTIL + timedelta(days=1)
    _audit(store, tracker, until=later)
    assert tracker.asked == [SINCE, UNTIL - OVERLAP]


def test_an_activity_delivered_again_in_the_overlap_counts_once(store: Store) -> None:
    """Merging by stable id: what the overlap delivers a second time is not counted twice."""
    tracker = Tracker([_comment("sam", 20, "a"), _comment("sam", 0.01, "late")])
    first = _audit(store, tracker)
    second = _audit(store, tracker, until=UNTIL + timedelta(hours=1))
    assert first.activities_seen == second.activities_seen == 2  # type: ignore[attr-defined]


def test_the_audit_from_the_store_matches_the_audit_from_memory(store: Store) -> None:
    """Activities written newest first come back oldest first and score as an in-memory audit does."""
    w = World()
    w.act("comment", "tess", "AP-1", 10, addressees=("sam",), id="q")
    w.act("comment", "sam", "AP-1", 10, hours=5, id="r")
    w.act("comment", "alex", "AP-2", 3, id="s")
    stored = _audit(store, Tracker(list(w.activities)))
    memory = w.audit()
    for name in ("Sam", "Alex"):
        assert stored.score(name).signal_counts == memory.score(name).signal_counts  # type: ignore[attr-defined]
    assert not stored.warnings  # type: ignore[attr-defined]


def test_a_tracker_without_the_capability_is_collected_in_full_every_time(store: Store) -> None:
    """Adapters that do not declare incremental keep working, with a full collection on each run."""
    tracker = FullOnly([_comment("sam", 20, "a")])
    _audit(store, tracker)
    _audit(store, tracker, until=UNTIL + timedelta(days=1))
    assert tracker.asked == [SINCE, SINCE + timedelta(days=1)]


def test_a_full_refresh_every_n_days_drops_what_the_tracker_deleted(store: Store) -> None:
    """After full_refresh_days the whole window is asked again and deleted activities disappear."""
    tracker = Tracker([_comment("sam", 20, "a"), _comment("sam", 10, "deleted")])
    _audit(store, tracker)
    tracker.activities.pop()
    assert _audit(store, tracker, until=UNTIL + timedelta(days=1)).activities_seen == 2  # type: ignore[attr-defined]
    week = UNTIL + timedelta(days=8)
    assert _audit(store, tracker, until=week).activities_seen == 1  # type: ignore[attr-defined]
    assert tracker.asked[-1] == week - timedelta(days=180)


def test_a_failing_source_keeps_its_cursor_and_reports_partial(store: Store) -> None:
    """When the tracker fails mid-collection the cursor stays; the audit uses what was stored, marked partial."""
    tracker = Tracker([_comment("sam", 20, "a"), _comment("sam", 10, "b")])
    _audit(store, tracker)
    cursor = store.source("jira").cursor  # type: ignore[union-attr]
    tracker.fail_after = 0
    result = _audit(store, tracker, until=UNTIL + timedelta(days=1))
    assert store.source("jira").cursor == cursor  # type: ignore[union-attr]
    (report,) = result.sources  # type: ignore[attr-defined]
    assert report.status == "partial"
    assert "tracker went away" in (report.error or "")
    tracker.fail_after = None
    _audit(store, tracker, until=UNTIL + timedelta(days=2))
    assert tracker.asked[-1] == UNTIL - OVERLAP


def test_what_a_failing_collection_delivered_before_its_failure_is_stored(store: Store) -> None:
    """A tracker that fails after one activity leaves that activity in the store, and the source partial."""
    tracker = FullOnly([_comment("sam", 20, "a"), _comment("sam", 10, "b")])
    tracker.fail_after = 1
    result = _audit(store, tracker)
    (report,) = result.sources  # type: ignore[attr-defined]
    assert (report.status, report.activities) == ("partial", 1)
    assert store.info().activities == 1
    assert store.source("jira").cursor is None  # type: ignore[union-attr]


def test_activities_of_opted_out_stakeholders_are_not_kept(store: Store) -> None:
    """Nothing an opted-out stakeholder did is stored, and what an earlier run stored is forgotten."""
    tracker = FullOnly([_comment("sam", 20, "a"), _comment("alex", 10, "b")])
    _audit(store, tracker)
    assert store.info().activities == 2
    people = [
        {"name": "Sam", "owner": "Tess", "identities": {"jira": "sam"}},
        {"name": "Alex", "owner": "Tess", "identities": {"jira": "alex"}, "opted_out": True},
    ]
    _audit(store, tracker, register=make_register(people))
    assert [a.actor for a in store.read("jira", SINCE, UNTIL)] == ["sam"]
