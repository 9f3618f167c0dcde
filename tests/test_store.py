"""The activity store: batches, merging by id, time order, cursors, pruning, history, care follow-up."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from spworld import UNTIL, World

from stakeplug import Activity, Item, TaskRef, audit
from stakeplug.store import SCHEMA_VERSION, Store


def _act(
    minutes: int, actor: str = "sam", *, id: str | None = None, item: str = "AP-1", **kw: object
) -> Activity:
    return Activity(
        kind=kw.pop("kind", "comment"),
        actor=actor,
        item=Item(tool="jira", id=item, url=f"https://jira.example.org/browse/{item}", project="AP"),
        timestamp=UNTIL - timedelta(days=30) + timedelta(minutes=minutes),
        id=id,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / ".stakeplug" / "store.sqlite")
    yield s  # type: ignore[misc]
    s.close()


WINDOW = (UNTIL - timedelta(days=180), UNTIL)


def test_activities_written_in_any_order_are_read_back_oldest_first(store: Store) -> None:
    """Activities written out of order come back in time order, with every field the engine reads."""
    given = [
        _act(30, id="c3", addressees=("tess", "uma"), details={"request_kind": "review"}),
        _act(10, id="c1", kind="review", verdict="approved"),
        _act(20, id="c2", kind="assigned", due=UNTIL, link_type=None),
    ]
    store.write("jira", given)
    back = list(store.read("jira", *WINDOW))
    assert back == sorted(given, key=lambda a: a.timestamp)
    assert [dict(a.details) for a in back] == [{}, {}, {"request_kind": "review"}]
    assert back[0].item == given[0].item


def test_an_activity_written_twice_is_stored_once(store: Store) -> None:
    """Merging by stable id: the same event delivered on two runs counts once, with its newest fields."""
    store.write("jira", [_act(10, id="c1"), _act(20, id="c2")])
    store.write("jira", [_act(10, id="c1", addressees=("tess",))])
    back = list(store.read("jira", *WINDOW))
    assert len(back) == 2
    assert back[0].addressees == ("tess",)


def test_activities_without_id_are_merged_by_their_content(store: Store) -> None:
    """An activity without a tool id is recognized by all its fields, so a rerun does not double it."""
    store.write("jira", [_act(10), _act(11)])
    store.write("jira", [_act(10), _act(11)])
    assert len(list(store.read("jira", *WINDOW))) == 2


def test_reading_is_bounded_by_the_window_and_the_source(store: Store) -> None:
    """A read yields only its source's activities with since <= timestamp < until."""
    store.write("jira", [_act(0, id="a"), _act(60, id="b")])
    store.write("other", [_act(30, id="c")])
    start = UNTIL - timedelta(days=30)
    assert [a.id for a in store.read("jira", start, start + timedelta(minutes=60))] == ["a"]
    assert [a.id for a in store.read("other", *WINDOW)] == ["c"]


def test_keep_filter_drops_activities_before_they_are_stored(store: Store) -> None:
    """What the keep filter rejects (an opted-out person) never reaches the file."""
    store.write("jira", [_act(1, "sam", id="a"), _act(2, "olga", id="b")], keep=lambda a: a.actor != "olga")
    assert [a.actor for a in store.read("jira", *WINDOW)] == ["sam"]
    assert store.forget("jira", ["sam"]) == 1
    assert list(store.read("jira", *WINDOW)) == []


def test_one_transaction_per_batch(store: Store, tmp_path: Path) -> None:
    """Each batch is committed on its own: another connection sees the first batch while the second is pending."""
    seen: list[int] = []

    def stream() -> object:
        for i in range(5):
            yield _act(i, id=str(i))
        other = sqlite3.connect(store.path)
        seen.append(other.execute("SELECT count(*) FROM activities").fetchone()[0])
        other.close()
        yield _act(9, id="9")

    assert store.write("jira", stream(), batch=5) == 6  # type: ignore[arg-type]
    assert seen == [5]


