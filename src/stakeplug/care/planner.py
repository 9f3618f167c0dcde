"""The care planner: from the stakeholder map to suggested care tasks.

Rules of practice it follows (numbers in ``data/rules.toml``):

* partners get the care actions of DESIGN §1: an extra status update, a
  risk briefing when they are at risk or recently pushed back, celebrate and
  thank after a recent contribution, ask for advice, and — only with their
  recorded consent — the ambassador request;
* a partner at risk because they push back more than they used to
  (:attr:`AtRiskReason.PUSHING_BACK`) gets a risk briefing that talks
  through their concerns and a status update, never a celebration or the
  ambassador request; one losing interest gets a risk briefing, an update
  and the usual partner actions;
* a stakeholder the team cannot reach directly (``reachable_via`` in the
  register, power at least ``intermediary_min_power``) is cared for through
  the intermediary whatever their category: partners and the undecided with a
  ``via_intermediary`` task, critics by hearing their view through the
  intermediary; an opted-out intermediary is never named, so then nothing is
  suggested for that stakeholder;
* silent supporters are activated (status update, ask for advice), the
  undecided are kept informed;
* opponents are heard (listen to their concerns) at a slow cadence; silent
  critics are left alone unless they hold real power: a critical view has
  value and is not nagged;
* an opted-out stakeholder never gets a task and is never named in one;
* every task has a team owner: the stakeholder's ``owner``; for a task
  through an intermediary without one, the intermediary when they are on the
  team, else the intermediary's owner; failing those, the first ``[[team]]``
  member of the register;
* every action has a cadence (one suggestion per period) and a cooldown
  (nothing until ``cooldown_days`` after the last task for the same action);
* each stakeholder gets at most ``max_per_stakeholder`` and each owner at most
  ``max_per_owner`` suggestions per run, open tasks of the period included:
  partners at risk and answers to push-back first, then by priority, then
  each stakeholder's actions in the order they matter to them.

The fingerprint of a suggestion depends only on the project, the
stakeholder, the action and the cadence period, so every machine that plans
the same period computes the same fingerprint; trackers are searched for it
before a task is created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs

from stakeplug.adapter import TaskRef, tasks_by_fingerprint
from stakeplug.domain.model import (
    _RESISTANCE,
    AtRiskReason,
    CareAction,
    CareSuggestion,
    Category,
    Evidence,
    Signal,
    StakeholderScore,
)
from stakeplug.domain.numbers import one_decimal, signed_one_decimal
from stakeplug.domain.register import Register
from stakeplug.domain.risk import risk_detail
from stakeplug.domain.rules import CareRule, Rules
from stakeplug.engine.audit import Audit

__all__ = ["fingerprint", "plan_care"]

_TITLES = {
    CareAction.STATUS_UPDATE: "Send {name} an extra status update",
    CareAction.RISK_BRIEFING: "Brief {name} on a risk",
    CareAction.CELEBRATE_AND_THANK: "Celebrate and thank {name}",
    CareAction.ASK_ADVICE: "Ask {name} for advice",
    CareAction.AMBASSADOR: "Give {name} a recent success to pass on",
    CareAction.VIA_INTERMEDIARY: "Reach {name} through {via}",
    CareAction.LISTEN_TO_CONCERNS: "Hear {name}'s view of the project",
}
_TITLES_VIA = {CareAction.LISTEN_TO_CONCERNS: "Hear {name}'s view through {via}"}

_ACHIEVEMENTS = frozenset(
    {
        Signal.KEEPS_AGREEMENTS,
        Signal.RESPONDS_TO_REQUESTS,
        Signal.INVITES_YOU,
        Signal.GIVES_UNSOLICITED_FEEDBACK,
    }
)

# Ranks in the per-owner and per-stakeholder queue: answers to risk first, then the
# other tasks of partners at risk, then the rest.
_ANSWER, _AT_RISK, _ROUTINE = 0, 1, 2


@attrs.frozen
class _Candidate:
    """One action the planner would like for a stakeholder, before rules, history and caps."""

    action: CareAction
    reason: str
    evidence: tuple[Evidence, ...]
    urgency: int = _ROUTINE


@attrs.frozen
class _Entry:
    """A place in the cap queue: a new suggestion, or an open task of this period (``None``)."""

    key: tuple[int, int, str, int]
    owner: str | None
    stakeholder: str
    suggestion: CareSuggestion | None


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
        f"(acceptance {signed_one_decimal(score.acceptance)}, energy {one_decimal(score.map_energy)}, "
        f"trend {score.trend.value}, "
        f"priority {score.priority})."
    ]
    if score.at_risk:
        detail = risk_detail(
            score.at_risk_reason,
            recent_rate=score.recent_rate,
            baseline_rate=score.baseline_rate,
            rate_ratio=score.rate_ratio,
        )
        parts.append(f"Partner at risk, {detail}.")
    return " ".join(parts)


def _recent(
    score: StakeholderScore, since: datetime, signals: frozenset[Signal] | None = None
) -> tuple[Evidence, ...]:
    return tuple(
        e for e in score.evidence if e.timestamp >= since and (signals is None or e.signal in signals)
    )


def _intermediary(score: StakeholderScore, register: Register, rules: Rules) -> tuple[bool, str | None]:
    """``(reachable, via)``: whom to go through, and whether anyone may be named to reach them.

    An intermediary who opted out is never named, so a stakeholder reachable only through
    them is not reachable at all.
    """
    st = score.stakeholder
    if st.reachable_via is None or st.power < rules.intermediary_min_power:
        return True, None
    inter = register.stakeholder(st.reachable_via)
    if inter is not None and inter.opted_out:
        return False, None
    return True, inter.name if inter is not None else _team_name(register, st.reachable_via)


def _team_name(register: Register, name: str) -> str:
    member = register.team_member(name)
    return member.name if member is not None else name


def _owner(score: StakeholderScore, via: str | None, register: Register) -> str | None:
    """The team member who owns the task: see the module's rules for the fallback order."""
    if score.stakeholder.owner:
        return score.stakeholder.owner
    if via is not None:
        member = register.team_member(via)
        if member is not None:
            return member.name
        inter = register.stakeholder(via)
        if inter is not None and inter.owner:
            return inter.owner
    return register.team[0].name if register.team else None


