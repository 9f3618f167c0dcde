"""The Trello adapter streams: each page of actions is yielded as it is translated (``ordered=False``).

A board whose actions listing fails after its first page keeps that page's activities,
stateless and through a real store, and either way the audit is the one an ordered source
with the same activities gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from stakeplug_trello import TrelloAdapter
from stakeplug_trello.testing import FAKE_ENV, FakeClock, FakeTrello, TrelloState, generate_board

from stakeplug import Activity, Audit, Register, audit
from stakeplug.config.register import register_from_mapping
from stakeplug.errors import UnavailableError
from stakeplug.http import HttpPolicy
from stakeplug.store import Store, stored_sources
from stakeplug.testing import Reply, Request

WINDOW = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


class _FailsAfterFirstPage(FakeTrello):
    """A fake Trello whose actions listing, once told, answers 503 from its second page on."""

    failing = False
    pages = 0

    def fail_after_first_page(self) -> None:
        self.failing, self.pages = True, 0

    def finish(self, request: Request, reply: Reply) -> Reply:
        reply = super().finish(request, reply)
        if not self.failing or not request.path.endswith("/actions"):
            return reply
        self.pages += 1
        return reply if self.pages == 1 else Reply(503, {"message": "unavailable"})


@pytest.fixture
def board(state: TrelloState) -> dict[str, Any]:
    return generate_board(state, cards=40, actions=2500, seed=3)


@pytest.fixture
def failing(state: TrelloState, clock: FakeClock, board: dict[str, Any]) -> Iterator[_FailsAfterFirstPage]:
    with _FailsAfterFirstPage(state, clock=clock) as server:
        yield server


def _register(state: TrelloState) -> Register:
    names = sorted(m["username"] for m in state.members.values())
    return register_from_mapping(
        {
            "project": {"name": "Board", "lookback_days": 180},
            "team": [{"name": "Lead", "identities": {"trello": names[0]}}],
            "stakeholders": [
                {"name": f"Person {i}", "owner": "Lead", "identities": {"trello": name}}
                for i, name in enumerate(names[1:8], 1)
            ],
        }
    )


@pytest.fixture
def build(
    failing: _FailsAfterFirstPage, policy: HttpPolicy, board: dict[str, Any]
) -> Callable[[], TrelloAdapter]:
    """Build an adapter for the generated board on the failing fake."""

    def make() -> TrelloAdapter:
        adapter = TrelloAdapter.from_config(
            {"board": board["shortLink"], "base_url": failing.url}, env=FAKE_ENV, policy=policy
        )
        assert isinstance(adapter, TrelloAdapter)
        return adapter

    return make


def _audit(register: Register, sources: list[Any]) -> Audit:
    return audit(register, sources, since=WINDOW[0], until=WINDOW[1])


def _stateless_and_stored(
    register: Register, fresh: Callable[[], TrelloAdapter], tmp_path: Path
) -> list[Audit]:
    """The audit of a freshly built adapter without a store, then through a real one."""
    stateless = _audit(register, [("trello", fresh())])
    with Store.open(tmp_path / "store.sqlite") as store:
        stored = _audit(register, list(stored_sources(store, [("trello", fresh())], register)))
    return [stateless, stored]


def _oldest_first(activities: list[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.timestamp)


def test_the_adapter_declares_that_it_yields_in_the_listings_order() -> None:
    assert TrelloAdapter.capabilities.ordered is False


def test_the_audit_equals_the_audit_of_the_same_activities_in_order(
    state: TrelloState, failing: _FailsAfterFirstPage, build: Callable[[], TrelloAdapter], tmp_path: Path
) -> None:
    """Newest first from the listing, ordered by the engine or by the store: one map."""
    register = _register(state)
    activities = list(build().collect(*WINDOW))
    assert len(activities) > 1000
    assert [a.timestamp for a in activities] != [a.timestamp for a in _oldest_first(activities)]
    want = _audit(register, [("trello", _oldest_first(activities))])
    for got in _stateless_and_stored(register, build, tmp_path):
        assert got.activities_seen == want.activities_seen == len(activities)
        assert got.scores == want.scores
        assert got.warnings == ()


def test_a_listing_that_fails_after_its_first_page_keeps_that_page_stateless_and_through_the_store(
    state: TrelloState, failing: _FailsAfterFirstPage, build: Callable[[], TrelloAdapter], tmp_path: Path
) -> None:
    """The first 1,000 actions' activities are delivered before the error; the source is partial."""
    register = _register(state)
    failing.fail_after_first_page()
    delivered: list[Activity] = []
    with pytest.raises(UnavailableError):
        for activity in build().collect(*WINDOW):
            delivered.append(activity)
    assert 0 < len(delivered) <= 1000
    want = _audit(register, [("trello", _oldest_first(delivered))])

    def fresh() -> TrelloAdapter:
        failing.fail_after_first_page()
        return build()

    for got in _stateless_and_stored(register, fresh, tmp_path):
        report = got.sources[0]
        assert report.status == "partial"
        assert report.error is not None and "503" in report.error
        assert report.activities == len(delivered)
        assert got.scores == want.scores
