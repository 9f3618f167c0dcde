"""The behaviours of DESIGN §1 that take more than an activity's kind: answers, agreements, links.

The hot loop (:mod:`stakeplug.engine.loop`) handles the common cases inline
and hands everything rarer to :class:`Behaviours`, which holds the parts of one
pass: the identities, the deadlines and the ledger.

* **request → answer**: a mention, review request, question or assignment from
  a team member opens a *pending request* for the addressed stakeholder on that
  item.  Their next action on the item within ``answer_days`` answers it
  (``answers_messages`` for mentions, ``responds_to_requests`` for review
  requests and questions, plus ``keeps_agreements`` when a requested review is
  delivered and ``makes_time`` when the answer came within
  ``quick_response_hours``).
* **due date → completion**: an assignment with a due date opens an
  *agreement*; completing the item by the due date (plus grace) is
  ``keeps_agreements``, completing it later or not at all is
  ``misses_agreements``.  A completion that carries its own due date and
  assignees (as Jira reports it) is judged directly.
"""

from __future__ import annotations

from stakeplug.domain.model import Activity, ActivityKind, Verdict
from stakeplug.domain.register import Register
from stakeplug.domain.rules import Rules
from stakeplug.engine.deadlines import ASSIGNMENT, MENTION, REVIEW, Deadlines
from stakeplug.engine.identities import TEAM, Handle, Identities
from stakeplug.engine.ledger import DAY, WEEK, Ledger, PendingRequest
from stakeplug.engine.signals import (
    ANSWERS_MESSAGES,
    BLOCKS,
    INVITES_YOU,
    KEEPS_AGREEMENTS,
    MAKES_TIME,
    MISSES_AGREEMENTS,
    PARTICIPATES_ACTIVELY,
    REACTION,
    RESPONDS_TO_REQUESTS,
    UNASSIGNS_SELF,
)

_BLOCKING = frozenset({Verdict.CHANGES_REQUESTED, Verdict.REJECTED})
_ANSWER_NOTES = {REVIEW: "answered a review request", "request": "answered a request for input"}