def _critic_candidates(
    score: StakeholderScore, effective: Category, rules: Rules, recent_cut: datetime
) -> list[_Candidate]:
    resistance = _recent(score, recent_cut, _RESISTANCE)
    if effective is Category.OPPONENT:
        return [
            _Candidate(
                CareAction.LISTEN_TO_CONCERNS,
                "They push back visibly; hearing their concerns can unblock the work.",
                resistance,
            )
        ]
    if score.stakeholder.power >= rules.silent_critic_min_power:
        return [
            _Candidate(
                CareAction.LISTEN_TO_CONCERNS,
                "A quiet critic with real power: their view is worth hearing "
                "before it turns into resistance.",
                resistance,
            )
        ]
    return []


def _risk_answer(score: StakeholderScore, resistance: tuple[Evidence, ...]) -> _Candidate | None:
    """The risk briefing a partner at risk or recently pushing back gets, or ``None``."""
    if score.at_risk and score.at_risk_reason is AtRiskReason.PUSHING_BACK:
        return _Candidate(
            CareAction.RISK_BRIEFING,
            "They act as much as before but push back more than they used to; talk through "
            "their concerns and the risk behind them.",
            resistance or score.evidence[:5],
            _ANSWER,
        )
    if score.at_risk:
        return _Candidate(
            CareAction.RISK_BRIEFING,
            "Their engagement is dropping below their own usual level; involve them in a current risk.",
            score.evidence[:5],
            _ANSWER,
        )
    if resistance:
        return _Candidate(
            CareAction.RISK_BRIEFING,
            "They recently pushed back; talk through the risk behind it.",
            resistance,
            _ANSWER,
        )
    return None


def _partner_candidates(
    score: StakeholderScore, as_partner: bool, rules: Rules, now: datetime, recent_cut: datetime
) -> list[_Candidate]:
    """A partner's, supporter's or undecided stakeholder's actions, most important first."""
    st = score.stakeholder
    usual = _AT_RISK if score.at_risk else _ROUTINE
    pushing_back = score.at_risk and score.at_risk_reason is AtRiskReason.PUSHING_BACK
    wanted: list[_Candidate] = []
    answer = _risk_answer(score, _recent(score, recent_cut, _RESISTANCE)) if as_partner else None
    if answer is not None:
        wanted.append(answer)
    update = _Candidate(
        CareAction.STATUS_UPDATE,
        "Their energy is falling; an extra update keeps them close."
        if score.at_risk
        else "Keep them informed beyond the formal reports.",
        score.evidence[:5],
        usual,
    )
    if score.at_risk:
        wanted.append(update)
    celebrate_since = now - timedelta(days=rules.care[CareAction.CELEBRATE_AND_THANK].recent_days)
    achievements = _recent(score, celebrate_since, _ACHIEVEMENTS)
    if achievements and not pushing_back:
        wanted.append(
            _Candidate(
                CareAction.CELEBRATE_AND_THANK,
                "They recently contributed; acknowledge it.",
                achievements,
                usual,
            )
        )
    if as_partner and st.ambassador_consent and not pushing_back:
        wanted.append(
            _Candidate(CareAction.AMBASSADOR, "They agreed to act as ambassador.", score.evidence[:5], usual)
        )
    if not score.at_risk:
        wanted.append(update)
    advice = (
        "Asking their advice makes their contribution visibly matter."
        if as_partner
        else "Asking their advice can turn quiet support or doubt into engagement."
    )
    wanted.append(_Candidate(CareAction.ASK_ADVICE, advice, score.evidence[:5], usual))
    return wanted


