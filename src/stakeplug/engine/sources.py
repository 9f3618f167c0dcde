"""The one per-source wrapper: contain failures, count, check the window and order once, merge.

Every source, one or several, goes the same way: :meth:`SourceRun.parts`
pulls its activities in parts, computes their epoch times column-wise, drops
what falls outside the window, counts what is left and notices activities out
of time order; a failure stops that source only and is recorded on it.
:func:`merged_parts` merges several sources oldest first on those epoch times.

A source whose capabilities declare ``ordered=False`` yields in the order its
tracker answers.  Through the activity store it arrives here in time order
already; without a store this wrapper, and nothing else, puts it in order: it
pulls the source's window (counting and reporting progress as it goes), sorts
it on the epoch times (ties keep the order the source gave) and hands it on
in parts.  What such a source delivered before a failure is sorted and kept
the same way.  An ordered source streams through untouched.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from operator import attrgetter, itemgetter, le
from typing import Any

from stakeplug.adapter import SourceStats
from stakeplug.domain.model import Activity
from stakeplug.engine.results import SourceReport
from stakeplug.errors import StakeplugError

log = logging.getLogger("stakeplug.engine")

ProgressCallback = Callable[[str, int, int], None]

SourceLike = Any
"""An :class:`~stakeplug.adapter.Adapter`, a ``(name, adapter)`` pair, or an iterable of activities."""

Part = tuple[list[Activity], list[float], bool]
"""Activities within the window, their epoch times, and whether those are in time order."""

_epoch = datetime.timestamp
_timestamp = attrgetter("timestamp")
_first = itemgetter(0)


class SourceRun:
    """Collects one source, catching its failure so the others keep going."""

    def __init__(
        self,
        name: str,
        adapter_name: str,
        adapter: Any,
        activities: Iterable[Activity],
        *,
        ordered: bool = True,
    ):
        self.name = name
        self.adapter_name = adapter_name
        self.adapter = adapter
        self.activities = activities
        self.ordered = ordered
        """Whether the source promises time order (``Capabilities.ordered``); if not, it is sorted here."""
        self.count = 0
        self.error: str | None = None
        self.out_of_order = 0

    def fail(self, exc: Exception) -> None:
        """Record why the source stopped; the audit goes on without the rest of it."""
        if isinstance(exc, StakeplugError):
            self.error = str(exc)
        else:
            log.debug("source %s raised an unexpected error", self.name, exc_info=True)
            self.error = f"unexpected {type(exc).__name__}: {exc}"
        log.warning("source %s stopped: %s", self.name, self.error)

    def stats(self) -> SourceStats:
        """The adapter's own figures, or the count of activities for a plain iterable."""
        stats = getattr(self.adapter, "stats", None)
        return stats if isinstance(stats, SourceStats) else SourceStats(activities=self.count)

    def report(self) -> SourceReport:
        """How collecting this source went."""
        stats = self.stats()
        if self.error is not None:
            status = "partial" if self.count else "failed"
            error: str | None = self.error
        elif stats.skipped:
            status = "partial"
            reasons = "; ".join(stats.skipped_reasons[:3])
            items = "item" if stats.skipped == 1 else "items"
            error = f"{stats.skipped} {items} skipped" + (f": {reasons}" if reasons else "")
        else:
            status, error = "ok", None
        return SourceReport(self.name, self.adapter_name, status, error, stats, self.count)

    def parts(
        self,
        window: tuple[float, float],
        size: int,
        tolerance: float,
        progress: ProgressCallback | None,
    ) -> Iterator[Part]:
        """The source's activities in ``[since, until)`` as epoch seconds, in parts of at most ``size``.

        What the source delivered before a failure still counts; then the failure is recorded.
        An unordered source is read whole and sorted first (see the module docstring).
        """
        if not self.ordered:
            yield from _sorted_parts(self._pulled(window, size, progress), size)
            return
        last = -math.inf
        for part, times, ordered in self._pulled(window, size, progress):
            last = self._check_order(times, ordered, last, tolerance)
            yield part, times, ordered

    def _pulled(
        self, window: tuple[float, float], size: int, progress: ProgressCallback | None
    ) -> Iterator[Part]:
        """The source's parts as it yields them, cut to the window and counted; a failure recorded."""
        since_ts, until_ts = window
        it = iter(self.activities)
        while True:
            part: list[Activity] = []
            failure: Exception | None = None
            try:
                part.extend(islice(it, size))
            except Exception as exc:
                failure = exc
            pulled = len(part)
            if part:
                times = list(map(_epoch, map(_timestamp, part)))
                ordered = all(map(le, times, islice(times, 1, None)))
                lo, hi = (times[0], times[-1]) if ordered else (min(times), max(times))
                if lo < since_ts or hi >= until_ts:
                    keep = [j for j, t in enumerate(times) if since_ts <= t < until_ts]
                    part = [part[j] for j in keep]
                    times = [times[j] for j in keep]
                if part:
                    self.count += len(part)
                    yield part, times, ordered
                if progress is not None:
                    progress(self.name, self.count, self.stats().requests)
            if failure is not None:
                self.fail(failure)
                break
            if pulled < size:
                break
        if progress is not None:
            progress(self.name, self.count, self.stats().requests)

    def _check_order(self, times: list[float], ordered: bool, last: float, tolerance: float) -> float:
        """Count the activities older than the latest before them (beyond ``tolerance``); the new latest."""
        if ordered and times[0] >= last - tolerance:
            return times[-1]
        for t in times:
            if t < last - tolerance:
                self.out_of_order += 1
            else:
                last = t
        return last


