"""A full audit costs exactly the request floor: the listings' pages at 100 records, ⌈P/50⌉ queries.

The figures are written out, not computed from the data: the generator is seeded, so the
data and with it every count are fixed.  For I issues and pull requests, C comments,
R review comments, E events and P pull requests the floor is
⌈I/100⌉ + ⌈C/100⌉ + ⌈R/100⌉ + ⌈E/100⌉ + ⌈P/50⌉ requests, plus a follow-up page for a pull
request with more reviews than a batch holds; with ``reviews_via = "rest"`` P requests instead
of ⌈P/50⌉, and a second page for a pull request with more than 100 reviews.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub, FakeRepo

from stakeplug import ActivityKind

EVERYTHING = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
Make = Callable[..., GitHubAdapter]


def _listings(repo: str, issues: int, comments: int, review_comments: int, events: int) -> dict[str, int]:
    return {
        f"GET /repos/{repo}/issues": issues,
        f"GET /repos/{repo}/issues/comments": comments,
        f"GET /repos/{repo}/pulls/comments": review_comments,
        f"GET /repos/{repo}/issues/events": events,
    }


def _shape(repo: FakeRepo) -> tuple[int, int, int, int, int, int]:
    prs = sum(1 for issue in repo.issues.values() if issue.is_pr)
    return (
        len(repo.issues),
        prs,
        len(repo.comments),
        len(repo.review_comments),
        len(repo.events),
        len(repo.reviews),
    )


def _review_reads(fake: FakeGitHub) -> int:
    return sum(n for path, n in fake.by_path.items() if path.endswith("/reviews"))


def _reviews(acts: list[object]) -> int:
    return sum(1 for a in acts if getattr(a, "kind", None) is ActivityKind.REVIEW)


def test_120_issues_and_120_pull_requests_take_24_requests(fake: FakeGitHub, make_adapter: Make) -> None:
    """240 items (3 pages), 960 comments (10), 240 review comments (3), 482 events (5), 120 PRs (3)."""
    repo = fake.generate("acme/apollo", issues=120, prs=120, seed=17)
    assert _shape(repo) == (240, 120, 960, 240, 482, 360)
    adapter = make_adapter(repo="acme/apollo")
    acts = list(adapter.collect(*EVERYTHING))
    assert dict(fake.by_path) == {**_listings("acme/apollo", 3, 10, 3, 5), "POST /graphql": 3}
    assert fake.requests == adapter.stats.requests == 24
    assert adapter.stats.skipped == 0
    assert _reviews(acts) == sum(1 for r in repo.reviews if r.submitted_at is not None)


def test_the_same_data_with_reviews_via_rest_takes_141_requests(fake: FakeGitHub, make_adapter: Make) -> None:
    """The same 21 listing pages and one review page for each of the 120 pull requests."""
    fake.generate("acme/apollo", issues=120, prs=120, seed=17)
    adapter = make_adapter(repo="acme/apollo", reviews_via="rest")
    list(adapter.collect(*EVERYTHING))
    assert "POST /graphql" not in fake.by_path
    assert _review_reads(fake) == 120
    assert fake.requests == adapter.stats.requests == 21 + 120 == 141


def test_a_pull_request_with_130_more_reviews_costs_one_page_more_either_way(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Beyond a batch's 50 reviews one follow-up query of 100; REST needs a second page of 100."""
    repo = fake.generate("acme/apollo", issues=120, prs=120, seed=17)
    busy = min(i.number for i in repo.issues.values() if i.is_pr)
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    for k in range(130):
        repo.review(busy, f"user{k % 30:02d}", "COMMENTED", t0 + timedelta(minutes=k))
    held = sum(1 for r in repo.reviews if r.pr_number == busy)
    assert 100 < held <= 150
    graphql = make_adapter(repo="acme/apollo")
    acts = list(graphql.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == 3 + 1
    assert fake.requests == 24 + 1
    assert _reviews(acts) == sum(1 for r in repo.reviews if r.submitted_at is not None)
    fake.reset_stats()
    rest = make_adapter(repo="acme/apollo", reviews_via="rest")
    assert _reviews(list(rest.collect(*EVERYTHING))) == _reviews(acts)
    assert _review_reads(fake) == 120 + 1
    assert fake.requests == 141 + 1


def test_the_benchmark_repository_takes_182_requests_and_1162_through_rest(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """bench_github.py's data: 2,000 items (20 pages), 8,000 comments (80), 2,000 review comments (20),
    4,108 events (42) and 1,000 pull requests: 20 queries, or 1,000 review reads through REST."""
    end = datetime(2026, 11, 1, tzinfo=UTC)
    repo = fake.generate(
        "bench-org/big",
        issues=1000,
        prs=1000,
        comments=8000,
        review_comments=2000,
        reviews=3000,
        users=40,
        start=end - timedelta(days=150),
        end=end,
        seed=1,
    )
    assert _shape(repo) == (2000, 1000, 8000, 2000, 4108, 3000)
    listings = _listings("bench-org/big", 20, 80, 20, 42)
    graphql = make_adapter(repo="bench-org/big")
    list(graphql.collect(*EVERYTHING))
    assert dict(fake.by_path) == {**listings, "POST /graphql": 20}
    assert fake.requests == graphql.stats.requests == 182
    fake.reset_stats()
    rest = make_adapter(repo="bench-org/big", reviews_via="rest")
    list(rest.collect(*EVERYTHING))
    assert _review_reads(fake) == 1000
    assert fake.requests == rest.stats.requests == 162 + 1000 == 1162
