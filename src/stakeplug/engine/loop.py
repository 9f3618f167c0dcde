"""The hot loop: classify each activity of one part into signal logs, requests and answers.

The common cases (a stakeholder's comment, the kinds in ``SIMPLE``, a review, a
team member's request) are handled inline with local names, because this loop
runs once per activity; everything rarer goes through
:class:`~stakeplug.engine.behaviours.Behaviours`.  Each act of a stakeholder's
that shows a slot is noted once in their act log, with the energy weight of the
strongest slot it shows here (see :meth:`~stakeplug.engine.ledger.Ledger.count_acts`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stakeplug.domain.model import Activity, ActivityKind, ItemKind
from stakeplug.engine.behaviours import Behaviours
from stakeplug.engine.deadlines import ASSIGNMENT, MENTION, REQUEST, REVIEW
from stakeplug.engine.identities import MISSING, TEAM
from stakeplug.engine.signals import (
    APPROACHES_INFORMALLY,
    GIVES_UNSOLICITED_FEEDBACK,
    PARTICIPATES_ACTIVELY,
    REVIEW_SLOTS,
    SIMPLE,
)

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
"""The kinds of a stakeholder's activity that answer a request pending on the same item."""


def classify(behaviours: Behaviours, part: list[Activity], times: list[float], positions: list[int]) -> None:
    """Classify each activity of a part; ``positions`` are their positions in the batch, for the logs."""
    identities, deadlines = behaviours.identities, behaviours.deadlines
    answer_s = behaviours.answer_s
    lapse = deadlines.unanswered
    wait_for_answer = deadlines.wait_for_answer
    open_agreement = deadlines.open_agreement
    resolve, report_flag, caches = identities.resolve, identities.report_flag, identities.tool
    answered_by, complete, stranger = behaviours.answered, behaviours.complete, behaviours.stranger
    energy, act_weight = behaviours.ledger.energy, behaviours.ledger.act_weight
    stakeholder_activity = behaviours.stakeholder_activity
    line_comment_of_review, react = behaviours.review_comment, behaviours.reaction
    team, missing = TEAM, MISSING
    comment, review_comment = ActivityKind.COMMENT, ActivityKind.REVIEW_COMMENT
    completed, request, assigned = ActivityKind.COMPLETED, ActivityKind.REQUEST, ActivityKind.ASSIGNED
    transitioned, reaction, review = ActivityKind.TRANSITIONED, ActivityKind.REACTION, ActivityKind.REVIEW
    review_slots = REVIEW_SLOTS
    input_needed, pull_request = ItemKind.INPUT_NEEDED, ItemKind.PULL_REQUEST
    answering = _ANSWERING_KINDS
    simple_slot = SIMPLE.get
    participates, approaches, unsolicited = (
        PARTICIPATES_ACTIVELY,
        APPROACHES_INFORMALLY,
        GIVES_UNSOLICITED_FEEDBACK,
    )
    assignment = ASSIGNMENT
    # The energy weight of an act by what it shows: the strongest of its slots.
    taking_part = energy[participates]
    unasked, unasked_report = act_weight((participates, approaches)), act_weight((participates, unsolicited))
    review_weight = {verdict: act_weight(slots) for verdict, slots in review_slots.items()}
    current: str | None = None
    who: Callable[..., Any] = dict.get
    reports: dict[str, bool] = {}
    for at, activity, ts in zip(positions, part, times, strict=True):
        item = activity.item
        tool = item.tool
        if tool is not current and tool != current:
            current = tool
            accounts, reports = caches(tool)
            who = accounts.get
        actor = who(activity.actor, missing)
        if actor is missing:
            actor = resolve(tool, activity.actor)
        kind = activity.kind
        if actor is team:
            if kind is completed:
                complete(activity, ts)
                continue
            # A team member's comment, request or assignment: each stakeholder it is
            # addressed to now has a pending request on the item.
            addressees = activity.addressees
            if not addressees:
                continue
            if kind is comment or kind is review_comment:
                asked = REQUEST if item.kind is input_needed else MENTION
            elif kind is request:
                asks_review = activity.details.get("request_kind") == "review"
                asked = REVIEW if asks_review or item.kind is pull_request else REQUEST
            elif kind is assigned:
                asked = assignment
            else:
                continue
            item_id = item.id
            for account in addressees:
                target = who(account, missing)
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
                    pending[item_id] = (ts, asked, activity)
                    wait_for_answer(ts, target, item_id)
                if asked is assignment and activity.due is not None:
                    open_agreement(target.index, activity.due, activity, ts)
            continue
        if actor is None:
            stranger(activity, ts, tool)
            continue
        if kind is review_comment and activity.verdict is not None:
            line_comment_of_review(actor, activity, at)
            continue
        if kind is comment or kind is review_comment:
            # A stakeholder's comment: participation, plus an answer or an unasked contribution.
            logs = actor.logs
            logs[participates].append(at)
            actor.act_log.append(at)
            item_id = item.id
            pending = actor.pending
            if pending:
                entry = pending.pop(item_id, None)
                if entry is not None:
                    if ts > entry[0] + answer_s:
                        lapse(actor, entry)
                    elif answered_by(actor, activity, ts, entry, at) is not assignment:
                        actor.act_weights.append(taking_part)
                        continue
            report = reports.get(item_id)
            if report is None:
                report = report_flag(item, reports)
            if report:
                logs[unsolicited].append(at)
                actor.act_weights.append(unasked_report)
            else:
                logs[approaches].append(at)
                actor.act_weights.append(unasked)
            continue
        answered = None
        if actor.pending and kind in answering:
            entry = actor.pending.pop(item.id, None)
            if entry is not None:
                if ts > entry[0] + answer_s:
                    lapse(actor, entry)
                else:
                    answered = answered_by(actor, activity, ts, entry, at)
        slot = simple_slot(kind)
        if slot is not None:
            if kind is transitioned and answered is assignment:
                continue  # picking up assigned work was judged with the answer
            if kind is reaction:
                react(actor, activity, ts, at)
            else:
                actor.logs[slot].append(at)
                actor.act_log.append(at)
                actor.act_weights.append(energy[slot])
        elif kind is review:
            slots = review_slots[activity.verdict]
            if slots:
                logs = actor.logs
                for slot in slots:
                    logs[slot].append(at)
                actor.act_log.append(at)
                actor.act_weights.append(review_weight[activity.verdict])
        else:
            stakeholder_activity(actor, activity, ts, at)
