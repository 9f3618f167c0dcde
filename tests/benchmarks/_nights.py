"""Nights through a real store, for the tracker benchmarks.

Three audits of one config through one store file, each with ``stakeplug.run_audit``
loading the config afresh (new adapters, as on a new CI runner) and opening the store
as ``stakeplug audit`` does: the cold night fills the empty store, the second finds
nothing changed, and before the third the benchmark changes 1 % of the items in the
fake.  Each night's requests come from the fake's own count, its wall time covers
opening the store, collecting, auditing, recording the run and closing; its
``cpu_seconds`` are the processor time of the thread that runs the audit (the fake
answers on threads of its own), which a busy shared machine disturbs less than the clock;
the requests sent together and the store's read-ahead of a rerun run on threads of their
own too, so their work is not in it.
Printed as::

    store_cold_requests, store_cold_seconds, store_cold_cpu_seconds, store_cold_activities
    store_unchanged_requests, store_unchanged_seconds, store_unchanged_ratio (to cold),
    store_unchanged_cpu_seconds, store_unchanged_by_path
    store_changed_items, store_changed_requests, store_changed_seconds, store_changed_ratio,
    store_changed_cpu_seconds, store_changed_by_path, store_changed_activities
    store_bytes (the file after the third night)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import attrs

import stakeplug
from stakeplug.store import Store

__all__ = ["Night", "Nights", "evenly_between", "three_nights"]

T = TypeVar("T")


@attrs.frozen
class Night:
    """One audit through the store: what the fake was asked, how long it took, what it saw."""

    requests: int
    by_path: dict[str, int]
    seconds: float
    cpu_seconds: float
    activities: int


@attrs.frozen
class Nights:
    """The three nights, how many items were changed before the third, the store's size after it."""

    cold: Night
    unchanged: Night
    changed: Night
    changed_items: int
    store_bytes: int

    def print(self) -> None:
        """Print the figures as ``key=value`` lines."""
        cold, quiet, busy = self.cold, self.unchanged, self.changed
        print(f"store_cold_requests={cold.requests}")
        print(f"store_cold_seconds={cold.seconds:.2f}")
        print(f"store_cold_cpu_seconds={cold.cpu_seconds:.2f}")
        print(f"store_cold_activities={cold.activities}")
        print(f"store_unchanged_requests={quiet.requests}")
        print(f"store_unchanged_seconds={quiet.seconds:.2f}")
        print(f"store_unchanged_ratio={quiet.seconds / cold.seconds:.3f}")
        print(f"store_unchanged_cpu_seconds={quiet.cpu_seconds:.2f}")
        print(f"store_unchanged_by_path={_paths(quiet)}")
        print(f"store_changed_items={self.changed_items}")
        print(f"store_changed_requests={busy.requests}")
        print(f"store_changed_seconds={busy.seconds:.2f}")
        print(f"store_changed_ratio={busy.seconds / cold.seconds:.3f}")
        print(f"store_changed_cpu_seconds={busy.cpu_seconds:.2f}")
        print(f"store_changed_by_path={_paths(busy)}")
        print(f"store_changed_activities={busy.activities}")
        print(f"store_bytes={self.store_bytes}")


def _paths(night: Night) -> str:
    return ",".join(f"{p}:{n}" for p, n in sorted(night.by_path.items()))


def _night(
    config: Path, store_path: Path, until: datetime, by_path: Callable[[], Mapping[str, int]]
) -> Night:
    started, cpu = time.perf_counter(), time.thread_time()
    with Store.open(store_path) as store:
        run = stakeplug.run_audit(config, until=until, store=store)
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
    if run.audit.is_partial:
        raise SystemExit(f"the audit until {until} was partial: {[s.error for s in run.audit.sources]}")
    paths = dict(by_path())
    return Night(sum(paths.values()), paths, seconds, cpu, run.audit.activities_seen)


def evenly_between(items: Sequence[T], after: datetime, before: datetime) -> Iterator[tuple[T, datetime]]:
    """Each of ``items`` with its own time, evenly spaced strictly between ``after`` and ``before``."""
    step = (before - after) / (len(items) + 1)
    for i, item in enumerate(items, 1):
        yield item, after + step * i


def three_nights(
    config: Path,
    store_path: Path,
    *,
    until: Callable[[int], datetime],
    by_path: Callable[[], Mapping[str, int]],
    reset: Callable[[], None],
    change: Callable[[datetime, datetime], int],
) -> Nights:
    """Audit ``config`` three nights through the store at ``store_path``.

    ``until(n)`` is the end of night ``n``'s window; ``reset`` forgets the fake's request
    count (and whatever else a day between two nights clears); ``change(after, before)``
    changes 1 % of the items at times between the second night's end and the third's.
    """
    nights: list[Night] = []
    changed = 0
    for n in range(3):
        end = until(n)
        if n == 2:
            changed = change(until(1), end)
        reset()
        nights.append(_night(config, store_path, end, by_path))
    return Nights(*nights, changed_items=changed, store_bytes=store_path.stat().st_size)
