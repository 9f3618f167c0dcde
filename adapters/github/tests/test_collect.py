"""Reading a repository from the fake GitHub: what is read, how many requests it takes, what fails how."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeClock, FakeGitHub, FakeRepo

from stakeplug import ActivityKind, Verdict, get_adapter
from stakeplug.errors import AuthenticationError, ConfigError, NotFoundError
from stakeplug.http import HttpPolicy

EVERYTHING = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
Make = Callable[..., GitHubAdapter]


def _pages(n: int) -> int:
    return max(1, math.ceil(n / 100))


def test_the_entry_point_names_this_adapter() -> None:
    """The adapter is found through the stakeplug.adapters entry point like any plugin."""
    assert get_adapter("github") is GitHubAdapter


def test_a_full_collection_costs_one_request_per_listing_page_plus_one_per_pull_request(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """⌈I/100⌉ + ⌈C/100⌉ + ⌈R/100⌉ + ⌈E/100⌉ + P requests, never one request per issue for comments."""
    repo = fake.generate(
        "acme/apollo", issues=230, prs=120, comments=450, review_comments=250, reviews=300, seed=3
    )
    adapter = make_adapter(repo="acme/apollo", reviews_via="rest")
    acts = list(adapter.collect(*EVERYTHING))
    expected = (
        _pages(len(repo.issues))
        + _pages(len(repo.comments))
        + _pages(len(repo.review_comments))
        + _pages(len(repo.events))
        + 120
    )
    assert expected == 4 + 5 + 3 + _pages(len(repo.events)) + 120
    assert adapter.stats.requests == fake.requests == expected
    assert fake.by_path["GET /repos/acme/apollo/issues/comments"] == 5
    assert not any("/issues/1/comments" in path for path in fake.by_path)
    assert adapter.stats.items == 350
    assert adapter.stats.activities == len(acts) > 0


def test_a_window_costs_only_the_pages_of_what_changed_since_its_start(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """With since in the middle, each listing pages through only what changed after it."""
    repo = fake.generate("acme/apollo", issues=300, prs=150, seed=5)
    since = datetime(2026, 10, 1, tzinfo=UTC)
    until = datetime(2026, 11, 1, tzinfo=UTC)
    issues = [i for i in repo.issues.values() if i.updated_at >= since]
    comments = [c for c in repo.comments if c.updated_at >= since]
    review_comments = [c for c in repo.review_comments if c.updated_at >= since]
    events = [e for e in repo.events if e.created_at >= since]
    prs = [i for i in issues if i.is_pr]
    assert len(events) < len(repo.events), "older events exist, so paging must stop by itself"
    expected = (
        _pages(len(issues))
        + _pages(len(comments))
        + _pages(len(review_comments))
        + (len(events) // 100 + 1)
        + len(prs)
    )
    adapter = make_adapter(repo="acme/apollo", reviews_via="rest")
    acts = list(adapter.collect(since, until))
    assert fake.requests == adapter.stats.requests == expected
    assert all(since <= a.timestamp < until for a in acts)


def _seed_story(repo: FakeRepo) -> datetime:
    t0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    h = timedelta(hours=1)
    issue = repo.open_issue("ann", "Export to CSV", t0, body="@bob could you check?")
    repo.comment(issue.number, "bob", "@ann done, see `@decorator`", t0 + h, reactions=2)
    pr = repo.open_issue("ann", "Add CSV export", t0 + 2 * h, pr=True)
    repo.request_review(pr.number, "ann", "rev", t0 + 3 * h)
    repo.request_review(pr.number, "ann", "quiet", t0 + 3 * h + timedelta(minutes=1))
    repo.review(pr.number, "rev", "CHANGES_REQUESTED", t0 + 4 * h)
    repo.review_comment(pr.number, "rev", "rename this @ann", t0 + 5 * h)
    repo.review(pr.number, "rev", "APPROVED", t0 + 6 * h)
    repo.review(pr.number, "rev", "PENDING", None)
    repo.assign(issue.number, "ann", "cy", t0 + 7 * h)
    repo.merge(pr.number, "ann", t0 + 8 * h)
    repo.close(issue.number, "cy", t0 + 9 * h)
    repo.reopen(issue.number, "dee", t0 + 10 * h)
    repo.reference(issue.number, "erin", "partner-org/their-app", t0 + 11 * h)
    repo.comment(issue.number, None, "I deleted my account", t0 + 12 * h)
    repo.review(pr.number, "ghost", "COMMENTED", t0 + 13 * h)
    side = repo.open_issue("cy", "Docs", t0 + 14 * h)
    repo.assign(side.number, "cy", "cy", t0 + 15 * h)
    repo.unassign(side.number, "cy", "cy", t0 + 16 * h)
    repo.add_label(side.number, "cy", "docs", t0 + 17 * h)
    return t0


def test_every_kind_of_activity_is_read_with_who_did_what_to_whom(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Comments, reviews with verdicts, requests, assignments, completions, reopens, links (in time order)."""
    repo = fake.add_repo("acme/apollo")
    t0 = _seed_story(repo)
    acts = sorted(
        make_adapter(repo="acme/apollo").collect(t0, t0 + timedelta(days=1)), key=lambda a: a.timestamp
    )
    got = [(a.kind, a.actor, a.addressees) for a in acts]
    assert got == [
        (ActivityKind.CREATED, "ann", ("bob",)),
        (ActivityKind.COMMENT, "bob", ("ann",)),
        (ActivityKind.CREATED, "ann", ()),
        (ActivityKind.REQUEST, "ann", ("rev",)),
        (ActivityKind.REQUEST, "ann", ("quiet",)),
        (ActivityKind.REVIEW, "rev", ()),
        (ActivityKind.REVIEW_COMMENT, "rev", ("ann",)),
        (ActivityKind.REVIEW, "rev", ()),
        (ActivityKind.ASSIGNED, "ann", ("cy",)),
        (ActivityKind.COMPLETED, "ann", ()),
        (ActivityKind.COMPLETED, "cy", ("cy",)),
        (ActivityKind.REOPENED, "dee", ()),
        (ActivityKind.LINKED, "erin", ()),
        (ActivityKind.COMMENT, None, ()),
        (ActivityKind.REVIEW, None, ()),
        (ActivityKind.CREATED, "cy", ()),
        (ActivityKind.ASSIGNED, "cy", ("cy",)),
        (ActivityKind.UNASSIGNED, "cy", ("cy",)),
    ]
    reviews = [a.verdict for a in acts if a.kind is ActivityKind.REVIEW]
    assert reviews == [Verdict.CHANGES_REQUESTED, Verdict.APPROVED, Verdict.COMMENTED]
    assert acts[1].details == {"reactions": 2}
    assert acts[3].item.id == "acme/apollo#2" and acts[3].item.url == "https://github.com/acme/apollo/pull/2"
    assert acts[12].external and acts[12].details == {
        "from": "partner-org/their-app",
        "other_project": "partner-org/their-app",
    }
    assert acts[9].details == {"merged": True}
    for a in acts:
        assert not {"body", "text"} & set(a.details)


