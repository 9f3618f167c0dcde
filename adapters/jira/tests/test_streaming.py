"""The Jira adapter streams: each page's activities leave as it is translated (``ordered=False``).

Nothing of the window is held in the adapter, so the progress callback hears growing counts
while the search pages are still coming, and the audit is the one an ordered source with
the same activities gives, stateless (the engine orders the source) and through a real store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, generate_project
from stakeplug_jira.testing._example import at

from stakeplug import Audit, Register, audit, load_register
from stakeplug.store import Store, stored_sources

Make = Callable[..., JiraAdapter]
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WINDOW = (at(29) - timedelta(days=365), at(30))
ISSUES = 600
"""Six search pages of at most 100 issues."""


@pytest.fixture(params=["cloud", "server"])
def generated(request: pytest.FixtureRequest) -> Iterator[tuple[FakeJira, tuple[str, ...]]]:
    with FakeJira(mode=request.param, token=None, clock=lambda: NOW) as fake:
        made = generate_project(fake, project="APOLLO", issues=ISSUES, comments=8000, now=at(29))
        yield fake, made.users


def _search_path(fake: FakeJira) -> str:
    return "/rest/api/2/search/jql" if fake.mode == "cloud" else "/rest/api/2/search"


def _register(tmp_path: Path, users: tuple[str, ...]) -> Register:
    path = tmp_path / "register.toml"
    people = "".join(
        f'[[stakeholders]]\nname = "Person {i}"\nowner = "Lead"\nidentities = {{ jira = "{users[i]}" }}\n'
        for i in range(1, 8)
    )
    path.write_text(
        f'[project]\nname = "Generated"\n[[team]]\nname = "Lead"\nidentities = {{ jira = "{users[0]}" }}\n'
        + people,
        "utf-8",
    )
    return load_register(path)


def _audit(register: Register, sources: list[Any], **kwargs: Any) -> Audit:
    return audit(register, sources, since=WINDOW[0], until=WINDOW[1], **kwargs)


def test_the_adapter_declares_that_it_yields_in_the_searchs_order() -> None:
    assert JiraAdapter.capabilities.ordered is False


@pytest.mark.parametrize("through_store", [False, True], ids=["stateless", "store"])
def test_progress_grows_while_the_search_pages_are_still_coming(
    generated: tuple[FakeJira, tuple[str, ...]], make_adapter: Make, tmp_path: Path, through_store: bool
) -> None:
    """The callback hears growing counts of activities and requests before the last page is asked."""
    fake, users = generated
    register = _register(tmp_path, users)
    adapter = make_adapter(fake)
    heard: list[tuple[int, int, int]] = []

    def progress(source: str, activities: int, requests: int) -> None:
        heard.append((activities, requests, fake.stats()["by_path"].get(_search_path(fake), 0)))

    sources: list[Any] = [("jira", adapter)]
    with Store.open(tmp_path / "store.sqlite") as store:
        if through_store:
            sources = list(stored_sources(store, sources, register, now=NOW, progress=progress))
        result = _audit(register, sources, progress=progress)
    pages = fake.stats()["by_path"][_search_path(fake)]
    assert pages == 6
    during = [(n, r) for n, r, asked in heard if asked < pages]
    assert len(during) >= 3, f"progress during the search: {heard}"
    counts = [n for n, _ in during]
    assert counts == sorted(counts) and counts[0] > 0 and counts[-1] > counts[0]
    assert during[-1][1] > during[0][1], "the request count grows as the pages come"
    assert heard[-1][0] == result.sources[0].activities > counts[-1]


def test_the_stateless_and_the_stored_audit_equal_the_audit_of_the_same_activities_in_order(
    generated: tuple[FakeJira, tuple[str, ...]], make_adapter: Make, tmp_path: Path
) -> None:
    """The adapter's stream, the same activities sorted oldest first, and the store: one map."""
    fake, users = generated
    register = _register(tmp_path, users)
    activities = list(make_adapter(fake).collect(*WINDOW))
    stamps = [a.timestamp for a in activities]
    assert stamps != sorted(stamps), "the search's order is not time order"
    want = _audit(register, [("jira", sorted(activities, key=lambda a: a.timestamp))])
    stateless = _audit(register, [("jira", make_adapter(fake))])
    with Store.open(tmp_path / "store.sqlite") as store:
        stored = _audit(
            register, list(stored_sources(store, [("jira", make_adapter(fake))], register, now=NOW))
        )
    for got in (stateless, stored):
        assert got.activities_seen == want.activities_seen == len(activities)
        assert got.scores == want.scores
        assert got.candidates == want.candidates
        assert got.warnings == ()
        assert got.sources[0].status == "ok"
