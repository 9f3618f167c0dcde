"""The engine: from a stream of activities to behaviours, scores and the stakeholder map.

One pass over the activities, oldest first, derives the behaviours of
DESIGN §1 for every registered stakeholder:

* **request → answer**: a mention, review request, question or assignment
  from a team member opens a *pending request* for the addressed stakeholder
  on that item.  Any later action of theirs on the same item within
  ``answer_days`` answers it (``answers_messages`` for mentions and mails,
  ``responds_to_requests`` for review requests and questions, plus
  ``keeps_agreements`` when a requested review is delivered and
  ``makes_time`` when the answer came within ``quick_response_hours``).  A
  request still open when its deadline passes is ``leaves_requests_unanswered``.
* **due date → completion**: an assignment with a due date opens an
  *agreement*; completing the item by the due date (plus grace) is
  ``keeps_agreements``, completing it later or not at all by the deadline is
  ``misses_agreements``.  A completion that carries its own due date and
  assignees (as Jira reports it) is judged directly.
* comments nobody asked for are ``approaches_informally``, or
  ``gives_unsolicited_feedback`` on status-report items; every comment and
  review comment is ``participates_actively``; created items are
  ``approaches_informally``; self-assignment, moving or completing work is
  ``makes_time``; external links to our items and adding a team member to
  their space are ``invites_you``.
* resistance: changes requested or rejecting reviews, reopening, blocking
  links, unassigning themselves, requests left unanswered, agreements missed.

Pending requests and agreements are kept only until their deadline passes, and
evidence kept for explanations is capped per signal, so memory does not grow
with the number of activities.  Scores are computed from decayed sums at the
end (see ``data/rules.toml`` for every number).

How the pass works (see :class:`_Pass`): activities are read in small parts.
Per part the times, the window check and the decay factors are computed
column-wise; the loop over the part classifies each activity, pairs requests
with answers and due dates with completions, and records the position of each
signal in a per-stakeholder, per-signal log.  Every batch of parts, the logs
are folded into the sums and the newest evidence.  Deadlines are checked where
a request or agreement is next touched, at the start of each part and at the
end of each batch, which gives the same result as checking before every
activity.
"""

from __future__ import annotations

import gc
import heapq
import logging
import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import compress, count, islice, repeat
from operator import attrgetter, itemgetter, le, mul, sub
from typing import Any

import attrs

from stakeplug.adapter import SourceStats
from stakeplug.config.rules import load_rules
from stakeplug.domain.model import (
    Activity,
    ActivityKind,
    AtRiskReason,
    CareSuggestion,
    Category,
    Evidence,
    Item,
    ItemKind,
    Signal,
    Stakeholder,
    StakeholderScore,
    Trend,
    Verdict,
    ensure_utc,
)
from stakeplug.domain.register import ProjectSettings, Register, normalize_account
from stakeplug.domain.rules import Rules

__all__ = ["Audit", "Candidate", "Explanation", "SourceReport", "audit"]

log = logging.getLogger("stakeplug.engine")

_DAY = 86400.0

# Request kinds, and the behaviour an answer demonstrates.
_MENTION = "mention"
_REQUEST = "request"
_REVIEW = "review"
_ASSIGNMENT = "assignment"

_ANSWERING_KINDS = frozenset(
    {
        ActivityKind.COMMENT,
        ActivityKind.REVIEW,
        ActivityKind.REVIEW_COMMENT,
        ActivityKind.TRANSITIONED,
        ActivityKind.COMPLETED,
        ActivityKind.ASSIGNED,
        ActivityKind.REQUEST,
        ActivityKind.CREATED,
    }
)

ProgressCallback = Callable[[str, int, int], None]

