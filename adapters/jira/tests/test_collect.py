"""Reading a Jira project: which activities come out of issues, comments and changelogs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import groupby

from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira
from stakeplug_jira.testing import seed_example as seed_scenario
from stakeplug_jira.testing._example import MARIA, at

from stakeplug import Activity, ActivityKind

WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def kinds(acts: list[Activity]) -> list[tuple[str, str | None, tuple[str, ...], str]]:
    return [(a.kind.value, a.actor, a.addressees, a.item.id) for a in acts]


def test_every_kind_of_activity_is_read(fake: FakeJira, make_adapter: Callable[..., JiraAdapter]) -> None:
    """Creation, comments, assignments, transitions and links become activities (here in time order)."""
    who = seed_scenario(fake)
    m, d, o = who["maria"], who["dana"], who["ole"]
    acts = sorted(make_adapter(fake).collect(*WINDOW), key=lambda a: (a.timestamp, a.item.id, a.id or ""))
    assert kinds(acts) == [
        ("created", m, (), "APOLLO-1"),
        ("linked", None, (), "APOLLO-1"),
        ("assigned", d, (m,), "APOLLO-1"),
        ("comment", d, (m,), "APOLLO-1"),
        ("comment", m, (), "APOLLO-1"),
        ("transitioned", m, (), "APOLLO-1"),
        ("completed", m, (m,), "APOLLO-1"),
        ("reopened", o, (), "APOLLO-1"),
        ("created", d, (), "APOLLO-2"),
        ("linked", None, (), "APOLLO-2"),
        ("assigned", o, (o,), "APOLLO-2"),
        ("unassigned", o, (o,), "APOLLO-2"),
        ("linked", o, (), "APOLLO-2"),
    ]
    due = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
    assert acts[2].due == due and acts[6].due == due
    internal = [a for a in acts if a.kind is ActivityKind.LINKED and not a.external]
    assert [(a.item.id, a.link_type, a.timestamp) for a in internal] == [
        ("APOLLO-1", "relates to", at(2)),
        ("APOLLO-2", "relates to", at(9)),
    ]
    (external,) = [a for a in acts if a.external]
    assert (external.link_type, external.timestamp) == ("blocks", at(12))
    item = acts[8].item
    assert item.url == f"{fake.url}/browse/APOLLO-2"
    assert (item.title, item.labels, item.project) == ("Status report November", ("status-report",), "APOLLO")


def test_mentions_are_read_from_document_format_in_api_v3(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """With api_version 3 the comment bodies are ADF documents; mention nodes become addressees."""
    seed_scenario(cloud)
    acts = list(make_adapter(cloud, api_version=3).collect(*WINDOW))
    comments = [a for a in acts if a.kind is ActivityKind.COMMENT]
    assert [c.addressees for c in comments] == [(MARIA,), ()]
    assert cloud.stats()["by_path"]["/rest/api/3/search/jql"] == 1


def test_comment_bodies_are_not_kept(cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]) -> None:
    """No activity carries a comment's text, in details or anywhere in its repr."""
    seed_scenario(cloud)
    for a in make_adapter(cloud).collect(*WINDOW):
        assert "export format" not in repr(a) and "works for us" not in repr(a)
        assert not {"body", "text", "comment"} & set(a.details)


def test_the_window_is_exact_and_the_query_is_incremental(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """Activities outside since <= t < until are dropped; the JQL asks only for recently updated issues."""
    seed_scenario(cloud)
    adapter = make_adapter(cloud)
    acts = list(adapter.collect(at(4), at(7)))
    assert [a.kind.value for a in acts] == ["comment", "comment", "transitioned"]
    later = list(adapter.collect(at(13), at(30)))
    assert later == []
    assert adapter._window_jql(at(13), now=at(14)) == (
        'project = "APOLLO" AND updated >= "-1442m" ORDER BY updated ASC'
    )


def test_a_jql_filter_narrows_the_project(cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]) -> None:
    """The jql key is combined with the project and the window, its own ORDER BY dropped."""
    seed_scenario(cloud)
    adapter = make_adapter(cloud, jql="labels = status-report ORDER BY key DESC")
    assert {a.item.id for a in adapter.collect(*WINDOW)} == {"APOLLO-2"}


def test_a_completion_without_changelog_uses_the_resolution_date(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """An issue that is done with no status change on record completes at its resolution date."""
    from datetime import date

    cloud.add_user(MARIA, "Maria Jensen")
    cloud.add_issue(
        "APOLLO",
        "Imported done",
        creator=MARIA,
        assignee=MARIA,
        created=at(3),
        status="Done",
        duedate=date(2026, 11, 2),
    )
    acts = list(make_adapter(cloud).collect(*WINDOW))
    done = [a for a in acts if a.kind is ActivityKind.COMPLETED]
    assert [(a.actor, a.addressees, a.timestamp) for a in done] == [(MARIA, (MARIA,), at(3))]
    assert done[0].due is not None and done[0].due < done[0].timestamp


def test_250_issues_with_3_overflowing_take_9_requests(
    fake: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """serverInfo, field, status, three search pages, and one comment page per overflowing issue."""
    from stakeplug_jira.testing import generate_project

    mode = fake.mode
    made = generate_project(fake, project="APOLLO", issues=250, comments=1200, overflow=3, now=at(29))
    adapter = make_adapter(fake)
    acts = list(adapter.collect(at(29) - timedelta(days=365), at(30)))
    search = "/rest/api/2/search/jql" if mode == "cloud" else "/rest/api/2/search"
    expected = {
        "/rest/api/2/serverInfo": 1,
        "/rest/api/2/field": 1,
        "/rest/api/2/status": 1,
        search: 3,
        **{f"/rest/api/2/issue/{key}/comment": 1 for key in made.overflowing},
    }
    assert fake.stats()["by_path"] == dict(sorted(expected.items()))
    assert adapter.stats.requests == 9
    assert adapter.stats.items == 250
    assert sum(a.kind is ActivityKind.COMMENT for a in acts) == made.comments == 1200
    # Streamed issue by issue as the search pages come (ordered=False): each issue's activities
    # come together, and the issues in the search's order.
    runs = [key for key, _ in groupby(a.item.id for a in acts)]
    assert len(runs) == len(set(runs)) == 250


def test_a_long_changelog_is_fetched_for_that_issue_only(
    fake: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """Over 100 history entries: Cloud pages /changelog, Server reads the issue with its whole changelog."""
    mode = fake.mode
    fake.add_user(MARIA, "Maria Jensen", name="mjensen")
    key = fake.add_issue("APOLLO", "Busy issue", creator=MARIA, created=at(1))
    fake.add_issue("APOLLO", "Quiet issue", creator=MARIA, created=at(1))
    for n in range(130):
        status = "In Progress" if n % 2 == 0 else "To Do"
        fake.transition(key, status, by=MARIA, at=at(2) + timedelta(minutes=n))
    adapter = make_adapter(fake)
    acts = list(adapter.collect(*WINDOW))
    assert sum(a.kind is ActivityKind.TRANSITIONED for a in acts) == 130
    by_path = fake.stats()["by_path"]
    if mode == "cloud":
        assert by_path[f"/rest/api/2/issue/{key}/changelog"] == 2
    else:
        assert by_path[f"/rest/api/2/issue/{key}"] == 1
    assert adapter.stats.requests == 4 + (2 if mode == "cloud" else 1)
