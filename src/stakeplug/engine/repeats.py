"""Repeats: an activity delivered again with the same stable id counts once.

A source may deliver one event twice (pages that overlap, a rerun over the same
window, two sources reading the same tracker).  The tool's stable id
(:attr:`~stakeplug.domain.model.Activity.id`, namespaced by the tool) says it is
the same event, and the same event happened at the same time.  The merged
stream is oldest first, so a repeat arrives among the activities of its first
copy's timestamp: :class:`Repeats` remembers only the ids at the latest time
seen, and a part whose times all differ from their neighbours' (and from the
previous part's last) cannot hold a repeat, which one comparison per activity
tells.  Memory does not grow with the stream.  A stream out of time order is
checked within each part; a repeat further away than that may count twice
(such a stream is already reported as out of order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from operator import eq

from stakeplug.domain.model import Activity
from stakeplug.engine.sources import Part

Key = tuple[str, str]
"""An activity's identity as (tool, id)."""


class Repeats:
    """Drops the activities whose (tool, id) was seen at the same time already."""

    def __init__(self) -> None:
        self.last_ts = float("nan")
        """The latest time seen (NaN equals nothing, so the first part starts clean)."""
        self.last_group: list[Activity] = []
        """The activities at :attr:`last_ts`, kept until the next part shows whether it needs them."""
        self.dropped = 0

    def parts(self, parts: Iterable[Part]) -> Iterator[Part]:
        """The parts without repeats."""
        for part, times, ordered in parts:
            if times[0] != self.last_ts and not any(map(eq, times, islice(times, 1, None))) and ordered:
                # Every time differs from its neighbours': no two activities can be one event.
                self.last_ts = times[-1]
                self.last_group = part[-1:]
                yield part, times, ordered
                continue
            drop = self._repeated(part, times)
            if drop:
                self.dropped += len(drop)
                keep = [j for j in range(len(part)) if j not in drop]
                if keep:
                    yield [part[j] for j in keep], [times[j] for j in keep], ordered
            else:
                yield part, times, ordered

    def _repeated(self, part: list[Activity], times: list[float]) -> set[int]:
        """The positions in the part of activities seen before at the same time with the same id."""
        earlier = {(a.item.tool, a.id) for a in self.last_group if a.id is not None}
        seen: dict[float, set[Key]] = {self.last_ts: earlier}
        drop: set[int] = set()
        latest = self.last_ts if self.last_ts == self.last_ts else times[0]
        for j, (activity, ts) in enumerate(zip(part, times, strict=True)):
            latest = ts if ts > latest else latest
            if activity.id is None:
                continue
            key = (activity.item.tool, activity.id)
            group = seen.get(ts)
            if group is None:
                seen[ts] = {key}
            elif key in group:
                drop.add(j)
            else:
                group.add(key)
        here = [a for a, t in zip(part, times, strict=True) if t == latest]
        self.last_group = [*self.last_group, *here] if latest == self.last_ts else here
        self.last_ts = latest
        return drop
