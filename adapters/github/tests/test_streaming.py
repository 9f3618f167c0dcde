"""The GitHub adapter streams: activities leave page by page (``ordered=False``).

Only what the end of a repository's read settles is held back (a review request a later
removal may take back, a line comment waiting for its review's verdict, a mention of a
login not seen yet).  A source stopped part-way by a rate limit keeps what it read, and the
audit, stateless or through a real store, is the one an ordered source with the same
activities gives.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub, FakeRepo

from stakeplug import Activity, ActivityKind, Audit, Register, Verdict, audit
from stakeplug.config.register import register_from_mapping
from stakeplug.errors import RateLimitedError
from stakeplug.store import Store, stored_sources

Make = Callable[..., GitHubAdapter]
WINDOW = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def _repo_with_takebacks(fake: FakeGitHub) -> FakeRepo:
    """A generated repository, and some review requests taken back: half of them after the
    reviewer had answered on the pull request, half before."""
    repo = fake.generate("acme/big", issues=220, prs=90, comments=700, seed=4)
    rng = random.Random(5)
    requests = [e for e in repo.events if e.event == "review_requested"]
    for e in rng.sample(requests, 30):
        reviewer = e.requested_reviewer
        assert reviewer is not None
        at = e.created_at + timedelta(minutes=rng.randrange(1, 600))
        if rng.random() < 0.5:
            repo.comment(e.issue_number, reviewer, "on it", at - timedelta(seconds=30))
        repo.remove_review_request(e.issue_number, e.review_requester, reviewer, at)
    return repo


def _register(repo: FakeRepo) -> Register:
    logins = sorted({i.user for i in repo.issues.values() if i.user})
    return register_from_mapping(
        {
            "project": {"name": "Big", "lookback_days": 180},
            "team": [{"name": "Lead", "identities": {"github": logins[0]}}],
            "stakeholders": [
                {"name": f"Person {i}", "owner": "Lead", "identities": {"github": login}}
                for i, login in enumerate(logins[1:10], 1)
            ],
        }
    )


def _audit(register: Register, sources: list[Any]) -> Audit:
    return audit(register, sources, since=WINDOW[0], until=WINDOW[1])


def _key(a: Activity) -> tuple[Any, ...]:
    return (a.kind, a.actor, a.addressees, a.item.id, a.timestamp, a.id, a.verdict)


def test_the_adapter_declares_that_it_yields_in_the_listings_order() -> None:
    assert GitHubAdapter.capabilities.ordered is False


def test_only_what_the_end_settles_is_held_and_it_is_settled_as_before(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Taken-back requests dropped, verdicts joined, logins respelt; the rest left before the reviews."""
    repo = _repo_with_takebacks(fake)
    streamed: list[tuple[Activity, int]] = []
    adapter = make_adapter(repo="acme/big")
    for a in adapter.collect(*WINDOW):
        streamed.append((a, adapter.stats.requests))
    acts = [a for a, _ in streamed]
    assert len(acts) == len(set(map(_key, acts)))
    final = adapter.stats.requests
    early = [a for a, asked in streamed if asked < final]
    assert len(early) > len(acts) / 2, "most activities leave before the last request"
    # Each request taken back before the reviewer answered is gone; the answered ones stay.
    removed = [e for e in repo.events if e.event == "review_request_removed"]
    kept = Counter((a.item.id, a.addressees[0], a.timestamp) for a in acts if a.kind is ActivityKind.REQUEST)
    answered = {(c.issue_number, c.user) for c in repo.comments if c.body == "on it"}
    for e in removed:
        asked = max(
            r.created_at
            for r in repo.events
            if r.event == "review_requested"
            and r.issue_number == e.issue_number
            and r.requested_reviewer == e.requested_reviewer
            and r.created_at <= e.created_at
        )
        key = (f"acme/big#{e.issue_number}", e.requested_reviewer, asked)
        assert kept[key] == (1 if (e.issue_number, e.requested_reviewer) in answered else 0), key
    # Line comments carry the verdict of their review, read after them; the others none.
    states = {r.id: Verdict(r.state.lower()) for r in repo.reviews if r.submitted_at is not None}
    want = {
        f"github:acme/big:review_comment:{c.id}": states.get(c.review_id or -1) for c in repo.review_comments
    }
    got = {a.id: a.verdict for a in acts if a.kind is ActivityKind.REVIEW_COMMENT}
    assert got == {k: v for k, v in want.items() if k in got}
    assert len(got) > 100 and sum(v is not None for v in got.values()) > 50


def test_a_rate_limit_stop_part_way_keeps_what_was_read_stateless_and_through_the_store(
    fake: FakeGitHub, make_adapter: Make, tmp_path: Path
) -> None:
    """Stopped by a used-up limit with a distant reset after four requests, the source is partial
    and keeps the activities of the pages it read."""
    repo = _repo_with_takebacks(fake)
    register = _register(repo)
    fake.set_rate_limit(4, reset_in=7200)
    delivered: list[Activity] = []
    with pytest.raises(RateLimitedError):
        for a in make_adapter(repo="acme/big").collect(*WINDOW):
            delivered.append(a)
    assert len(delivered) > 300
    want = _audit(register, [("github", sorted(delivered, key=lambda a: a.timestamp))])
    fake.set_rate_limit(4, reset_in=7200)
    stateless = _audit(register, [("github", make_adapter(repo="acme/big"))])
    fake.set_rate_limit(4, reset_in=7200)
    with Store.open(tmp_path / "store.sqlite") as store:
        stored = _audit(
            register, list(stored_sources(store, [("github", make_adapter(repo="acme/big"))], register))
        )
    for got in (stateless, stored):
        report = got.sources[0]
        assert report.status == "partial"
        assert report.error is not None and "rate limit" in report.error
        assert report.activities == len(delivered) > 0
        assert got.scores == want.scores


def test_the_audit_equals_the_audit_of_the_same_activities_in_order(
    fake: FakeGitHub, make_adapter: Make, tmp_path: Path
) -> None:
    """The adapter's stream, ordered by the engine or by the store: the map of the sorted activities."""
    repo = _repo_with_takebacks(fake)
    register = _register(repo)
    activities = list(make_adapter(repo="acme/big").collect(*WINDOW))
    assert [a.timestamp for a in activities] != sorted(a.timestamp for a in activities)
    want = _audit(register, [("github", sorted(activities, key=lambda a: a.timestamp))])
    stateless = _audit(register, [("github", make_adapter(repo="acme/big"))])
    with Store.open(tmp_path / "store.sqlite") as store:
        stored = _audit(
            register, list(stored_sources(store, [("github", make_adapter(repo="acme/big"))], register))
        )
    for got in (stateless, stored):
        assert got.activities_seen == want.activities_seen == len(activities)
        assert got.scores == want.scores
        assert got.warnings == ()
        assert got.sources[0].status == "ok"