def test_cursor_moves_only_when_a_collection_finishes(store: Store) -> None:
    """A collection that never finishes leaves the source's cursor where it was."""
    first = UNTIL - timedelta(days=1)
    store.write("jira", [_act(1, id="a")], generation=store.start_collection("jira", "jira", full=True))
    assert store.source("jira").cursor is None  # type: ignore[union-attr]
    store.finish_collection("jira", until=first, full=True, generation=1, since=WINDOW[0])
    store.start_collection("jira", "jira", full=False)
    store.write("jira", [_act(2, id="b")])
    state = store.source("jira")
    assert state is not None
    assert state.cursor == first
    assert state.full_refresh is not None
    assert state.activities == 2


def test_full_refresh_drops_what_the_tracker_no_longer_has(store: Store) -> None:
    """After a full collection, stored activities of the window that were not delivered again are gone."""
    gen = store.start_collection("jira", "jira", full=True)
    store.write("jira", [_act(1, id="kept"), _act(2, id="deleted")], generation=gen)
    store.finish_collection("jira", until=UNTIL, full=True, generation=gen, since=WINDOW[0])
    gen = store.start_collection("jira", "jira", full=True)
    store.write("jira", [_act(1, id="kept")], generation=gen)
    assert store.finish_collection("jira", until=UNTIL, full=True, generation=gen, since=WINDOW[0]) == 1
    assert [a.id for a in store.read("jira", *WINDOW)] == ["kept"]


def test_prune_drops_what_lies_beyond_lookback_plus_margin(store: Store) -> None:
    """Pruning keeps the lookback window plus its margin and drops older activities and their items."""
    store.write("jira", [_act(0, id="recent"), _act(-400 * 24 * 60, id="old", item="AP-9")])
    assert store.prune_for(180, now=UNTIL) == 1
    assert [a.id for a in store.read("jira", UNTIL - timedelta(days=900), UNTIL)] == ["recent"]
    assert store.info().items == 1


def test_info_names_sources_cursors_runs_and_size(store: Store) -> None:
    """Store info reports the schema, the size on disk, each source's cursor and the runs kept."""
    store.start_collection("jira", "jira", full=True)
    store.write("jira", [_act(0, id="a")])
    store.finish_collection("jira", until=UNTIL)
    info = store.info()
    assert (info.schema, info.activities, info.runs) == (SCHEMA_VERSION, 1, 0)
    assert info.size > 0
    assert [(s.source, s.adapter, s.cursor) for s in info.sources] == [("jira", "jira", UNTIL)]


def test_no_comment_bodies_reach_the_file(store: Store) -> None:
    """Only normalized fields are stored: an item title is kept, nothing like a comment body is a column."""
    columns = {r[1] for r in store._db.execute("PRAGMA table_info(activities)")}
    assert not {"body", "text", "comment"} & columns


def test_each_audit_is_recorded_as_history(store: Store) -> None:
    """Recording audits keeps each stakeholder's category, acceptance, energy and risk per run."""
    w = World()
    w.act("comment", "tess", "AP-1", 10, addressees=("sam",))
    w.act("comment", "sam", "AP-1", 10, hours=5)
    first = store.record_audit(w.audit(), at=UNTIL)
    store.record_audit(w.audit(), at=UNTIL + timedelta(days=1))
    path = store.path_of("Sam")
    assert [p.run.id for p in path] == [first.id, first.id + 1]
    score = w.audit().score("Sam")
    assert (path[0].category, path[0].acceptance, path[0].energy) == (
        str(score.category), score.acceptance, score.energy,
    )  # fmt: skip
    assert store.points(store.runs(limit=1)[0])["Alex"].at_risk is False
    assert store.info().runs == 2


def _suggestion(fp: str, due: datetime) -> object:
    class S:
        fingerprint = fp
        stakeholder = "Sam"
        action = "ask_advice"
        owner = "Tess"

    S.due = due  # type: ignore[attr-defined]
    return S()


