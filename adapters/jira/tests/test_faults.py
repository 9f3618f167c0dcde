"""Faults: rate limits, outages, dropped connections, timeouts, bad credentials, bad payloads.

The shared HTTP policy is the one retry owner: the ``jira`` package's own
retries are off, so every retry below shows as exactly one more request, and
every wait is recorded by the injected sleep instead of slept.
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from jira import JIRAError
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import DELETE, FakeJira, seed_example

from stakeplug import ActivityKind, TaskDraft
from stakeplug.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    TrackerError,
    UnavailableError,
)
from stakeplug.http import HttpPolicy
from stakeplug.limits import Limits, use_limits
from stakeplug.testing import Fault

WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SEARCH = "/rest/api/2/search/jql"

Make = Callable[..., JiraAdapter]


def collect(adapter: JiraAdapter) -> list[Any]:
    return list(adapter.collect(*WINDOW))


def test_429_with_retry_after_seconds_is_waited_out(
    cloud: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """The wait is what Jira asked for, and the retry is one more request."""
    seed_example(cloud)
    cloud.fail(429, path=SEARCH, retry_after=7)
    acts = collect(make_adapter(cloud))
    assert len(acts) == 13
    assert sleeps == [7.0]
    assert cloud.stats()["by_path"][SEARCH] == 2


def test_429_with_retry_after_as_a_date_is_waited_out(
    cloud: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """An HTTP-date Retry-After is read against the policy's clock."""
    seed_example(cloud)
    cloud.fail(429, path=SEARCH, retry_after=format_datetime(NOW + timedelta(seconds=30), usegmt=True))
    collect(make_adapter(cloud))
    assert sleeps == [30.0]


