"""The conformance kit run against the in-memory fake adapter that ships with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from stakeplug import Activity, ActivityKind, build_adapter, register_adapter, unregister_adapter
from stakeplug.adapter import Capabilities, PostResult, TaskDraft, TaskRef
from stakeplug.errors import ConfigError
from stakeplug.testing import (
    SAMPLE_START,
    AdapterContract,
    ContractSubject,
    FaultQueue,
    MemoryAdapter,
    failing_memory_adapter,
    sample_activities,
)

FAKE_TOKEN = "memory-token-0123456789"  # noqa: S105 - a fake credential the kit hunts for


class TestMemoryAdapterContract(AdapterContract):
    """The whole contract holds for MemoryAdapter, with every capability switched on."""

    @pytest.fixture
    def contract_subject(self) -> ContractSubject:
        adapter = MemoryAdapter.from_config(
            {"seed": "sample", "token_env": "MEMORY_TOKEN"}, env={"MEMORY_TOKEN": FAKE_TOKEN}
        )
        return ContractSubject(
            adapter=adapter,
            since=SAMPLE_START + timedelta(days=1),
            until=SAMPLE_START + timedelta(days=14),
            make_failing=failing_memory_adapter,
            secrets=(FAKE_TOKEN,),
        )


class TestEmptyWindowEdges(AdapterContract):
    """The contract also holds when the window starts exactly on the first activity."""

    @pytest.fixture
    def contract_subject(self) -> ContractSubject:
        return ContractSubject(
            adapter=MemoryAdapter(sample_activities()),
            since=SAMPLE_START,
            until=SAMPLE_START + timedelta(hours=3),
        )


def test_sample_stream_is_chronological_and_covers_every_kind() -> None:
    """The sample stream is ordered, distinct in time, and uses every activity kind."""
    stream = sample_activities()
    stamps = [a.timestamp for a in stream]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert {a.kind for a in stream} == set(ActivityKind)


def test_new_activity_shows_up_in_the_next_incremental_collection() -> None:
    """An activity added after a collection is found by collecting from the previous until."""
    adapter = MemoryAdapter(sample_activities())
    until = SAMPLE_START + timedelta(days=30)
    assert len(list(adapter.collect(SAMPLE_START, until))) == len(sample_activities())
    late = sample_activities(start=until)[0]
    adapter.add(late)
    assert list(adapter.collect(until, until + timedelta(days=1))) == [late]


def test_unset_token_variable_is_a_config_error_naming_it() -> None:
    """from_config names the missing environment variable and the source."""
    with pytest.raises(ConfigError, match=r"sources\[0\] \(memory\).*MEMORY_TOKEN"):
        MemoryAdapter.from_config({"token_env": "MEMORY_TOKEN"}, env={}, where="sources[0]")


def test_memory_adapter_can_be_registered_and_built_by_name() -> None:
    """A script registers the fake in-process and builds it like any installed adapter."""
    register_adapter("memory", MemoryAdapter)
    try:
        adapter = build_adapter("memory", {"seed": "empty"}, where="sources[1]")
        assert isinstance(adapter, MemoryAdapter)
        assert list(adapter.collect(SAMPLE_START, SAMPLE_START + timedelta(days=99))) == []
    finally:
        unregister_adapter("memory")


# --------------------------------------------------------------------------- the kit catches faults
#
# Each adapter below breaks one rule of the contract; the kit's check for that
# rule, called directly on it, must fail.  This keeps the kit from passing
# vacuously.

WINDOW = (SAMPLE_START, SAMPLE_START + timedelta(days=30))


class Unsorted(MemoryAdapter):
    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        return iter(list(super().collect(since, until))[::-1])


class UntilInclusive(MemoryAdapter):
    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        return super().collect(since, until + timedelta(microseconds=1))


class SinceExclusive(MemoryAdapter):
    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        return (a for a in super().collect(since, until) if a.timestamp > since)


class PostsTwice(MemoryAdapter):
    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        if dry_run:
            return PostResult(draft, created=False, dry_run=True)
        self.tasks.append(TaskRef(draft.fingerprint, str(len(self.tasks) + 1)))
        return PostResult(draft, created=True, dry_run=False, task=self.tasks[-1])


class WritesOnDryRun(MemoryAdapter):
    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        result = super().post_task(draft, dry_run=False)
        return attrs.evolve(result, dry_run=dry_run, created=False)


class LeaksToken(MemoryAdapter):
    def __repr__(self) -> str:
        return f"LeaksToken(token={self._token})"


class CommentsOnly(MemoryAdapter):
    capabilities = Capabilities(comments=True)


def _subject(adapter: MemoryAdapter, **extra: Any) -> ContractSubject:
    return ContractSubject(adapter=adapter, since=WINDOW[0], until=WINDOW[1], **extra)


@pytest.mark.parametrize(
    ("adapter", "check"),
    [
        (Unsorted(sample_activities()), "test_activities_come_oldest_first"),
        (UntilInclusive(sample_activities()), "test_narrower_windows_give_exactly_the_subset"),
        (SinceExclusive(sample_activities()), "test_narrower_windows_give_exactly_the_subset"),
        (PostsTwice(), "test_posting_twice_creates_one_task"),
        (WritesOnDryRun(), "test_dry_run_creates_nothing"),
        (CommentsOnly(sample_activities()), "test_emitted_kinds_match_declared_capabilities"),
    ],
    ids=lambda x: x if isinstance(x, str) else type(x).__name__,
)
def test_the_kit_fails_an_adapter_that_breaks_the_contract(adapter: MemoryAdapter, check: str) -> None:
    """Each broken adapter fails the check for the rule it breaks."""
    with pytest.raises(AssertionError):
        getattr(AdapterContract(), check)(_subject(adapter))


def test_the_kit_fails_an_adapter_whose_repr_leaks_its_token() -> None:
    """A token in the repr is caught."""
    subject = _subject(LeaksToken(sample_activities(), token=FAKE_TOKEN), secrets=(FAKE_TOKEN,))
    with pytest.raises(AssertionError):
        AdapterContract().test_repr_and_stats_do_not_leak_secrets(subject)


def test_the_kit_fails_an_adapter_that_raises_foreign_errors() -> None:
    """A failure that is not a TrackerError escapes the check instead of passing it."""
    failing = MemoryAdapter(fail_with=None)
    failing.fail_with = RuntimeError("socket closed")  # type: ignore[assignment]
    subject = _subject(MemoryAdapter(sample_activities()), make_failing=lambda: failing)
    with pytest.raises(RuntimeError):
        AdapterContract().test_failures_raise_tracker_errors(subject)


def test_the_kit_skips_posting_checks_by_capability_not_name() -> None:
    """An adapter without posts_tasks skips the posting checks, whatever its name."""
    subject = _subject(CommentsOnly(sample_activities()))
    with pytest.raises(pytest.skip.Exception, match="posts_tasks"):
        AdapterContract().test_posting_twice_creates_one_task(subject)


def test_a_fault_queue_serves_each_fault_to_the_next_matching_requests() -> None:
    """Faults apply by method and path part, count down, and a fault for no request is ignored."""

    @attrs.define
    class Fault:
        name: str
        path: str | None = None
        method: str | None = None
        times: int = 1

    queue: FaultQueue[Fault] = FaultQueue()
    queue.add(Fault("write", method="post", times=2))
    queue.add(Fault("search", path="/search"))
    queue.add(Fault("never", times=0))
    assert queue.take("GET", "/rest/api/2/search/jql").name == "search"
    assert queue.take("GET", "/rest/api/2/search/jql") is None
    assert [queue.take("POST", "/issue").name for _ in range(2)] == ["write", "write"]
    assert queue.take("POST", "/issue") is None
    queue.add(Fault("later"))
    queue.clear()
    assert queue.take("GET", "/anything") is None