def test_deleted_accounts_never_sink_a_generated_run(fake: FakeGitHub, make_adapter: Make) -> None:
    """A repository full of null users and ghost logins is read without a skip or a crash."""
    fake.generate("acme/ghosts", issues=120, prs=60, seed=11)
    adapter = make_adapter(repo="acme/ghosts")
    acts = list(adapter.collect(*EVERYTHING))
    assert any(a.actor is None for a in acts)
    assert all(a.actor != "ghost" and "ghost" not in a.addressees for a in acts)
    assert adapter.stats.skipped == 0


def test_github_enterprise_server_is_reached_under_its_api_prefix(
    clock: FakeClock, policy: HttpPolicy
) -> None:
    """With base_url https://HOST/api/v3 every request goes under /api/v3."""
    with FakeGitHub(tokens=("ent-token",), api_prefix="/api/v3", clock=clock) as fake:
        repo = fake.add_repo("corp/tool")
        t0 = _seed_story(repo)
        assert fake.url.endswith("/api/v3")
        adapter = GitHubAdapter.from_config(
            {
                "repo": "corp/tool",
                "base_url": fake.url + "/",
                "token_env": "GHE_TOKEN",
                "reviews_via": "rest",
            },
            env={"GHE_TOKEN": "ent-token"},
            policy=policy,
        )
        acts = list(adapter.collect(t0, t0 + timedelta(days=1)))
        root = fake.root
        adapter.close()
    assert len(acts) == 18
    assert min(acts, key=lambda a: a.timestamp).item.url == f"{root}/corp/tool/issues/1"
    assert all(path.startswith("/api/v3/repos/corp/tool/") for path in adapter.http.counter.by_path)


def test_several_repositories_are_read_into_one_stream(fake: FakeGitHub, make_adapter: Make) -> None:
    """repos lists several repositories; the activities of each come out in one stream, one repository
    after the other (the adapter declares ``ordered=False``; the core orders them)."""
    t0 = _seed_story(fake.add_repo("acme/one"))
    _seed_story(fake.add_repo("acme/two"))
    acts = list(make_adapter(repos=["acme/one", "acme/two"]).collect(t0, t0 + timedelta(days=1)))
    assert [a.item.project for a in acts] == ["acme/one"] * 18 + ["acme/two"] * 18