def source_runs(sources: Iterable[SourceLike], since: datetime, until: datetime) -> list[SourceRun]:
    """One run per given source: adapters are collected lazily, iterables read as they are."""
    runs: list[SourceRun] = []
    for i, given in enumerate(sources):
        name: str | None = None
        source = given
        if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
            name, source = given
        collect = getattr(source, "collect", None)
        if callable(collect):
            adapter_name = str(getattr(source, "name", type(source).__name__))
            ordered = getattr(getattr(source, "capabilities", None), "ordered", True) is not False
            run = SourceRun(name or adapter_name, adapter_name, source, (), ordered=ordered)
            run.activities = _lazy_collect(collect, since, until)
        else:
            run = SourceRun(name or f"source{i}", "iterable", None, source)
        runs.append(run)
    return runs


def _lazy_collect(
    collect: Callable[[datetime, datetime], Iterable[Activity]], since: datetime, until: datetime
) -> Iterator[Activity]:
    # Calling collect() inside the generator keeps its errors inside the source's own guard.
    yield from collect(since, until)


def _sorted_parts(parts: Iterable[Part], size: int) -> Iterator[Part]:
    """All of ``parts`` in time order (a stable sort on the epoch times), again in parts of ``size``."""
    activities: list[Activity] = []
    times: list[float] = []
    for part, part_times, _ in parts:
        activities.extend(part)
        times.extend(part_times)
    order = sorted(range(len(times)), key=times.__getitem__)
    for start in range(0, len(order), size):
        chosen = order[start : start + size]
        yield [activities[j] for j in chosen], [times[j] for j in chosen], True


def merged_parts(streams: list[Iterator[Part]], size: int) -> Iterator[Part]:
    """The parts of several sources merged oldest first on their epoch times, in parts of ``size``."""
    if len(streams) == 1:
        yield from streams[0]
        return
    merged = heapq.merge(*map(_timed, streams), key=_first)
    while True:
        chunk = list(islice(merged, size))
        if not chunk:
            return
        times = [c[0] for c in chunk]
        yield [c[1] for c in chunk], times, all(map(le, times, islice(times, 1, None)))
        if len(chunk) < size:
            return


def _timed(stream: Iterator[Part]) -> Iterator[tuple[float, Activity]]:
    for part, times, _ in stream:
        yield from zip(times, part, strict=True)
