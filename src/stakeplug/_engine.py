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
"""

from __future__ import annotations

import gc
import heapq
import logging
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from stakeplug._model import (
    Activity,
    ActivityKind,
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
from stakeplug._register import ProjectSettings, Register, normalize_account
from stakeplug._rules import Rules, load_rules
from stakeplug.adapter import SourceStats

if TYPE_CHECKING:
    pass

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
_INLINE_NOTES = {
    _PARTICIPATES_ACTIVELY: "took part in the discussion",
    _APPROACHES_INFORMALLY: "commented where nobody asked them",
    _GIVES_UNSOLICITED_FEEDBACK: "commented on a status report unasked",
}
_ANSWER_NOTES = {_REVIEW: "answered a review request", _REQUEST: "answered a request for input"}
# Stakeholder activities whose kind alone decides their one signal, handled inline.
_SIMPLE: dict[ActivityKind, tuple[int, str]] = {
    ActivityKind.REACTION: (_REACTION, "reacted"),
    ActivityKind.TRANSITIONED: (_MAKES_TIME, "moved work forward"),
    ActivityKind.CREATED: (_APPROACHES_INFORMALLY, "raised an item on their own"),
    ActivityKind.REOPENED: (_REOPENS, "reopened a completed item"),
    ActivityKind.REQUEST: (_PARTICIPATES_ACTIVELY, "asked the team for input"),
}
_TEAM = object()
"""Marks a team member's account in the identity cache."""
_MISSING = object()
_IS_RESISTANCE = tuple(s.is_resistance for s in _SIGNALS)


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
        from stakeplug._suggest import did_you_mean

        raise KeyError(f"no stakeholder named {name!r} in the register{did_you_mean(name, self.scores)}")

    def explain(self, name: str, suggestions: Sequence[CareSuggestion] | None = None) -> Explanation:
        """The evidence behind ``name``'s score and each care suggestion for them.

        Without ``suggestions`` the care planner runs with ``now = until``.
        """
        score = self.score(name)
        if suggestions is None:
            from stakeplug._planner import plan_care

            suggestions = plan_care(self, now=self.until)
        mine = tuple(c for c in suggestions if c.stakeholder == score.name)
        return Explanation(score=score, suggestions=mine)


class _Person:
    """Running sums for one stakeholder during the pass, indexed by signal slot."""

    __slots__ = ("counts", "evidence", "idx", "recent", "stakeholder", "sums")

    def __init__(self, stakeholder: Stakeholder, idx: int, cap: int):
        self.stakeholder = stakeholder
        self.idx = idx
        self.sums = [0.0] * _SLOTS
        """Decayed occurrence weight per slot."""
        self.counts = [0] * _SLOTS
        """Occurrences per slot in the whole window."""
        self.recent = [0] * _SLOTS
        """Occurrences per slot in the recent part of the window."""
        # Each entry is either a bare Activity (evidence from that activity alone,
        # with the slot's usual note) or a (timestamp, activities, note) tuple.
        self.evidence: list[deque[Any]] = [deque(maxlen=cap) for _ in range(_SLOTS)]