def _via_candidates(score: StakeholderScore, via: str, recent_cut: datetime) -> list[_Candidate]:
    """The one task through the intermediary for a stakeholder who is not a critic."""
    st = score.stakeholder
    reason = (
        f"High in the hierarchy (power {st.power}) and not reachable directly; {via} has a direct line."
        if st.power >= 4
        else f"Not reachable directly; {via} has a direct line."
    )
    urgency = _ROUTINE
    answer = _risk_answer(score, _recent(score, recent_cut, _RESISTANCE)) if score.at_risk else None
    if answer is not None:
        reason = f"{answer.reason} {reason}"
        urgency = _ANSWER
    return [_Candidate(CareAction.VIA_INTERMEDIARY, reason, score.evidence[:5], urgency)]


def _candidates(
    score: StakeholderScore, via: str | None, rules: Rules, now: datetime
) -> tuple[Category, list[_Candidate]]:
    """The effective category (a partner at risk stays a partner) and the wanted actions, in order."""
    recent_cut = now - timedelta(days=rules.recent_days)
    as_partner = score.category is Category.PARTNER or score.at_risk
    effective = Category.PARTNER if as_partner else score.category
    if effective in (Category.OPPONENT, Category.SILENT_CRITIC):
        return effective, _critic_candidates(score, effective, rules, recent_cut)
    if via is not None:
        return effective, _via_candidates(score, via, recent_cut)
    return effective, _partner_candidates(score, as_partner, rules, now, recent_cut)


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
    count against their owner's ``max_per_owner`` and their stakeholder's
    ``max_per_stakeholder``, so reruns do not top up anyone's list.
    """
    now = (now or audit.until).astimezone(UTC)
    known = tasks_by_fingerprint(history)
    queue: list[_Entry] = []
    for score in audit.scores.values():
        if not score.stakeholder.opted_out:
            queue += _plan_one(audit, score, now, known)
    return _within_caps(queue, audit.rules)


def _plan_one(
    audit: Audit, score: StakeholderScore, now: datetime, known: dict[str, TaskRef]
) -> list[_Entry]:
    """The queue entries for one stakeholder: new suggestions and this period's open tasks."""
    rules, register, project = audit.rules, audit.register, audit.project.name
    st = score.stakeholder
    reachable, via = _intermediary(score, register, rules)
    if not reachable:
        return []
    effective, wanted = _candidates(score, via, rules, now)
    owner = _owner(score, via, register)
    entries: list[_Entry] = []
    for rank, wish in enumerate(wanted):
        rule = rules.care[wish.action]
        if effective not in rule.categories or score.priority < rule.min_priority:
            continue
        key = (wish.urgency, -score.priority, st.name.casefold(), rank)
        period = _period(rules, rule, now)
        fp = fingerprint(project, st.name, wish.action, period, rule.cadence_days)
        current = known.get(fp)
        if current is not None:
            if current.open:
                # Already in the tracker for this period and still open: it is on the owner's
                # plate and on the stakeholder's, so it counts against both caps.
                entries.append(_Entry(key, owner, st.name.casefold(), None))
            continue
        if _cooling_down(known, project, st.name, wish.action, rule, period, now):
            continue
        start = rules.epoch + timedelta(days=period * rule.cadence_days)
        title = _TITLES_VIA.get(wish.action, _TITLES[wish.action]) if via else _TITLES[wish.action]
        wording = (rule.wording_via or rule.wording) if via else rule.wording
        suggestion = CareSuggestion(
            action=wish.action,
            stakeholder=st.name,
            owner=owner,
            title=title.format(name=st.name, via=via or ""),
            wording=wording.format(name=st.name, via=via or ""),
            explanation=f"{_explain(score)} {wish.reason}",
            evidence=wish.evidence[:8],
            due=now + timedelta(days=rule.due_days),
            fingerprint=fp,
            period=f"{start.isoformat()}/{rule.cadence_days}d",
            priority=score.priority,
            via=via,
        )
        entries.append(_Entry(key, owner, st.name.casefold(), suggestion))
    return entries


def _within_caps(queue: list[_Entry], rules: Rules) -> list[CareSuggestion]:
    """The suggestions that fit each owner's and each stakeholder's cap, most urgent first.

    Open tasks of this period take their place in the order too, so a rerun (or the next
    night) does not top up a plate beyond its cap; a task left out for its stakeholder's cap
    does not use a place of its owner's.
    """
    per_owner: dict[str | None, int] = {}
    per_stakeholder: dict[str, int] = {}
    result: list[CareSuggestion] = []
    for entry in sorted(queue, key=lambda e: e.key):
        if per_owner.get(entry.owner, 0) >= rules.max_per_owner:
            continue
        if per_stakeholder.get(entry.stakeholder, 0) >= rules.max_per_stakeholder:
            continue
        per_owner[entry.owner] = per_owner.get(entry.owner, 0) + 1
        per_stakeholder[entry.stakeholder] = per_stakeholder.get(entry.stakeholder, 0) + 1
        if entry.suggestion is not None:
            result.append(entry.suggestion)
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
