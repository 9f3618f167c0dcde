"""Posting care tasks as GitHub issues: idempotence by fingerprint, dry runs, the privacy guard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub

from stakeplug import CareAction, CareSuggestion, TaskDraft, post_care, render_task
from stakeplug.errors import ConfigError, PermissionDeniedError, PrivacyError, TrackerError

Make = Callable[..., GitHubAdapter]
DUE = datetime(2026, 12, 14, tzinfo=UTC)


def _suggestion(fingerprint: str = "0123456789abcdef", owner: str | None = "Dana") -> CareSuggestion:
    return CareSuggestion(
        action=CareAction.CELEBRATE_AND_THANK,
        stakeholder="Maria Rossi",
        owner=owner,
        title="Thank Maria Rossi for the export review",
        wording="Celebrate the CSV export with Maria and thank her for her review.",
        explanation="Partner: acceptance +2.4, energy 4.1; category partner.",
        evidence=(),
        due=DUE,
        fingerprint=fingerprint,
        period="2026-W49/14d",
        priority=20,
    )


def _draft(
    fingerprint: str = "0123456789abcdef", *, assignee: str | None = None, title: str | None = None
) -> TaskDraft:
    draft = render_task(_suggestion(fingerprint), tool="github")
    return attrs.evolve(draft, assignee=assignee, title=draft.title if title is None else title)


def test_find_tasks_reads_fingerprints_from_labels_or_the_hidden_marker(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """One listing by the stakeplug label finds every task, open or closed."""
    repo = fake.add_repo("acme/team")
    t = datetime(2026, 11, 2, tzinfo=UTC)
    labelled = repo.open_issue(
        "bot", "a", t, labels=["stakeplug", "care:ask_advice", "stakeplug-fp-aaaa1111"]
    )
    repo.close(labelled.number, "dana", t)
    repo.open_issue("bot", "b", t, labels=["stakeplug"], body="x\n<!-- stakeplug-fingerprint: bbbb2222 -->")
    repo.open_issue("bot", "c", t, labels=["stakeplug"], body="no marker")
    repo.open_issue("ann", "d", t, labels=["bug"], body="<!-- stakeplug-fingerprint: cccc3333 -->")
    tasks = make_adapter(repo="acme/team").find_tasks()
    assert {(x.fingerprint, x.id, x.open) for x in tasks} == {
        ("aaaa1111", "acme/team#1", False),
        ("bbbb2222", "acme/team#2", True),
    }
    assert fake.request_log == [("GET", "/repos/acme/team/issues?labels=stakeplug&state=all&per_page=100")]


def test_a_task_is_created_once_with_labels_assignee_and_a_hidden_marker(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Posting creates one labelled, assigned issue; posting again, even from a new run, finds it."""
    fake.add_repo("acme/team", collaborators=["dana"])
    draft = _draft(assignee="dana")
    first = make_adapter(repo="acme/team").post_task(draft, dry_run=False)
    assert first.created and first.task is not None
    assert first.task.id == "acme/team#1" and first.task.url == "https://github.com/acme/team/issues/1"
    [created] = fake.created_issues
    assert created["labels"] == ["stakeplug", "stakeplug-fp-0123456789abcdef"]
    assert created["assignees"] == ["dana"]
    assert created["body"].endswith("<!-- stakeplug-fingerprint: 0123456789abcdef -->")
    assert fake.by_path == {
        "GET /repos/acme/team/issues": 2,
        "GET /repos/acme/team": 1,
        "POST /repos/acme/team/labels": 1,
        "POST /repos/acme/team/issues": 1,
    }
    adapter = make_adapter(repo="acme/team")
    again = adapter.post_task(draft, dry_run=False)
    assert not again.created and again.task == first.task
    again_same_run = adapter.post_task(draft, dry_run=False)
    assert not again_same_run.created
    assert len(fake.created_issues) == 1
    assert fake.requests == 6


def test_a_dry_run_writes_nothing_and_is_the_default(fake: FakeGitHub, make_adapter: Make) -> None:
    """Without dry_run=False nothing is created; the result says where it would go."""
    fake.add_repo("acme/team")
    result = make_adapter(repo="acme/team").post_task(_draft())
    assert result.dry_run and not result.created and result.task is None
    assert "acme/team" in result.reason
    assert fake.created_issues == []
    assert "POST /repos/acme/team/issues" not in fake.by_path


def test_a_public_repository_is_refused_even_in_a_dry_run(fake: FakeGitHub, make_adapter: Make) -> None:
    """Care tasks are about people: a public target needs allow_public = true."""
    fake.add_repo("acme/open-source", private=False)
    adapter = make_adapter(repo="acme/open-source")
    with pytest.raises(PrivacyError, match="allow_public = true"):
        adapter.post_task(_draft(), dry_run=True)
    with pytest.raises(PrivacyError):
        adapter.post_task(_draft(), dry_run=False)
    assert fake.created_issues == []
    assert fake.by_path["GET /repos/acme/open-source"] == 1


