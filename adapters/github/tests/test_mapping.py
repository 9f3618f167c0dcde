"""Translating GitHub payloads: mentions, deleted accounts, verdicts, events, recorded real issues."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter, mentions
from stakeplug_github._mapping import Translator, login_of
from stakeplug_github.testing import FakeGitHub

from stakeplug import ActivityKind, ItemKind, Verdict


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("@alice can you look?", ("alice",)),
        ("cc @alice and @Bob-2, thanks @alice", ("alice", "Bob-2")),
        ("use the `@property` decorator", ()),
        ("```python\n@dataclass\nclass A: ...\n```\nand @carol", ("carol",)),
        ("mail jo@example.com or @dave.", ("dave",)),
        ("> @erin wrote this earlier\n\nagreed", ()),
        ("ping @octo-org/reviewers", ()),
        ("@ghost left the building", ()),
        ("(@frank)", ("frank",)),
        (None, ()),
    ],
)
def test_mentions_find_the_people_a_text_addresses(body: str | None, expected: tuple[str, ...]) -> None:
    """Mentions skip code, quotes, e-mail addresses, team handles and the ghost account."""
    assert mentions(body) == expected


def test_the_author_mentioning_themselves_addresses_nobody() -> None:
    """A self-mention is not an addressee."""
    assert mentions("note to self @Alice, and @bob", author="alice") == ("bob",)


def test_deleted_accounts_have_no_login() -> None:
    """user: null and the ghost login both mean a deleted account."""
    assert login_of(None) is None
    assert login_of({"login": "ghost", "id": 10137}) is None
    assert login_of({"login": "octocat"}) == "octocat"


def _issue(number: int = 1, **extra: Any) -> dict[str, Any]:
    body = {
        "number": number,
        "id": 100 + number,
        "title": f"Issue {number}",
        "html_url": f"https://github.com/o/r/issues/{number}",
        "user": {"login": "ann"},
        "labels": [],
        "assignees": [],
        "created_at": "2026-05-01T10:00:00Z",
        "body": "hi @Bob",
    }
    body.update(extra)
    return body


def test_recorded_real_issues_become_created_activities(load: Callable[[str], Any]) -> None:
    """The issues GitHub really sent translate into CREATED activities by their authors."""
    tr = Translator("octokit-fixture-org/paginate")
    pages = load("octokit-paginate-issues.json")["pages"]
    acts = [a for page in pages for issue in page["response"] for a in tr.issue(issue)]
    assert len(acts) == 13
    assert {a.actor for a in acts} == {"octokit-fixture-user-a"}
    assert all(a.kind is ActivityKind.CREATED and a.item.kind is ItemKind.ISSUE for a in acts)
    assert all(a.timestamp.tzinfo is not None for a in acts)
    assert {a.details["reactions"] for a in acts} == {0}


def test_mentions_use_the_spelling_github_uses_for_the_login() -> None:
    """@bob in a body becomes Bob when the run saw the account spelt so."""
    tr = Translator("o/r")
    tr.item(_issue(assignees=[{"login": "Bob"}]))
    [created] = tr.issue(_issue())
    assert created.addressees == ("Bob",)


def test_labels_mark_status_reports_and_requests_for_input() -> None:
    """Configured labels turn an issue into a status report or an input-needed item."""
    tr = Translator("o/r", status_labels=["Status Report"], input_labels=["needs input"])
    assert tr.item(_issue(1, labels=[{"name": "status report"}])).kind is ItemKind.STATUS_REPORT
    assert tr.item(_issue(2, labels=[{"name": "Needs Input"}])).kind is ItemKind.INPUT_NEEDED
    assert tr.item(_issue(3, pull_request={"url": "x"})).kind is ItemKind.PULL_REQUEST


def test_comments_by_deleted_accounts_have_no_actor() -> None:
    """A comment whose user is null is kept with actor None."""
    tr = Translator("o/r")
    act = tr.comment(
        {
            "id": 5,
            "issue_url": "https://api.github.com/repos/o/r/issues/7",
            "html_url": "https://github.com/o/r/pull/7#issuecomment-5",
            "user": None,
            "created_at": "2026-05-02T10:00:00Z",
            "body": "@ann thanks",
        }
    )
    assert act.actor is None and act.addressees == ("ann",)
    assert act.item.id == "o/r#7" and act.item.kind is ItemKind.PULL_REQUEST
    assert act.item.url == "https://github.com/o/r/pull/7"
    assert "body" not in act.details


@pytest.mark.parametrize(
    ("state", "verdict"),
    [
        ("APPROVED", Verdict.APPROVED),
        ("CHANGES_REQUESTED", Verdict.CHANGES_REQUESTED),
        ("COMMENTED", Verdict.COMMENTED),
        ("DISMISSED", Verdict.DISMISSED),
    ],
)
def test_review_states_become_verdicts(state: str, verdict: Verdict) -> None:
    """Each submitted review state maps to its verdict."""
    act = Translator("o/r").review(
        3, {"id": 1, "user": {"login": "rev"}, "state": state, "submitted_at": "2026-05-03T00:00:00Z"}
    )
    assert act is not None and act.verdict is verdict and act.kind is ActivityKind.REVIEW


def test_pending_reviews_are_not_activities() -> None:
    """A review not yet submitted has no time and is left out."""
    assert Translator("o/r").review(3, {"id": 1, "user": {"login": "x"}, "state": "PENDING"}) is None


def _event(name: str, **extra: Any) -> dict[str, Any]:
    body = {
        "id": 9,
        "event": name,
        "actor": {"login": "ann"},
        "created_at": "2026-05-04T00:00:00Z",
        "issue": _issue(
            4,
            assignees=[{"login": "cy"}],
            milestone={"due_on": "2026-06-01T07:00:00Z"},
        ),
    }
    body.update(extra)
    return body


def test_assignments_name_who_assigned_whom_and_the_due_date() -> None:
    """assigned → ASSIGNED by the actor to the assignee, due by the milestone."""
    tr = Translator("o/r")
    act = tr.event(_event("assigned", assignee={"login": "cy"}))
    assert act is not None
    assert (act.kind, act.actor, act.addressees) == (ActivityKind.ASSIGNED, "ann", ("cy",))
    assert act.due is not None and act.due.isoformat() == "2026-06-01T07:00:00+00:00"
    self_pick = tr.event(_event("assigned", actor={"login": "cy"}, assignee={"login": "cy"}))
    assert self_pick is not None and self_pick.details == {"self_assigned": True}
    gone = tr.event(_event("unassigned", assignee={"login": "cy"}))
    assert gone is not None and gone.kind is ActivityKind.UNASSIGNED


def test_review_requests_are_requests_to_the_reviewer() -> None:
    """review_requested → REQUEST from the requester to the requested reviewer."""
    act = Translator("o/r").event(
        _event(
            "review_requested",
            review_requester={"login": "ann"},
            requested_reviewer={"login": "rev"},
        )
    )
    assert act is not None
    assert (act.kind, act.actor, act.addressees) == (ActivityKind.REQUEST, "ann", ("rev",))
    assert act.details == {"request_kind": "review"}


def test_team_review_requests_have_no_person_to_address() -> None:
    """A review requested from a team (no requested_reviewer) is not a personal request."""
    assert Translator("o/r").event(_event("review_requested", requested_team={"name": "t"})) is None


def test_closing_completes_for_the_assignees() -> None:
    """closed → COMPLETED by the actor, addressed to the issue's assignees."""
    act = Translator("o/r").event(_event("closed"))
    assert act is not None
    assert (act.kind, act.actor, act.addressees) == (ActivityKind.COMPLETED, "ann", ("cy",))
    reopened = Translator("o/r").event(_event("reopened", actor=None))
    assert reopened is not None and reopened.kind is ActivityKind.REOPENED and reopened.actor is None