class Behaviours:
    """One pass's identities, deadlines and ledger, and the rules that need more than one of them."""

    def __init__(self, register: Register, rules: Rules, ledger: Ledger):
        self.register = register
        self.ledger = ledger
        self.identities = Identities(register, ledger.people)
        self.deadlines = Deadlines(ledger, rules)
        self.answer_s = rules.answer_days * DAY
        self.quick_s = rules.quick_response_hours * 3600.0
        self.grace_s = rules.due_grace_days * DAY
        self.reactions_per_week = rules.reactions_per_week
        self.energy = ledger.energy

    def show(self, handle: Handle, slot: int, at: int) -> None:
        """The act at batch position ``at`` shows ``slot`` and nothing else in the loop: log both."""
        handle.logs[slot].append(at)
        handle.act_log.append(at)
        handle.act_weights.append(self.energy[slot])

    def answered(self, handle: Handle, activity: Activity, ts: float, entry: PendingRequest, at: int) -> str:
        """Record the answer (at batch position ``at``) to the pending request ``entry``; return its kind."""
        person, add = handle.person, self.ledger.add
        opened, kind, request = entry
        acts = (request, activity)
        if kind is ASSIGNMENT:
            if ts - opened <= self.quick_s:
                add(person, MAKES_TIME, ts, acts, "picked up assigned work soon after being asked", 1, at)
            return kind
        if kind is MENTION:
            add(person, ANSWERS_MESSAGES, ts, acts, "answered a message from the team", 1, at)
        else:
            add(person, RESPONDS_TO_REQUESTS, ts, acts, _ANSWER_NOTES[kind], 1, at)
            if activity.verdict in _BLOCKING:
                # Answering is responsiveness; the verdict itself counts as resistance, and
                # a review that holds the work back neither keeps an agreement nor makes time.
                return kind
            if kind is REVIEW and activity.kind is ActivityKind.REVIEW:
                add(person, KEEPS_AGREEMENTS, ts, acts, "delivered a requested review", 1, at)
        if ts - opened <= self.quick_s:
            add(person, MAKES_TIME, ts, acts, "answered soon after being asked", 1, at)
        return kind

    def stranger(self, activity: Activity, ts: float, tool: str) -> None:
        """Someone outside the register: a candidate to add; their completions still judge agreements."""
        if activity.kind is ActivityKind.COMPLETED:
            self.complete(activity, ts)
        self.identities.count_candidate(activity, tool)

    def complete(self, activity: Activity, ts: float, by: tuple[int, int] | None = None) -> None:
        """Judge the agreements on a completed item; ``by`` is the completing stakeholder and act."""
        item_key = (activity.item.tool, activity.item.id)
        judged: set[int] = set()
        for index, agreement in self.deadlines.close_agreements(item_key).items():
            judged.add(index)  # one agreement, judged once: kept, or missed once even when late
            if ts > agreement[0] + self.grace_s:
                self.deadlines.missed(index, agreement)  # it lapsed before this completion
            else:
                self.judge(index, ts, agreement[0], (agreement[1], activity), _act(index, by))
        if activity.due is not None:
            due_ts = activity.due.timestamp()
            for account in activity.addressees:
                target = self.identities.resolve(activity.item.tool, account)
                if isinstance(target, Handle) and target.index not in judged:
                    if self.deadlines.was_missed(item_key, target.index):
                        continue  # its due date passed earlier and was counted as missed then
                    judged.add(target.index)
                    self.judge(target.index, ts, due_ts, (activity,), _act(target.index, by))

    def judge(
        self, index: int, ts: float, due_ts: float, acts: tuple[Activity, ...], at: int | None = None
    ) -> None:
        """A completion at ``ts`` of work due at ``due_ts``: an agreement kept or missed.

        ``at`` is the position of the stakeholder's own completing act, when it was theirs.
        """
        person = self.ledger.people[index]
        if ts <= due_ts + self.grace_s:
            self.ledger.add(person, KEEPS_AGREEMENTS, ts, acts, "completed by the agreed due date", 1, at)
        else:
            late = (ts - due_ts) / DAY
            note = f"completed {late:.0f} days after the due date"
            self.ledger.add(person, MISSES_AGREEMENTS, ts, acts, note, 1, at)

    def reaction(self, handle: Handle, activity: Activity, ts: float, at: int) -> None:
        """Reactions, capped per stakeholder and week of the window: a low-effort signal cannot pile up."""
        person = handle.person
        week = int((ts - self.ledger.week_start) // WEEK)
        counted = person.reactions[week]
        given = activity.count
        times = min(given, self.reactions_per_week - counted)
        if times <= 0:
            return
        person.reactions[week] = counted + times
        if given == 1:
            self.show(handle, REACTION, at)
        else:
            note = "reacted" if times == given else f"reacted ×{given}, {times} counted (weekly cap)"
            self.ledger.add(person, REACTION, ts, (activity,), note, times, at)

    def review_comment(self, handle: Handle, activity: Activity, at: int) -> None:
        """A line comment that belongs to a review with a verdict: part of that review, not unasked.

        The review itself carries the verdict; a comment of a review that holds the work back adds
        nothing, one of an approving or commenting review is participation.
        """
        if activity.verdict not in _BLOCKING and activity.verdict is not Verdict.DISMISSED:
            self.show(handle, PARTICIPATES_ACTIVELY, at)

    def stakeholder_activity(self, handle: Handle, activity: Activity, ts: float, at: int) -> None:
        """Stakeholder activities whose signal depends on more than their kind or verdict.

        Comments, reviews and the kinds in ``SIMPLE`` are handled inline in the
        loop.  ``at`` is the activity's position in the batch, for the logs.
        """
        kind = activity.kind
        show = self.show
        tool = handle.tool
        resolve = self.identities.resolve
        if kind is ActivityKind.ASSIGNED:
            if any(resolve(tool, a) is handle for a in activity.addressees):
                show(handle, MAKES_TIME, at)
                if activity.due is not None:
                    self.deadlines.open_agreement(handle.index, activity.due, activity, ts)
            else:
                show(handle, PARTICIPATES_ACTIVELY, at)
        elif kind is ActivityKind.UNASSIGNED:
            if not activity.addressees or any(resolve(tool, a) is handle for a in activity.addressees):
                show(handle, UNASSIGNS_SELF, at)
                self.deadlines.drop_agreement((tool, activity.item.id), handle.index, ts)
        elif kind is ActivityKind.COMPLETED:
            show(handle, MAKES_TIME, at)
            self.complete(activity, ts, (handle.index, at))
        elif kind is ActivityKind.LINKED:
            if "block" in (activity.link_type or "").casefold():
                show(handle, BLOCKS, at)
            elif activity.external and not self.register.is_own_project(
                tool, activity.details.get("other_project")
            ):
                show(handle, INVITES_YOU, at)
            else:
                show(handle, PARTICIPATES_ACTIVELY, at)
        elif kind is ActivityKind.MEMBER_ADDED and any(resolve(tool, a) is TEAM for a in activity.addressees):
            show(handle, INVITES_YOU, at)


def _act(index: int, by: tuple[int, int] | None) -> int | None:
    """The position of the act behind a judged agreement, when the stakeholder completed it."""
    return by[1] if by is not None and by[0] == index else None
