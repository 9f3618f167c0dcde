"""Reviews through GitHub's GraphQL API: batches, paging, limits, errors inside a 200, GHES, the REST fallback."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from stakeplug_github import GitHubAdapter
from stakeplug_github._graphql import batch_query, graphql_url, rest_review
from stakeplug_github.testing import FakeClock, FakeGitHub, FakeRepo, FakeReview

from stakeplug import ActivityKind
from stakeplug.errors import ConfigError
from stakeplug.http import HttpPolicy

EVERYTHING = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
Make = Callable[..., GitHubAdapter]


def _pages(n: int, size: int = 100) -> int:
    return max(1, math.ceil(n / size))


def _listings(repo: FakeRepo) -> int:
    return (
        _pages(len(repo.issues))
        + _pages(len(repo.comments))
        + _pages(len(repo.review_comments))
        + _pages(len(repo.events))
    )


def _reviews(acts: list[Any]) -> set[tuple[Any, ...]]:
    return {(a.id, a.actor, a.verdict, a.timestamp) for a in acts if a.kind is ActivityKind.REVIEW}


def test_graphql_url_sits_beside_the_rest_root() -> None:
    """api.github.com gets /graphql; a GHES root https://HOST/api/v3 gets https://HOST/api/graphql."""
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"


def test_a_full_collection_reads_reviews_fifty_pull_requests_a_query(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """The listings' pages plus ⌈P/50⌉ GraphQL queries, and the same reviews REST finds."""
    repo = fake.generate(
        "acme/apollo", issues=230, prs=120, comments=450, review_comments=250, reviews=300, seed=3
    )
    adapter = make_adapter(repo="acme/apollo")
    acts = list(adapter.collect(*EVERYTHING))
    assert adapter.stats.requests == fake.requests == _listings(repo) + 3
    assert fake.by_path["POST /graphql"] == 3
    assert adapter.stats.skipped == 0
    rest = list(make_adapter(repo="acme/apollo", reviews_via="rest").collect(*EVERYTHING))
    assert _reviews(acts) == _reviews(rest)
    assert len(_reviews(acts)) > 100


def test_a_window_asks_only_for_the_pull_requests_updated_in_it(fake: FakeGitHub, make_adapter: Make) -> None:
    """The batches cover exactly the pull requests the issues listing returned for the window."""
    repo = fake.generate("acme/apollo", issues=300, prs=150, seed=5)
    since = datetime(2026, 10, 1, tzinfo=UTC)
    prs = [i for i in repo.issues.values() if i.is_pr and i.updated_at >= since]
    adapter = make_adapter(repo="acme/apollo")
    list(adapter.collect(since, datetime(2026, 11, 1, tzinfo=UTC)))
    assert fake.by_path["POST /graphql"] == math.ceil(len(prs) / 50)


def test_a_pull_request_with_many_reviews_gets_follow_up_pages(fake: FakeGitHub, make_adapter: Make) -> None:
    """170 reviews on one pull request: the batch holds 50, follow-up pages of 100 bring the other 120."""
    repo = fake.generate("acme/busy", issues=5, prs=3, reviews=0, seed=1)
    number = next(i.number for i in repo.issues.values() if i.is_pr)
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    for k in range(170):
        repo.reviews.append(FakeReview(number, f"rev{k % 7}", "COMMENTED", t0 + timedelta(minutes=k)))
    adapter = make_adapter(repo="acme/busy")
    acts = list(adapter.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == 1 + 2
    assert not [r for r in repo.reviews if r.pr_number != number]
    assert len([a for a in acts if a.kind is ActivityKind.REVIEW]) == 170


def test_a_rate_limit_inside_a_200_is_waited_out_like_rest(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """RATE_LIMITED with the point budget at zero: wait for the reset, ask again, lose nothing."""
    repo = fake.generate("acme/apollo", issues=40, prs=60, reviews=80, seed=2)
    fake.graphql.faults.push("RATE_LIMITED")
    fake.graphql.set_points(0, reset_in=120)
    start = clock()
    adapter = make_adapter(repo="acme/apollo")
    acts = list(adapter.collect(*EVERYTHING))
    assert clock() - start >= 120
    assert adapter.stats.skipped == 0
    assert len(_reviews(acts)) == len([r for r in repo.reviews if r.submitted_at is not None])


def test_a_secondary_limit_inside_a_200_is_retried_after_the_wait_asked(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """A secondary-limit message in a 200 waits the retry-after GitHub sent, then the query is asked again."""
    fake.generate("acme/apollo", issues=10, prs=20, reviews=30, seed=4)
    fake.graphql.faults.push("SECONDARY")
    start = clock()
    adapter = make_adapter(repo="acme/apollo")
    list(adapter.collect(*EVERYTHING))
    assert clock() - start >= 30
    assert fake.by_path["POST /graphql"] == 2
    assert adapter.stats.skipped == 0


def test_a_query_error_on_one_batch_marks_its_pull_requests_skipped(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """A query answered with errors and no data after GraphQL worked once: that batch's PRs are skipped with why."""
    fake.generate("acme/apollo", issues=10, prs=120, reviews=200, seed=6)
    fake.graphql.faults.push("OK", "ERROR")
    adapter = make_adapter(repo="acme/apollo")
    acts = list(adapter.collect(*EVERYTHING))
    assert adapter.stats.skipped == 50
    assert "Something went wrong while executing your query" in adapter.stats.skipped_reasons[0]
    assert _reviews(acts)


def test_partial_data_skips_only_the_pull_request_in_the_error_path(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """One alias null with an error in its path: that pull request alone is skipped, with GitHub's message."""
    fake.generate("acme/apollo", issues=10, prs=20, reviews=30, seed=7)
    fake.graphql.faults.push("PARTIAL")
    adapter = make_adapter(repo="acme/apollo")
    list(adapter.collect(*EVERYTHING))
    assert adapter.stats.skipped == 1
    assert "INTERNAL: Something went wrong while resolving" in adapter.stats.skipped_reasons[0]


def test_the_fake_answers_a_missing_pull_request_as_github_does(
    fake: FakeGitHub, load: Callable[[str], Any], token: str
) -> None:
    """NOT_FOUND for an unknown number: null at the alias and an error with type, path, locations, message."""
    fake.generate("acme/apollo", issues=3, prs=2, seed=8)
    recorded = load("sourcegraph-graphql.json")["not_found"]
    body = {"query": batch_query([999]), "variables": {"owner": "acme", "name": "apollo"}}
    answer = requests.post(
        fake.url + "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    data = answer.json()
    assert answer.status_code == 200
    assert data["data"]["repository"] == {"pr999": None}
    [error] = data["errors"]
    assert set(error) == set(recorded["errors"][0])
    assert error["type"] == recorded["errors"][0]["type"] == "NOT_FOUND"
    assert error["path"] == ["repository", "pr999"]
    assert error["message"] == "Could not resolve to a PullRequest with the number of 999."


def test_a_recorded_review_node_reads_as_a_rest_review(load: Callable[[str], Any]) -> None:
    """A PullRequestReview node from a real answer maps to REST's review keys (id, user, state, html_url)."""
    node = load("sourcegraph-graphql.json")["review_node"]
    review = rest_review(node)
    assert review["id"] == 335837573
    assert review["user"]["login"] == "unknwon"
    assert review["state"] == "COMMENTED"
    assert review["html_url"].endswith("#pullrequestreview-335837573")


def test_no_graphql_endpoint_falls_back_to_rest_with_a_warning(
    fake: FakeGitHub, make_adapter: Make, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404 on the first query: one warning, then reviews through REST, one request per pull request."""
    repo = fake.generate("acme/apollo", issues=30, prs=40, reviews=60, seed=9)
    fake.graphql.faults.disabled = True
    adapter = make_adapter(repo="acme/apollo")
    with caplog.at_level(logging.WARNING, logger="stakeplug.github"):
        acts = list(adapter.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == 1
    assert adapter.stats.requests == _listings(repo) + 1 + 40
    assert adapter.stats.skipped == 0
    assert any("reading reviews through REST instead" in r.getMessage() for r in caplog.records)
    assert _reviews(acts)
    list(adapter.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == 1


def test_reviews_via_rest_sends_no_graphql_query(fake: FakeGitHub, make_adapter: Make) -> None:
    """reviews_via = "rest" reads /pulls/{n}/reviews and never posts to /graphql."""
    fake.generate("acme/apollo", issues=10, prs=12, reviews=20, seed=10)
    list(make_adapter(repo="acme/apollo", reviews_via="rest").collect(*EVERYTHING))
    assert "POST /graphql" not in fake.by_path
    assert sum(n for p, n in fake.by_path.items() if p.endswith("/reviews")) == 12


def test_reviews_via_accepts_only_graphql_or_rest(make_adapter: Make) -> None:
    """Any other value is a configuration error naming the option."""
    with pytest.raises(ConfigError, match="reviews_via"):
        make_adapter(repo="acme/apollo", reviews_via="soap")


def test_github_enterprise_server_gets_its_queries_at_api_graphql(
    clock: FakeClock, policy: HttpPolicy
) -> None:
    """With base_url https://HOST/api/v3 the queries go to https://HOST/api/graphql."""
    with FakeGitHub(tokens=("ent-token",), api_prefix="/api/v3", clock=clock) as fake:
        fake.generate("corp/tool", issues=10, prs=15, reviews=20, seed=12)
        adapter = GitHubAdapter.from_config(
            {"repo": "corp/tool", "base_url": fake.url, "token_env": "GHE_TOKEN"},
            env={"GHE_TOKEN": "ent-token"},
            policy=policy,
        )
        acts = list(adapter.collect(*EVERYTHING))
        adapter.close()
    assert adapter.http.counter.by_path["/api/graphql"] == 1
    assert adapter.stats.skipped == 0
    assert _reviews(acts)
