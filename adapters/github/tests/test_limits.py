"""Rate limits and faults: GitHub's primary and secondary limits, 5xx and dropped connections.

The fake GitHub and the HTTP policy share a fake clock, so every wait is
checked to the second and none is really slept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter, RateLimitState
from stakeplug_github._limits import utc_text
from stakeplug_github.testing import FakeClock, FakeGitHub

from stakeplug.errors import PayloadError, RateLimitedError, UnavailableError

Make = Callable[..., GitHubAdapter]
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
WINDOW = (T0, T0 + timedelta(days=1))


def _small_repo(fake: FakeGitHub, name: str = "acme/apollo") -> int:
    """One issue with a comment, one event and no pull request: four requests to read."""
    repo = fake.add_repo(name)
    issue = repo.open_issue("ann", "Export", T0)
    repo.comment(issue.number, "bob", "@ann done", T0 + timedelta(hours=1))
    repo.close(issue.number, "bob", T0 + timedelta(hours=2))
    return 4


def test_a_used_up_primary_limit_is_waited_out_when_the_reset_fits_the_budget(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """A 403 with x-ratelimit-remaining 0 waits until the reset, then carries on."""
    normal = _small_repo(fake)
    fake.exhaust_rate_limit(reset_in=30)
    acts = list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    assert len(acts) == 3
    assert clock.sleeps == [31.0]
    assert fake.requests == normal + 1


def test_a_primary_limit_beyond_the_budget_stops_the_source_saying_when_it_resets(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """When the reset is further away than the retry budget, the source stops at once."""
    _small_repo(fake)
    fake.exhaust_rate_limit(reset_in=3600)
    reset = clock.now + 3600
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    assert f"it resets at {utc_text(reset)}" in str(info.value)
    assert "GITHUB_TOKEN" in str(info.value)
    assert clock.sleeps == []
    assert fake.requests == 1


def _used_up_with_reset(fake: FakeGitHub, reset: str) -> None:
    """The next issue listing is refused: the primary limit is used up and resets at ``reset``."""
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    fake.fail(403, path="/issues", headers=headers, body={"message": "API rate limit exceeded for user."})


@pytest.mark.parametrize("scale", [1000, 1], ids=["milliseconds", "seconds"])
def test_a_primary_limit_whose_reset_comes_in_milliseconds_is_waited_out(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock, scale: int
) -> None:
    """A used-up limit whose x-ratelimit-reset is epoch milliseconds (a proxy's) waits the same
    30 s as one in seconds; read as seconds it was a date in the year 59000 and the read crashed."""
    normal = _small_repo(fake)
    _used_up_with_reset(fake, str(int((clock.now + 30) * scale)))
    assert len(list(make_adapter(repo="acme/apollo").collect(*WINDOW))) == 3
    assert clock.sleeps == [31.0]
    assert fake.requests == normal + 1


@pytest.mark.parametrize(
    ("reset", "wait", "note"),
    [
        (
            lambda now: "99999999999999999999",
            86_400,
            "'99999999999999999999' is not a usable wait; read as 86400 s",
        ),
        (lambda now: str(int((now + 3600) * 1000)), 3600, "was read as milliseconds"),
    ],
    ids=["absurd", "milliseconds"],
)
def test_a_primary_limit_beyond_the_budget_says_how_an_odd_reset_was_read(
    fake: FakeGitHub,
    make_adapter: Make,
    clock: FakeClock,
    reset: Callable[[float], str],
    wait: int,
    note: str,
) -> None:
    """A reset decades away is read as the longest wait (a day), one in milliseconds as such; beyond
    the budget the source stops at once, with a reset time that is real and the reading explained."""
    _small_repo(fake)
    _used_up_with_reset(fake, reset(clock.now))
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    message = str(info.value)
    assert f"it resets at {utc_text(clock.now + wait)} (in {wait + 1} s; the reset time " in message
    assert note in message
    assert clock.sleeps == []
    assert fake.requests == 1


def test_remaining_zero_on_a_success_makes_the_next_request_wait_for_the_reset(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """The adapter reads x-ratelimit-remaining on every answer and waits before being refused."""
    fake.generate("acme/big", issues=250, prs=0, comments=10, seed=2)
    fake.set_rate_limit(2, reset_in=120)
    adapter = make_adapter(repo="acme/big")
    list(adapter.collect(datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)))
    assert clock.sleeps == [121.0]
    assert adapter.stats.requests == fake.requests
    assert all(status == "GET" for status, _ in fake.request_log)
    assert adapter.rate_limit.limit == 5000
    assert adapter.rate_limit.remaining == fake.rate_remaining


def test_remaining_zero_on_a_success_with_a_distant_reset_stops_before_asking_again(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """No request is wasted on a certain refusal when the reset is beyond the budget."""
    _small_repo(fake)
    fake.set_rate_limit(1, reset_in=7200)
    with pytest.raises(RateLimitedError, match="run it again after"):
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    assert fake.requests == 1


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_honours_retry_after(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock, status: int
) -> None:
    """A secondary limit with retry-after waits exactly that long."""
    normal = _small_repo(fake)
    fake.secondary_limit(retry_after=7, status=status)
    assert len(list(make_adapter(repo="acme/apollo").collect(*WINDOW))) == 3
    assert clock.sleeps == [7.0]
    assert fake.requests == normal + 1


def test_a_secondary_limit_without_retry_after_waits_a_minute_and_backs_off(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """Without retry-after the wait is at least 60 s, doubling while the limit persists."""
    _small_repo(fake)
    fake.secondary_limit(times=2)
    assert len(list(make_adapter(repo="acme/apollo").collect(*WINDOW))) == 3
    assert clock.sleeps == [60.0, 120.0]


def test_a_persistent_secondary_limit_gives_up_within_the_budget(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """The waits never add up beyond the policy's budget; then the source fails clearly."""
    _small_repo(fake)
    fake.secondary_limit(times=10)
    with pytest.raises(RateLimitedError, match="secondary rate limit") as info:
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    assert "gave up" in str(info.value)
    assert clock.sleeps == [60.0, 120.0]
    assert sum(clock.sleeps) <= 300


def test_server_errors_and_dropped_connections_are_retried(
    fake: FakeGitHub, make_adapter: Make, clock: FakeClock
) -> None:
    """502s and a reset connection are retried with backoff; the data arrives complete."""
    normal = _small_repo(fake)
    fake.fail(502, times=2, path="/issues/comments")
    fake.drop_connections(times=1, path="/issues/events")
    assert len(list(make_adapter(repo="acme/apollo").collect(*WINDOW))) == 3
    assert clock.sleeps == [1.0, 1.0, 2.0]  # the events listing is read before the comments
    assert fake.requests == normal + 3


def test_a_server_that_stays_down_fails_after_the_allowed_attempts(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Five 503s in a row end in an UnavailableError that says it gave up."""
    _small_repo(fake)
    fake.fail(503, times=10)
    with pytest.raises(UnavailableError, match="gave up after 5 attempts"):
        list(make_adapter(repo="acme/apollo").collect(*WINDOW))
    assert fake.requests == 5


def test_recorded_real_rate_limit_headers_are_read(
    fake: FakeGitHub, make_adapter: Make, load: Callable[[str], Any]
) -> None:
    """Recorded real answers translate, and their x-ratelimit values end up in rate_limit."""
    pages = load("octokit-paginate-issues.json")["pages"]
    fake.add_repo("octokit-fixture-org/paginate")
    last, fourth = pages[4], pages[3]
    assert "next" not in last["headers"]["link"]
    without_link = {k: v for k, v in fourth["headers"].items() if k != "link"}
    fake.fail(200, path="/issues", headers=last["headers"], body=last["response"])
    fake.fail(200, path="/pulls/comments", headers=without_link, body=[])  # the last listing read
    adapter = make_adapter(repo="octokit-fixture-org/paginate")
    since = datetime(2022, 7, 19, tzinfo=UTC)
    acts = list(adapter.collect(since, since + timedelta(days=1)))
    assert [a.item.id for a in acts] == ["octokit-fixture-org/paginate#1"]
    assert acts[0].actor == "octokit-fixture-user-a"
    recorded = fourth["headers"]
    assert adapter.rate_limit == RateLimitState(
        limit=5000,
        remaining=int(recorded["x-ratelimit-remaining"]),
        used=int(recorded["x-ratelimit-used"]),
        reset=float(recorded["x-ratelimit-reset"]),
        resource="core",
    )


def test_a_next_link_to_another_host_is_never_followed(
    fake: FakeGitHub, make_adapter: Make, load: Callable[[str], Any]
) -> None:
    """The token goes with every request, so paging refuses to leave the API's host."""
    page = load("octokit-paginate-issues.json")["pages"][0]
    assert "https://api.github.com/" in page["headers"]["link"]
    fake.add_repo("octokit-fixture-org/paginate")
    fake.fail(200, path="/issues", headers=page["headers"], body=page["response"])
    adapter = make_adapter(repo="octokit-fixture-org/paginate")
    with pytest.raises(PayloadError, match=r"points to another host \(api.github.com\)"):
        list(adapter.collect(*WINDOW))
    assert adapter.stats.requests == fake.requests == 1
