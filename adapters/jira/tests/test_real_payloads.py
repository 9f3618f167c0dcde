"""Reads of vendor-published Jira payloads: paging that contradicts itself, cut bodies, one identity.

The payloads come from ``tests/data`` (Atlassian's OpenAPI examples, see the
README there), completed only where the examples differ from what Jira sends.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira._translate import issue_activities
from stakeplug_jira.testing import FakeJira, seed_example

from stakeplug import ActivityKind, audit, load_register
from stakeplug.errors import PayloadError, UnavailableError
from stakeplug.testing import Reply, Request

DATA = Path(__file__).parent / "data"
SEARCH = "/rest/api/2/search/jql"
MIA = "5b10a2844c20165700ede21g"
WINDOW = (datetime(2021, 1, 1, tzinfo=UTC), datetime(2021, 2, 1, tzinfo=UTC))
EXAMPLE_WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))

Make = Callable[..., JiraAdapter]


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text("utf-8"))


def _search_page() -> dict[str, Any]:
    """The vendor's search example, with the two fields Jira sends that it lacks: ``created`` and a
    comment page instead of a bare list."""
    page = copy.deepcopy(_load("search-jql-get-200.json"))
    fields = page["issues"][0]["fields"]
    fields["created"] = "2021-01-10T09:00:00.000+0000"
    comments = fields["comment"]
    fields["comment"] = {"comments": comments, "maxResults": len(comments), "total": len(comments)}
    return page


def _audit_source(adapter: JiraAdapter, tmp_path: Path, window: tuple[datetime, datetime]) -> Any:
    path = tmp_path / "register.toml"
    path.write_text(
        '[project]\nname = "Example"\n[[stakeholders]]\nname = "Mia Krystof"\n'
        f'identities = {{ jira = "{MIA}" }}\n',
        "utf-8",
    )
    result = audit(load_register(path), [("tracker", adapter)], since=window[0], until=window[1])
    [report] = result.sources
    return report


def test_the_vendor_search_page_is_read(cloud: FakeJira, make_adapter: Make, tmp_path: Path) -> None:
    """The example page as Atlassian publishes it (isLast true) is a complete source."""
    cloud.fail(200, path=SEARCH, body=_search_page())
    report = _audit_source(make_adapter(cloud), tmp_path, WINDOW)
    assert (report.status, report.error) == ("ok", None)
    assert report.activities == 4, "the creation, the one comment and the two links"


def test_more_pages_announced_without_a_token_make_the_source_partial(
    cloud: FakeJira, make_adapter: Make, tmp_path: Path
) -> None:
    """``isLast: false`` with no ``nextPageToken`` keeps what came and reports the source partial, saying why."""
    page = _search_page()
    page["isLast"] = False
    cloud.fail(200, path=SEARCH, body=page)
    report = _audit_source(make_adapter(cloud), tmp_path, WINDOW)
    assert report.status == "partial"
    assert "more pages follow (isLast: false) but gave no nextPageToken" in (report.error or "")
    assert report.activities == 4
    assert cloud.stats()["by_path"][SEARCH] == 1


def test_a_token_seen_before_makes_the_source_partial(cloud: FakeJira, make_adapter: Make) -> None:
    """A search that hands back a token it gave already stops there and says so instead of looping,
    after yielding what the pages held."""
    first = _search_page() | {"isLast": False, "nextPageToken": "CAEaAggD"}
    cloud.fail(200, path=SEARCH, body=first, times=2)
    adapter = make_adapter(cloud)
    kept = []
    with pytest.raises(PayloadError) as info:
        kept.extend(adapter.collect(*WINDOW))
    assert cloud.stats()["by_path"][SEARCH] == 2
    assert "(page 2, after 1 issue): the search said more pages follow (isLast: false)" in str(info.value)
    assert "repeated an earlier nextPageToken" in str(info.value)
    assert {a.item.id for a in kept} == {"ED-1"}


def test_a_legacy_search_that_stops_before_its_total_is_not_an_empty_source(
    server: FakeJira, make_adapter: Make
) -> None:
    """Server's offset paging announcing 3 issues and sending none is an error, not an empty source."""
    seed_example(server)
    server.fail(
        200, path="/rest/api/2/search", body={"startAt": 0, "maxResults": 100, "total": 3, "issues": []}
    )
    with pytest.raises(PayloadError) as info:
        list(make_adapter(server).collect(*EXAMPLE_WINDOW))
    assert str(info.value) == (
        f"GET {server.url}/rest/api/2/search: the search stopped at 0 of the 3 issues it announced"
    )


def test_comment_pages_that_end_early_are_reported(cloud: FakeJira, make_adapter: Make) -> None:
    """Extra comment pages that run dry before the announced total keep the inline comment and say so."""
    seed_example(cloud)
    cloud.inline_comments = 1
    empty = {"startAt": 0, "maxResults": 100, "total": 2, "comments": []}
    cloud.fail(200, path="/rest/api/2/issue/APOLLO-1/comment", body=empty)
    adapter = make_adapter(cloud)
    found = list(adapter.collect(*EXAMPLE_WINDOW))
    assert sum(a.item.id == "APOLLO-1" and a.kind is ActivityKind.COMMENT for a in found) == 1
    assert adapter.stats.skipped_reasons == (
        "APOLLO-1: the comment pages stopped at 0 of the 2 comments announced",
    )


