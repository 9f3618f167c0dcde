"""Writes that converge: an eventually consistent search, concurrent runs, lost answers, one open task."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import requests
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, seed_example

from stakeplug import TaskDraft
from stakeplug.http import HttpPolicy

Make = Callable[..., JiraAdapter]
FP = "c0ffee00c0ffee00"
LAG = 3
EMAIL = "stakeplug-bot@example.org"
TOKEN = "fake-jira-token-3f9a1c"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def draft(fingerprint: str = FP) -> TaskDraft:
    return TaskDraft(
        title="Keep in touch with Maria Jensen",
        body="Tell Maria what is done and what comes next.\n\nstakeplug-fingerprint: " + fingerprint,
        labels=("stakeplug", f"stakeplug-fp-{fingerprint}"),
        fingerprint=fingerprint,
        action="status_update",
        stakeholder="Maria Jensen",
        due=datetime(2026, 12, 14, 17, 0, tzinfo=UTC),
    )


@pytest.fixture
def lagging() -> Iterator[FakeJira]:
    """A Jira Cloud whose search misses a new issue for three searches unless it is reconciled."""
    with FakeJira(mode="cloud", email=EMAIL, token=TOKEN, clock=lambda: NOW, search_lag=LAG) as fake:
        seed_example(fake)
        yield fake


def _search(fake: FakeJira, jql: str, reconcile: list[int] | None = None) -> list[str]:
    params: dict[str, object] = {"jql": jql, "fields": "labels"}
    if reconcile:
        params["reconcileIssues"] = reconcile
    answer = requests.get(f"{fake.url}/rest/api/3/search/jql", params=params, auth=(EMAIL, TOKEN), timeout=5)
    answer.raise_for_status()
    return [issue["key"] for issue in answer.json()["issues"]]


def _create(fake: FakeJira, fingerprint: str = FP) -> tuple[str, int]:
    """An issue created through the API by someone else (another run), as Jira answers it."""
    fields = {
        "project": {"key": "APOLLO"},
        "issuetype": {"name": "Task"},
        "summary": "Keep in touch with Maria Jensen",
        "labels": ["stakeplug", f"stakeplug-fp-{fingerprint}"],
    }
    answer = requests.post(
        f"{fake.url}/rest/api/2/issue", json={"fields": fields}, auth=(EMAIL, TOKEN), timeout=5
    )
    answer.raise_for_status()
    return answer.json()["key"], int(answer.json()["id"])


def test_the_lagging_search_misses_a_new_issue_until_it_is_reconciled(lagging: FakeJira) -> None:
    """A new issue is missing from the next three searches, shown at once when reconciled, then for all."""
    key, number = _create(lagging)
    jql = f"project = APOLLO AND labels = stakeplug-fp-{FP}"
    assert _search(lagging, jql) == []
    assert _search(lagging, jql, [number]) == [key]
    assert _search(lagging, jql) == []
    assert _search(lagging, jql) == [key]
    assert requests.get(f"{lagging.url}/rest/api/2/issue/{key}", auth=(EMAIL, TOKEN), timeout=5).ok


def test_the_fake_refuses_more_than_fifty_reconciled_ids(lagging: FakeJira) -> None:
    """reconcileIssues takes at most 50 ids, as on Jira Cloud."""
    answer = requests.get(
        f"{lagging.url}/rest/api/3/search/jql",
        params={"jql": "project = APOLLO", "reconcileIssues": list(range(1, 52))},
        auth=(EMAIL, TOKEN),
        timeout=5,
    )
    assert answer.status_code == 400 and "at most 50" in answer.text


def test_posting_waits_until_the_search_shows_the_new_task(
    lagging: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """The check after creating searches until the new task shows: four searches, three short waits."""
    adapter = make_adapter(lagging)
    result = adapter.post_task(draft(), dry_run=False)
    assert result.created and result.reason == "created"
    assert sleeps == [0.25, 0.5, 1.0]
    assert lagging.stats()["by_path"]["/rest/api/2/search/jql"] == 1 + LAG + 1
    assert result.task is not None and lagging.open_tasks(FP) == [result.task.id]


def test_two_runs_at_once_end_with_one_open_task_the_oldest(lagging: FakeJira, make_adapter: Make) -> None:
    """Both runs list before either creates; each creates; the later one closes its own copy."""
    first, second = make_adapter(lagging), make_adapter(lagging)
    first.find_tasks()
    second.find_tasks()
    one = first.post_task(draft(), dry_run=False)
    two = second.post_task(draft(), dry_run=False)
    assert one.created and one.task is not None and two.task is not None
    assert not two.created and two.task.id == one.task.id
    assert "kept APOLLO-" in two.reason and "as its duplicate" in two.reason
    assert lagging.open_tasks(FP) == [one.task.id]
    assert len(lagging.created_issues) == 2
    (closed,) = [
        i for i in lagging.issues.values() if f"stakeplug-fp-{FP}" in i.labels and i.key != one.task.id
    ]
    assert closed.status == "Done"
    assert two.closed_duplicates == (closed.key,) and one.closed_duplicates == ()
    assert closed.comments[-1].body == f"Closed as a duplicate of {one.task.id}, which tracks the same task."


def test_a_rerun_after_a_run_that_died_before_the_check_keeps_the_dead_runs_task(
    lagging: FakeJira, make_adapter: Make
) -> None:
    """A task the search does not show yet, made by a run that died, wins over the rerun's new copy."""
    dead, _ = _create(lagging)
    result = make_adapter(lagging).post_task(draft(), dry_run=False)
    assert result.task is not None and result.task.id == dead and not result.created
    assert lagging.open_tasks(FP) == [dead]


