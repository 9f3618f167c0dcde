"""Incremental reads: the search asks for issues updated since the window start, in no time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, parse_jql
from stakeplug_jira.testing._example import MARIA, at

from stakeplug import ActivityKind


@pytest.mark.parametrize(
    ("value", "back"),
    [
        ('"-90m"', timedelta(minutes=90)),
        ('"-4w 2d"', timedelta(weeks=4, days=2)),
        ("-2h", timedelta(hours=2)),
        ('"-15"', timedelta(minutes=15)),
        ('"3d"', -timedelta(days=3)),
    ],
)
def test_the_fake_reads_a_relative_date_from_its_own_clock(value: str, back: timedelta) -> None:
    """A period (weeks, days, hours, minutes; a bare number is minutes) is counted from the given now."""
    (condition,) = parse_jql(f"updated >= {value}", now=at(10)).conditions
    assert condition.value == at(10) - back


def test_the_search_names_the_window_start_as_minutes_back_from_now(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """The period reaches two minutes before since, rounded up to whole minutes."""
    adapter = make_adapter(cloud)
    jql = adapter._window_jql(at(13) + timedelta(seconds=30), now=at(14))
    assert jql == 'project = "APOLLO" AND updated >= "-1442m" ORDER BY updated ASC'


def test_an_issue_updated_in_the_windows_first_minute_is_read_and_one_before_is_not_asked_for(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """Minute precision does not lose the edge: a comment seconds after since is read; an issue quiet
    since well before the window is not even returned by the search."""
    cloud.add_user(MARIA, "Maria Jensen")
    cloud.add_issue("APOLLO", "Quiet", creator=MARIA, created=at(1))
    busy = cloud.add_issue("APOLLO", "Busy", creator=MARIA, created=at(1))
    since = at(29) + timedelta(seconds=20)
    cloud.comment(busy, MARIA, "late word", at=since + timedelta(seconds=5))
    adapter = make_adapter(cloud)
    acts = list(adapter.collect(since, since + timedelta(hours=1)))
    assert [(a.kind, a.item.id) for a in acts] == [(ActivityKind.COMMENT, busy)]
    assert adapter.stats.items == 1


def test_the_adapter_declares_incremental_reads() -> None:
    """The store may ask the Jira adapter only from its cursor."""
    assert JiraAdapter.capabilities.incremental
