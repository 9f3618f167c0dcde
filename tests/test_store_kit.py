"""The conformance kit's incremental checks: they run by capability and catch an adapter that breaks them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import attrs
import pytest

from stakeplug import Activity
from stakeplug.adapter import Capabilities
from stakeplug.testing import SAMPLE_START, AdapterContract, ContractSubject, MemoryAdapter, sample_activities

WINDOW = (SAMPLE_START, SAMPLE_START + timedelta(days=14))


class NoIds(MemoryAdapter):
    """Declares incremental reads but hands out activities without ids."""

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        for a in super().collect(since, until):
            yield attrs.evolve(a, id=None)


class SameIds(MemoryAdapter):
    """Declares incremental reads but gives each activity's repeat a microsecond later the same id."""

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        for a in super().collect(since, until):
            yield a
            later = a.timestamp + timedelta(microseconds=1)
            if later < until:
                yield attrs.evolve(a, timestamp=later)


class IgnoresSince(MemoryAdapter):
    """Declares incremental reads but answers every ask with the whole history."""

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        return super().collect(SAMPLE_START, until)


class NotIncremental(MemoryAdapter):
    capabilities: ClassVar[Capabilities] = attrs.evolve(MemoryAdapter.capabilities, incremental=False)


def subject(adapter: MemoryAdapter) -> ContractSubject:
    return ContractSubject(adapter=adapter, since=WINDOW[0], until=WINDOW[1])


KIT = AdapterContract()


def test_an_incremental_adapter_without_ids_fails_the_id_check() -> None:
    """Without a stable id per activity the store could not merge reruns: the kit says so."""
    with pytest.raises(AssertionError, match="every activity has an id"):
        KIT.test_an_incremental_adapter_gives_every_activity_its_own_stable_id(
            subject(NoIds(sample_activities()))
        )


def test_ids_shared_by_different_activities_fail_the_id_check() -> None:
    """Two activities under one store key would be stored as one: the kit names them."""
    with pytest.raises(AssertionError, match="merge into one"):
        KIT.test_an_incremental_adapter_gives_every_activity_its_own_stable_id(
            subject(SameIds(sample_activities()))
        )


def test_an_adapter_that_ignores_since_fails_the_cursor_check() -> None:
    """Asked from after everything, an adapter that returns the whole history fails."""
    with pytest.raises(AssertionError):
        KIT.test_a_cursor_later_than_everything_gives_no_activities(
            subject(IgnoresSince(sample_activities()))
        )


def test_the_overlap_check_passes_for_the_shipped_fake(tmp_path: Path) -> None:
    """The memory adapter, incremental with stable ids, passes the overlapping rerun through a real store."""
    KIT.test_an_overlapping_rerun_through_the_store_counts_each_activity_once(
        subject(MemoryAdapter(sample_activities())), tmp_path
    )
    assert (tmp_path / "kit-store.sqlite").is_file()


def test_the_incremental_checks_are_skipped_without_the_capability(tmp_path: Path) -> None:
    """An adapter that does not declare incremental is collected in full and not held to these checks."""
    with pytest.raises(pytest.skip.Exception, match="incremental"):
        KIT.test_a_cursor_later_than_everything_gives_no_activities(
            subject(NotIncremental(sample_activities()))
        )
