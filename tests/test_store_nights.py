"""Nights through the store against each fake tracker: exact requests of a quiet and of a busy second night.

Each first-party adapter is audited three nights in a row, a day apart, from a fresh
adapter each night (as on a new CI runner) and one real store file: the first night
collects the whole lookback, the second finds nothing changed, before the third 1 % of
the items get a new comment, one of them stamped half an hour before the second night
(it showed up late; the overlap of the third night's ask catches it).  The fakes count every request by path; the counts are
deterministic, so they are asserted exactly.  After the third night a stateless audit
with a fresh adapter must agree with the incremental one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub, user_logins
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, generate_project
from stakeplug_trello import TrelloAdapter
from stakeplug_trello.testing import FAKE_ENV, FakeTrello, TrelloState, generate_board

from stakeplug import Identity, ProjectSettings, Register, Stakeholder, TeamMember, audit
from stakeplug.engine.audit import Audit
from stakeplug.http import HttpPolicy
from stakeplug.store import Store, stored_sources

NIGHT = datetime(2026, 11, 2, 6, tzinfo=UTC)
"""The first night; the generated data ends two hours before it."""
TOKEN = "fake-token-for-the-nights"  # noqa: S105  (made up; only the fakes accept it)


class Clock:
    """A wall clock shared by the fake Jira and the adapter's policy, set to each night."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def stamp(self) -> float:
        return self.now.timestamp()


@attrs.define
class Tracker:
    """One fake tracker with its data, and how to audit it and change it."""

    source: str
    register: Register
    build: Callable[[datetime], Any]
    """A fresh adapter for the night ending at the given time."""
    by_path: Callable[[], dict[str, int]]
    reset: Callable[[], None]
    change: Callable[[list[datetime]], int]
    """Comment on 1 % of the items, the n-th at the n-th given time; returns how many were changed."""


def _register(tool: str, accounts: list[str]) -> Register:
    return Register(
        project=ProjectSettings(name="Nights", lookback_days=180),
        team=(TeamMember("Lead", (Identity(tool, accounts[0]),)),),
        stakeholders=tuple(
            Stakeholder(f"Person {i}", (Identity(tool, accounts[i]),), owner="Lead") for i in range(1, 11)
        ),
    )


def _jira(stack: list[Any]) -> Tracker:
    clock = Clock(NIGHT)
    fake = FakeJira(mode="cloud", email="bot@example.org", token=TOKEN, clock=clock)
    stack.append(fake)
    made = generate_project(fake, project="DEMO", issues=300, comments=1200, now=NIGHT - timedelta(hours=2))
    fake.start()

    def build(until: datetime) -> JiraAdapter:
        clock.now = until
        return JiraAdapter(
            url=fake.url,
            project="DEMO",
            email="bot@example.org",
            token=TOKEN,
            policy=HttpPolicy(clock=clock.stamp),
        )

    def change(times: list[datetime]) -> int:
        for key, when in zip(made.issues[:3], times, strict=True):
            fake.comment(key, made.users[1], "one more thought", at=when)
        return 3

    return Tracker(
        "jira",
        _register("jira", list(made.users)),
        build,
        lambda: fake.stats()["by_path"],
        fake.reset_stats,
        change,
    )


def _github(stack: list[Any]) -> Tracker:
    fake = FakeGitHub(tokens=(TOKEN,))
    stack.append(fake)
    repo = fake.generate(
        "acme/rocket",
        issues=100,
        prs=100,
        users=30,
        start=NIGHT - timedelta(days=90),
        end=NIGHT - timedelta(hours=2),
    )
    fake.start()
    people = user_logins(30)

    def build(until: datetime) -> GitHubAdapter:
        return GitHubAdapter.from_config(
            {"repo": "acme/rocket", "base_url": fake.url}, env={"GITHUB_TOKEN": TOKEN}
        )

    def change(times: list[datetime]) -> int:
        for number, when in zip((1, 2), times, strict=False):
            repo.comment(number, people[1], "one more thought", when)
        return 2

    return Tracker(
        "github",
        _register("github", people),
        build,
        lambda: fake.stats()["by_path"],
        fake.reset_stats,
        change,
    )


def _trello(stack: list[Any]) -> Tracker:
    state = TrelloState(seed=1)
    board = generate_board(state, cards=200, actions=2000, members=12, seed=1, end=NIGHT - timedelta(hours=2))
    fake = FakeTrello(state)
    stack.append(fake)
    fake.start()
    people = [state.members[m]["username"] for m in state.board_members[board["id"]]]

    def build(until: datetime) -> Any:
        return TrelloAdapter.from_config({"board": board["shortLink"], "base_url": fake.url}, env=FAKE_ENV)

    def change(times: list[datetime]) -> int:
        by = next(m for m in state.members.values() if m["username"] == people[1])
        for card, when in zip(state.cards[board["id"]][:2], times, strict=False):
            state.comment(card, by, "one more thought", when)
        return 2

    return Tracker(
        "trello",
        _register("trello", people),
        build,
        lambda: fake.stats()["by_path"],
        fake.reset_stats,
        change,
    )


