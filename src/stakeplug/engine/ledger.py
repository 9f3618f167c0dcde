"""The evidence ledger: per stakeholder and signal slot, decayed sums, counts and capped evidence.

The hot loop does not add to the sums one activity at a time: it notes the
activity's position in the current :class:`Batch` in the stakeholder's log for
the slot, and :meth:`Ledger.fold` turns the logs into sums and keeps the newest
activities as evidence, every batch.  Each act of the person's that shows a
signal is noted once more, in the person's act log with the energy weight of
the strongest signal it shows there, so energy and the rates count acts, not
signals, without a second look at the logs.  Signals whose time or evidence is
not simply their activity's (answers, agreements judged, reactions with a
count) go through :meth:`Ledger.add` directly; requests left unanswered are
collected per stakeholder and folded with the batch (:meth:`Ledger.fold_lapsed`).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import itemgetter, mul, sub
from typing import Any

from stakeplug.domain.model import Activity, Stakeholder
from stakeplug.domain.rules import Rules
from stakeplug.engine.signals import LEAVES_REQUESTS_UNANSWERED, NO_EVIDENCE, SLOT_COUNT

DAY = 86400.0
WEEK = 7 * DAY

_SLOTS = range(SLOT_COUNT)
_first = itemgetter(0)

Recorded = tuple[float, tuple[Activity, ...], str]
"""Evidence recorded through :meth:`Ledger.add`: its time, the activities behind it, its note."""

PendingRequest = tuple[float, str, Activity]
"""A request waiting for an answer: when it was opened, its kind, the activity that asked."""


def decays(times: Iterable[float], until_ts: float, k: float) -> Iterator[float]:
    """The decay factor ``exp(k·(t − until))`` of each time, computed column-wise."""
    return map(math.exp, map(mul, map(sub, times, repeat(until_ts)), repeat(k)))


class Batch:
    """The activities of one batch, with their times and decay factors, until the fold."""

    __slots__ = ("activities", "decays", "ordered", "times")

    def __init__(self) -> None:
        self.activities: list[Activity] = []
        self.times: list[float] = []
        self.decays: list[float] = []
        self.ordered = True


class Person:
    """Running sums for one stakeholder during the pass, indexed by signal slot."""

    __slots__ = (
        "act_energy",
        "act_log",
        "act_weights",
        "acts",
        "counts",
        "energy",
        "evidence",
        "extra",
        "index",
        "lapsed",
        "logs",
        "reactions",
        "recent",
        "recent_act_energy",
        "recent_acts",
        "recorded",
        "stakeholder",
        "sums",
        "weekly",
    )

    def __init__(self, stakeholder: Stakeholder, index: int, cap: int, weeks: int = 0):
        self.stakeholder = stakeholder
        self.index = index
        self.sums = [0.0] * SLOT_COUNT
        """Decayed occurrence weight per slot."""
        self.counts = [0] * SLOT_COUNT
        """Occurrences per slot in the whole window."""
        self.recent = [0] * SLOT_COUNT
        """Occurrences per slot in the recent part of the window."""
        self.logs: list[list[int]] = [[] for _ in _SLOTS]
        """Positions in the current batch of the activities that showed each slot."""
        self.act_log: list[int] = []
        """Positions in the current batch of the person's acts that showed a slot, each once, in order."""
        self.act_weights: list[float] = []
        """The energy weight of each act in :attr:`act_log`: that of the strongest slot it showed."""
        self.recorded: dict[int, list[Recorded]] = {}
        """Evidence recorded through :meth:`Ledger.add` during the current batch, by slot."""
        self.lapsed: list[PendingRequest] = []
        """Requests whose deadline passed unanswered during the current batch."""
        self.reactions = [0] * weeks
        """Reactions counted per week of the window (see :attr:`Ledger.week_start`), for their cap."""
        self.acts = 0
        """Distinct acts in the window: the person's own activities that showed a signal."""
        self.recent_acts = 0
        """Distinct acts in the recent part of the window."""
        self.weekly = [0] * weeks
        """Distinct acts per week of the window, oldest first."""
        self.energy = 0.0
        """Decayed energy of the person's acts, each act at the weight of its strongest signal."""
        self.act_energy = 0.0
        """The same without decay, for the trend; and in the recent part only:"""
        self.recent_act_energy = 0.0
        self.extra: list[tuple[int, float]] = []
        """Batch positions of acts whose signal :meth:`Ledger.add` recorded, with its energy weight."""
        self.evidence: list[deque[Any]] = [deque(maxlen=cap) for _ in _SLOTS]
        """The newest evidence per slot: a bare Activity (its note follows from the slot and the
        activity, see :func:`~stakeplug.engine.signals.bare_note`) or a :data:`Recorded` tuple."""


