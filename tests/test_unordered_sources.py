"""Sources that declare ``ordered=False``: the core puts them in time order, in one place.

Without a store the engine's per-source wrapper sorts such a source's window before
merging; through the store nothing changes (the store reads back oldest first).  Either
way the audit is the one an ordered source with the same activities gives, and what an
unordered source delivered before it failed is kept.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import attrs
from spworld import UNTIL, World, make_register

from stakeplug import Activity, Audit, Capabilities, SourceStats, audit
from stakeplug.errors import UnavailableError
from stakeplug.store import PROGRESS_EVERY, Store, stored_sources

SINCE = UNTIL - timedelta(days=180)
PEOPLE = ("sam", "alex", "tess", "uma", "zoe")


def _world(seed: int = 7, n: int = 3000) -> World:
    """Requests, answers, comments and completions over many items, every timestamp distinct."""
    rng = random.Random(seed)
    world = World()
    minutes = rng.sample(range(1, 179 * 24 * 60), n)
    for m in minutes:
        actor = rng.choice(PEOPLE)
        item = f"AP-{rng.randrange(40)}"
        days = m / (24 * 60)
        kind = rng.choice(("comment", "comment", "transitioned", "completed", "created"))
        if actor in ("tess", "uma") and rng.random() < 0.5:
            world.act("comment", actor, item, days, addressees=(rng.choice(("sam", "alex")),), id=f"c{m}")
        else:
            world.act(kind, actor, item, days, id=f"a{m}")
    world.act("comment", "stranger", "AP-1", 3.5, id="s1")
    return world


class Listed:
    """A source that yields a given list as it is, ordered or not as declared."""

    name: ClassVar[str] = "listed"
    capabilities: ClassVar[Capabilities] = Capabilities(comments=True, transitions=True, created=True)

    def __init__(self, activities: list[Activity], *, fail_after: int | None = None):
        self.activities = activities
        self.fail_after = fail_after
        self.yielded = 0
        self.finished = False

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        for a in self.activities:
            if self.fail_after is not None and self.yielded >= self.fail_after:
                raise UnavailableError("the tracker went away", adapter=self.name, status=503)
            if since <= a.timestamp < until:
                self.yielded += 1
                yield a
        self.finished = True

    @property
    def stats(self) -> SourceStats:
        return SourceStats(requests=1 + self.yielded // 100, activities=self.yielded)


class Unordered(Listed):
    """The same source, declaring that it yields in the tracker's order."""

    capabilities: ClassVar[Capabilities] = attrs.evolve(Listed.capabilities, ordered=False)


def _shuffled(activities: list[Activity], seed: int = 3) -> list[Activity]:
    out = list(activities)
    random.Random(seed).shuffle(out)
    return out


def _oldest_first(activities: list[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.timestamp)


def _same(got: Audit, want: Audit) -> None:
    assert got.activities_seen == want.activities_seen
    assert got.scores == want.scores
    assert got.candidates == want.candidates
    assert got.warnings == want.warnings == ()


def test_capabilities_promise_time_order_unless_told_otherwise() -> None:
    """A third-party adapter that says nothing keeps today's contract: oldest first."""
    assert Capabilities().ordered is True
    assert Capabilities(ordered=False).ordered is False
    # A promise about the stream, not something read: `stakeplug adapters` does not list it.
    assert Capabilities().names() == Capabilities(ordered=False).names() == ()


def test_a_stateless_audit_of_an_unordered_source_equals_the_ordered_audit() -> None:
    """Shuffled and declared unordered, the source is sorted by the engine: the same map as in order."""
    world = _world()
    register = world.register
    want = audit(register, [("s", Listed(_oldest_first(world.activities)))], until=UNTIL)
    got = audit(register, [("s", Unordered(_shuffled(world.activities)))], until=UNTIL)
    _same(got, want)
    assert got.sources[0].activities == len(world.activities)
    # The same shuffled stream claimed to be in order is not repaired: the sort is what makes it equal.
    claimed = audit(register, [("s", Listed(_shuffled(world.activities)))], until=UNTIL)
    assert claimed.warnings and "out of chronological order" in claimed.warnings[0]
    assert claimed.scores != want.scores


def test_an_unordered_source_merges_in_time_with_ordered_ones() -> None:
    """Two sources, one unordered: merged oldest first as if both were ordered."""
    world = _world(seed=11)
    first, second = world.activities[::2], world.activities[1::2]
    register = world.register
    want = audit(
        register,
        [("a", Listed(_oldest_first(first))), ("b", Listed(_oldest_first(second)))],
        until=UNTIL,
    )
    got = audit(
        register, [("a", Listed(_oldest_first(first))), ("b", Unordered(_shuffled(second)))], until=UNTIL
    )
    _same(got, want)


def test_an_unordered_source_audited_through_the_store_equals_the_ordered_audit(tmp_path: Path) -> None:
    """Through a real store the adapter writes in its own order and the audit reads it back in time order."""
    world = _world(seed=5)
    register = world.register
    want = audit(register, [("s", Listed(_oldest_first(world.activities)))], until=UNTIL)
    with Store.open(tmp_path / "store.sqlite") as store:
        sources = stored_sources(store, [("s", Unordered(_shuffled(world.activities)))], register, now=UNTIL)
        assert sources[0][1].capabilities.ordered is True, "the store reads the source back oldest first"
        got = audit(register, sources, until=UNTIL)
    _same(got, want)


def test_what_an_unordered_source_delivered_before_failing_is_kept_stateless_and_through_the_store(
    tmp_path: Path,
) -> None:
    """Stopped part-way, the source is partial with its error and keeps the activities it delivered."""
    world = _world(seed=9)
    register = world.register
    shuffled = _shuffled(world.activities)
    delivered = 1234
    want = audit(register, [("s", Listed(_oldest_first(shuffled[:delivered])))], until=UNTIL)
    stateless = audit(register, [("s", Unordered(shuffled, fail_after=delivered))], until=UNTIL)
    with Store.open(tmp_path / "store.sqlite") as store:
        sources = stored_sources(
            store, [("s", Unordered(shuffled, fail_after=delivered))], register, now=UNTIL
        )
        stored = audit(register, sources, until=UNTIL)
    for got in (stateless, stored):
        report = got.sources[0]
        assert report.status == "partial"
        assert report.error is not None and "the tracker went away" in report.error
        assert report.activities == delivered
        assert got.scores == want.scores
        assert got.activities_seen == delivered


def test_collecting_into_the_store_reports_progress_while_the_adapter_is_read(tmp_path: Path) -> None:
    """The progress callback hears growing counts before the adapter has finished."""
    world = _world(seed=13)
    register = make_register()
    tracker = Unordered(_shuffled(world.activities))
    heard: list[tuple[str, int, int, bool]] = []

    def progress(source: str, activities: int, requests: int) -> None:
        heard.append((source, activities, requests, tracker.finished))

    with Store.open(tmp_path / "store.sqlite") as store:
        sources = stored_sources(store, [("s", tracker)], register, now=UNTIL, progress=progress)
        audit(register, sources, until=UNTIL, progress=progress)
    during = [(n, r) for source, n, r, finished in heard if not finished]
    assert {source for source, *_ in heard} == {"s"}
    assert [n for n, _ in during] == list(range(PROGRESS_EVERY, len(world.activities), PROGRESS_EVERY))
    assert during[-1][1] > during[0][1], "the request count grows as well"
    assert heard[-1][1] == len(world.activities)
