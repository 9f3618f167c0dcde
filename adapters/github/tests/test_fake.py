"""The fake GitHub answers like the recorded real traffic: shapes, paging, rate-limit headers, stats."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from stakeplug_github.testing import FakeClock, FakeGitHub

TOKEN = "ghp_testtoken0000000000000000000000000001"
Load = Callable[[str], Any]


def _get(fake: FakeGitHub, path: str, **params: str | int) -> requests.Response:
    return requests.get(
        fake.url + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )


def test_issue_payloads_carry_every_key_of_the_recorded_ones(fake: FakeGitHub, load: Load) -> None:
    """Issues from the fake have at least the keys GitHub sent in the recorded listing."""
    recorded = load("octokit-paginate-issues.json")["pages"][0]["response"][0]
    fake.generate("octo/shape", issues=3, prs=0)
    ours = _get(fake, "/repos/octo/shape/issues").json()[0]
    assert set(recorded) <= set(ours)
    assert set(recorded["user"]) - {"followers_url", "following_url", "gists_url"} <= set(ours["user"]) | {
        "starred_url",
        "subscriptions_url",
        "organizations_url",
        "repos_url",
        "events_url",
        "received_events_url",
    }
    assert set(recorded["reactions"]) <= set(ours["reactions"])


def test_paging_follows_the_recorded_link_header_shape(fake: FakeGitHub, load: Load) -> None:
    """Pages link to next, last, prev and first like GitHub's recorded link headers."""
    recorded = load("octokit-paginate-issues.json")["pages"]
    fake.generate("octo/pages", issues=13, prs=0)
    fake.reset_stats()
    first = _get(fake, "/repos/octo/pages/issues", per_page=3, state="all")
    middle = _get(fake, "/repos/octo/pages/issues", per_page=3, state="all", page=2)
    last = _get(fake, "/repos/octo/pages/issues", per_page=3, state="all", page=5)
    assert set(first.links) == {"next", "last"} == _rels(recorded[0]["headers"]["link"])
    assert set(middle.links) == {"prev", "next", "last", "first"} == _rels(recorded[1]["headers"]["link"])
    assert set(last.links) == {"prev", "first"} == _rels(recorded[4]["headers"]["link"])
    assert [len(r.json()) for r in (first, middle, last)] == [3, 3, 1]


def _rels(link: str) -> set[str]:
    return {part.split('rel="')[1].rstrip('"') for part in link.split(", ")}


def test_per_page_is_capped_at_one_hundred(fake: FakeGitHub) -> None:
    """Asking for more than 100 a page gets 100, as on GitHub."""
    fake.generate("octo/cap", issues=150, prs=0)
    assert len(_get(fake, "/repos/octo/cap/issues", per_page=500, state="all").json()) == 100


def test_since_filters_on_update_time(fake: FakeGitHub) -> None:
    """since keeps what was updated at or after it."""
    repo = fake.add_repo("octo/since")
    old = repo.open_issue("ann", "old", datetime(2026, 1, 1, tzinfo=UTC))
    repo.open_issue("bob", "new", datetime(2026, 3, 1, tzinfo=UTC))
    repo.comment(old.number, "cy", "late comment", datetime(2026, 4, 1, tzinfo=UTC))
    got = _get(fake, "/repos/octo/since/issues", since="2026-02-01T00:00:00Z").json()
    assert sorted(i["title"] for i in got) == ["new", "old"]
    got = _get(fake, "/repos/octo/since/issues/comments", since="2026-04-01T00:00:01Z").json()
    assert got == []


def test_rate_limit_headers_count_down_like_the_recorded_ones(fake: FakeGitHub, load: Load) -> None:
    """Every answer carries the x-ratelimit headers GitHub sends, remaining one less each time."""
    recorded = load("octokit-paginate-issues.json")["pages"][0]["headers"]
    fake.add_repo("octo/limits")
    a = _get(fake, "/repos/octo/limits")
    b = _get(fake, "/repos/octo/limits")
    expected = {k for k in recorded if k.startswith("x-ratelimit")}
    assert expected <= {k.lower() for k in a.headers}
    assert int(a.headers["x-ratelimit-remaining"]) - 1 == int(b.headers["x-ratelimit-remaining"])
    assert a.headers["x-ratelimit-resource"] == "core"


def test_an_exhausted_window_comes_back_at_its_reset(clock: FakeClock) -> None:
    """After the reset time on the fake clock the limit is full again."""
    with FakeGitHub(tokens=(TOKEN,), clock=clock) as fake:
        fake.add_repo("octo/reset")
        fake.exhaust_rate_limit(reset_in=30)
        assert _get(fake, "/repos/octo/reset").status_code == 403
        clock.sleep(31)
        answer = _get(fake, "/repos/octo/reset")
        assert answer.status_code == 200
        assert answer.headers["x-ratelimit-remaining"] == "4999"