def test_a_rerun_shortly_after_a_finished_run_creates_nothing(lagging: FakeJira, make_adapter: Make) -> None:
    """The first run waited until its task showed, so the next run's one listing finds it."""
    first = make_adapter(lagging).post_task(draft(), dry_run=False)
    before = lagging.stats()["by_path"]
    again = make_adapter(lagging).post_task(draft(), dry_run=False)
    after = lagging.stats()["by_path"]
    assert not again.created and again.reason == "already exists"
    assert again.task is not None and first.task is not None and again.task.id == first.task.id
    assert after["/rest/api/2/search/jql"] - before["/rest/api/2/search/jql"] == 1
    assert after.get("/rest/api/2/issue") == before.get("/rest/api/2/issue") == 1


def test_a_503_after_the_create_is_found_by_its_fingerprint(cloud: FakeJira, make_adapter: Make) -> None:
    """Jira created the issue but answered 503: the search finds it and nothing is sent again."""
    seed_example(cloud)
    cloud.fail(503, path="/rest/api/2/issue", method="POST", after=True)
    result = make_adapter(cloud).post_task(draft(), dry_run=False)
    assert result.created and result.reason.startswith("created (its answer was lost")
    assert cloud.stats()["by_path"]["/rest/api/2/issue"] == 1
    assert len(cloud.created_issues) == 1 and result.task is not None
    assert cloud.open_tasks(FP) == [result.task.id]


def test_a_503_after_the_create_that_the_search_misses_ends_with_one_open_task(
    lagging: FakeJira, make_adapter: Make
) -> None:
    """The search misses the lost issue, the create is sent again, and the check closes the second copy."""
    lagging.fail(503, path="/rest/api/2/issue", method="POST", after=True)
    result = make_adapter(lagging).post_task(draft(), dry_run=False)
    first = lagging.created_issues[0]["key"]
    assert len(lagging.created_issues) == 2
    assert result.task is not None and result.task.id == first
    assert lagging.open_tasks(FP) == [first]


def test_the_wait_for_the_search_is_bounded(
    lagging: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """With settle_seconds = 1 the check waits 0.25 s and 0.5 s, then trusts the reconciled search."""
    lagging.search_lag = 100
    result = make_adapter(lagging, settle_seconds=1).post_task(draft(), dry_run=False)
    assert result.created and sleeps == [0.25, 0.5]
    assert lagging.stats()["by_path"]["/rest/api/2/search/jql"] == 1 + 3 + 1


def test_server_checks_with_one_search_and_never_waits(
    server: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """Server/Data Center searches consistently: one search verifies a new task."""
    seed_example(server)
    result = make_adapter(server).post_task(draft(), dry_run=False)
    assert result.created and sleeps == []
    assert server.stats()["by_path"]["/rest/api/2/search"] == 2


def test_each_later_search_of_the_run_reconciles_the_tasks_it_created(
    lagging: FakeJira, make_adapter: Make
) -> None:
    """A listing right after posting (settle_seconds = 0) still sees the run's own new task."""
    lagging.search_lag = 100
    adapter = make_adapter(lagging, settle_seconds=0)
    made = adapter.post_task(draft(), dry_run=False)
    assert made.task is not None
    assert [t.id for t in adapter.find_tasks()] == [made.task.id]


def test_a_task_another_run_closed_already_is_neither_waited_for_nor_closed_again(
    lagging: FakeJira, make_adapter: Make
) -> None:
    """While this run waits for the search, a racing run closes this run's task: it shows closed, and that is enough.

    The other run's task is older and not yet in the search, so this run creates its own; during
    the first wait the other run closes it as its duplicate.  The next search shows both, the new
    one closed: no longer wait than for any new task, no second close, and the result names the task that stays open.
    """
    other, _ = _create(lagging)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        if not waits:
            (mine,) = [c["key"] for c in lagging.created_issues if c["key"] != other]
            lagging.transition(mine, "Done", by=FakeJira.BOT, at=NOW)
        waits.append(seconds)

    policy = HttpPolicy(jitter=0.0, sleep=sleep, clock=NOW.timestamp, read_timeout=5.0)
    result = make_adapter(lagging, policy=policy).post_task(draft(), dry_run=False)
    mine = lagging.created_issues[1]["key"]
    assert not result.created and result.task is not None and result.task.id == other
    assert f"another run closed this run's {mine} as its duplicate" in result.reason
    assert "could not close" not in result.reason
    assert waits == [0.25, 0.5, 1.0], "the waits of a task nobody touched, not the whole settle time"
    assert lagging.open_tasks(FP) == [other]
    assert not any("/transitions" in path for path in lagging.stats()["by_path"])


def test_a_duplicate_a_racing_run_closed_first_counts_as_closed(
    lagging: FakeJira, make_adapter: Make
) -> None:
    """The move to done is refused because the other run made it a moment before: a direct read says closed."""
    first, second = make_adapter(lagging), make_adapter(lagging)
    first.find_tasks()
    second.find_tasks()
    kept = first.post_task(draft(), dry_run=False)
    refused = {"errorMessages": ["Transition id '41' is not valid for this issue."], "errors": {}}
    lagging.fail(400, path="/transitions", method="POST", body=refused, after=True)
    result = second.post_task(draft(), dry_run=False)
    assert kept.task is not None and result.task is not None and result.task.id == kept.task.id
    dup = lagging.created_issues[1]["key"]
    assert f"closed {dup} as its duplicate" in result.reason and "could not close" not in result.reason
    assert lagging.open_tasks(FP) == [kept.task.id]
    assert lagging.stats()["by_path"][f"/rest/api/2/issue/{dup}"] == 1