@attrs.define
class Nights:
    """What three nights through the store asked and found, and a stateless audit of the last."""

    tracker: Tracker
    requests: list[dict[str, int]]
    audits: list[Audit]
    changed: int
    stateless: Audit
    full: list[bool]


def _night(store: Store, tracker: Tracker, until: datetime) -> tuple[Audit, bool]:
    adapter = tracker.build(until)
    try:
        sources = stored_sources(store, [(tracker.source, adapter)], tracker.register, now=until)
        result = audit(tracker.register, sources, until=until)
        return result, sources[0][1].full is True
    finally:
        adapter.close()


@pytest.fixture(scope="module", params=["jira", "github", "trello"])
def nights(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    stack: list[Any] = []
    tracker = {"jira": _jira, "github": _github, "trello": _trello}[request.param](stack)
    path = tmp_path_factory.mktemp(request.param) / "store.sqlite"
    requests: list[dict[str, int]] = []
    audits: list[Audit] = []
    full: list[bool] = []
    changed = 0
    try:
        for n in range(3):
            until = NIGHT + timedelta(days=n)
            if n == 2:
                late = until - timedelta(days=1, minutes=30)
                changed = tracker.change([late, until - timedelta(hours=12), until - timedelta(hours=6)])
            tracker.reset()
            with Store.open(path) as store:
                result, was_full = _night(store, tracker, until)
            requests.append(tracker.by_path())
            audits.append(result)
            full.append(was_full)
        adapter = tracker.build(until)
        try:
            stateless = audit(tracker.register, [(tracker.source, adapter)], until=until)
        finally:
            adapter.close()
        yield Nights(tracker, requests, audits, changed, stateless, full)
    finally:
        for fake in stack:
            fake.stop()


QUIET: dict[str, dict[str, int]] = {
    "jira": {"/rest/api/2/field": 1, "/rest/api/2/search/jql": 1, "/rest/api/2/serverInfo": 1},
    "github": {
        "GET /repos/acme/rocket/issues": 1,
        "GET /repos/acme/rocket/issues/comments": 1,
        "GET /repos/acme/rocket/issues/events": 1,
        "GET /repos/acme/rocket/pulls/comments": 1,
    },
}
"""A quiet night: the fixed calls and one page of each listing, no per-item reads."""


def _trello_paths(board_requests: dict[str, int]) -> dict[str, int]:
    return {
        path.rsplit("/", 1)[-1] if path.count("/") > 3 else "board": n for path, n in board_requests.items()
    }


def test_the_first_night_collects_the_whole_lookback(nights: Nights) -> None:
    """Night one is a full collection: several pages of the main listings."""
    first = nights.requests[0]
    assert nights.full == [True, False, False]
    assert sum(first.values()) > sum(nights.requests[1].values())
    assert nights.audits[0].activities_seen > 1000


def test_a_quiet_second_night_asks_one_page_of_each_listing(nights: Nights) -> None:
    """Nothing changed: the fixed calls and exactly one page per listing, nothing item by item."""
    quiet = nights.requests[1]
    if nights.tracker.source == "trello":
        assert _trello_paths(quiet) == {"board": 1, "actions": 1, "cards": 1, "lists": 1, "members": 1}
    else:
        assert quiet == QUIET[nights.tracker.source]


def test_a_night_with_one_percent_changed_reads_only_the_changed_items(nights: Nights) -> None:
    """1 % of items got a comment: still one page per listing, plus only what the changed items need."""
    busy = nights.requests[2]
    source = nights.tracker.source
    if source == "jira":
        assert busy == {**QUIET["jira"], "/rest/api/2/status": 1}
    elif source == "github":
        assert busy == {**QUIET["github"], "POST /graphql": 1}
    else:
        assert _trello_paths(busy) == {"board": 1, "actions": 1, "cards": 1, "lists": 1, "members": 1}


def test_new_and_late_comments_are_counted_once(nights: Nights) -> None:
    """The third night holds what a full collection holds: the late comment is caught, nothing doubled."""
    assert nights.changed > 0
    assert nights.audits[2].activities_seen == nights.stateless.activities_seen


def test_the_incremental_audit_equals_a_stateless_full_audit(nights: Nights) -> None:
    """Scores, categories, risk and signal counts of the third night match a fresh full collection's."""
    incremental, stateless = nights.audits[2], nights.stateless
    assert incremental.scores.keys() == stateless.scores.keys()
    for name, score in stateless.scores.items():
        mine = incremental.scores[name]
        assert (mine.category, mine.at_risk, dict(mine.signal_counts)) == (
            score.category,
            score.at_risk,
            dict(score.signal_counts),
        ), name
        assert mine.acceptance == pytest.approx(score.acceptance)
        assert mine.energy == pytest.approx(score.energy)
    assert incremental.candidates == stateless.candidates
