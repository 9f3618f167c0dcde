"""The care planner: from the stakeholder map to suggested care tasks.

Rules of practice it follows (numbers in ``data/rules.toml``):

* partners get the care actions of DESIGN §1: an extra status update, a
  risk briefing when they are at risk or recently pushed back, celebrate and
  thank after a recent contribution, ask for advice, and — only with their
  recorded consent — the ambassador request;
* a powerful stakeholder the team cannot reach directly (``reachable_via`` in
  the register) is cared for through the intermediary instead of directly;
* silent supporters are activated (status update, ask for advice), the
  undecided are kept informed;
* opponents are heard (listen to their concerns) at a slow cadence; silent
  critics are left alone unless they hold real power: a critical view has
  value and is not nagged;
* an opted-out stakeholder never gets a task;
* every action has a cadence (one suggestion per period) and a cooldown
  (nothing while a recent task for the same action exists); each owner gets
  at most ``max_per_owner`` suggestions per run, highest priority first.

The fingerprint of a suggestion depends only on the project, the
stakeholder, the action and the cadence period, so every machine that plans
the same period computes the same fingerprint; trackers are searched for it
before a task is created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from stakeplug.adapter import TaskRef
from stakeplug.domain.model import (
    _RESISTANCE,
    CareAction,
    CareSuggestion,
    Category,
    Evidence,
    Signal,
    StakeholderScore,
)
from stakeplug.domain.numbers import one_decimal, signed_one_decimal
from stakeplug.domain.rules import CareRule, Rules
from stakeplug.engine.audit import Audit

__all__ = ["fingerprint", "plan_care"]

_TITLES = {
    CareAction.STATUS_UPDATE: "Send {name} an extra status update",
    CareAction.RISK_BRIEFING: "Brief {name} on a risk",
    CareAction.CELEBRATE_AND_THANK: "Celebrate and thank {name}",
    CareAction.ASK_ADVICE: "Ask {name} for advice",
    CareAction.AMBASSADOR: "Invite {name} to act as ambassador",
    CareAction.VIA_INTERMEDIARY: "Reach {name} through {via}",
    CareAction.LISTEN_TO_CONCERNS: "Hear {name}'s view of the project",
}

# Within one stakeholder, the order in which actions matter most.
_ACTION_ORDER = {
    CareAction.RISK_BRIEFING: 0,
    CareAction.VIA_INTERMEDIARY: 1,
    CareAction.STATUS_UPDATE: 2,
    CareAction.CELEBRATE_AND_THANK: 3,
    CareAction.ASK_ADVICE: 4,
    CareAction.LISTEN_TO_CONCERNS: 5,
    CareAction.AMBASSADOR: 6,
}


_ACHIEVEMENTS = frozenset(
    {
        Signal.KEEPS_AGREEMENTS,
        Signal.RESPONDS_TO_REQUESTS,
        Signal.INVITES_YOU,
        Signal.GIVES_UNSOLICITED_FEEDBACK,
    }
)


def _period(rules: Rules, rule: CareRule, now: datetime) -> int:
    return (now.date() - rules.epoch).days // rule.cadence_days


def fingerprint(
    project: str, stakeholder: str, action: CareAction | str, period: int, cadence_days: int
) -> str:
    """The stable fingerprint of a care task: the same inputs give the same 16 hex digits anywhere."""
    parts = (project.casefold(), stakeholder.casefold(), CareAction(action).value, cadence_days, period)
    text = "stakeplug/1|" + "|".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _explain(score: StakeholderScore) -> str:
    parts = [
        f"{score.name} is {score.category.label} on the map "
        f"(acceptance {signed_one_decimal(score.acceptance)}, energy {one_decimal(score.energy)}, "
        f"trend {score.trend.value}, "
        f"priority {score.priority})."
    ]
    if score.at_risk:
        parts.append(
            f"Partner at risk: recent energy {one_decimal(score.recent_energy)} is well below "
            f"their own baseline of {one_decimal(score.baseline_energy)}."
        )
    return " ".join(parts)


def _recent(
    score: StakeholderScore, since: datetime, signals: frozenset[Signal] | None = None
) -> list[Evidence]:
    return [e for e in score.evidence if e.timestamp >= since and (signals is None or e.signal in signals)]


def plan_care(
    audit: Audit,
    now: datetime | None = None,
    *,
    history: Iterable[TaskRef] = (),
) -> list[CareSuggestion]:
    """Suggest care tasks for the stakeholders of ``audit``.

    ``history`` holds the stakeplug tasks that already exist in the tracker
    (from :meth:`~stakeplug.adapter.Adapter.find_tasks`); a suggestion whose
    action was tasked for the same stakeholder within its cooldown, or whose
    fingerprint already exists, is left out.  Open tasks of the current period
    count against their owner's ``max_per_owner``, so reruns do not top up an
    owner's list.
    """
    rules = audit.rules
    now = (now or audit.until).astimezone(UTC)
    known: dict[str, TaskRef] = {t.fingerprint: t for t in history}
    project = audit.project.name
    register = audit.register
    planned: list[CareSuggestion] = []
    already_open: list[tuple[int, str, int, str | None]] = []
    recent_cut = now - timedelta(days=rules.recent_days)

    for score in audit.scores.values():
        st = score.stakeholder
        if st.opted_out:
            continue
        category = score.category
        # A partner at risk is still cared for as a partner, whatever the current energy says.
        as_partner = category is Category.PARTNER or score.at_risk
        effective = Category.PARTNER if as_partner else category
        # Candidate actions with the reason and evidence; the rules' categories and minimum
        # priority filter them below.
        wanted: list[tuple[CareAction, str, Iterable[Evidence]]] = []
        reach_indirectly = st.reachable_via is not None and st.power >= rules.intermediary_min_power

        if effective is Category.OPPONENT:
            wanted.append(
                (
                    CareAction.LISTEN_TO_CONCERNS,
                    "They push back visibly; hearing their concerns can unblock the work.",
                    _recent(score, recent_cut, _RESISTANCE),
                )
            )
        elif effective is Category.SILENT_CRITIC:
            if st.power >= rules.silent_critic_min_power:
                wanted.append(
                    (
                        CareAction.LISTEN_TO_CONCERNS,
                        "A quiet critic with real power: their view is worth hearing "
                        "before it turns into resistance.",
                        _recent(score, recent_cut, _RESISTANCE),
                    )
                )
        elif reach_indirectly:
            wanted.append(
                (
                    CareAction.VIA_INTERMEDIARY,
                    f"High in the hierarchy (power {st.power}) and not reachable directly; "
                    f"{st.reachable_via} has a direct line.",
                    score.evidence[:5],
                )
            )
        else:
            if as_partner:
                resistance = _recent(score, recent_cut, _RESISTANCE)
                if score.at_risk:
                    wanted.append(
                        (
                            CareAction.RISK_BRIEFING,
                            "Their engagement is dropping below their own usual level; "
                            "involve them in a current risk.",
                            score.evidence[:5],
                        )
                    )
                elif resistance:
                    wanted.append(
                        (
                            CareAction.RISK_BRIEFING,
                            "They recently pushed back; talk through the risk behind it.",
                            resistance,
                        )
                    )
            wanted.append(
                (
                    CareAction.STATUS_UPDATE,
                    "Keep them informed beyond the formal reports."
                    if not score.at_risk
                    else "Their energy is falling; an extra update keeps them close.",
                    score.evidence[:5],
                )
            )
            achievements = _recent(
                score,
                now - timedelta(days=rules.care[CareAction.CELEBRATE_AND_THANK].recent_days),
                _ACHIEVEMENTS,
            )
            if achievements:
                wanted.append(
                    (
                        CareAction.CELEBRATE_AND_THANK,
                        "They recently contributed; acknowledge it.",
                        achievements,
                    )
                )
            wanted.append(
                (
                    CareAction.ASK_ADVICE,
                    "Asking their advice makes their contribution visibly matter."
                    if as_partner
                    else "Asking their advice can turn quiet support or doubt into engagement.",
                    score.evidence[:5],
                )
            )
            if as_partner and st.ambassador_consent:
                wanted.append(
                    (CareAction.AMBASSADOR, "They agreed to act as ambassador.", score.evidence[:5])
                )

        for action, reason, evidence in wanted:
            rule = rules.care[action]
            if effective not in rule.categories or score.priority < rule.min_priority:
                continue
            period = _period(rules, rule, now)
            fp = fingerprint(project, st.name, action, period, rule.cadence_days)
            owner = st.owner
            via = st.reachable_via if action is CareAction.VIA_INTERMEDIARY else None
            if owner is None and via is not None:
                inter = register.stakeholder(via)
                owner = inter.owner if inter is not None else (via if register.team_member(via) else None)
            current = known.get(fp)
            if current is not None:
                if current.open:
                    # Already in the tracker for this period and still open: it is on the
                    # owner's plate, so it counts against their cap.
                    already_open.append((score.priority, st.name.casefold(), _ACTION_ORDER[action], owner))
                continue
            if _cooling_down(known, project, st.name, action, rule, period, now):
                continue
            start = rules.epoch + timedelta(days=period * rule.cadence_days)
            planned.append(
                CareSuggestion(
                    action=action,
                    stakeholder=st.name,
                    owner=owner,
                    title=_TITLES[action].format(name=st.name, via=via or ""),
                    wording=rule.wording.format(name=st.name, via=via or ""),
                    explanation=f"{_explain(score)} {reason}",
                    evidence=tuple(evidence)[:8],
                    due=now + timedelta(days=rule.due_days),
                    fingerprint=fp,
                    period=f"{start.isoformat()}/{rule.cadence_days}d",
                    priority=score.priority,
                    via=via,
                )
            )

    # Highest priority first; open tasks of this period take their place in the order too, so
    # a rerun (or the next night) does not top up an owner's plate beyond the cap.
    queue: list[tuple[int, str, int, str | None, CareSuggestion | None]] = [
        (-priority, name, order, owner, None) for priority, name, order, owner in already_open
    ]
    queue += [(-c.priority, c.stakeholder.casefold(), _ACTION_ORDER[c.action], c.owner, c) for c in planned]
    queue.sort(key=lambda entry: entry[:3])
    per_owner: dict[str | None, int] = {}
    result: list[CareSuggestion] = []
    for _priority, _name, _order, owner, suggestion in queue:
        n = per_owner.get(owner, 0)
        if n >= rules.max_per_owner:
            continue
        per_owner[owner] = n + 1
        if suggestion is not None:
            result.append(suggestion)
    return result


def _cooling_down(
    known: dict[str, TaskRef],
    project: str,
    name: str,
    action: CareAction,
    rule: CareRule,
    period: int,
    now: datetime,
) -> bool:
    """True when a task for the same action from an earlier period is still within its cooldown."""
    if not known:
        return False
    lookback_periods = rule.cooldown_days // rule.cadence_days + 1
    for back in range(1, lookback_periods + 1):
        task = known.get(fingerprint(project, name, action, period - back, rule.cadence_days))
        if task is None:
            continue
        if task.created is None or now - task.created < timedelta(days=rule.cooldown_days):
            return True
    return False
