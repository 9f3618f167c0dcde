"""Reviews through GitHub's GraphQL API: batches, paging, limits, errors inside a 200, GHES, the REST fallback."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from stakeplug_github import GitHubAdapter
from stakeplug_github._graphql import batch_query, graphql_url, rest_review
from stakeplug_github._limits import utc_text
from stakeplug_github.testing import FakeClock, FakeGitHub, FakeRepo, FakeReview

from stakeplug import ActivityKind, audit, load_register
from stakeplug.errors import ConfigError, RateLimitedError
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


def test_the_budget_the_answer_body_reports_is_waited_for_without_headers(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """No x-ratelimit headers: rateLimit { remaining: 0, resetAt } in the body makes the next query
    wait for the reset instead of being refused."""
    fake.generate("acme/apollo", issues=10, prs=120, reviews=200, seed=13)
    fake.graphql.send_headers = False
    fake.graphql.set_points(1, reset_in=200)
    adapter = make_adapter(repo="acme/apollo")
    acts = list(adapter.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == fake.graphql.queries == 3
    assert clock.sleeps == [201.0]
    assert adapter.stats.skipped == 0
    assert len(_reviews(acts)) == len([r for r in fake.repo("acme/apollo").reviews if r.submitted_at])


def _stop_message(make_adapter: Make, via: str) -> str:
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(repo="acme/apollo", reviews_via=via).collect(*EVERYTHING))
    return str(info.value)


def test_a_used_up_point_budget_stops_the_source_with_the_words_of_rest(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """A budget the last answer left at zero, resetting beyond the retry budget: no query is sent
    on a certain refusal, and the source stops with the message a used-up REST limit gives."""
    fake.generate("acme/apollo", issues=10, prs=120, reviews=200, seed=14)
    reset = clock.now + 7200
    fake.graphql.set_points(1, reset_in=7200)
    graphql = _stop_message(make_adapter, "graphql")
    assert fake.by_path["POST /graphql"] == 1
    fake.reset()
    fake.set_rate_limit(1, reset_in=7200)
    rest = _stop_message(make_adapter, "rest")
    assert graphql == rest
    assert f"it resets at {utc_text(reset)}" in graphql
    assert "beyond the retry budget" in graphql and "GITHUB_TOKEN" in graphql
    assert clock.sleeps == []


def test_rate_limited_inside_a_200_stops_as_a_refused_rest_request_does(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """RATE_LIMITED in a 200 with a distant reset goes through the shared policy: the same words as a
    403 with x-ratelimit-remaining 0."""
    fake.generate("acme/apollo", issues=10, prs=60, reviews=80, seed=15)
    fake.graphql.set_points(0, reset_in=7200)
    graphql = _stop_message(make_adapter, "graphql")
    assert fake.by_path["POST /graphql"] == 1
    fake.reset()
    fake.exhaust_rate_limit(reset_in=7200)
    rest = _stop_message(make_adapter, "rest")
    assert graphql == rest
    assert "beyond the retry budget" in graphql
    assert clock.sleeps == []


def test_a_pull_request_gone_since_the_listing_makes_the_audit_partial_with_githubs_reason(
    fake: FakeGitHub, make_adapter: Make, tmp_path: Path
) -> None:
    """NOT_FOUND at one alias: that pull request is skipped, named with GitHub's message in the source
    report (partial); the reviews of every other pull request are kept."""
    repo = fake.generate("acme/apollo", issues=10, prs=30, reviews=90, users=6, seed=16)
    for pr in [i for i in repo.issues.values() if i.is_pr]:
        repo.review(pr.number, "user01", "APPROVED", pr.created_at)  # every one has a review
    fake.graphql.faults.push("NOT_FOUND")
    adapter = make_adapter(repo="acme/apollo")
    kept = _reviews(list(adapter.collect(*EVERYTHING)))
    [reason] = adapter.stats.skipped_reasons
    gone = re.fullmatch(r"acme/apollo#(\d+) reviews: NOT_FOUND: (.*)", reason)
    assert gone is not None
    assert gone[2] == f"Could not resolve to a PullRequest with the number of {gone[1]}."
    expected = [r for r in repo.reviews if r.submitted_at is not None and r.pr_number != int(gone[1])]
    assert len(kept) == len(expected) > 0
    assert len(expected) < len([r for r in repo.reviews if r.submitted_at is not None])

    fake.graphql.faults.push("NOT_FOUND")
    register = tmp_path / "register.toml"
    register.write_text('[project]\nname = "Apollo"\n\n[[team]]\nname = "user00"\n')
    result = audit(
        load_register(register),
        [("code", make_adapter(repo="acme/apollo"))],
        since=EVERYTHING[0],
        until=EVERYTHING[1],
    )
    [report] = result.sources
    assert report.status == "partial"
    assert report.error == f"1 item skipped: {reason}"


def test_rate_limited_with_no_word_on_the_reset_stops_at_once(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """RATE_LIMITED with neither headers nor rateLimit: no wait is known to help, so no retries."""
    fake.generate("acme/apollo", issues=10, prs=20, reviews=30, seed=18)
    fake.graphql.send_headers = False
    fake.graphql.set_points(0, reset_in=600)
    message = _stop_message(make_adapter, "graphql")
    assert "did not say when it resets" in message
    assert fake.by_path["POST /graphql"] == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("fault", [403, 401, "ERROR"])
def test_a_first_query_refused_or_answered_without_data_falls_back_to_rest(
    fault: str | int, fake: FakeGitHub, make_adapter: Make, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal, or an answer with errors and no data, before any query has worked: reviews through
    REST for the rest of the run, every one of them read."""
    repo = fake.generate("acme/apollo", issues=10, prs=25, reviews=40, seed=19)
    fake.graphql.faults.push(fault)
    adapter = make_adapter(repo="acme/apollo")
    with caplog.at_level(logging.WARNING, logger="stakeplug.github"):
        acts = list(adapter.collect(*EVERYTHING))
    assert fake.by_path["POST /graphql"] == 1
    assert sum(n for p, n in fake.by_path.items() if p.endswith("/reviews")) == 25
    assert adapter.stats.skipped == 0
    assert len(_reviews(acts)) == len([r for r in repo.reviews if r.submitted_at is not None])
    assert any("reading reviews through REST instead" in r.getMessage() for r in caplog.records)


def test_a_batch_that_keeps_failing_after_graphql_worked_is_reported_and_the_next_one_asked(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """Five 502s for the second of three batches (the policy's attempts): its 50 pull requests are
    skipped with the reason, the third batch is still asked, and every other review is kept."""
    fake.generate("acme/apollo", issues=10, prs=120, reviews=240, seed=20)

    def reviews(acts: list[Any]) -> set[tuple[str, str]]:
        return {(a.item.id, a.id) for a in acts if a.kind is ActivityKind.REVIEW}

    everything = reviews(list(make_adapter(repo="acme/apollo").collect(*EVERYTHING)))
    fake.reset_stats()
    fake.graphql.faults.push("OK", 502, 502, 502, 502, 502)
    adapter = make_adapter(repo="acme/apollo")
    kept = reviews(list(adapter.collect(*EVERYTHING)))
    assert fake.by_path["POST /graphql"] == 1 + 5 + 1
    assert adapter.stats.skipped == 50
    assert "the query for its batch failed" in adapter.stats.skipped_reasons[0]
    assert "502" in adapter.stats.skipped_reasons[0]
    assert kept < everything
    gone = {item for item, _ in everything - kept}
    assert 0 < len(gone) <= 50
    assert not {item for item, _ in kept} & gone  # a pull request's reviews go together or not at all
