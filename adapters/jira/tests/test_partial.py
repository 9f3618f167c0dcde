"""A search that fails part-way keeps what it read, and the source says where it stopped.

The fake serves a generated project of 250 issues in three search pages; from
a chosen page on, every answer is cut off before its ``Content-Length``, as a
proxy closing the connection would.  The retries are the shared policy's, so
each one shows as one more request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, generate_project
from stakeplug_jira.testing._example import at

from stakeplug import Activity, Register, audit, load_register
from stakeplug.errors import UnavailableError
from stakeplug.http import HttpPolicy
from stakeplug.limits import Limits, use_limits
from stakeplug.store import Store, stored_sources
from stakeplug.testing import Fault, Reply, Request

Make = Callable[..., JiraAdapter]
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
"""The fixtures' wall clock: the fake counts the search's relative dates from it."""
WINDOW = (at(29) - timedelta(days=365), at(30))
ATTEMPTS = 5
"""The default policy's attempts per request."""


class _CutFromPage(FakeJira):
    """A fake Jira that, once told, cuts off its search answers in the middle from a given page on."""

    cut_from: int | None = None
    pages = 0

    def cut_search_from(self, page: int) -> None:
        """Cut off the ``page``-th search answer from now on, and every one after it."""
        self.cut_from, self.pages = page, 0
        self.reset_stats()

    def finish(self, request: Request, reply: Reply) -> Reply:
        if request.path not in ("/rest/api/2/search/jql", "/rest/api/2/search"):
            return reply
        self.pages += 1
        if self.cut_from is not None and self.pages >= self.cut_from:
            return attrs.evolve(reply, truncate=True)
        return reply


@pytest.fixture(params=["cloud", "server"])
def cutting(request: pytest.FixtureRequest) -> Iterator[_CutFromPage]:
    with _CutFromPage(mode=request.param, token=None, clock=lambda: NOW) as fake:
        generate_project(fake, project="APOLLO", issues=250, comments=600, now=at(29))
        yield fake


def _search_path(fake: FakeJira) -> str:
    return "/rest/api/2/search/jql" if fake.mode == "cloud" else "/rest/api/2/search"


def _register(tmp_path: Path) -> Register:
    path = tmp_path / "register.toml"
    path.write_text(
        '[project]\nname = "Generated"\n[[stakeholders]]\nname = "Person 0"\n'
        'identities = { jira = "5b10a2844c20165700e00000" }\n',
        "utf-8",
    )
    return load_register(path)


def _audit_source(adapter: JiraAdapter, tmp_path: Path, store: Store | None = None) -> Any:
    register = _register(tmp_path)
    sources: list[Any] = [("tracker", adapter)]
    if store is not None:
        sources = list(stored_sources(store, sources, register, now=NOW))
    result = audit(register, sources, since=WINDOW[0], until=WINDOW[1])
    [report] = result.sources
    return report


def _collect_until_it_fails(adapter: JiraAdapter) -> tuple[list[Activity], UnavailableError]:
    yielded: list[Activity] = []
    with pytest.raises(UnavailableError) as info:
        for activity in adapter.collect(*WINDOW):
            yielded.append(activity)
    return yielded, info.value


def test_what_a_cut_off_search_yields_is_every_activity_of_the_issues_it_read(
    cutting: _CutFromPage, make_adapter: Make
) -> None:
    """Cut off at page 3, the collection yields all the activities of the first 200 issues, and only
    those, before its error, which names the page and what happened."""
    everything = list(make_adapter(cutting).collect(*WINDOW))
    cutting.cut_search_from(3)
    adapter = make_adapter(cutting)
    yielded, error = _collect_until_it_fails(adapter)
    issues = {a.item.id for a in yielded}
    assert len(issues) == 200 == adapter.stats.items
    assert yielded == [a for a in everything if a.item.id in issues]
    assert len(yielded) < len(everything)
    assert (
        f"{_search_path(cutting)} (page 3, after 200 issues): the answer was cut off before its end"
        in str(error)
    )
    assert cutting.stats()["by_path"][_search_path(cutting)] == 2 + ATTEMPTS


def test_the_audit_reports_a_cut_off_search_as_partial_with_its_page(
    cutting: _CutFromPage, make_adapter: Make, tmp_path: Path
) -> None:
    """Through the audit the source is partial, not ok nor failed, counts what was kept and names the page."""
    cutting.cut_search_from(3)
    kept, _ = _collect_until_it_fails(make_adapter(cutting))
    cutting.cut_search_from(3)
    report = _audit_source(make_adapter(cutting), tmp_path)
    assert report.status == "partial"
    assert report.activities == len(kept) > 0
    error = report.error or ""
    assert "(page 3, after 200 issues)" in error
    assert "the answer was cut off before its end" in error
    assert f"gave up after {ATTEMPTS} attempts" in error


def test_a_search_cut_off_at_its_first_page_fails_with_nothing(
    cutting: _CutFromPage, make_adapter: Make
) -> None:
    """With no page read there is nothing to keep: the error comes at once, worded, without a page number."""
    cutting.cut_search_from(1)
    yielded, error = _collect_until_it_fails(make_adapter(cutting))
    assert yielded == []
    assert "(page" not in str(error)
    assert "the answer was cut off before its end" in str(error)


def test_through_the_store_a_cut_off_search_keeps_the_cursor_and_the_next_run_is_whole(
    cutting: _CutFromPage, make_adapter: Make, tmp_path: Path
) -> None:
    """The store keeps the 200 issues' activities but not a cursor, so the next run reads everything again."""
    everything = list(make_adapter(cutting).collect(*WINDOW))
    with Store.open(tmp_path / "store.sqlite") as store:
        cutting.cut_search_from(3)
        cut = _audit_source(make_adapter(cutting), tmp_path, store)
        state = store.source("tracker")
        assert cut.status == "partial" and "(page 3, after 200 issues)" in (cut.error or "")
        assert state is not None and state.cursor is None
        assert 0 < cut.activities < len(everything)
        cutting.cut_from = None
        whole = _audit_source(make_adapter(cutting), tmp_path, store)
        assert (whole.status, whole.error, whole.activities) == ("ok", None, len(everything))
        assert store.source("tracker").cursor is not None  # type: ignore[union-attr]


class _Clock:
    """A monotonic clock for the budgets that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_source_budget_used_up_part_way_reports_partial_naming_the_budget(
    cutting: _CutFromPage, make_adapter: Make, tmp_path: Path
) -> None:
    """Under a sustained rate limit (429, Retry-After 10) from search page 3 on, a 25-second source
    budget allows two waits: the source is partial with the 200 issues read and names the budget."""
    path = _search_path(cutting)
    everything = list(make_adapter(cutting).collect(*WINDOW))
    cutting.reset_stats()
    cutting.inject(Fault(path=path, times=2))
    cutting.inject(Fault(status=429, path=path, headers={"Retry-After": "10"}, times=100))
    clock = _Clock()
    policy = HttpPolicy(jitter=0.0, sleep=clock.sleep, clock=NOW.timestamp, max_attempts=10)
    with use_limits(Limits(source_seconds=25.0, clock=clock)):
        adapter = make_adapter(cutting, policy=policy)
    report = _audit_source(adapter, tmp_path)
    assert report.status == "partial"
    assert 0 < report.activities < len(everything)
    assert adapter.stats.items == 200
    error = report.error or ""
    assert "(page 3, after 200 issues)" in error
    assert "would pass this source's time budget of 25 s ([limits] source_minutes)" in error
    assert clock.now == 20.0
    assert cutting.stats()["by_path"][path] == 2 + 3
