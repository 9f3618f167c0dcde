"""Reads that used to go wrong on real GitHub payloads: limits without a reset, withdrawn requests,
issues closed as not planned, issues that only look like pull requests, review comments without
``pull_request_url``, assignments that name nobody.

The issues are the recorded ones in ``data/octokit-paginate-issues.json`` (see its attribution);
the other payloads are the fake's, which follow GitHub's documented shapes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github._mapping import Translator
from stakeplug_github.testing import FakeClock, FakeGitHub

from stakeplug import ActivityKind, ItemKind
from stakeplug.errors import RateLimitedError

Make = Callable[..., GitHubAdapter]
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
WINDOW = (T0, T0 + timedelta(days=1))
RECORDED = (datetime(2022, 7, 19, tzinfo=UTC), datetime(2022, 7, 20, tzinfo=UTC))


def _recorded_issue(load: Callable[[str], Any]) -> dict[str, Any]:
    return copy.deepcopy(load("octokit-paginate-issues.json")["pages"][4]["response"][-1])


def test_a_primary_limit_without_a_reset_time_stops_at_once(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """A 403 with remaining 0 and no x-ratelimit-reset is not retried and says the reset time is unknown."""
    fake.add_repo("acme/apollo").open_issue("ann", "Export", T0)
    fake.exhaust_rate_limit(reset_in=3600, announce_reset=False)
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    message = str(info.value)
    assert "did not say when it resets" in message and "GITHUB_TOKEN" in message
    assert "in 1 s" not in message and "gave up" not in message
    assert clock.sleeps == []
    assert fake.requests == 1


def test_giving_up_on_a_secondary_limit_does_not_claim_to_be_waiting(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """The final message of a persistent secondary limit says it gave up, never that it is waiting."""
    fake.add_repo("acme/apollo").open_issue("ann", "Export", T0)
    fake.secondary_limit(times=10)
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    message = str(info.value)
    assert "gave up" in message and "secondary rate limit" in message
    assert "waiting" not in message


def test_a_withdrawn_review_request_is_not_a_request_left_open(fake: FakeGitHub, make_adapter: Make) -> None:
    """review_request_removed takes back a request the reviewer had not answered; an answered one stays."""
    repo = fake.add_repo("acme/apollo")
    pr = repo.open_issue("ann", "Add CSV export", T0, pr=True)
    repo.request_review(pr.number, "ann", "rev", T0 + H)
    repo.request_review(pr.number, "ann", "quiet", T0 + H)
    repo.request_review(pr.number, "ann", "fast", T0 + H)
    repo.review(pr.number, "fast", "APPROVED", T0 + 2 * H)
    repo.remove_review_request(pr.number, "ann", "rev", T0 + 3 * H)
    repo.remove_review_request(pr.number, "ann", "fast", T0 + 3 * H)
    acts = list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    asked = sorted(a.addressees[0] for a in acts if a.kind is ActivityKind.REQUEST)
    assert asked == ["fast", "quiet"]


def test_an_issue_closed_as_not_planned_is_not_completed_work(load: Callable[[str], Any]) -> None:
    """A recorded issue closed with state_reason not_planned gives no completion; closed as completed does."""
    issue = _recorded_issue(load)
    tr = Translator("octokit-fixture-org/paginate")
    base = {"id": 9, "actor": issue["user"], "created_at": "2022-07-19T05:00:00Z", "issue": issue}
    assert tr.event({**base, "event": "closed", "state_reason": "not_planned"}) is None
    done = tr.event({**base, "event": "closed", "state_reason": "completed"})
    assert done is not None and done.kind is ActivityKind.COMPLETED
    closed = dict(issue, state="closed", state_reason="not_planned")
    assert tr.event({**base, "event": "closed", "issue": closed}) is None, (
        "the issue's reason when the event has none"
    )


def test_an_issue_with_an_empty_pull_request_object_is_a_plain_issue(
    fake: FakeGitHub, make_adapter: Make, load: Callable[[str], Any]
) -> None:
    """``"pull_request": {"html_url": null}`` on a recorded issue is an issue: no reviews are asked for it."""
    issue = _recorded_issue(load)
    issue["pull_request"] = {"url": None, "html_url": None, "diff_url": None, "patch_url": None}
    fake.add_repo("octokit-fixture-org/paginate")
    fake.fail(200, path="/issues", body=[issue])
    fake.fail(200, path="/issues/events", body=[])
    adapter = make_adapter(repo="octokit-fixture-org/paginate")
    [act] = list(adapter.collect(*RECORDED))
    assert act.item.kind is ItemKind.ISSUE
    assert not any("/pulls/" in target and "/reviews" in target for _, target in fake.request_log)
    assert adapter.stats.skipped == 0


def test_a_review_comment_without_pull_request_url_uses_its_links(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """A review comment whose pull_request_url is missing is placed by ``_links.pull_request.href``."""
    repo = fake.add_repo("acme/apollo")
    pr = repo.open_issue("ann", "Add CSV export", T0, pr=True)
    repo.review_comment(pr.number, "rev", "rename this", T0 + H)
    listed = make_adapter(repo="acme/apollo").http.request("GET", "repos/acme/apollo/pulls/comments").json()
    del listed[0]["pull_request_url"]
    fake.fail(200, path="/pulls/comments", body=listed)
    adapter = make_adapter(repo="acme/apollo")
    [comment] = [a for a in adapter.collect(*WINDOW) if a.kind is ActivityKind.REVIEW_COMMENT]
    assert comment.item.id == f"acme/apollo#{pr.number}" and comment.actor == "rev"
    assert adapter.stats.skipped == 0


def test_an_assignment_naming_nobody_is_counted_as_skipped(
    fake: FakeGitHub, make_adapter: Make, load: Callable[[str], Any]
) -> None:
    """An ``assigned`` event without an assignee is skipped with its reason, so the source is partial."""
    issue = _recorded_issue(load)
    fake.add_repo("octokit-fixture-org/paginate")
    event = {
        "id": 5,
        "event": "assigned",
        "actor": issue["user"],
        "created_at": issue["created_at"],
        "issue": issue,
    }
    fake.fail(200, path="/issues", body=[issue])
    fake.fail(200, path="/issues/events", body=[event])
    adapter = make_adapter(repo="octokit-fixture-org/paginate")
    acts = list(adapter.collect(*RECORDED))
    assert [a.kind for a in acts] == [ActivityKind.CREATED]
    assert adapter.stats.skipped == 1
    assert "assigned event names no assignee" in adapter.stats.skipped_reasons[0]
