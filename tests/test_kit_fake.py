"""The conformance kit run against the in-memory fake adapter that ships with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stakeplug import ActivityKind, build_adapter, register_adapter, unregister_adapter
from stakeplug.errors import ConfigError
from stakeplug.testing import (
    SAMPLE_START,
    AdapterContract,
    ContractSubject,
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