def test_references_from_other_repositories_are_external_links() -> None:
    """A commit in another repository referencing the issue is an external LINKED."""
    tr = Translator("o/r")
    other = tr.event(_event("referenced", commit_url="https://api.github.com/repos/x/y/commits/abc"))
    own = tr.event(_event("referenced", commit_url="https://api.github.com/repos/o/r/commits/abc"))
    assert other is not None and other.kind is ActivityKind.LINKED and other.external
    assert other.details == {"from": "x/y", "other_project": "x/y"}
    assert own is None


def test_events_without_a_signal_are_ignored() -> None:
    """labeled, subscribed and friends produce nothing."""
    tr = Translator("o/r")
    assert tr.event(_event("labeled", label={"name": "bug"})) is None
    assert tr.event(_event("subscribed")) is None


def test_mentions_are_respelt_with_logins_seen_later_in_the_run(
    fake: FakeGitHub, make_adapter: Callable[..., GitHubAdapter]
) -> None:
    """@bob in an early body becomes Bob when Bob only shows up later in the run."""
    repo = fake.add_repo("acme/case")
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    issue = repo.open_issue("ann", "x", t0, body="@bob please look")
    repo.comment(issue.number, "Bob", "looking", t0 + timedelta(hours=1))
    acts = list(make_adapter(repo="acme/case").collect(t0, t0 + timedelta(days=1)))
    (created,) = [a for a in acts if a.kind is ActivityKind.CREATED]
    assert created.addressees == ("Bob",)