def test_503_backs_off_and_the_jira_package_does_not_retry_too(
    fake: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """Two 503s cost exactly two more requests and back off 1 s, then 2 s."""
    seed_example(fake)
    fake.fail(503, path="/search", times=2)
    collect(make_adapter(fake))
    path = SEARCH if fake.mode == "cloud" else "/rest/api/2/search"
    assert fake.stats()["by_path"][path] == 3
    assert sleeps == [1.0, 2.0]


def test_a_reset_connection_is_retried(cloud: FakeJira, make_adapter: Make, sleeps: list[float]) -> None:
    """A dropped connection on a read is an outage worth retrying."""
    seed_example(cloud)
    cloud.reset_connection(path=SEARCH)
    adapter = make_adapter(cloud)
    assert len(collect(adapter)) == 13
    assert sleeps == [1.0]
    assert adapter.stats.requests == cloud.stats()["requests"] == 5


def test_a_timeout_is_retried(cloud: FakeJira, make_adapter: Make, sleeps: Any) -> None:
    """No answer within the read timeout is an outage worth retrying."""
    seed_example(cloud)
    cloud.delay(1.0, path=SEARCH)
    policy = HttpPolicy(jitter=0.0, sleep=sleeps, clock=NOW.timestamp, read_timeout=0.2)
    assert len(collect(make_adapter(cloud, policy=policy))) == 13
    assert sleeps == [1.0]


def test_a_dripping_search_is_cut_at_the_deadline_of_one_request(
    cloud: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """A search answer sent one byte every 50 ms (minutes in all), each byte well inside the read
    timeout, is cut at the one-second deadline of a request: the jira package's session is bound
    by it too, not only by the socket timeout. Then the next answer is read whole."""
    seed_example(cloud)
    cloud.drip(0.05, path=SEARCH)
    with use_limits(Limits(request_seconds=1.0)):
        adapter = make_adapter(cloud)
    assert len(collect(adapter)) == 13
    assert sleeps == [1.0]
    assert cloud.stats()["by_path"][SEARCH] == 2


def test_retries_stop_at_the_attempt_limit(cloud: FakeJira, make_adapter: Make, sleeps: list[float]) -> None:
    """A tracker that keeps failing gets five attempts, then a clear error."""
    seed_example(cloud)
    cloud.fail(503, path=SEARCH, times=50)
    with pytest.raises(UnavailableError, match="gave up after 5 attempts") as info:
        collect(make_adapter(cloud))
    assert info.value.adapter == "jira"
    assert cloud.stats()["by_path"][SEARCH] == 5
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_a_wait_beyond_the_budget_gives_up_at_once(
    cloud: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """Asked to wait an hour with a five-minute budget, the call stops and says when to retry."""
    seed_example(cloud)
    cloud.fail(429, path=SEARCH, retry_after=3600)
    with pytest.raises(RateLimitedError, match="retry after 2026-11-30T13:00:00Z"):
        collect(make_adapter(cloud))
    assert sleeps == []


def test_401_names_the_url_and_the_variables_never_the_token(
    fake: FakeJira, make_adapter: Make, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Wrong credentials fail at once, pointing at the environment variables to check: one refused
    request (serverInfo goes out alone), never retried, so a site counting failed logins counts one."""
    seed_example(fake)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        collect(make_adapter(fake, token="wrong-token-value"))
    names = "JIRA_EMAIL and JIRA_TOKEN" if fake.mode == "cloud" else "JIRA_TOKEN"
    assert str(info.value).startswith(f"authentication failed for {fake.url}: check {names}")
    assert "wrong-token-value" not in str(info.value) and "wrong-token-value" not in caplog.text
    assert token not in caplog.text
    assert fake.stats()["by_path"] == {"/rest/api/2/serverInfo": 1}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_error_chain_holds_no_credential_of_the_jira_package(
    cloud: FakeJira, make_adapter: Make, method: str
) -> None:
    """Jira refuses a read and a write with a 400 that repeats the credentials: the traceback a
    program would print or ship (the whole chain of causes) shows neither the token nor the
    base64 pair; the jira package's own error, which keeps the request's headers, is not chained."""
    seed_example(cloud)
    path = SEARCH if method == "GET" else "/rest/api/2/issue"
    cloud.inject(Fault(status=400, path=path, method=method, times=100, echo=True))
    adapter = make_adapter(cloud)
    with pytest.raises(TrackerError) as info:
        collect(adapter) if method == "GET" else adapter.post_task(_draft(), dry_run=False)
    chain = "".join(traceback.format_exception(info.value))
    assert "HTTP 400" in chain and "***" in chain
    basic = base64.b64encode(f"{cloud.email}:{cloud.token}".encode()).decode()
    assert str(cloud.token) not in chain and basic not in chain
    causes = []
    cause = info.value.__cause__
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__
    assert causes and not any(isinstance(c, JIRAError) for c in causes)


@pytest.mark.parametrize(("status", "error"), [(403, PermissionDeniedError), (404, NotFoundError)])
def test_403_and_404_name_the_project(
    cloud: FakeJira, make_adapter: Make, status: int, error: type[Exception]
) -> None:
    """A project the account cannot see, or that is not there, is named in the error."""
    seed_example(cloud)
    cloud.fail(status, path=SEARCH)
    with pytest.raises(error, match="Jira project 'APOLLO'"):
        collect(make_adapter(cloud))
    assert cloud.stats()["by_path"][SEARCH] == 1


def test_an_unknown_project_key_is_a_clear_not_found(fake: FakeJira, make_adapter: Make) -> None:
    """Jira answers a JQL naming an unknown project with 400; that becomes NotFoundError naming the key."""
    seed_example(fake)
    with pytest.raises(NotFoundError, match=r"Jira project 'APOLO'.*check the project key"):
        collect(make_adapter(fake, project="APOLO"))


def test_410_on_the_legacy_search_switches_to_the_cloud_search(make_adapter: Make, token: str) -> None:
    """When serverInfo does not say Cloud, the legacy search's 410 Gone sends the adapter to /search/jql."""
    with FakeJira(
        mode="cloud",
        email="stakeplug-bot@example.org",
        token=token,
        announce_deployment=False,
    ) as fake:
        seed_example(fake)
        adapter = make_adapter(fake)
        assert len(collect(adapter)) == 13
        assert len(collect(adapter)) == 13
        by_path = fake.stats()["by_path"]
        assert by_path["/rest/api/2/search"] == 1
        assert by_path[SEARCH] == 2


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("created", "yesterday", "APOLLO-1: fields.created is not a timestamp"),
        ("created", DELETE, "APOLLO-1: fields.created is missing"),
        ("fields", DELETE, "APOLLO-1: the issue has no fields"),
        ("comment", ["a bare list"], "APOLLO-1: fields.comment is not a comment page"),
        ("labels", "not-a-list", "APOLLO-1: labels is not a list of strings"),
    ],
)
def test_a_malformed_issue_is_skipped_counted_and_reported(
    cloud: FakeJira,
    make_adapter: Make,
    field: str,
    value: Any,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The broken issue is left out with its reason; the rest of the run goes on."""
    seed_example(cloud)
    cloud.corrupt("APOLLO-1", **{field: value})
    adapter = make_adapter(cloud)
    acts = collect(adapter)
    assert {a.item.id for a in acts} == {"APOLLO-2"}
    assert adapter.stats.skipped == 1
    assert adapter.stats.skipped_reasons[0].startswith(reason)
    assert reason in caplog.text


def _draft() -> TaskDraft:
    return TaskDraft(
        title="Ask Maria for advice",
        body="Ask Maria how she would plan the export.",
        labels=("stakeplug", "care:ask_advice", "stakeplug-fp-feedfacecafebeef"),
        fingerprint="feedfacecafebeef",
        action="ask_advice",
        stakeholder="Maria Jensen",
    )


def test_a_create_that_may_have_happened_is_looked_for_before_it_is_sent_again(
    cloud: FakeJira, make_adapter: Make, sleeps: list[float]
) -> None:
    """A dropped connection on POST could hide a created issue: no blind retry; a search first, then one more create."""
    seed_example(cloud)
    cloud.reset_connection(path="/rest/api/2/issue", method="POST")
    result = make_adapter(cloud).post_task(_draft(), dry_run=False)
    assert result.created and result.reason == "created at the second attempt"
    assert cloud.stats()["by_path"]["/rest/api/2/issue"] == 2
    assert len(cloud.created_issues) == 1
    assert sleeps == []


def test_a_rate_limited_create_is_retried(cloud: FakeJira, make_adapter: Make, sleeps: list[float]) -> None:
    """A 429 means Jira did nothing: the create is retried once the wait is over."""
    seed_example(cloud)
    cloud.fail(429, path="/rest/api/2/issue", method="POST", retry_after=2)
    result = make_adapter(cloud).post_task(_draft(), dry_run=False)
    assert result.created and len(cloud.created_issues) == 1
    assert sleeps == [2.0]


def test_completions_survive_a_retry_without_duplicates(cloud: FakeJira, make_adapter: Make) -> None:
    """A page fetched twice because of a retry yields its activities once."""
    seed_example(cloud)
    cloud.fail(503, path=SEARCH)
    acts = collect(make_adapter(cloud))
    assert sum(a.kind is ActivityKind.COMPLETED for a in acts) == 1


def test_api_version_3_on_server_says_it_is_cloud_only(server: FakeJira, make_adapter: Make) -> None:
    """Server/Data Center has no REST API v3; the error says so instead of blaming the project."""
    seed_example(server)
    with pytest.raises(NotFoundError, match=r"no Jira REST API at .*/rest/api/3.*Jira Cloud only"):
        collect(make_adapter(server, api_version=3))