# Signals as list indices: the hot path indexes lists instead of hashing enum members.
_SIGNALS: tuple[Signal, ...] = tuple(Signal)
_N = len(_SIGNALS)
_ANSWERS_MESSAGES = _SIGNALS.index(Signal.ANSWERS_MESSAGES)
_APPROACHES_INFORMALLY = _SIGNALS.index(Signal.APPROACHES_INFORMALLY)
_RESPONDS_TO_REQUESTS = _SIGNALS.index(Signal.RESPONDS_TO_REQUESTS)
_PARTICIPATES_ACTIVELY = _SIGNALS.index(Signal.PARTICIPATES_ACTIVELY)
_KEEPS_AGREEMENTS = _SIGNALS.index(Signal.KEEPS_AGREEMENTS)
_MAKES_TIME = _SIGNALS.index(Signal.MAKES_TIME)
_INVITES_YOU = _SIGNALS.index(Signal.INVITES_YOU)
_GIVES_UNSOLICITED_FEEDBACK = _SIGNALS.index(Signal.GIVES_UNSOLICITED_FEEDBACK)
_REQUESTS_CHANGES = _SIGNALS.index(Signal.REQUESTS_CHANGES)
_REOPENS = _SIGNALS.index(Signal.REOPENS)
_BLOCKS = _SIGNALS.index(Signal.BLOCKS)
_LEAVES_REQUESTS_UNANSWERED = _SIGNALS.index(Signal.LEAVES_REQUESTS_UNANSWERED)
_MISSES_AGREEMENTS = _SIGNALS.index(Signal.MISSES_AGREEMENTS)
_UNASSIGNS_SELF = _SIGNALS.index(Signal.UNASSIGNS_SELF)
# Two extra slots after the signals: reactions (reported as participation, with
# their own weight factor) and the acceptance bonus of approving reviews.
_REACTION = _N
_APPROVAL = _N + 1
_SLOTS = _N + 2
# Stakeholder activities whose kind alone decides their one signal slot, handled inline.
_SIMPLE: dict[ActivityKind, int] = {
    ActivityKind.REACTION: _REACTION,
    ActivityKind.TRANSITIONED: _MAKES_TIME,
    ActivityKind.CREATED: _APPROACHES_INFORMALLY,
    ActivityKind.REOPENED: _REOPENS,
    ActivityKind.REQUEST: _PARTICIPATES_ACTIVELY,
}
_ANSWER_NOTES = {_REVIEW: "answered a review request", _REQUEST: "answered a request for input"}
# The slots a stakeholder's review shows, by verdict.
_REVIEW_SLOTS: dict[Verdict | None, tuple[int, ...]] = {
    Verdict.APPROVED: (_PARTICIPATES_ACTIVELY, _APPROVAL),
    Verdict.CHANGES_REQUESTED: (_REQUESTS_CHANGES,),
    Verdict.REJECTED: (_REQUESTS_CHANGES,),
    Verdict.COMMENTED: (_PARTICIPATES_ACTIVELY,),
    Verdict.DISMISSED: (),
    None: (_PARTICIPATES_ACTIVELY,),
}
# The note of evidence that is one activity alone, by (slot, kind); see _bare_note.
_K = ActivityKind
_NOTES: dict[tuple[int, ActivityKind], str] = {
    (_PARTICIPATES_ACTIVELY, _K.COMMENT): "took part in the discussion",
    (_PARTICIPATES_ACTIVELY, _K.REVIEW_COMMENT): "took part in the discussion",
    (_PARTICIPATES_ACTIVELY, _K.REQUEST): "asked the team for input",
    (_PARTICIPATES_ACTIVELY, _K.ASSIGNED): "assigned work",
    (_PARTICIPATES_ACTIVELY, _K.LINKED): "linked related work",
    (_APPROACHES_INFORMALLY, _K.COMMENT): "commented where nobody asked them",
    (_APPROACHES_INFORMALLY, _K.REVIEW_COMMENT): "commented where nobody asked them",
    (_APPROACHES_INFORMALLY, _K.CREATED): "raised an item on their own",
    (_GIVES_UNSOLICITED_FEEDBACK, _K.COMMENT): "commented on a status report unasked",
    (_GIVES_UNSOLICITED_FEEDBACK, _K.REVIEW_COMMENT): "commented on a status report unasked",
    (_MAKES_TIME, _K.TRANSITIONED): "moved work forward",
    (_MAKES_TIME, _K.COMPLETED): "completed work",
    (_MAKES_TIME, _K.ASSIGNED): "took on work themselves",
    (_REOPENS, _K.REOPENED): "reopened a completed item",
    (_INVITES_YOU, _K.LINKED): "linked our project from their own",
    (_INVITES_YOU, _K.MEMBER_ADDED): "added a team member to their space",
    (_UNASSIGNS_SELF, _K.UNASSIGNED): "unassigned themselves",
    (_REACTION, _K.REACTION): "reacted",
}
# Activities are pulled and classified in parts of this many, and their signals folded
# into the sums in batches of this many (see _Pass).
_PART = 2048
_BATCH = 65_536
# The young-generation threshold of the cyclic garbage collector during an audit.  A batch
# keeps some hundred thousand objects alive until its fold; at the default threshold
# the collector would sweep them over and over (the pass itself makes no cycles).
_GC_THRESHOLD = 1_000_000
# The positions in a batch as lasting int objects: the logs hold them until the fold,
# and fresh ints freed in log order would scatter the allocator's free lists.
_POSITIONS = list(range(_BATCH + _PART))
_epoch = datetime.timestamp
_timestamp = attrgetter("timestamp")
_first = itemgetter(0)
_TEAM = object()
"""Marks a team member's account in the identity cache."""
_MISSING = object()
_IS_RESISTANCE = tuple(s.is_resistance for s in _SIGNALS)
# The slots that keep evidence, with the signal it is reported as (reactions count as participation).
_EVIDENCE_SLOTS: tuple[tuple[int, Signal], ...] = (
    *enumerate(_SIGNALS),
    (_REACTION, Signal.PARTICIPATES_ACTIVELY),
)


@attrs.frozen
class Candidate:
    """An active account that the register does not know: someone to consider adding."""

    tool: str
    account: str
    activities: int
    last_seen: datetime


@attrs.frozen
class SourceReport:
    """How collecting one source went."""

    name: str
    adapter: str
    status: str
    """``ok``, ``partial`` (some data missing) or ``failed`` (nothing usable)."""
    error: str | None
    stats: SourceStats
    activities: int = 0