def test_care_tasks_are_followed_open_overdue_done_dismissed(store: Store) -> None:
    """Tasks seen in the tracker move through open, overdue, done and dismissed by fingerprint."""
    now = UNTIL
    store.note_suggestions(
        [_suggestion("f-open", now + timedelta(days=9)), _suggestion("f-late", now - timedelta(days=1))]
    )
    refs = [
        TaskRef("f-open", "1"), TaskRef("f-late", "2"),
        TaskRef("f-done", "3", open=False, closed=now - timedelta(days=2)), TaskRef("f-gone", "4"),
    ]  # fmt: skip
    store.follow_tasks(refs, now=now)
    store.follow_tasks(refs[:3], now=now)
    states = {t.fingerprint: t.state for t in store.care_tasks()}
    assert states == {"f-open": "open", "f-late": "overdue", "f-done": "done", "f-gone": "dismissed"}
    assert {t.stakeholder for t in store.care_tasks(states=("open", "overdue"))} == {"Sam"}


def test_engagement_counts_weeks_before_and_after(store: Store) -> None:
    """Engagement around a date counts the person's activities week by week on each side."""
    around = UNTIL - timedelta(days=30)
    week = 7 * 24 * 60
    store.write("jira", [_act(-week - 1, id="a"), _act(1, id="b"), _act(2, id="c"), _act(week + 5, id="d")])
    store.write("jira", [_act(3, "alex", id="e")])
    got = store.engagement([("jira", "sam")], around, weeks=2)
    assert (got.before, got.after) == ((1, 0), (2, 1))


def test_the_engine_audits_the_same_from_the_store_as_from_memory(store: Store) -> None:
    """An audit fed from the store's time-ordered stream gives the same scores as from memory."""
    w = World()
    w.act("request", "tess", "AP-2", 20, addressees=("sam",), details={"request_kind": "review"})
    w.act("review", "sam", "AP-2", 17, verdict="approved")
    w.act("comment", "alex", "AP-3", 5)
    store.write("jira", reversed(w.activities))
    since = UNTIL - timedelta(days=180)
    from_store = audit(w.register, [store.read("jira", since, UNTIL)], until=UNTIL)
    from_memory = w.audit()
    for name in ("Sam", "Alex"):
        assert from_store.score(name).signal_counts == from_memory.score(name).signal_counts
        assert from_store.score(name).energy == from_memory.score(name).energy


def test_times_come_back_to_the_microsecond(store: Store) -> None:
    """Timestamps are stored exactly, as UTC."""
    when = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    a = Activity(kind="comment", actor="sam", item=Item(tool="jira", id="X-1"), timestamp=when)
    store.write("jira", [a])
    (back,) = store.read("jira", *WINDOW)
    assert back.timestamp == when
    assert back.timestamp.tzinfo is UTC


