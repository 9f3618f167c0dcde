"""Posting converges on one open task per fingerprint: ambiguous failures, races, neutral public tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub

from stakeplug import CareAction, CareSuggestion, TaskDraft, render_task
from stakeplug.errors import UnavailableError

Make = Callable[..., GitHubAdapter]
FP = "0123456789abcdef"
CREATE = "/repos/acme/team/issues"


def _draft(action: CareAction = CareAction.LISTEN_TO_CONCERNS, *, private: bool = False) -> TaskDraft:
    suggestion = CareSuggestion(
        action=action,
        stakeholder="Omar Haddad",
        owner=None,
        title="Hear Omar Haddad's view of the project",
        wording="Ask Omar how the project looks from where he stands.",
        explanation="Opponent: acceptance -2.1.",
        evidence=(),
        due=datetime(2026, 12, 14, tzinfo=UTC),
        fingerprint=FP,
        period="2026-W49/45d",
        priority=30,
    )
    return render_task(suggestion, tool="github", private=private)


def _open(fake: FakeGitHub) -> list[int]:
    repo = fake.repo("acme/team")
    return [n for n, i in repo.issues.items() if i.state == "open" and f"stakeplug-fp-{FP}" in i.labels]


def test_a_503_after_the_create_happened_is_not_answered_with_a_second_issue(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """The issue exists although GitHub answered 503: the adapter looks, finds it, and reports it."""
    fake.add_repo("acme/team")
    fake.fail(503, method="POST", path=CREATE, after=True)
    result = make_adapter(repo="acme/team").post_task(_draft(), dry_run=False)
    assert result.created and result.task is not None and result.task.id == "acme/team#1"
    assert "found by its fingerprint" in result.reason
    assert len(fake.created_issues) == 1
    assert fake.by_path["POST /repos/acme/team/issues"] == 1


def test_a_connection_dropped_after_the_create_happened_is_not_answered_with_a_second_issue(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """No answer at all after the write: look first, find the issue, create nothing more."""
    fake.add_repo("acme/team")
    fake.drop_connections(method="POST", path=CREATE, after=True)
    result = make_adapter(repo="acme/team").post_task(_draft(), dry_run=False)
    assert result.created and result.task is not None and result.task.id == "acme/team#1"
    assert len(fake.created_issues) == 1


def test_a_503_before_anything_happened_is_looked_into_and_posted_once_more(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """A 503 that created nothing: the look finds nothing, so the second attempt creates the task."""
    fake.add_repo("acme/team")
    fake.fail(503, method="POST", path=CREATE)
    result = make_adapter(repo="acme/team").post_task(_draft(), dry_run=False)
    assert result.created and "second attempt" in result.reason
    assert len(fake.created_issues) == 1
    assert fake.by_path["POST /repos/acme/team/issues"] == 2


def test_two_failed_attempts_end_in_the_error_without_a_third(fake: FakeGitHub, make_adapter: Make) -> None:
    """When the second attempt fails too, the error is raised and nothing was created."""
    fake.add_repo("acme/team")
    fake.fail(502, method="POST", path=CREATE, times=2)
    with pytest.raises(UnavailableError):
        make_adapter(repo="acme/team").post_task(_draft(), dry_run=False)
    assert fake.created_issues == []
    assert fake.by_path["POST /repos/acme/team/issues"] == 2


def test_a_task_created_by_a_concurrent_run_wins_and_ours_is_closed_as_its_duplicate(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Both runs listed before either created; the newer issue is closed with a neutral comment."""
    repo = fake.add_repo("acme/team")
    adapter = make_adapter(repo="acme/team")
    assert adapter.find_tasks() == []
    other = repo.open_issue(
        "bot", "Keep in touch", datetime(2026, 12, 1, tzinfo=UTC), labels=["stakeplug", f"stakeplug-fp-{FP}"]
    )
    result = adapter.post_task(_draft(), dry_run=False)
    assert not result.created and result.task is not None
    assert result.task.id == f"acme/team#{other.number}"
    assert "closed acme/team#2" in result.reason
    assert result.closed_duplicates == ("acme/team#2",)
    assert _open(fake) == [other.number]
    ours = repo.issues[2]
    assert (ours.state, ours.state_reason) == ("closed", "not_planned")
    [comment] = [c for c in repo.comments if c.issue_number == 2]
    assert comment.body == f"Closed as a duplicate of #{other.number}, which tracks the same task."


def test_a_public_task_shows_no_action_label_and_a_generic_title(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """In a public repository the labels are the care and fingerprint labels, the title tells no category."""
    fake.add_repo("acme/team", private=False)
    make_adapter(repo="acme/team", allow_public=True).post_task(_draft(), dry_run=False)
    [created] = fake.created_issues
    assert created["labels"] == ["stakeplug", f"stakeplug-fp-{FP}"]
    assert created["title"] == "Keep in touch with Omar Haddad"
    assert "concern" not in created["title"].lower() + created["body"].lower()


def test_a_private_task_keeps_its_action_label_and_title(fake: FakeGitHub, make_adapter: Make) -> None:
    """Only a private repository gets the care:<action> label and the action's title."""
    fake.add_repo("acme/team")
    make_adapter(repo="acme/team").post_task(_draft(private=True), dry_run=False)
    [created] = fake.created_issues
    assert created["labels"] == ["stakeplug", "care:listen_to_concerns", f"stakeplug-fp-{FP}"]
    assert created["title"] == "Hear Omar Haddad's view of the project"
