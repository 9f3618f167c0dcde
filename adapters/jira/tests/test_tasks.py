"""Posting care tasks as Jira issues: labels, fingerprint, assignee, dry run, idempotence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import attrs
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, seed_example
from stakeplug_jira.testing._example import DANA

from stakeplug import TaskDraft


def draft(fingerprint: str = "0123456789abcdef", assignee: str | None = None) -> TaskDraft:
    return TaskDraft(
        title="Send Maria Jensen an extra status update",
        body="Tell Maria what is done and what comes next.\n\nstakeplug-fingerprint: " + fingerprint,
        labels=("stakeplug", "care:status_update", f"stakeplug-fp-{fingerprint}"),
        fingerprint=fingerprint,
        action="status_update",
        stakeholder="Maria Jensen",
        due=datetime(2026, 12, 14, 17, 0, tzinfo=UTC),
        assignee=assignee,
    )


def test_a_task_is_created_with_labels_due_date_and_assignee(
    fake: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """The issue carries the stakeplug, action and fingerprint labels, and goes to the owner's account."""
    who = seed_example(fake)
    adapter = make_adapter(fake)
    result = adapter.post_task(draft(assignee=who["dana"]), dry_run=False)
    assert result.created and result.task is not None
    assert result.task.url == f"{fake.url}/browse/{result.task.id}"
    (created,) = fake.created_issues
    assert created == {
        "key": result.task.id,
        "project": "APOLLO",
        "summary": "Send Maria Jensen an extra status update",
        "labels": ["stakeplug", "care:status_update", "stakeplug-fp-0123456789abcdef"],
        "assignee": DANA,
        "duedate": "2026-12-14",
        "issuetype": "Task",
    }
    issue = fake.issues[result.task.id]
    assert "stakeplug-fingerprint: 0123456789abcdef" in issue.description


def test_posting_costs_one_query_one_scheme_and_a_create_and_a_check_per_new_task(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """No GET follows a create (no prefetch); each new task costs one check search; a known one nothing."""
    seed_example(cloud)
    adapter = make_adapter(cloud)
    for fp in ("a" * 16, "b" * 16, "a" * 16):
        adapter.post_task(draft(fp), dry_run=False)
    assert cloud.stats()["by_path"] == {
        "/rest/api/2/field": 1,
        "/rest/api/2/issue": 2,
        "/rest/api/2/project/APOLLO/permissionscheme": 1,
        "/rest/api/2/search/jql": 3,
        "/rest/api/2/serverInfo": 1,
    }


def test_a_rerun_after_a_crash_finds_the_task_and_creates_no_duplicate(
    fake: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """A new adapter (a new CI run) finds the earlier task by its fingerprint label."""
    seed_example(fake)
    first = make_adapter(fake).post_task(draft(), dry_run=False)
    rerun = make_adapter(fake)
    again = rerun.post_task(draft(), dry_run=False)
    assert not again.created and again.reason == "already exists"
    assert again.task is not None and first.task is not None and again.task.id == first.task.id
    assert len(fake.created_issues) == 1
    (ref,) = rerun.find_tasks()
    assert (ref.fingerprint, ref.open, ref.closed) == ("0123456789abcdef", True, None)


def test_a_closed_task_is_found_with_its_closing_date(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """find_tasks reports closed tasks too, so the planner can respect cooldowns."""
    seed_example(cloud)
    created = make_adapter(cloud).post_task(draft(), dry_run=False)
    assert created.task is not None
    cloud.transition(created.task.id, "Done", by=DANA, at=datetime(2026, 12, 1, tzinfo=UTC))
    (ref,) = make_adapter(cloud).find_tasks()
    assert not ref.open and ref.closed == datetime(2026, 12, 1, tzinfo=UTC)


def test_dry_run_says_what_would_be_created_and_writes_nothing(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """A dry run reads the existing tasks and stops there."""
    seed_example(cloud)
    result = make_adapter(cloud).post_task(draft())
    assert result.dry_run and not result.created and result.task is None
    assert "would create a Task in APOLLO" in result.reason
    assert cloud.created_issues == []
    assert "/rest/api/2/issue" not in cloud.stats()["by_path"]


def test_api_v3_writes_the_description_as_a_document(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """Jira Cloud's v3 API wants Atlassian Document Format; the fake refuses plain text there."""
    seed_example(cloud)
    result = make_adapter(cloud, api_version=3).post_task(draft(), dry_run=False)
    assert result.created and result.task is not None
    assert "Tell Maria what is done" in cloud.issues[result.task.id].description


def test_an_unknown_assignee_leaves_the_task_unassigned(
    cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]
) -> None:
    """When Jira refuses the owner's account, the task is created without an assignee."""
    seed_example(cloud)
    result = make_adapter(cloud).post_task(draft(assignee="no-such-account"), dry_run=False)
    assert result.created
    assert cloud.created_issues[0]["assignee"] is None
    assert cloud.stats()["by_path"]["/rest/api/2/issue"] == 2


def test_labels_with_spaces_are_made_valid(cloud: FakeJira, make_adapter: Callable[..., JiraAdapter]) -> None:
    """Jira labels cannot hold spaces; they are joined with dashes."""
    seed_example(cloud)
    d = draft()
    spaced = attrs.evolve(d, labels=(*d.labels, "needs follow up"))
    make_adapter(cloud).post_task(spaced, dry_run=False)
    assert "needs-follow-up" in cloud.created_issues[0]["labels"]