def test_a_body_cut_off_once_is_read_again(cloud: FakeJira, make_adapter: Make, sleeps: list[float]) -> None:
    """A search answer closed before its Content-Length is retried once and the whole answer read."""
    seed_example(cloud)
    cloud.truncate_bodies(path=SEARCH)
    adapter = make_adapter(cloud)
    assert len(list(adapter.collect(*EXAMPLE_WINDOW))) == 13
    assert cloud.stats()["by_path"][SEARCH] == 2
    assert sleeps == [1.0]


def test_a_body_always_cut_off_says_so_in_words(cloud: FakeJira, make_adapter: Make) -> None:
    """When every answer is cut off, the message says it was cut off before its end, not an exception's name."""
    seed_example(cloud)
    cloud.truncate_bodies(path=SEARCH, times=10)
    with pytest.raises(UnavailableError) as info:
        list(make_adapter(cloud).collect(*EXAMPLE_WINDOW))
    assert "the answer was cut off before its end" in str(info.value)
    assert "gave up after 5 attempts" in str(info.value)


class _BrokenSearch(FakeJira):
    """A fake Jira whose search answers 200 with JSON that stops in the middle."""

    def prepare(self, request: Request) -> Request | Reply:
        if request.path == SEARCH:
            return Reply(200, raw=b'{"issues": [1, 2')
        return super().prepare(request)


def test_a_body_that_is_not_json_says_what_is_wrong(make_adapter: Make) -> None:
    """A 200 whose body is broken JSON names the problem and where it is, not only an exception's class."""
    with _BrokenSearch(mode="cloud", token="fake-jira-token") as fake:
        url = fake.url
        with pytest.raises(PayloadError) as info:
            list(make_adapter(fake, token="fake-jira-token").collect(*EXAMPLE_WINDOW))
    assert str(info.value) == f"GET {url}{SEARCH}: the answer is not JSON"


def test_an_extra_page_of_the_wrong_shape_skips_its_issue_with_the_reason(
    cloud: FakeJira, make_adapter: Make
) -> None:
    """A comment page whose ``comments`` is not a list skips that issue, saying what broke, and the rest is read."""
    seed_example(cloud)
    cloud.inline_comments = 1
    cloud.fail(200, path="/rest/api/2/issue/APOLLO-1/comment", body={"total": 2, "comments": 5})
    adapter = make_adapter(cloud)
    found = list(adapter.collect(*EXAMPLE_WINDOW))
    assert {a.item.id for a in found} == {"APOLLO-2"}
    [reason] = adapter.stats.skipped_reasons
    assert reason.startswith("APOLLO-1: GET ") and "cannot be read: 'int' object is not iterable" in reason


OLE = "5b109f2e9729b51b54dc274d"


def _assignee_history_by_username() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The vendor's changelog entry turned into a Cloud assignee change that names both users by
    username, while its author, like every user object of the issue, carries the account id too."""
    [history] = _load("issue-changelog-get-200.json")["values"][:1]
    mia = dict(history["author"], name="mkrystof", key="mkrystof")
    ole = {"accountId": OLE, "name": "obrandt", "displayName": "Ole Brandt"}
    history = dict(history, created="2021-01-18T06:27:50.429+0000", author=mia)
    history["items"] = [
        {
            "field": "assignee",
            "fieldtype": "jira",
            "from": "obrandt",
            "fromString": "Ole Brandt",
            "to": "mkrystof",
            "toString": "Mia Krystof",
        },
    ]
    return history, mia, ole


def _moves(acts: Any) -> set[tuple[ActivityKind, str | None, tuple[str, ...]]]:
    return {
        (a.kind, a.actor, a.addressees)
        for a in acts
        if a.kind in (ActivityKind.ASSIGNED, ActivityKind.UNASSIGNED)
    }


def test_assignee_usernames_in_a_changelog_are_the_account_ids_of_the_same_issue() -> None:
    """A Cloud changelog naming assignees by username, with actors by account id, gives one identity each."""
    history, mia, ole = _assignee_history_by_username()
    issue = {
        "key": "TT-1",
        "fields": {"created": "2021-01-17T12:00:00.000+0000", "assignee": mia, "reporter": ole, "labels": []},
        "changelog": {"histories": [history], "total": 1},
    }
    _, acts = issue_activities(issue, base_url="https://x.example", category_of=lambda *_: None)
    assert _moves(acts) == {
        (ActivityKind.UNASSIGNED, MIA, (OLE,)),
        (ActivityKind.ASSIGNED, MIA, (MIA,)),
    }


def test_assignee_usernames_are_aliased_when_collected_from_the_search(
    cloud: FakeJira, make_adapter: Make
) -> None:
    """Served by the fake as the vendor's search page with its changelog inline, the username
    assignee change is read as the two account ids, and no username reaches an activity."""
    page = _search_page()
    history, mia, ole = _assignee_history_by_username()
    issue = page["issues"][0]
    issue["fields"].update(assignee=mia, reporter=ole)
    issue["changelog"] = {"startAt": 0, "maxResults": 1, "total": 1, "histories": [history]}
    cloud.fail(200, path=SEARCH, body=page)
    acts = list(make_adapter(cloud).collect(*WINDOW))
    assert _moves(acts) == {
        (ActivityKind.UNASSIGNED, MIA, (OLE,)),
        (ActivityKind.ASSIGNED, MIA, (MIA,)),
    }
    people = {a.actor for a in acts} | {who for a in acts for who in a.addressees}
    assert not people & {"mkrystof", "obrandt"}