def test_every_microsecond_comes_back_exactly_near_and_far(store: Store) -> None:
    """Times in the window at random microseconds, and due dates before 1970 and after 2106
    (where the fast conversion no longer holds), all come back exactly."""
    import random

    rng = random.Random(5)
    start = UNTIL - timedelta(days=179)
    times = [start + timedelta(microseconds=rng.randrange(179 * 86_400_000_000)) for _ in range(3000)]
    dues = [
        datetime(1969, 7, 20, 20, 17, 40, 1, tzinfo=UTC),
        datetime(2106, 2, 7, 6, 28, 15, 999999, tzinfo=UTC),
        datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    given = [
        Activity(
            kind="assigned",
            actor="sam",
            item=Item(tool="jira", id="X-1"),
            timestamp=when,
            id=str(i),
            due=dues[i % len(dues)],
        )
        for i, when in enumerate(times)
    ]
    store.write("jira", given)
    back = list(store.read("jira", *WINDOW))
    assert [(a.timestamp, a.due) for a in back] == sorted((a.timestamp, a.due) for a in given)
    assert {a.timestamp.tzinfo for a in back} | {a.due.tzinfo for a in back if a.due} == {UTC}


def test_many_items_come_back_with_their_activities(store: Store) -> None:
    """Items are loaded a few hundred a query as a read needs them: across query and fetch
    boundaries every activity comes back with its own item, title and labels."""
    items = [
        Item(tool="jira", id=f"AP-{i}", title=f"Task {i}", labels=(f"l{i % 7}",), project="AP")
        for i in range(1234)
    ]
    given = [
        Activity(
            kind="comment",
            actor="sam",
            item=items[(i * 7) % len(items)],
            timestamp=UNTIL - timedelta(days=30) + timedelta(minutes=i),
            id=f"c{i}",
        )
        for i in range(4321)
    ]
    store.write("jira", given)
    back = list(store.read("jira", *WINDOW))
    assert [(a.id, a.item) for a in back] == [(a.id, a.item) for a in given]
    assert {a.item.title for a in back} == {item.title for item in items}


def test_an_activity_delivered_again_at_a_new_time_moves(store: Store) -> None:
    """The same event (same stable id) re-delivered with another timestamp replaces its row."""
    store.write("jira", [_act(10, id="c1"), _act(20, id="c2")])
    store.write("jira", [_act(30, id="c1")])
    back = list(store.read("jira", *WINDOW))
    assert [a.id for a in back] == ["c2", "c1"]
    assert store.info().activities == 2


def test_the_name_the_tool_shows_for_the_actor_is_kept(store: Store) -> None:
    """``actor_name`` comes back from the store as the adapter gave it."""
    store.write("jira", [_act(10, id="c1", actor_name="Sam Lee")])
    assert [a.actor_name for a in store.read("jira", *WINDOW)] == ["Sam Lee"]


def test_a_store_of_the_first_schema_is_migrated_keeping_its_activities(tmp_path: Path) -> None:
    """A store written before ``actor_name`` existed gains the column and keeps what it held."""
    from stakeplug.store._db import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO items VALUES (1, 'jira', 'AP-1', NULL, NULL, '[]', 'issue', 'AP')")
    db.execute(
        "INSERT INTO activities VALUES ('jira', x'01', ?, 'comment', 'sam', 1, NULL, NULL, NULL, NULL,"
        " 0, 1, 'c1', NULL, 0)",
        (int((UNTIL - timedelta(days=3) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1e6),),
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        back = list(store.read("jira", *WINDOW))
        assert store.info().schema == SCHEMA_VERSION == 3
    assert [(a.actor, a.id, a.actor_name) for a in back] == [("sam", "c1", None)]


def _micros(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_a_store_of_the_second_schema_is_migrated_to_time_order(tmp_path: Path) -> None:
    """Schema 3 keeps activities clustered in time order: a schema-2 store keeps every activity,
    reads them back oldest first by a range scan (no sort), and still stores a re-delivered one once."""
    from stakeplug.store._db import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + MIGRATIONS[1])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO items VALUES (1, 'jira', 'AP-1', NULL, 'Plan', '[\"x\"]', 'issue', 'AP')")
    minutes = [40, 10, 30, 20]
    db.executemany(
        "INSERT INTO activities VALUES ('jira', ?, ?, 'comment', 'sam', 1, 'tess', NULL, NULL, NULL,"
        " 0, 1, ?, NULL, 0, 'Sam Lee')",
        [(bytes([m]), _micros(UNTIL - timedelta(days=30) + timedelta(minutes=m)), f"c{m}") for m in minutes],
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.info().schema == SCHEMA_VERSION == 3
        back = list(store.read("jira", *WINDOW))
        store.write("jira", [_act(50, id="c50"), _act(60, id="c50")])
        again = list(store.read("jira", *WINDOW))
    assert [a.id for a in back] == ["c10", "c20", "c30", "c40"]
    assert {(a.actor_name, a.addressees, a.item.title, a.item.labels) for a in back} == {
        ("Sam Lee", ("tess",), "Plan", ("x",))
    }
    assert [a.id for a in again] == ["c10", "c20", "c30", "c40", "c50"]
    assert again[-1].timestamp == UNTIL - timedelta(days=30) + timedelta(minutes=60)
    plan = sqlite3.connect(path).execute(
        "EXPLAIN QUERY PLAN SELECT ts FROM activities WHERE source = 'jira' AND ts >= 0 AND ts < 9"
        " ORDER BY ts, key"
    )
    steps = " ".join(str(row[-1]) for row in plan)
    assert "PRIMARY KEY" in steps and "TEMP B-TREE" not in steps, steps