def test_malformed_records_are_skipped_and_counted(fake: FakeGitHub, make_adapter: Make) -> None:
    """A comment without its fields is skipped with a reason; the rest of the run goes on."""
    repo = fake.add_repo("acme/odd")
    t0 = _seed_story(repo)
    fake.fail(200, body=[{"id": 77, "user": {"login": "x"}}], path="/issues/comments")
    adapter = make_adapter(repo="acme/odd")
    acts = list(adapter.collect(t0, t0 + timedelta(days=1)))
    assert adapter.stats.skipped == 1
    assert "comment 77" in adapter.stats.skipped_reasons[0]
    assert len(acts) == 16


def test_a_repository_that_cannot_be_seen_is_reported_as_such(fake: FakeGitHub, make_adapter: Make) -> None:
    """A 404 names the repository and says the token may not see it."""
    adapter = make_adapter(repo="acme/hidden")
    with pytest.raises(
        NotFoundError, match=r"repository acme/hidden not found, or the token in GITHUB_TOKEN"
    ):
        list(adapter.collect(*EVERYTHING))
    assert fake.requests == 1


def test_a_wrong_token_names_its_variable_and_never_itself(fake: FakeGitHub, make_adapter: Make) -> None:
    """A 401 says which variable holds the refused token, without showing the token."""
    fake.add_repo("acme/apollo")
    variable = "MY_GH"
    adapter = make_adapter(env={variable: "ghp_wrongwrongwrong"}, repo="acme/apollo", token_env=variable)
    with pytest.raises(AuthenticationError) as info:
        list(adapter.collect(*EVERYTHING))
    assert "MY_GH" in str(info.value)
    assert "ghp_wrongwrongwrong" not in str(info.value) + repr(adapter)
    assert info.value.adapter == "github"


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ({"repo": "acme/apollo"}, {}, "environment variable GITHUB_TOKEN is not set"),
        ({"repo": "acme"}, {"GITHUB_TOKEN": "t"}, "must be written 'owner/name'"),
        ({}, {"GITHUB_TOKEN": "t"}, "set repo = 'owner/name'"),
        ({"repo": "a/b", "token": "x"}, {"GITHUB_TOKEN": "t"}, "unknown key 'token'"),
        ({"repo": "a/b", "base_url": "api.github.com"}, {"GITHUB_TOKEN": "t"}, "is not an http(s) URL"),
        ({"repo": "a/b", "review_workers": 0}, {"GITHUB_TOKEN": "t"}, "between 1 and 8"),
        ({"repos": ["a/b", 3]}, {"GITHUB_TOKEN": "t"}, "each entry must be a string"),
    ],
)
def test_bad_configuration_names_the_table_and_the_fix(
    config: dict[str, Any], env: dict[str, str], message: str
) -> None:
    """Each configuration mistake is a ConfigError naming the table, before any request."""
    with pytest.raises(ConfigError) as info:
        GitHubAdapter.from_config(config, env=env, where="sources[1]")
    assert message in str(info.value)
    assert "sources[1]" in str(info.value)


def test_naive_datetimes_are_refused(make_adapter: Make) -> None:
    """A window without a time zone cannot be placed in time and is a ConfigError."""
    adapter = make_adapter(repo="acme/apollo")
    with pytest.raises(ConfigError, match="timezone-aware"):
        list(adapter.collect(datetime(2026, 1, 1), datetime(2026, 2, 1)))


def test_malformed_events_and_a_vanished_pull_request_are_skipped(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Broken events and a 404 on one pull request's reviews are skipped with reasons, not fatal."""
    repo = fake.add_repo("acme/odd")
    t0 = _seed_story(repo)
    broken = [
        {"id": 1, "event": "closed", "issue": {"number": "x"}, "created_at": "not a time"},
        {"id": 2, "event": "assigned", "created_at": "2026-05-04T10:00:00Z"},
        "not even an object",
    ]
    fake.fail(200, body=broken, path="/issues/events")
    fake.fail(404, path="/pulls/2/reviews")
    adapter = make_adapter(repo="acme/odd", reviews_via="rest")
    acts = list(adapter.collect(t0, t0 + timedelta(days=1)))
    assert adapter.stats.skipped == 4
    assert any("acme/odd#2 reviews" in reason for reason in adapter.stats.skipped_reasons)
    assert {a.kind for a in acts} == {ActivityKind.CREATED, ActivityKind.COMMENT, ActivityKind.REVIEW_COMMENT}