def test_an_allowed_public_repository_gets_no_score_or_category(fake: FakeGitHub, make_adapter: Make) -> None:
    """With allow_public the task is posted, stripped of the explanation a private target would get."""
    fake.add_repo("acme/open-source", private=False)
    draft = render_task(_suggestion(), tool="github", private=True)
    assert "acceptance +2.4" in draft.body
    result = make_adapter(repo="acme/open-source", allow_public=True).post_task(draft, dry_run=False)
    assert result.created
    body = fake.created_issues[0]["body"]
    assert "Celebrate the CSV export" in body
    for leak in ("acceptance", "energy", "category", "Partner", "Why:"):
        assert leak not in body
    assert "<!-- stakeplug-fingerprint: 0123456789abcdef -->" in body


def test_a_public_repository_gets_the_drafts_neutral_body_not_its_evidence(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """The adapter picks the draft's neutral field for a public place; evidence links stay out."""
    fake.add_repo("acme/open-source", private=False)
    link = "https://github.com/acme/open-source/pull/7"
    draft = attrs.evolve(
        render_task(_suggestion(), tool="github", private=True), evidence=(link,), wording="Thank Maria."
    )
    make_adapter(repo="acme/open-source", allow_public=True).post_task(draft, dry_run=False)
    body = fake.created_issues[0]["body"]
    assert body == "Thank Maria.\n\n<!-- stakeplug-fingerprint: 0123456789abcdef -->"


def test_a_private_repository_keeps_the_explanation(fake: FakeGitHub, make_adapter: Make) -> None:
    """Only a private target receives the why, as the renderer wrote it."""
    fake.add_repo("acme/team")
    draft = render_task(_suggestion(), tool="github", private=True)
    make_adapter(repo="acme/team").post_task(draft, dry_run=False)
    assert "acceptance +2.4" in fake.created_issues[0]["body"]


def test_github_validation_messages_reach_the_user(fake: FakeGitHub, make_adapter: Make) -> None:
    """A 422 on create carries GitHub's own validation message and is not retried."""
    fake.add_repo("acme/team")
    with pytest.raises(TrackerError, match=r"422 Validation Failed \(Issue\.title missing_field\)") as info:
        make_adapter(repo="acme/team").post_task(_draft(title=""), dry_run=False)
    assert info.value.status == 422
    assert fake.by_path["POST /repos/acme/team/issues"] == 1


def test_the_recorded_validation_error_is_worded_like_github_words_it(
    fake: FakeGitHub, make_adapter: Make, load: Callable[[str], Any]
) -> None:
    """GitHub's recorded 422 body becomes a message naming the resource, field and code."""
    recorded = load("octokit-errors-422.json")
    fake.add_repo("acme/team")
    fake.fail(422, path="/repos/acme/team/issues", method="POST", body=recorded["response"])
    adapter = make_adapter(repo="acme/team")
    with pytest.raises(TrackerError, match=r"Validation Failed \(Label\.color invalid\)"):
        adapter.post_task(_draft(), dry_run=False)


def test_an_owner_who_cannot_be_assigned_still_gets_the_task_created(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """When GitHub refuses the assignee, the task is created unassigned and the result says why."""
    fake.add_repo("acme/team", collaborators=["dana"])
    result = make_adapter(repo="acme/team").post_task(_draft(assignee="outsider"), dry_run=False)
    assert result.created and "outsider" in result.reason
    assert fake.created_issues[0]["assignees"] == []
    assert fake.by_path["POST /repos/acme/team/issues"] == 2


def test_several_repositories_need_repo_to_say_where_tasks_go(make_adapter: Make) -> None:
    """Reading several repositories leaves the task target open until repo names it."""
    adapter = make_adapter(repos=["acme/one", "acme/two"])
    with pytest.raises(ConfigError, match="set repo = 'owner/name'"):
        adapter.find_tasks()


def test_post_care_posts_each_suggestion_once_across_runs(fake: FakeGitHub, make_adapter: Make) -> None:
    """The library's post_care finds existing tasks in one listing and creates only the missing ones."""
    fake.add_repo("acme/team")
    suggestions = [_suggestion("aaaaaaaa00000001"), _suggestion("aaaaaaaa00000002")]
    first = post_care(make_adapter(repo="acme/team"), suggestions, dry_run=False)
    assert [r.created for r in first] == [True, True]
    fake.reset_stats()
    second = post_care(make_adapter(repo="acme/team"), suggestions, dry_run=False)
    assert [r.created for r in second] == [False, False]
    assert fake.requests == 1
    assert len(fake.created_issues) == 2


def test_a_token_that_cannot_create_labels_posts_nothing(fake: FakeGitHub, make_adapter: Make) -> None:
    """Without the fingerprint label later runs could not find the task, so nothing is created."""
    repo = fake.add_repo("acme/team")
    repo.token_can_create_labels = False
    with pytest.raises(PermissionDeniedError, match=r"cannot create labels in acme/team.*nothing was posted"):
        make_adapter(repo="acme/team").post_task(_draft(), dry_run=False)
    assert fake.created_issues == []
    assert "POST /repos/acme/team/issues" not in fake.by_path