class Ledger:
    """Every stakeholder's running sums, and the folding of each batch into them."""

    def __init__(
        self,
        people: list[Person],
        rules: Rules,
        until_ts: float,
        recent_start: float,
        energy: tuple[float, ...],
    ):
        self.people = people
        self.energy = energy
        """The energy weight of each slot."""
        self.until_ts = until_ts
        self.recent_start = recent_start
        weeks = len(people[0].reactions) if people else 0
        self.week_start = until_ts - weeks * WEEK
        """The start of the window's first week: weeks are counted back from the window's end."""
        self.decay_k = math.log(2) / (rules.half_life_days * DAY)
        self.answer_s = rules.answer_days * DAY
        self.cap = rules.evidence_per_signal
        self.lapsed_notes = {
            kind: f"{kind} not answered within {rules.answer_days:g} days"
            for kind in ("mention", "request", "review")
        }

    def add(
        self,
        person: Person,
        slot: int,
        ts: float,
        acts: tuple[Activity, ...],
        note: str,
        times: int = 1,
        at: int | None = None,
    ) -> None:
        """Record ``times`` occurrences of a signal slot at ``ts``, with the activities behind it.

        ``at`` is the batch position of the person's act that showed the signal, if one did: its
        energy then counts for that act (once, with the act's strongest signal); without one the
        signal's energy counts on its own.
        """
        weight = self.energy[slot] * times
        decay = math.exp((ts - self.until_ts) * self.decay_k)
        if at is not None:
            person.extra.append((at, weight))
        elif weight:
            # No act of the person's behind it (a deadline passed, someone else completed the
            # work): the signal counts on its own.
            person.energy += weight * decay
            person.act_energy += weight
            if ts >= self.recent_start:
                person.recent_act_energy += weight
        person.sums[slot] += times * decay
        person.counts[slot] += times
        if ts >= self.recent_start:
            person.recent[slot] += times
        if slot < NO_EVIDENCE:
            person.recorded.setdefault(slot, []).append((ts, acts, note))

    def fold(self, batch: Batch) -> None:
        """Add the batch's logged signals to the running sums and keep the newest as evidence."""
        cap = self.cap
        times = batch.times
        take, decay_at = batch.activities.__getitem__, batch.decays.__getitem__
        # The position of the batch's first recent activity, when the batch is in time order.
        cut = bisect_left(times, self.recent_start) if batch.ordered else None
        weeks = self.week_ends(times) if cut is not None else None
        for person in self.people:
            logs = person.logs
            if person.act_log or person.extra:
                self.count_acts(person, batch, cut, weeks)
            if person.recorded:
                self.fold_recorded(person, batch, cut)
            if person.lapsed:
                self.fold_lapsed(person)
            for slot in compress(_SLOTS, logs):
                log = logs[slot]
                self.fold_sums(person, slot, log, times, decay_at, cut)
                if slot < NO_EVIDENCE:
                    person.evidence[slot].extend(map(take, log[-cap:] if len(log) > cap else log))
                log.clear()

    def week_ends(self, times: list[float]) -> list[tuple[int, int]]:
        """For a batch in time order: each week it touches, with the position where the next one starts."""
        if not times:
            return []
        start, first = self.week_start, int((times[0] - self.week_start) // WEEK)
        last = int((times[-1] - start) // WEEK)
        ends = [(w, bisect_left(times, start + (w + 1) * WEEK)) for w in range(first, last)]
        ends.append((last, len(times)))
        return ends

    def act_weight(self, slots: Iterable[int]) -> float:
        """The energy weight of an act showing ``slots``: that of the strongest of them."""
        return max((self.energy[slot] for slot in slots), default=0.0)

    def count_acts(
        self, person: Person, batch: Batch, cut: int | None, weeks: list[tuple[int, int]] | None
    ) -> None:
        """Count the person's distinct acts of the batch and their energy, each act once.

        One act may show several signals (a requested approval: responds, keeps an agreement,
        participates); it counts with the energy weight of the strongest.  The loop noted each act
        once with the weight of what it showed there; the signals :meth:`add` recorded for an act
        raise that weight, or make an act of their own when the loop noted none.
        """
        acts, values, extra = person.act_log, person.act_weights, person.extra
        for j, weight in extra:
            i = bisect_left(acts, j)
            if i < len(acts) and acts[i] == j:
                values[i] = max(values[i], weight)
            else:
                acts.insert(i, j)
                values.insert(i, weight)
        extra.clear()
        n = len(acts)
        person.energy += sum(map(mul, values, map(batch.decays.__getitem__, acts)))
        person.act_energy += sum(values)
        person.acts += n
        weekly = person.weekly
        if cut is not None and weeks is not None:
            k = bisect_left(acts, cut)
            person.recent_acts += n - k
            person.recent_act_energy += sum(values[k:])
            lo = 0
            for week, end in weeks:
                hi = bisect_left(acts, end, lo)
                weekly[week] += hi - lo
                lo = hi
        else:
            times, start, week_start = batch.times, self.recent_start, self.week_start
            for j, value in zip(acts, values, strict=True):
                t = times[j]
                weekly[int((t - week_start) // WEEK)] += 1
                if t >= start:
                    person.recent_acts += 1
                    person.recent_act_energy += value
        # Cleared in place: each of the person's handles holds these lists for the loop.
        acts.clear()
        values.clear()

    def fold_recorded(self, person: Person, batch: Batch, cut: int | None) -> None:
        """Merge what :meth:`add` recorded with the logged activities of the same slot, in time order."""
        cap, times, take = self.cap, batch.times, batch.activities.__getitem__
        for slot, entries in person.recorded.items():
            log = person.logs[slot]
            if log:
                self.fold_sums(person, slot, log, times, batch.decays.__getitem__, cut)
                # In time order; at equal times the answer came first, as the loop recorded it.
                merged: list[tuple[float, Any]] = [(e[0], e) for e in entries]
                # In time order only the log's newest can make the cut.
                merged.extend((times[j], take(j)) for j in (log[-cap:] if cut is not None else log))
                merged.sort(key=_first)
                person.evidence[slot].extend(m[1] for m in merged[-cap:])
                log.clear()
            else:
                entries.sort(key=_first)  # in time order, as the deadlines passed
                person.evidence[slot].extend(entries)
        person.recorded.clear()

    def fold_lapsed(self, person: Person) -> None:
        """Record the person's requests that went unanswered during the batch, at their deadlines."""
        entries = person.lapsed
        slot = LEAVES_REQUESTS_UNANSWERED
        answer_s = self.answer_s
        deadlines = [e[0] + answer_s for e in entries]
        decayed = sum(decays(deadlines, self.until_ts, self.decay_k))
        person.sums[slot] += decayed
        person.counts[slot] += len(entries)
        start = self.recent_start
        recent = sum(1 for d in deadlines if d >= start)
        person.recent[slot] += recent
        weight = self.energy[slot]
        if weight:
            # No act of the person's: with an energy weight, each lapse counts on its own.
            person.energy += weight * decayed
            person.act_energy += weight * len(entries)
            person.recent_act_energy += weight * recent
        # In time order, as the deadlines passed; only the newest can stay as evidence.
        entries.sort(key=_first)
        notes = self.lapsed_notes
        person.evidence[slot].extend(
            (opened + answer_s, (request,), notes[kind]) for opened, kind, request in entries[-self.cap :]
        )
        entries.clear()

    def fold_sums(
        self,
        person: Person,
        slot: int,
        log: list[int],
        times: list[float],
        decay_at: Callable[[int], float],
        cut: int | None,
    ) -> None:
        """Add the signals of one log (batch positions) to the person's sums and counts."""
        n = len(log)
        person.sums[slot] += sum(map(decay_at, log))
        person.counts[slot] += n
        if cut is not None:
            person.recent[slot] += n - bisect_left(log, cut)
        else:
            start = self.recent_start
            person.recent[slot] += sum(1 for j in log if times[j] >= start)