def test_stats_count_requests_by_path_and_list_created_issues(fake: FakeGitHub) -> None:
    """GET /_fake/stats is not counted itself and shows issues created through the API."""
    fake.add_repo("octo/stats")
    _get(fake, "/repos/octo/stats/issues")
    created = requests.post(
        fake.url + "/repos/octo/stats/issues",
        json={"title": "hello", "labels": ["x"]},
        headers={"Authorization": f"token {TOKEN}"},
        timeout=5,
    )
    assert created.status_code == 201
    stats = requests.get(fake.root + "/_fake/stats", timeout=5).json()
    assert stats["requests"] == 2
    assert stats["by_path"] == {"GET /repos/octo/stats/issues": 1, "POST /repos/octo/stats/issues": 1}
    assert stats["created_issues"][0]["title"] == "hello"


def test_wrong_tokens_get_bad_credentials_and_private_repos_hide(fake: FakeGitHub) -> None:
    """A wrong token is 401; a private repository is 404 without a token."""
    fake.add_repo("octo/private", private=True)
    wrong = requests.get(
        fake.url + "/repos/octo/private", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    anonymous = requests.get(fake.url + "/repos/octo/private", timeout=5)
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Bad credentials")
    assert anonymous.status_code == 404


def test_generation_is_reproducible(fake: FakeGitHub) -> None:
    """The same seed gives the same repository."""
    a = fake.generate("octo/a", issues=20, prs=10, seed=7)
    b = fake.generate("octo/b", issues=20, prs=10, seed=7)
    assert [(c.user, c.body, c.created_at) for c in a.comments] == [
        (c.user, c.body, c.created_at) for c in b.comments
    ]
    assert len(a.reviews) == 30 and len(a.review_comments) == 20


def test_command_line_serves_a_generated_repository() -> None:
    """python -m stakeplug_github.testing prints the URL of a working fake."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stakeplug_github.testing", "--port", "0", "--issues", "5", "--prs", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" at ")[1].strip()
        answer = requests.get(
            url + "/repos/octo-org/demo/issues",
            params={"state": "all"},
            headers={"Authorization": "Bearer test-token"},
            timeout=5,
        )
        assert answer.status_code == 200 and len(answer.json()) == 8
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_pull_request_is_answered_with_its_branches_merge_state_and_counts(fake: FakeGitHub) -> None:
    """GET /pulls/{n} is a pull-request body: base, head, merged_by and the counts GitHub gives."""
    repo = fake.add_repo("octo/pulls")
    at = datetime(2026, 5, 1, tzinfo=UTC)
    pr = repo.open_issue("dana", "Add export", at, pr=True)
    repo.review_comment(pr.number, "maria", "nit", at)
    repo.comment(pr.number, "maria", "looks good", at)
    repo.request_review(pr.number, "dana", "omar", at)
    repo.merge(pr.number, "lee", at)
    issue = repo.open_issue("dana", "Not a pull request", at)
    body = _get(fake, f"/repos/octo/pulls/pulls/{pr.number}").json()
    assert (body["base"]["ref"], body["head"]["ref"]) == ("main", f"change-{pr.number}")
    assert body["base"]["repo"]["full_name"] == "octo/pulls"
    assert (body["merged"], body["merged_by"]["login"], body["state"]) == (True, "lee", "closed")
    assert (body["comments"], body["review_comments"], body["commits"]) == (1, 1, 1)
    assert [r["login"] for r in body["requested_reviewers"]] == ["omar"]
    assert {"additions", "deletions", "changed_files", "merge_commit_sha"} <= set(body)
    assert _get(fake, f"/repos/octo/pulls/pulls/{issue.number}").status_code == 404


def test_the_rate_limit_budget_is_reset_over_http(fake: FakeGitHub) -> None:
    """POST /_fake/reset gives back the whole primary budget and forgets the counted requests."""
    fake.add_repo("octo/budget")
    fake.exhaust_rate_limit(reset_in=3600)
    assert _get(fake, "/repos/octo/budget").status_code == 403
    after = requests.post(fake.root + "/_fake/reset", timeout=5).json()
    assert after["rate_limit"]["remaining"] == fake.rate_limit
    assert after["requests"] == 0
    answer = _get(fake, "/repos/octo/budget")
    assert answer.status_code == 200
    assert answer.headers["x-ratelimit-remaining"] == str(fake.rate_limit - 1)
