"""Bounded requests: a deadline per request, time budgets per source and run, sane waits, cut bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stakeplug.errors import BudgetExhaustedError, RateLimitedError, UnavailableError
from stakeplug.http import HttpClient, HttpPolicy
from stakeplug.limits import MAX_WAIT, Limits, read_reset, read_wait, use_limits
from stakeplug.testing import FakeServer, Reply, Request, Routes

NOW = 1_800_000_000.0
BODY = {"items": [{"id": i, "title": f"thing number {i}"} for i in range(20)]}


class FakeThings(FakeServer):
    """A tracker with one list of things."""

    def add_routes(self, routes: Routes) -> None:
        routes.add("GET", "/things", self.things)

    def things(self, request: Request) -> Reply:
        return Reply(200, BODY)


class Clock:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeThings]:
    with FakeThings() as server:
        yield server


def _client(fake: FakeThings, clock: Clock, **policy: float) -> HttpClient:
    settings: dict[str, object] = {"jitter": 0.0, "sleep": clock.sleep, "clock": lambda: NOW}
    settings.update(policy)
    return HttpClient("tool", fake.address, policy=HttpPolicy(**settings))  # type: ignore[arg-type]


def test_a_dripping_server_is_cut_off_at_the_deadline_of_one_request(fake: FakeThings) -> None:
    """A body sent a byte every 50 ms (over a minute in all) ends at a one-second deadline, per attempt."""
    fake.drip(0.05, path="/things", times=2)
    clock = Clock()
    with use_limits(Limits(request_seconds=1.0, clock=clock)):
        client = _client(fake, clock, max_attempts=2)
    with pytest.raises(UnavailableError, match=r"no whole answer within 1 s, the deadline of one request"):
        client.get_json("/things")
    assert client.counter.total == 2


def test_a_body_cut_off_before_its_length_is_retried(fake: FakeThings) -> None:
    """An answer closed after half its Content-Length is retried, and the second answer is read."""
    fake.truncate_bodies(path="/things")
    clock = Clock()
    client = _client(fake, clock)
    assert client.get_json("/things") == BODY
    assert client.counter.total == 2
    assert len(clock.sleeps) == 1


def test_a_body_always_cut_off_gives_up_naming_the_reason(fake: FakeThings) -> None:
    """When every answer is cut off, the error says the answer was cut off before its end."""
    fake.truncate_bodies(path="/things", times=3)
    client = _client(fake, Clock(), max_attempts=3)
    with pytest.raises(UnavailableError, match=r"gave up after 3 attempts.*cut off before its end"):
        client.get_json("/things")
    assert client.counter.total == 3


@pytest.mark.parametrize(
    ("headers", "note"),
    [
        ({"Retry-After": "inf"}, "Retry-After 'inf' is not a usable wait; read as 86400 s"),
        ({"Retry-After": "1e12"}, "Retry-After '1e12' is not a usable wait; read as 86400 s"),
        ({"Retry-After": "1e400"}, "Retry-After '1e400' is not a usable wait"),
        (
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999999999999"},
            "is not a usable wait; read as 86400 s",
        ),
    ],
)
def test_an_absurd_wait_is_clamped_and_explained(
    fake: FakeThings, headers: dict[str, str], note: str
) -> None:
    """Infinite or absurd waits end in a rate-limit error that names the clamp, never a crash."""
    fake.fail(429, path="/things", headers=headers)
    client = _client(fake, Clock())
    with pytest.raises(RateLimitedError) as info:
        client.get_json("/things")
    assert note in str(info.value)
    assert info.value.retry_after == MAX_WAIT
    assert "retry after 20" in str(info.value)
    assert client.counter.total == 1


def test_a_reset_in_milliseconds_is_read_as_milliseconds() -> None:
    """A rate-limit reset sent in epoch milliseconds waits until that time and says how it was read."""
    wait = read_reset(str(int((NOW + 30) * 1000)), now=NOW)
    assert wait is not None
    assert wait.seconds == pytest.approx(30.0)
    assert "read as milliseconds" in wait.note


@pytest.mark.parametrize("value", ["nan", "soon", "", "Thu, 99 Foo 2024"])
def test_an_unreadable_retry_after_is_no_wait_at_all(value: str) -> None:
    """A Retry-After that is neither a number nor a date is ignored."""
    assert read_wait(value, now=NOW) is None


def test_a_sustained_rate_limit_stops_at_the_source_budget(fake: FakeThings) -> None:
    """Under endless 429s with Retry-After 10, a 25-second source budget allows two waits, then stops."""
    fake.fail(429, path="/things", headers={"Retry-After": "10"}, times=100)
    clock = Clock()
    with use_limits(Limits(source_seconds=25.0, clock=clock)):
        client = _client(fake, clock, max_attempts=10)
    with pytest.raises(RateLimitedError, match=r"would pass this source's time budget of 25 s") as info:
        client.get_json("/things")
    assert clock.sleeps == [10.0, 10.0]
    assert client.counter.total == 3
    assert "[limits] source_minutes" in str(info.value)


def test_a_used_up_run_budget_stops_every_source_of_the_run(fake: FakeThings) -> None:
    """Once the run's budget is spent, the next request of any client sharing it is refused."""
    clock = Clock()
    with use_limits(Limits(run_seconds=30.0, clock=clock)):
        first = _client(fake, clock)
        second = _client(fake, clock)
    assert first.get_json("/things") == BODY
    clock.now += 31.0
    with pytest.raises(BudgetExhaustedError, match=r"the run's time budget of 30 s .* is used up"):
        second.get_json("/things")
    assert second.counter.total == 0


def test_limits_refuse_nonsense() -> None:
    """A budget of zero, a negative one or an infinite one is refused when the limits are made."""
    for bad in (0.0, -5.0, float("inf")):
        with pytest.raises(ValueError, match="must be a positive number of seconds"):
            Limits(source_seconds=bad)


def test_giving_up_counts_the_time_of_the_attempts_not_only_the_waits(fake: FakeThings) -> None:
    """Three attempts each cut at a 5-second deadline, with 1 s and 2 s of backoff between them,
    took 18 s: the message says so, where it used to count only the 3 s of waiting."""
    wall = [NOW]

    def sleep(seconds: float) -> None:
        wall[0] += seconds

    class SlowAnswers(FakeThings):
        def things(self, request: Request) -> Reply:
            wall[0] += 5.0  # the attempt ran to its deadline
            return Reply(503, {"message": "busy"})

    with SlowAnswers() as slow:
        policy = HttpPolicy(jitter=0.0, sleep=sleep, clock=lambda: wall[0], max_attempts=3)
        client = HttpClient("tool", slow.address, policy=policy)
        with pytest.raises(UnavailableError) as info:
            client.get_json("/things")
    assert str(info.value).startswith("gave up after 3 attempts over 18.0 s: ")
    assert wall[0] == NOW + 18.0