class _Pass:
    """The single pass over the activity stream."""

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
        self.acc_w = [rules.acceptance_weight[s] for s in _SIGNALS] + [
            rules.acceptance_weight[Signal.PARTICIPATES_ACTIVELY] * rules.reaction_factor,
            rules.approval_bonus,
        ]
        self.en_w = [rules.energy_weight[s] for s in _SIGNALS] + [
            rules.energy_weight[Signal.PARTICIPATES_ACTIVELY] * rules.reaction_factor,
            0.0,
        ]
        self.resistance = [*_IS_RESISTANCE, False, False]
        self.people = [_Person(s, i, rules.evidence_per_signal) for i, s in enumerate(register.stakeholders)]
        self.by_name = {p.stakeholder.name: p for p in self.people}
        self.report_labels = {label.casefold() for label in register.project.status_report_labels}
        self.report_titles = tuple(t.casefold() for t in register.project.status_report_titles)
        # (tool, raw account) -> _Person | _TEAM | None
        self.who: dict[tuple[str | None, str | None], Any] = {}
        self.candidates: dict[tuple[str, str], list[Any]] = {}
        # pending requests: (tool, item id, person index) -> (time, kind, activity)
        self.pending: dict[tuple[str, str, int], tuple[float, str, Activity]] = {}
        self.pending_heap: list[tuple[float, float, tuple[str, str, int]]] = []
        # agreements: (tool, item id) -> {person index: (due ts, activity)}
        self.agreements: dict[tuple[str, str], dict[int, tuple[float, Activity]]] = {}
        self.agreement_heap: list[tuple[float, float, tuple[str, str], int]] = []
        self.seen = 0
        self.is_report_cache: dict[tuple[str, str], bool] = {}

    # -- identities -------------------------------------------------------

    def resolve(self, tool: str, account: str | None) -> _Person | object | None:
        """Who an account is: a stakeholder's running state, ``_TEAM``, or ``None`` (unknown)."""
        if account is None:
            return None
        key = (tool, account)
        cached = self.who.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        hit = self.register.lookup(tool, account)
        result: _Person | object | None
        if hit is None:
            result = None
        elif hit[0] == "team":
            result = _TEAM
        else:
            result = self.by_name[hit[1]]
        self.who[key] = result
        return result

    def report_flag(self, item: Item) -> bool:
        """Whether ``item`` is a status report (by kind, label or title); cached per item."""
        flag = item.kind is ItemKind.STATUS_REPORT or any(
            label.casefold() in self.report_labels for label in item.labels
        )
        if not flag and self.report_titles and item.title:
            title = item.title.casefold()
            flag = any(t in title for t in self.report_titles)
        if len(self.is_report_cache) > 50_000:
            self.is_report_cache.clear()
        self.is_report_cache[(item.tool, item.id)] = flag
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
            person.evidence[slot].append((ts, acts, note))

    # -- deadlines --------------------------------------------------------

    def expire(self, now: float) -> None:
        heap = self.pending_heap
        while heap and heap[0][0] < now:
            deadline, opened, key = heapq.heappop(heap)
            entry = self.pending.get(key)
            if entry is not None and entry[0] == opened:
                del self.pending[key]
                if entry[1] != _ASSIGNMENT:
                    person = self.people[key[2]]
                    self.add(
                        person,
                        _LEAVES_REQUESTS_UNANSWERED,
                        deadline,
                        (entry[2],),
                        f"{entry[1]} not answered within {self.rules.answer_days:g} days",
                    )
        aheap = self.agreement_heap
        while aheap and aheap[0][0] < now:
            deadline, due, item_key, idx = heapq.heappop(aheap)
            open_items = self.agreements.get(item_key)
            if not open_items:
                continue
            entry2 = open_items.get(idx)
            if entry2 is not None and entry2[0] == due:
                del open_items[idx]
                if not open_items:
                    del self.agreements[item_key]
                self.add(
                    self.people[idx],
                    _MISSES_AGREEMENTS,
                    deadline,
                    (entry2[1],),
                    "not completed by the agreed due date",
                )

    # -- the pass ---------------------------------------------------------

    def open_agreement(self, idx: int, due: datetime, activity: Activity) -> None:
        due_ts = due.timestamp()
        item_key = (activity.item.tool, activity.item.id)
        self.agreements.setdefault(item_key, {})[idx] = (due_ts, activity)
        heapq.heappush(self.agreement_heap, (due_ts + self.grace_s, due_ts, item_key, idx))

    def run(
        self,
        activities: Iterable[Activity],
        source: _SourceRun | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Feed ``activities`` through the pass; the hot loop of the engine.

        The common case, a stakeholder's comment, is handled inline with local
        names; everything rarer goes through the methods below.  With ``source``
        the loop also does that source's bookkeeping (count, order, progress).
        """
        since_ts, until_ts = self.since_ts, self.until_ts
        who_get = self.who.get
        resolve = self.resolve
        pending = self.pending
        pheap, aheap = self.pending_heap, self.agreement_heap
        exp, k, recent_start = math.exp, self.decay_k, self.recent_start
        comment, review_comment = ActivityKind.COMMENT, ActivityKind.REVIEW_COMMENT
        answering = _ANSWERING_KINDS
        report_flag = self.report_flag
        report_cache = self.is_report_cache
        pa, ai, uf = _PARTICIPATES_ACTIVELY, _APPROACHES_INFORMALLY, _GIVES_UNSOLICITED_FEEDBACK
        team_activity, stakeholder_activity = self.team_activity, self.stakeholder_activity
        missing = _MISSING
        last = -math.inf
        tolerance = self.rules.reorder_tolerance_seconds
        answer_s = self.answer_s
        heappush = heapq.heappush
        simple_get = _SIMPLE.get
        transitioned = ActivityKind.TRANSITIONED
        completed, request, assigned = ActivityKind.COMPLETED, ActivityKind.REQUEST, ActivityKind.ASSIGNED
        pull_request = ItemKind.PULL_REQUEST
        reaction_slot = _REACTION
        team = _TEAM
        input_needed = ItemKind.INPUT_NEEDED
        seen = 0
        counted = source.count if source is not None else 0
        try:
            for activity in activities:
                ts = activity.timestamp.timestamp()
                if ts < since_ts or ts >= until_ts:
                    continue
                seen += 1
                if source is not None:
                    if ts < last - tolerance:
                        source.out_of_order += 1
                    else:
                        last = ts
                    counted += 1
                    if not counted % 1000:
                        source.count = counted
                        if progress is not None:
                            progress(source.name, counted, source.stats().requests)
                if (pheap and pheap[0][0] < ts) or (aheap and aheap[0][0] < ts):
                    self.expire(ts)
                item = activity.item
                tool = item.tool
                actor = who_get((tool, activity.actor), missing)
                if actor is missing:
                    actor = resolve(tool, activity.actor)
                kind = activity.kind
                if actor is team and kind is not completed:
                    # A team member's comment, request or assignment: each stakeholder it is
                    # addressed to now has a pending request on the item.
                    if kind is comment or kind is review_comment:
                        req = _REQUEST if item.kind is input_needed else _MENTION
                    elif kind is request:
                        review = activity.details.get("request_kind") == "review"
                        req = _REVIEW if review or item.kind is pull_request else _REQUEST
                    elif kind is assigned:
                        req = _ASSIGNMENT
                    else:
                        continue
                    for account in activity.addressees:
                        target = who_get((tool, account), missing)
                        if target is missing:
                            target = resolve(tool, account)
                        if target is None or target is team:
                            continue
                        key = (tool, item.id, target.idx)
                        if key not in pending:
                            pending[key] = (ts, req, activity)
                            heappush(pheap, (ts + answer_s, ts, key))
                        if req is _ASSIGNMENT and activity.due is not None:
                            self.open_agreement(target.idx, activity.due, activity)
                    continue
                if actor is None or actor is team:
                    team_activity(activity, ts, tool, actor)
                    continue
                entry = pending.pop((tool, item.id, actor.idx), None) if pending else None
                if kind is not comment and kind is not review_comment:
                    answered = None
                    if entry is not None:
                        if kind in answering:
                            answered = self.answered(actor, activity, ts, entry)
                        else:
                            pending[(tool, item.id, actor.idx)] = entry
                    simple = simple_get(kind)
                    if simple is None:
                        stakeholder_activity(actor, activity, ts, tool)
                        continue
                    if kind is transitioned and answered == _ASSIGNMENT:
                        continue  # picking up assigned work was judged with the answer
                    # One fixed signal per activity of this kind (reactions may count several).
                    slot, note = simple
                    times = activity.count if slot == reaction_slot else 1
                    actor.sums[slot] += times * exp((ts - until_ts) * k)
                    actor.counts[slot] += times
                    if ts >= recent_start:
                        actor.recent[slot] += times
                    actor.evidence[slot].append((ts, (activity,), note))
                    continue
                # A stakeholder's comment: participation, plus an answer or an unasked contribution.
                answered = self.answered(actor, activity, ts, entry) if entry is not None else None
                decay = exp((ts - until_ts) * k)
                recent = ts >= recent_start
                actor.sums[pa] += decay
                actor.counts[pa] += 1
                if recent:
                    actor.recent[pa] += 1
                actor.evidence[pa].append(activity)
                if answered is None or answered == _ASSIGNMENT:
                    report = report_cache.get((tool, item.id))
                    if report is None:
                        report = report_flag(item)
                    sig = uf if report else ai
                    actor.sums[sig] += decay
                    actor.counts[sig] += 1
                    if recent:
                        actor.recent[sig] += 1
                    actor.evidence[sig].append(activity)
        finally:
            self.seen += seen
            if source is not None:
                source.count = counted

    def note_candidate(self, tool: str, account: str, when: datetime) -> None:
        entry = self.candidates.get((tool, account))
        if entry is None:
            self.candidates[(tool, account)] = [1, when]
        else:
            entry[0] += 1
            entry[1] = max(entry[1], when)

    def team_activity(self, activity: Activity, ts: float, tool: str, actor: object) -> None:
        """Completions by team members, and everything done by people outside the register.

        (The team's requests are handled inline in :meth:`run`.)
        """
        if activity.kind is ActivityKind.COMPLETED:
            self.complete(activity, ts)
        if actor is None and activity.actor is not None:
            self.note_candidate(tool, activity.actor, activity.timestamp)

    def complete(self, activity: Activity, ts: float) -> None:
        """Judge the agreements on a completed item."""
        item_key = (activity.item.tool, activity.item.id)
        judged: set[int] = set()
        open_items = self.agreements.pop(item_key, None)
        if open_items:
            for idx, (due_ts, assigned) in open_items.items():
                judged.add(idx)
                self.judge(idx, ts, due_ts, (assigned, activity))
        if activity.due is not None:
            due_ts = activity.due.timestamp()
            for account in activity.addressees:
                target = self.resolve(activity.item.tool, account)
                if isinstance(target, _Person):
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
        self, person: _Person, activity: Activity, ts: float, entry: tuple[float, str, Activity]
    ) -> str:
        """Record the answer to the pending request ``entry``; return the request's kind."""
        opened, req, request = entry
        acts = (request, activity)
        if req == _ASSIGNMENT:
            if ts - opened <= self.quick_s:
                self.add(person, _MAKES_TIME, ts, acts, "picked up assigned work soon after being asked")
            return req
        if req == _MENTION:
            self.add(person, _ANSWERS_MESSAGES, ts, acts, "answered a message from the team")
        else:
            self.add(person, _RESPONDS_TO_REQUESTS, ts, acts, _ANSWER_NOTES[req])
            if req == _REVIEW and activity.kind is ActivityKind.REVIEW:
                self.add(person, _KEEPS_AGREEMENTS, ts, acts, "delivered a requested review")
        if ts - opened <= self.quick_s:
            self.add(person, _MAKES_TIME, ts, acts, "answered soon after being asked")
        return req

    def stakeholder_activity(self, person: _Person, activity: Activity, ts: float, tool: str) -> None:
        """Stakeholder activities whose signal depends on more than their kind.

        Comments and the kinds in ``_SIMPLE`` are handled inline in :meth:`run`.
        """
        kind = activity.kind
        acts = (activity,)
        if kind is ActivityKind.REVIEW:
            verdict = activity.verdict
            if verdict is Verdict.CHANGES_REQUESTED or verdict is Verdict.REJECTED:
                self.add(person, _REQUESTS_CHANGES, ts, acts, f"review: {verdict.value}")
            elif verdict is Verdict.APPROVED:
                self.add(person, _PARTICIPATES_ACTIVELY, ts, acts, "approved a review")
                self.add(person, _APPROVAL, ts, acts, "")
            elif verdict is not Verdict.DISMISSED:
                self.add(person, _PARTICIPATES_ACTIVELY, ts, acts, "reviewed with comments")
        elif kind is ActivityKind.ASSIGNED:
            targets = [self.resolve(tool, a) for a in activity.addressees]
            if person in targets:
                self.add(person, _MAKES_TIME, ts, acts, "took on work themselves")
                if activity.due is not None:
                    self.open_agreement(person.idx, activity.due, activity)
            else:
                self.add(person, _PARTICIPATES_ACTIVELY, ts, acts, "assigned work")
        elif kind is ActivityKind.UNASSIGNED:
            targets = [self.resolve(tool, a) for a in activity.addressees]
            if person in targets or not activity.addressees:
                self.add(person, _UNASSIGNS_SELF, ts, acts, "unassigned themselves")
                open_items = self.agreements.get((tool, activity.item.id))
                if open_items:
                    open_items.pop(person.idx, None)
        elif kind is ActivityKind.COMPLETED:
            self.add(person, _MAKES_TIME, ts, acts, "completed work")
            self.complete(activity, ts)
        elif kind is ActivityKind.LINKED:
            link = (activity.link_type or "").casefold()
            if "block" in link:
                self.add(person, _BLOCKS, ts, acts, f"added a blocking link ({activity.link_type})")
            elif activity.external and not self.register.is_own_project(
                tool, activity.details.get("other_project")
            ):
                self.add(person, _INVITES_YOU, ts, acts, "linked our project from their own")
            else:
                self.add(person, _PARTICIPATES_ACTIVELY, ts, acts, "linked related work")
        elif kind is ActivityKind.MEMBER_ADDED and any(
            self.resolve(tool, a) is _TEAM for a in activity.addressees
        ):
            self.add(person, _INVITES_YOU, ts, acts, "added a team member to their space")

    def finish(self) -> None:
        self.expire(self.until_ts)


def _signal_counts(counts: list[int]) -> dict[str, int]:
    result = {_SIGNALS[i].value: n for i, n in enumerate(counts[:_N]) if n}
    if counts[_REACTION]:
        key = Signal.PARTICIPATES_ACTIVELY.value
        result[key] = result.get(key, 0) + counts[_REACTION]
    return dict(sorted(result.items()))


def _energy(value: float, scale: float) -> float:
    return 1.0 + 4.0 * (1.0 - math.exp(-value / scale))


def _score(p: _Pass, person: _Person, since: datetime) -> StakeholderScore:
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
    for i, entries in enumerate([*person.evidence[:_N], person.evidence[_REACTION]]):
        slot = i if i < _N else _REACTION
        signal = _SIGNALS[i] if i < _N else Signal.PARTICIPATES_ACTIVELY
        for entry in entries:
            if type(entry) is Activity:
                when, acts, note = entry.timestamp, (entry,), _INLINE_NOTES[slot]
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


def _timestamp(activity: Activity) -> datetime:
    return activity.timestamp


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
    # The pass allocates many short-lived tuples but creates no reference cycles, so
    # the cyclic collector's frequent young-generation sweeps only cost time; make them
    # rarer for the duration of the pass (reference counting still frees everything).
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 100_000), *thresholds[1:])
    try:
        _run_sources(state, runs, rules, progress)
    finally:
        gc.set_threshold(*thresholds)
    state.finish()

    scores = {p.stakeholder.name: _score(state, p, since) for p in state.people}
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
