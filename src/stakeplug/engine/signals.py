"""The signal slots of the ledger, and the notes evidence gets from its slot and activity.

The hot loop indexes lists by slot instead of hashing enum members.  The first
slots are the :class:`~stakeplug.domain.model.Signal` members in order; three
more follow: reactions (reported as participation, with their own weight
factor), the acceptance bonus of approving reviews, and every review that gives
a verdict (weightless: the share of reviews requesting changes is counted on it).
"""

from __future__ import annotations

from stakeplug.domain.model import Activity, ActivityKind, Signal, Verdict

SIGNALS: tuple[Signal, ...] = tuple(Signal)
SIGNAL_COUNT = len(SIGNALS)
ANSWERS_MESSAGES = SIGNALS.index(Signal.ANSWERS_MESSAGES)
APPROACHES_INFORMALLY = SIGNALS.index(Signal.APPROACHES_INFORMALLY)
RESPONDS_TO_REQUESTS = SIGNALS.index(Signal.RESPONDS_TO_REQUESTS)
PARTICIPATES_ACTIVELY = SIGNALS.index(Signal.PARTICIPATES_ACTIVELY)
KEEPS_AGREEMENTS = SIGNALS.index(Signal.KEEPS_AGREEMENTS)
MAKES_TIME = SIGNALS.index(Signal.MAKES_TIME)
INVITES_YOU = SIGNALS.index(Signal.INVITES_YOU)
GIVES_UNSOLICITED_FEEDBACK = SIGNALS.index(Signal.GIVES_UNSOLICITED_FEEDBACK)
REQUESTS_CHANGES = SIGNALS.index(Signal.REQUESTS_CHANGES)
REOPENS = SIGNALS.index(Signal.REOPENS)
BLOCKS = SIGNALS.index(Signal.BLOCKS)
LEAVES_REQUESTS_UNANSWERED = SIGNALS.index(Signal.LEAVES_REQUESTS_UNANSWERED)
MISSES_AGREEMENTS = SIGNALS.index(Signal.MISSES_AGREEMENTS)
UNASSIGNS_SELF = SIGNALS.index(Signal.UNASSIGNS_SELF)
REACTION = SIGNAL_COUNT
APPROVAL = SIGNAL_COUNT + 1
REVIEWED = SIGNAL_COUNT + 2
SLOT_COUNT = SIGNAL_COUNT + 3
NO_EVIDENCE = APPROVAL
"""The slots from this one on only count (the approval bonus, the reviews given): no evidence."""

IS_RESISTANCE: tuple[bool, ...] = (*(s.is_resistance for s in SIGNALS), False, False, False)
"""Per slot: whether it counts against acceptance."""

EVIDENCE_SLOTS: tuple[tuple[int, Signal], ...] = (
    *enumerate(SIGNALS),
    (REACTION, Signal.PARTICIPATES_ACTIVELY),
)
"""The slots that keep evidence, with the signal each is reported as (reactions count as participation)."""

SIMPLE: dict[ActivityKind, int] = {
    ActivityKind.REACTION: REACTION,
    ActivityKind.TRANSITIONED: MAKES_TIME,
    ActivityKind.CREATED: APPROACHES_INFORMALLY,
    ActivityKind.REOPENED: REOPENS,
    ActivityKind.REQUEST: PARTICIPATES_ACTIVELY,
}
"""Stakeholder activities whose kind alone decides their one slot."""

REVIEW_SLOTS: dict[Verdict | None, tuple[int, ...]] = {
    Verdict.APPROVED: (PARTICIPATES_ACTIVELY, APPROVAL, REVIEWED),
    Verdict.CHANGES_REQUESTED: (REQUESTS_CHANGES, REVIEWED),
    Verdict.REJECTED: (REQUESTS_CHANGES, REVIEWED),
    Verdict.COMMENTED: (PARTICIPATES_ACTIVELY, REVIEWED),
    Verdict.DISMISSED: (),
    None: (PARTICIPATES_ACTIVELY, REVIEWED),
}
"""The slots a stakeholder's review shows, by verdict."""

_K = ActivityKind
_NOTES: dict[tuple[int, ActivityKind], str] = {
    (PARTICIPATES_ACTIVELY, _K.COMMENT): "took part in the discussion",
    (PARTICIPATES_ACTIVELY, _K.REVIEW_COMMENT): "took part in the discussion",
    (PARTICIPATES_ACTIVELY, _K.REQUEST): "asked the team for input",
    (PARTICIPATES_ACTIVELY, _K.ASSIGNED): "assigned work",
    (PARTICIPATES_ACTIVELY, _K.LINKED): "linked related work",
    (APPROACHES_INFORMALLY, _K.COMMENT): "commented where nobody asked them",
    (APPROACHES_INFORMALLY, _K.REVIEW_COMMENT): "commented where nobody asked them",
    (APPROACHES_INFORMALLY, _K.CREATED): "raised an item on their own",
    (GIVES_UNSOLICITED_FEEDBACK, _K.COMMENT): "commented on a status report unasked",
    (GIVES_UNSOLICITED_FEEDBACK, _K.REVIEW_COMMENT): "commented on a status report unasked",
    (MAKES_TIME, _K.TRANSITIONED): "moved work forward",
    (MAKES_TIME, _K.COMPLETED): "completed work",
    (MAKES_TIME, _K.ASSIGNED): "took on work themselves",
    (REOPENS, _K.REOPENED): "reopened a completed item",
    (INVITES_YOU, _K.LINKED): "linked our project from their own",
    (INVITES_YOU, _K.MEMBER_ADDED): "added a team member to their space",
    (UNASSIGNS_SELF, _K.UNASSIGNED): "unassigned themselves",
    (REACTION, _K.REACTION): "reacted",
}


def bare_note(slot: int, activity: Activity) -> str:
    """The note of evidence that is one activity alone, from its slot and the activity."""
    kind = activity.kind
    note = _NOTES.get((slot, kind))
    if note is not None:
        return note
    if slot == REQUESTS_CHANGES:
        return f"review: {activity.verdict.value if activity.verdict else 'changes requested'}"
    if slot == BLOCKS:
        return f"added a blocking link ({activity.link_type})"
    if kind is ActivityKind.REVIEW:
        return "approved a review" if activity.verdict is Verdict.APPROVED else "reviewed with comments"
    return SIGNALS[slot].value.replace("_", " ") if slot < SIGNAL_COUNT else "reacted"


def signal_counts(counts: list[int]) -> dict[str, int]:
    """Occurrences per signal name, reactions counted as participation, in name order."""
    result = {SIGNALS[i].value: n for i, n in enumerate(counts[:SIGNAL_COUNT]) if n}
    if counts[REACTION]:
        key = Signal.PARTICIPATES_ACTIVELY.value
        result[key] = result.get(key, 0) + counts[REACTION]
    return dict(sorted(result.items()))