@attrs.frozen
class Explanation:
    """The evidence trail behind one stakeholder's place on the map and each suggestion."""

    score: StakeholderScore
    suggestions: tuple[CareSuggestion, ...]

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.score.evidence

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the explanation."""
        s = self.score
        return {
            "stakeholder": s.name,
            "category": s.category.value,
            "acceptance": round(s.acceptance, 2),
            "energy": round(s.energy, 2),
            "trend": s.trend.value,
            "at_risk": s.at_risk,
            "priority": s.priority,
            "signals": dict(s.signal_counts),
            "evidence": [_evidence_dict(e) for e in s.evidence],
            "suggestions": [
                {
                    "action": c.action.value,
                    "title": c.title,
                    "why": c.explanation,
                    "links": list(c.links),
                    "due": c.due.date().isoformat(),
                    "fingerprint": c.fingerprint,
                }
                for c in self.suggestions
            ],
        }

    def __str__(self) -> str:
        s = self.score
        lines = [
            f"{s.name}: {s.category.label}" + (" — partner at risk" if s.at_risk else ""),
            f"  acceptance {s.acceptance:+.2f} (−3…+3), energy {s.energy:.2f} (1…5), "
            f"trend {s.trend.value} (recent {s.recent_energy:.2f} vs own baseline {s.baseline_energy:.2f}), "
            f"priority {s.priority}",
        ]
        if s.signal_counts:
            counts = ", ".join(f"{k} ×{v}" for k, v in sorted(s.signal_counts.items()))
            lines.append(f"  signals in the window: {counts}")
        lines.append("  evidence (newest first):")
        if not s.evidence:
            lines.append("    none in the window")
        for e in s.evidence:
            mark = "−" if e.signal.is_resistance else "+"
            link = ", ".join(e.links) or "(no link)"
            lines.append(f"    {e.timestamp:%Y-%m-%d} {mark} {e.signal.value}: {e.note} {link}".rstrip())
        if self.suggestions:
            lines.append("  suggested care:")
            for c in self.suggestions:
                lines.append(f"    {c.action.value} (due {c.due:%Y-%m-%d}): {c.explanation}")
                for link in c.links[:5]:
                    lines.append(f"      {link}")
        return "\n".join(lines)


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {
        "signal": e.signal.value,
        "resistance": e.signal.is_resistance,
        "date": e.timestamp.isoformat(),
        "weight": round(e.weight, 3),
        "links": list(e.links),
        "note": e.note,
    }


@attrs.frozen
class Audit:
    """The result of :func:`audit`: the map, the evidence behind it and how collection went."""

    project: ProjectSettings
    register: Register
    rules: Rules
    since: datetime
    until: datetime
    scores: Mapping[str, StakeholderScore]
    candidates: tuple[Candidate, ...]
    sources: tuple[SourceReport, ...]
    warnings: tuple[str, ...]
    activities_seen: int

    @property
    def partners_at_risk(self) -> tuple[StakeholderScore, ...]:
        """Partners whose recent energy fell clearly below their own baseline."""
        return tuple(s for s in self.scores.values() if s.at_risk)

    @property
    def is_partial(self) -> bool:
        """True when a source failed or had to skip data."""
        return any(r.status != "ok" for r in self.sources)

    def by_category(self) -> dict[Category, list[StakeholderScore]]:
        """Scores grouped by category, every category present."""
        groups: dict[Category, list[StakeholderScore]] = {c: [] for c in Category}
        for s in self.scores.values():
            groups[s.category].append(s)
        return groups

    def score(self, name: str) -> StakeholderScore:
        """The score of the stakeholder called ``name`` (case-insensitive)."""
        folded = name.casefold()
        for key, value in self.scores.items():
            if key.casefold() == folded:
                return value
        from stakeplug.domain.suggest import did_you_mean

        raise KeyError(f"no stakeholder named {name!r} in the register{did_you_mean(name, self.scores)}")

    def explain(self, name: str, suggestions: Sequence[CareSuggestion] | None = None) -> Explanation:
        """The evidence behind ``name``'s score and each care suggestion for them.

        Without ``suggestions`` the care planner runs with ``now = until``.
        """
        score = self.score(name)
        if suggestions is None:
            from stakeplug.care.planner import plan_care

            suggestions = plan_care(self, now=self.until)
        mine = tuple(c for c in suggestions if c.stakeholder == score.name)
        return Explanation(score=score, suggestions=mine)


class _Person:
    """Running sums for one stakeholder during the pass, indexed by signal slot."""

    __slots__ = ("counts", "evidence", "idx", "lapsed", "logs", "recent", "stakeholder", "sums")

    def __init__(self, stakeholder: Stakeholder, idx: int, cap: int):
        self.stakeholder = stakeholder
        self.idx = idx
        self.sums = [0.0] * _SLOTS
        """Decayed occurrence weight per slot."""
        self.counts = [0] * _SLOTS
        """Occurrences per slot in the whole window."""
        self.recent = [0] * _SLOTS
        """Occurrences per slot in the recent part of the window."""
        self.logs: list[list[int]] = [[] for _ in range(_SLOTS)]
        """Positions in the current batch of the activities that showed each slot (see _Pass.fold)."""
        self.lapsed: list[tuple[float, str, Activity]] = []
        """The pending entries of requests whose deadline passed unanswered during the current batch."""
        # Each entry is either a bare Activity (evidence from that activity alone; its
        # note follows from the slot and the activity, see _bare_note) or a
        # (timestamp, activities, note) tuple.
        self.evidence: list[deque[Any]] = [deque(maxlen=cap) for _ in range(_SLOTS)]


class _Batch:
    """The activities of one batch, with their times and decay factors, until the fold."""

    __slots__ = ("activities", "decays", "ordered", "tss")

    def __init__(self) -> None:
        self.activities: list[Activity] = []
        self.tss: list[float] = []
        self.decays: list[float] = []
        self.ordered = True


class _Handle:
    """A stakeholder as one tool knows them: their requests pending there, by item id."""

    __slots__ = ("idx", "lapsed", "logs", "pending", "person", "tool")

    def __init__(self, person: _Person, tool: str):
        self.person = person
        self.idx = person.idx
        self.logs = person.logs
        self.lapsed = person.lapsed
        self.tool = tool
        self.pending: dict[str, tuple[float, str, Activity]] = {}


class _Pass:
    """The single pass over the activity stream.

    Activities arrive in parts of ``_PART``.  For each part the timestamps,
    the window check and the decay factors are computed column-wise; the loop
    over the part then only classifies each activity, pairs requests with
    answers and due dates with completions, and notes the batch position of
    each signal in a per-stakeholder, per-slot log.  Every ``_BATCH``
    activities :meth:`fold` turns those logs into the running sums and the
    capped evidence.  Signals whose time or evidence is not simply their
    activity's (answers, missed agreements) go through :meth:`add` directly;
    requests left unanswered are collected per stakeholder and folded with
    the batch (:meth:`fold_lapsed`).

    A request's deadline is checked when the request is next touched (an
    answer, or asking again), and all passed deadlines are recorded at the
    start of each part and before each fold; agreements likewise.  That gives
    the same signals, at the same times, as checking before every activity.
    """

    def __init__(self, register: Register, rules: Rules, since: datetime, until: datetime):
        self.register = register
        self.rules = rules
        self.since, self.until = since, until
        self.since_ts = since.timestamp()
        self.until_ts = until.timestamp()
        self.recent_start = self.until_ts - rules.recent_days * _DAY
        self.decay_k = math.log(2) / (rules.half_life_days * _DAY)
        self.answer_s = rules.answer_days * _DAY
        self.quick_s = rules.quick_response_hours * 3600.0
        self.grace_s = rules.due_grace_days * _DAY
        self.cap = rules.evidence_per_signal
        self.acc_w = [rules.acceptance_weight[s] for s in _SIGNALS] + [
            rules.acceptance_weight[Signal.PARTICIPATES_ACTIVELY] * rules.reaction_factor,
            rules.approval_bonus,
        ]
        self.en_w = [rules.energy_weight[s] for s in _SIGNALS] + [
            rules.energy_weight[Signal.PARTICIPATES_ACTIVELY] * rules.reaction_factor,
            0.0,
        ]
        self.resistance = [*_IS_RESISTANCE, False, False]
        self.people = [_Person(s, i, self.cap) for i, s in enumerate(register.stakeholders)]
        self.by_name = {p.stakeholder.name: p for p in self.people}
        self.all_logs = [log for p in self.people for log in p.logs]
        # Evidence recorded through add() during the current batch, by person index × _SLOTS + slot.
        self.extras: dict[int, list[tuple[float, tuple[Activity, ...], str]]] = {}
        self.report_labels = {label.casefold() for label in register.project.status_report_labels}
        self.report_titles = tuple(t.casefold() for t in register.project.status_report_titles)
        # Per tool: raw account -> _Handle | _TEAM | None, and item id -> is a status report.
        self.who: dict[str, dict[str | None, Any]] = {}
        self.reports: dict[str, dict[str, bool]] = {}
        self.handles: dict[tuple[str, int], _Handle] = {}
        self.candidates: dict[tuple[str, str], list[Any]] = {}
        # Pending requests live on the handles; their deadlines, as (deadline, opened,
        # handle, item id), wait in a queue while they arrive in time order (answer_days
        # after activities that arrive in time order), else in a heap, where a sequence
        # number after the times keeps entries comparable.
        self.pending_queue: deque[tuple[float, float, _Handle, str]] = deque()
        self.pending_heap: list[tuple[float, float, int, _Handle, str]] = []
        self.sequence = count()
        self.lapsed_notes = {
            req: f"{req} not answered within {rules.answer_days:g} days"
            for req in (_MENTION, _REQUEST, _REVIEW)
        }
        # agreements: (tool, item id) -> {person index: (due ts, activity)}
        self.agreements: dict[tuple[str, str], dict[int, tuple[float, Activity]]] = {}
        self.agreement_heap: list[tuple[float, float, tuple[str, str], int]] = []
        self.seen = 0
        self.last = -math.inf
        """The latest timestamp seen from a single source, to notice out-of-order input."""

    # -- identities -------------------------------------------------------

    def tool(self, tool: str) -> tuple[dict[str | None, Any], dict[str, bool]]:
        """The identity and status-report caches of one tool."""
        who = self.who.get(tool)
        if who is None:
            who = self.who[tool] = {None: None}
            self.reports[tool] = {}
        return who, self.reports[tool]

    def resolve(self, tool: str, account: str | None) -> _Handle | object | None:
        """Who an account is: a stakeholder's handle in ``tool``, ``_TEAM``, or ``None`` (unknown)."""
        who, _ = self.tool(tool)
        cached = who.get(account, _MISSING)
        if cached is not _MISSING or account is None:
            return cached  # type: ignore[no-any-return]
        hit = self.register.lookup(tool, account)
        result: _Handle | object | None
        if hit is None:
            result = None
        elif hit[0] == "team":
            result = _TEAM
        else:
            person = self.by_name[hit[1]]
            result = self.handles.get((tool, person.idx))
            if result is None:
                result = self.handles[(tool, person.idx)] = _Handle(person, tool)
        who[account] = result
        return result

    def report_flag(self, item: Item, cache: dict[str, bool]) -> bool:
        """Whether ``item`` is a status report (by kind, label or title); cached per item."""
        flag = item.kind is ItemKind.STATUS_REPORT or any(
            label.casefold() in self.report_labels for label in item.labels
        )
        if not flag and self.report_titles and item.title:
            title = item.title.casefold()
            flag = any(t in title for t in self.report_titles)
        if len(cache) > 50_000:
            cache.clear()
        cache[item.id] = flag
        return flag

    # -- evidence ---------------------------------------------------------

    def add(
        self,
        person: _Person,
        slot: int,
        ts: float,
        acts: tuple[Activity, ...],
        note: str,
        times: int = 1,
    ) -> None:
        """Record ``times`` occurrences of a signal slot at ``ts``, with the activities behind it."""
        person.sums[slot] += times * math.exp((ts - self.until_ts) * self.decay_k)
        person.counts[slot] += times
        if ts >= self.recent_start:
            person.recent[slot] += times
        if slot != _APPROVAL:
            self.extras.setdefault(person.idx * _SLOTS + slot, []).append((ts, acts, note))

    def fold(self, batch: _Batch) -> None:
        """Add the batch's logged signals to the running sums and keep the newest as evidence."""
        people, logs, cap = self.people, self.all_logs, self.cap
        tss = batch.tss
        take, decay_at = batch.activities.__getitem__, batch.decays.__getitem__
        # The position of the batch's first recent activity, when the batch is in time order.
        cut = bisect_left(tss, self.recent_start) if batch.ordered else None
        if self.extras:
            for at, entries in self.extras.items():
                person = people[at // _SLOTS]
                slot = at % _SLOTS
                log = logs[at]
                if log:
                    self.fold_sums(person, slot, log, tss, decay_at, cut)
                    # In time order; at equal times the answer came first, as the loop recorded it.
                    merged: list[tuple[float, Any]] = [(e[0], e) for e in entries]
                    # In time order only the log's newest can make the cut.
                    merged.extend((tss[j], take(j)) for j in (log[-cap:] if cut is not None else log))
                    merged.sort(key=_first)
                    person.evidence[slot].extend(m[1] for m in merged[-cap:])
                    log.clear()
                else:
                    entries.sort(key=_first)  # in time order, as the deadlines passed
                    person.evidence[slot].extend(entries)
            self.extras.clear()
        for person in people:
            if person.lapsed:
                self.fold_lapsed(person)
        for at in compress(range(len(logs)), logs):
            log = logs[at]
            person = people[at // _SLOTS]
            slot = at % _SLOTS
            self.fold_sums(person, slot, log, tss, decay_at, cut)
            if slot != _APPROVAL:
                person.evidence[slot].extend(map(take, log[-cap:] if len(log) > cap else log))
            log.clear()

    def fold_lapsed(self, person: _Person) -> None:
        """Record the person's requests that went unanswered during the batch, at their deadlines."""
        entries = person.lapsed
        slot = _LEAVES_REQUESTS_UNANSWERED
        answer_s = self.answer_s
        deadlines = [e[0] + answer_s for e in entries]
        person.sums[slot] += sum(_decays(deadlines, self.until_ts, self.decay_k))
        person.counts[slot] += len(entries)
        start = self.recent_start
        person.recent[slot] += sum(1 for d in deadlines if d >= start)
        # In time order, as the deadlines passed; only the newest can stay as evidence.
        entries.sort(key=_first)
        notes = self.lapsed_notes
        person.evidence[slot].extend(
            (opened + answer_s, (request,), notes[req]) for opened, req, request in entries[-self.cap :]
        )
        entries.clear()

    def fold_sums(
        self,
        person: _Person,
        slot: int,
        log: list[int],
        tss: list[float],
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
            person.recent[slot] += sum(1 for j in log if tss[j] >= start)

    # -- deadlines --------------------------------------------------------

    def wait_for_answer(self, ts: float, handle: _Handle, item_id: str) -> None:
        """Queue the deadline of a request opened at ``ts``."""
        deadline = ts + self.answer_s
        queue = self.pending_queue
        if not queue or queue[-1][0] <= deadline:
            queue.append((deadline, ts, handle, item_id))
        else:
            heapq.heappush(self.pending_heap, (deadline, ts, next(self.sequence), handle, item_id))

    def expire(self, now: float) -> None:
        """Record the requests and agreements whose deadline passed before ``now``."""
        queue, heap = self.pending_queue, self.pending_heap
        while True:
            # A request's deadline passed: unanswered, unless it was answered or asked again since.
            if queue and queue[0][0] < now:
                _, opened, handle, item_id = queue.popleft()
            elif heap and heap[0][0] < now:
                _, opened, _, handle, item_id = heapq.heappop(heap)
            else:
                break
            pending = handle.pending
            entry = pending.get(item_id)
            if entry is not None and entry[0] == opened:
                del pending[item_id]
                self.unanswered(handle, entry)
        aheap = self.agreement_heap
        while aheap and aheap[0][0] < now:
            _, due, item_key, idx = heapq.heappop(aheap)
            open_items = self.agreements.get(item_key)
            if not open_items:
                continue
            entry2 = open_items.get(idx)
            if entry2 is not None and entry2[0] == due:
                del open_items[idx]
                if not open_items:
                    del self.agreements[item_key]
                self.missed(idx, entry2)

    def unanswered(self, handle: _Handle, entry: tuple[float, str, Activity]) -> None:
        """A request whose deadline passed without an answer (assignments only lapse); see fold_lapsed."""
        if entry[1] is not _ASSIGNMENT:
            handle.lapsed.append(entry)

    def missed(self, idx: int, entry: tuple[float, Activity]) -> None:
        """An agreement whose due date (plus grace) passed without completion."""
        due_ts, assigned = entry
        self.add(
            self.people[idx],
            _MISSES_AGREEMENTS,
            due_ts + self.grace_s,
            (assigned,),
            "not completed by the agreed due date",
        )

    def open_agreement(self, idx: int, due: datetime, activity: Activity, ts: float) -> None:
        """Wait for the completion of an assignment due at ``due``, made at ``ts``."""
        due_ts = due.timestamp()
        item_key = (activity.item.tool, activity.item.id)
        open_items = self.agreements.setdefault(item_key, {})
        earlier = open_items.get(idx)
        if earlier is not None and ts > earlier[0] + self.grace_s:
            self.missed(idx, earlier)
        open_items[idx] = (due_ts, activity)
        heapq.heappush(self.agreement_heap, (due_ts + self.grace_s, due_ts, item_key, idx))

    # -- the pass ---------------------------------------------------------

    def run(
        self,
        activities: Iterable[Activity],
        source: _SourceRun | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Feed ``activities`` through the pass.

        Activities are pulled in parts of ``_PART``; each part is classified
        right away, while it is fresh in the processor's caches, and every
        ``_BATCH`` activities the batch's logs are folded into the sums.
        With ``source`` the pass also does that source's bookkeeping (count,
        order, progress).  When the source fails, what it delivered before the
        failure still counts; then the error propagates.
        """
        it = iter(activities)
        while True:
            batch = _Batch()
            failure: Exception | None = None
            exhausted = False
            while len(batch.activities) < _BATCH:
                part: list[Activity] = []
                try:
                    part.extend(islice(it, _PART))
                except Exception as exc:
                    failure = exc
                if part:
                    self.run_part(batch, part, source)
                    if progress is not None and source is not None:
                        progress(source.name, source.count, source.stats().requests)
                if failure is not None or len(part) < _PART:
                    exhausted = True
                    break
            if batch.tss:
                self.expire(max(batch.tss) if not batch.ordered else batch.tss[-1])
            self.fold(batch)
            if failure is not None:
                raise failure
            if exhausted:
                return

    def run_part(self, batch: _Batch, part: list[Activity], source: _SourceRun | None) -> None:
        """One part: its columns (times, window, order, decay), then the loop over it."""
        tss = list(map(_epoch, map(_timestamp, part)))
        ordered = all(map(le, tss, islice(tss, 1, None)))
        lo, hi = (tss[0], tss[-1]) if ordered else (min(tss), max(tss))
        since_ts, until_ts = self.since_ts, self.until_ts
        if lo < since_ts or hi >= until_ts:
            keep = [j for j, t in enumerate(tss) if since_ts <= t < until_ts]
            if not keep:
                return
            part = [part[j] for j in keep]
            tss = [tss[j] for j in keep]
        self.seen += len(part)
        if source is not None:
            source.count += len(part)
            tolerance = self.rules.reorder_tolerance_seconds
            if ordered and tss[0] >= self.last - tolerance:
                self.last = tss[-1]
            else:
                last = self.last
                for t in tss:
                    if t < last - tolerance:
                        source.out_of_order += 1
                    else:
                        last = t
                self.last = last
        if batch.tss and (not ordered or tss[0] < batch.tss[-1]):
            batch.ordered = False
        elif not batch.tss:
            batch.ordered = ordered
        # Deadlines that passed before this part; those passing within it are noticed
        # where the request or agreement is next touched, and at the end of the batch.
        self.expire(tss[0])
        base = len(batch.activities)
        batch.activities.extend(part)
        batch.tss.extend(tss)
        batch.decays.extend(_decays(tss, until_ts, self.decay_k))
        self.loop(part, tss, _POSITIONS[base : base + len(part)])

    def loop(self, part: list[Activity], tss: list[float], positions: list[int]) -> None:
        """Classify each activity of a part; the hot loop of the engine.

        ``positions`` are the activities' positions in the batch, which the logs record.

        The common cases (a stakeholder's comment, the kinds in ``_SIMPLE``, a
        team member's request) are handled inline with local names; everything
        rarer goes through the methods below.
        """
        answer_s = self.answer_s
        lapse = self.unanswered
        team, missing = _TEAM, _MISSING
        comment, review_comment = ActivityKind.COMMENT, ActivityKind.REVIEW_COMMENT
        completed, request, assigned = ActivityKind.COMPLETED, ActivityKind.REQUEST, ActivityKind.ASSIGNED
        transitioned, reaction, review = ActivityKind.TRANSITIONED, ActivityKind.REACTION, ActivityKind.REVIEW
        review_slots = _REVIEW_SLOTS
        input_needed, pull_request = ItemKind.INPUT_NEEDED, ItemKind.PULL_REQUEST
        answering = _ANSWERING_KINDS
        simple_get = _SIMPLE.get
        pa, ai, uf = _PARTICIPATES_ACTIVELY, _APPROACHES_INFORMALLY, _GIVES_UNSOLICITED_FEEDBACK
        assignment = _ASSIGNMENT
        wait_for_answer = self.wait_for_answer
        resolve, answered_by, report_flag = self.resolve, self.answered, self.report_flag
        current: str | None = None
        who_get: Callable[..., Any] = dict.get
        reports: dict[str, bool] = {}
        for i, activity, ts in zip(positions, part, tss, strict=True):
            item = activity.item
            tool = item.tool
            if tool is not current and tool != current:
                current = tool
                who, reports = self.tool(tool)
                who_get = who.get
            actor = who_get(activity.actor, missing)
            if actor is missing:
                actor = resolve(tool, activity.actor)
            kind = activity.kind
            if actor is team:
                if kind is completed:
                    self.complete(activity, ts)
                    continue
                # A team member's comment, request or assignment: each stakeholder it is
                # addressed to now has a pending request on the item.
                addressees = activity.addressees
                if not addressees:
                    continue
                if kind is comment or kind is review_comment:
                    req = _REQUEST if item.kind is input_needed else _MENTION
                elif kind is request:
                    asks_review = activity.details.get("request_kind") == "review"
                    req = _REVIEW if asks_review or item.kind is pull_request else _REQUEST
                elif kind is assigned:
                    req = assignment
                else:
                    continue
                item_id = item.id
                for account in addressees:
                    target = who_get(account, missing)
                    if target is missing:
                        target = resolve(tool, account)
                    if target is None or target is team:
                        continue
                    pending = target.pending
                    entry = pending.get(item_id)
                    if entry is not None and ts > entry[0] + answer_s:
                        lapse(target, entry)  # its deadline passed earlier in this part
                        entry = None
                    if entry is None:
                        pending[item_id] = (ts, req, activity)
                        wait_for_answer(ts, target, item_id)
                    if req is assignment and activity.due is not None:
                        self.open_agreement(target.idx, activity.due, activity, ts)
                continue
            if actor is None:
                self.stranger(activity, ts, tool)
                continue
            if kind is comment or kind is review_comment:
                # A stakeholder's comment: participation, plus an answer or an unasked contribution.
                logs = actor.logs
                logs[pa].append(i)
                item_id = item.id
                pending = actor.pending
                if pending:
                    entry = pending.pop(item_id, None)
                    if entry is not None:
                        if ts > entry[0] + answer_s:
                            lapse(actor, entry)
                        elif answered_by(actor, activity, ts, entry) is not assignment:
                            continue
                report = reports.get(item_id)
                if report is None:
                    report = report_flag(item, reports)
                logs[uf if report else ai].append(i)
                continue
            answered = None
            if actor.pending and kind in answering:
                entry = actor.pending.pop(item.id, None)
                if entry is not None:
                    if ts > entry[0] + answer_s:
                        lapse(actor, entry)
                    else:
                        answered = answered_by(actor, activity, ts, entry)
            slot = simple_get(kind)
            if slot is not None:
                if kind is transitioned and answered is assignment:
                    continue  # picking up assigned work was judged with the answer
                if kind is reaction and activity.count != 1:
                    self.add(actor.person, slot, ts, (activity,), "reacted", activity.count)
                else:
                    actor.logs[slot].append(i)
            elif kind is review:
                logs = actor.logs
                for slot in review_slots[activity.verdict]:
                    logs[slot].append(i)
            else:
                self.stakeholder_activity(actor, activity, ts, i)

    def stranger(self, activity: Activity, ts: float, tool: str) -> None:
        """Someone outside the register: a candidate to add; their completions still judge agreements."""
        if activity.kind is ActivityKind.COMPLETED:
            self.complete(activity, ts)
        account = activity.actor
        if account is not None:
            entry = self.candidates.get((tool, account))
            if entry is None:
                self.candidates[(tool, account)] = [1, activity.timestamp]
            else:
                entry[0] += 1
                entry[1] = max(entry[1], activity.timestamp)

    def complete(self, activity: Activity, ts: float) -> None:
        """Judge the agreements on a completed item."""
        item_key = (activity.item.tool, activity.item.id)
        judged: set[int] = set()
        open_items = self.agreements.pop(item_key, None)
        if open_items:
            grace = self.grace_s
            for idx, entry in open_items.items():
                if ts > entry[0] + grace:
                    self.missed(idx, entry)  # it lapsed before this completion
                else:
                    judged.add(idx)
                    self.judge(idx, ts, entry[0], (entry[1], activity))
        if activity.due is not None:
            due_ts = activity.due.timestamp()
            for account in activity.addressees:
                target = self.resolve(activity.item.tool, account)
                if isinstance(target, _Handle):
                    idx = target.idx
                    if idx not in judged:
                        judged.add(idx)
                        self.judge(idx, ts, due_ts, (activity,))

    def judge(self, idx: int, ts: float, due_ts: float, acts: tuple[Activity, ...]) -> None:
        person = self.people[idx]
        if ts <= due_ts + self.grace_s:
            self.add(person, _KEEPS_AGREEMENTS, ts, acts, "completed by the agreed due date")
        else:
            late = (ts - due_ts) / _DAY
            self.add(person, _MISSES_AGREEMENTS, ts, acts, f"completed {late:.0f} days after the due date")

    def answered(
        self, handle: _Handle, activity: Activity, ts: float, entry: tuple[float, str, Activity]
    ) -> str:
        """Record the answer to the pending request ``entry``; return the request's kind."""
        person = handle.person
        opened, req, request = entry
        acts = (request, activity)
        if req is _ASSIGNMENT:
            if ts - opened <= self.quick_s:
                self.add(person, _MAKES_TIME, ts, acts, "picked up assigned work soon after being asked")
            return req
        if req is _MENTION:
            self.add(person, _ANSWERS_MESSAGES, ts, acts, "answered a message from the team")
        else:
            self.add(person, _RESPONDS_TO_REQUESTS, ts, acts, _ANSWER_NOTES[req])
            if req is _REVIEW and activity.kind is ActivityKind.REVIEW:
                self.add(person, _KEEPS_AGREEMENTS, ts, acts, "delivered a requested review")
        if ts - opened <= self.quick_s:
            self.add(person, _MAKES_TIME, ts, acts, "answered soon after being asked")
        return req

    def stakeholder_activity(self, handle: _Handle, activity: Activity, ts: float, at: int) -> None:
        """Stakeholder activities whose signal depends on more than their kind or verdict.

        Comments, reviews and the kinds in ``_SIMPLE`` are handled inline in
        :meth:`loop`.  ``at`` is the activity's position in the batch, for the
        logs.
        """
        kind = activity.kind
        logs = handle.logs
        tool = handle.tool
        if kind is ActivityKind.ASSIGNED:
            if any(self.resolve(tool, a) is handle for a in activity.addressees):
                logs[_MAKES_TIME].append(at)
                if activity.due is not None:
                    self.open_agreement(handle.idx, activity.due, activity, ts)
            else:
                logs[_PARTICIPATES_ACTIVELY].append(at)
        elif kind is ActivityKind.UNASSIGNED:
            if not activity.addressees or any(self.resolve(tool, a) is handle for a in activity.addressees):
                logs[_UNASSIGNS_SELF].append(at)
                open_items = self.agreements.get((tool, activity.item.id))
                if open_items:
                    dropped = open_items.pop(handle.idx, None)
                    if dropped is not None and ts > dropped[0] + self.grace_s:
                        self.missed(handle.idx, dropped)
        elif kind is ActivityKind.COMPLETED:
            logs[_MAKES_TIME].append(at)
            self.complete(activity, ts)
        elif kind is ActivityKind.LINKED:
            if "block" in (activity.link_type or "").casefold():
                logs[_BLOCKS].append(at)
            elif activity.external and not self.register.is_own_project(
                tool, activity.details.get("other_project")
            ):
                logs[_INVITES_YOU].append(at)
            else:
                logs[_PARTICIPATES_ACTIVELY].append(at)
        elif kind is ActivityKind.MEMBER_ADDED and any(
            self.resolve(tool, a) is _TEAM for a in activity.addressees
        ):
            logs[_INVITES_YOU].append(at)

    def finish(self) -> None:
        self.expire(self.until_ts)
        self.fold(_Batch())


def _decays(times: Iterable[float], until_ts: float, k: float) -> Iterator[float]:
    """The decay factor ``exp(k·(t − until))`` of each time, computed column-wise."""
    return map(math.exp, map(mul, map(sub, times, repeat(until_ts)), repeat(k)))


def _bare_note(slot: int, activity: Activity) -> str:
    """The note of evidence that is one activity alone, from its slot and the activity."""
    kind = activity.kind
    note = _NOTES.get((slot, kind))
    if note is not None:
        return note
    if slot == _REQUESTS_CHANGES:
        return f"review: {activity.verdict.value if activity.verdict else 'changes requested'}"
    if slot == _BLOCKS:
        return f"added a blocking link ({activity.link_type})"
    if kind is ActivityKind.REVIEW:
        return "approved a review" if activity.verdict is Verdict.APPROVED else "reviewed with comments"
    return _SIGNALS[slot].value.replace("_", " ") if slot < _N else "reacted"


def _signal_counts(counts: list[int]) -> dict[str, int]:
    result = {_SIGNALS[i].value: n for i, n in enumerate(counts[:_N]) if n}
    if counts[_REACTION]:
        key = Signal.PARTICIPATES_ACTIVELY.value
        result[key] = result.get(key, 0) + counts[_REACTION]
    return dict(sorted(result.items()))


def _energy(value: float, scale: float) -> float:
    return 1.0 + 4.0 * (1.0 - math.exp(-value / scale))


def _score(p: _Pass, person: _Person) -> StakeholderScore:
    rules = p.rules
    st = person.stakeholder
    prior = st.prior_acceptance
    strength = rules.prior_strength if prior is not None else 0.0
    acc_w, en_w, resistance = p.acc_w, p.en_w, p.resistance
    support = resist = decayed_energy = recent_weight = total_weight = 0.0
    for i in range(_SLOTS):
        if resistance[i]:
            resist += acc_w[i] * person.sums[i]
        else:
            support += acc_w[i] * person.sums[i]
        decayed_energy += en_w[i] * person.sums[i]
        recent_weight += en_w[i] * person.recent[i]
        total_weight += en_w[i] * person.counts[i]
    base_weight = total_weight - recent_weight
    num = (prior or 0.0) * strength + 3.0 * (support - resist)
    den = strength + support + resist + rules.smoothing
    acceptance = max(-3.0, min(3.0, num / den)) if den > 0 else 0.0
    energy = _energy(decayed_energy, rules.energy_scale)

    recent_days = float(rules.recent_days)
    base_days = max(0.0, (p.recent_start - p.since_ts) / _DAY)
    recent_rate = recent_weight / recent_days * 30.0
    base_rate = base_weight / base_days * 30.0 if base_days >= 1 else 0.0
    window_days = (p.until_ts - p.since_ts) / _DAY
    h = rules.half_life_days
    # The decayed sum a steady rate would give over the whole window: puts rates on the energy scale.
    steady = h / math.log(2) * (1 - 2 ** (-window_days / h)) / 30.0
    recent_energy = _energy(recent_rate * steady, rules.energy_scale)
    baseline_energy = _energy(base_rate * steady, rules.energy_scale)
    if base_rate < rules.min_baseline_per_30d:
        trend = Trend.NEW if recent_rate >= rules.min_baseline_per_30d else Trend.STEADY
        ratio = None
    else:
        ratio = recent_rate / base_rate
        if ratio >= rules.rising_ratio:
            trend = Trend.RISING
        elif ratio <= rules.falling_ratio:
            trend = Trend.FALLING
        else:
            trend = Trend.STEADY

    if acceptance > rules.accept_above:
        category = Category.PARTNER if energy >= rules.high_energy else Category.SILENT_SUPPORTER
    elif acceptance < rules.reject_below:
        category = Category.OPPONENT if energy >= rules.high_energy else Category.SILENT_CRITIC
    else:
        category = Category.UNDECIDED
    at_risk = (
        acceptance > rules.accept_above
        and ratio is not None
        and baseline_energy >= rules.high_energy
        and ratio <= rules.at_risk_ratio
    )

    evidence: list[Evidence] = []
    for slot, signal in _EVIDENCE_SLOTS:
        for entry in person.evidence[slot]:
            if type(entry) is Activity:
                when, acts, note = entry.timestamp, (entry,), _bare_note(slot, entry)
            else:
                ts, acts, note = entry
                when = datetime.fromtimestamp(ts, UTC)
            decay = math.exp((when.timestamp() - p.until_ts) * p.decay_k)
            evidence.append(
                Evidence(
                    signal=signal,
                    stakeholder=st.name,
                    timestamp=when,
                    weight=acc_w[slot] * decay,
                    activities=acts,
                    note=note,
                )
            )
    evidence.sort(key=lambda e: (e.timestamp, e.signal.value), reverse=True)
    return StakeholderScore(
        stakeholder=st,
        acceptance=acceptance,
        energy=energy,
        category=category,
        priority=st.power * st.interest,
        trend=trend,
        recent_energy=recent_energy,
        baseline_energy=baseline_energy,
        at_risk=at_risk,
        at_risk_reason=AtRiskReason.LOSING_INTEREST if at_risk else None,
        signal_counts=_signal_counts(person.counts),
        evidence=tuple(evidence),
    )


SourceLike = Any
"""An :class:`~stakeplug.adapter.Adapter`, a ``(name, adapter)`` pair, or an iterable of activities."""


class _SourceRun:
    """Collects one source, catching its failure so the others keep going."""

    def __init__(self, name: str, adapter_name: str, adapter: Any, activities: Iterable[Activity]):
        self.name = name
        self.adapter_name = adapter_name
        self.adapter = adapter
        self.activities = activities
        self.count = 0
        self.error: str | None = None
        self.out_of_order = 0

    def fail(self, exc: Exception) -> None:
        """Record why the source stopped; the audit goes on without the rest of it."""
        from stakeplug.errors import StakeplugError

        if isinstance(exc, StakeplugError):
            self.error = str(exc)
        else:
            log.debug("source %s raised an unexpected error", self.name, exc_info=True)
            self.error = f"unexpected {type(exc).__name__}: {exc}"
        log.warning("source %s stopped: %s", self.name, self.error)

    def stats(self) -> SourceStats:
        stats = getattr(self.adapter, "stats", None)
        return stats if isinstance(stats, SourceStats) else SourceStats(activities=self.count)

    def report(self) -> SourceReport:
        stats = self.stats()
        if self.error is not None:
            status = "partial" if self.count else "failed"
            error: str | None = self.error
        elif stats.skipped:
            status = "partial"
            reasons = "; ".join(stats.skipped_reasons[:3])
            error = f"{stats.skipped} item(s) skipped" + (f": {reasons}" if reasons else "")
        else:
            status, error = "ok", None
        return SourceReport(self.name, self.adapter_name, status, error, stats, self.count)


def _wrap(
    run: _SourceRun,
    since: datetime,
    until: datetime,
    progress: ProgressCallback | None,
    tolerance: timedelta,
) -> Iterator[Activity]:
    """One source's activities within the window, with its bookkeeping and its failure contained.

    It compares datetimes: the pass computes each activity's epoch seconds once, later.
    """
    last: datetime | None = None
    try:
        for activity in run.activities:
            when = activity.timestamp
            if when < since or when >= until:
                continue
            if last is not None and when < last - tolerance:
                run.out_of_order += 1
            else:
                last = when
            run.count += 1
            if progress is not None and run.count % 1000 == 0:
                progress(run.name, run.count, run.stats().requests)
            yield activity
    except Exception as exc:
        run.fail(exc)
    if progress is not None:
        progress(run.name, run.count, run.stats().requests)


def _runs(sources: Iterable[SourceLike], since: datetime, until: datetime) -> list[_SourceRun]:
    runs: list[_SourceRun] = []
    for i, given in enumerate(sources):
        name: str | None = None
        source = given
        if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
            name, source = given
        collect = getattr(source, "collect", None)
        if callable(collect):
            adapter_name = str(getattr(source, "name", type(source).__name__))
            run = _SourceRun(name or adapter_name, adapter_name, source, ())
            run.activities = _lazy_collect(run, collect, since, until)
        else:
            run = _SourceRun(name or f"source{i}", "iterable", None, source)
        runs.append(run)
    return runs


def _lazy_collect(
    run: _SourceRun,
    collect: Callable[[datetime, datetime], Iterable[Activity]],
    since: datetime,
    until: datetime,
) -> Iterator[Activity]:
    # Calling collect() inside the generator keeps its errors inside the source's own guard.
    yield from collect(since, until)


def _run_sources(
    state: _Pass, runs: list[_SourceRun], rules: Rules, progress: ProgressCallback | None
) -> None:
    """Feed every source through the pass: one directly, several merged oldest first."""
    if len(runs) == 1:
        only = runs[0]
        try:
            state.run(only.activities, only, progress)
        except Exception as exc:
            only.fail(exc)
        if progress is not None:
            progress(only.name, only.count, only.stats().requests)
    elif runs:
        tolerance = timedelta(seconds=rules.reorder_tolerance_seconds)
        streams = [_wrap(r, state.since, state.until, progress, tolerance) for r in runs]
        state.run(heapq.merge(*streams, key=_timestamp))


def audit(
    register: Register,
    sources: Iterable[SourceLike],
    since: datetime | None = None,
    until: datetime | None = None,
    rules: Rules | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> Audit:
    """Score every registered stakeholder from the activities of ``sources``.

    ``sources`` holds adapters (``collect(since, until)`` is called on each),
    ``(name, adapter)`` pairs, or plain iterables of :class:`Activity`.  The
    window defaults to ``[until - lookback_days, until)`` with ``until`` = now.
    Activities are consumed lazily, merged oldest first across sources.  A
    source that raises is recorded as failed (or partial) in
    :attr:`Audit.sources` and the others still count.
    """
    rules = rules or load_rules()
    until = ensure_utc(until) if until is not None else datetime.now(UTC)
    lookback = timedelta(days=register.project.lookback_days)
    since = ensure_utc(since) if since is not None else until - lookback
    if since >= until:
        from stakeplug.errors import ConfigError

        raise ConfigError(
            f"the window is empty: since {since:%Y-%m-%d %H:%M} is not before until {until:%Y-%m-%d %H:%M}"
        )
    if rules.recent_days * _DAY >= (until - since).total_seconds():
        log.info("window shorter than rules.windows.recent_days: trends need a longer window")

    state = _Pass(register, rules, since, until)
    runs = _runs(sources, since, until)
    # Rarer young-generation sweeps while the pass and the scoring run (see _GC_THRESHOLD).
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _GC_THRESHOLD), *thresholds[1:])
    try:
        _run_sources(state, runs, rules, progress)
        state.finish()
        scores = {p.stakeholder.name: _score(state, p) for p in state.people}
    finally:
        gc.set_threshold(*thresholds)
    candidates = tuple(
        sorted(
            (Candidate(tool, account, n, last) for (tool, account), (n, last) in state.candidates.items()),
            key=lambda c: (-c.activities, c.tool, normalize_account(c.account)),
        )
    )
    warnings = []
    for r in runs:
        if r.out_of_order:
            warnings.append(
                f"source {r.name}: {r.out_of_order} activities arrived out of chronological order; "
                "request/answer pairing may be approximate"
            )
    return Audit(
        project=register.project,
        register=register,
        rules=rules,
        since=since,
        until=until,
        scores=scores,
        candidates=candidates,
        sources=tuple(r.report() for r in runs),
        warnings=tuple(warnings),
        activities_seen=state.seen,
    )
