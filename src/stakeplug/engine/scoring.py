"""Scoring: one stakeholder's sums become acceptance, energy, trend, category and evidence.

Every number comes from :class:`~stakeplug.domain.rules.Rules` (``data/rules.toml``).
Acceptance weighs supportive against resisting decayed sums, with the
register's prior as a pseudo-count; energy saturates the decayed energy of the
person's acts (each act once, at its strongest signal, see
:meth:`~stakeplug.engine.ledger.Ledger.count_acts`) on a 1…5 scale; the trend
compares the rate in the recent part of the window with the person's own rate
before it, and the results carry the plain rates of acts a week as well.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import attrs

from stakeplug.domain.model import (
    Activity,
    AtRiskReason,
    Category,
    Evidence,
    Signal,
    StakeholderScore,
    Trend,
)
from stakeplug.domain.rules import Rules
from stakeplug.engine.ledger import DAY, Person
from stakeplug.engine.signals import (
    EVIDENCE_SLOTS,
    IS_RESISTANCE,
    REACTION,
    REQUESTS_CHANGES,
    REVIEWED,
    SIGNALS,
    SLOT_COUNT,
    bare_note,
    signal_counts,
)


@attrs.frozen
class Weights:
    """The rules' weights per signal slot (reactions and the approval bonus included)."""

    acceptance: tuple[float, ...]
    energy: tuple[float, ...]

    @classmethod
    def from_rules(cls, rules: Rules) -> Weights:
        participation = Signal.PARTICIPATES_ACTIVELY
        return cls(
            acceptance=(
                *(rules.acceptance_weight[s] for s in SIGNALS),
                rules.acceptance_weight[participation] * rules.reaction_factor,
                rules.approval_bonus,
                0.0,
            ),
            energy=(
                *(rules.energy_weight[s] for s in SIGNALS),
                rules.energy_weight[participation] * rules.reaction_factor,
                0.0,
                0.0,
            ),
        )


@attrs.frozen
class Window:
    """The audit's window in epoch seconds, with the start of its recent part."""

    since_ts: float
    until_ts: float
    recent_start: float
    decay_k: float


@attrs.frozen
class _Trend:
    trend: Trend
    ratio: float | None
    recent_energy: float
    baseline_energy: float
    recent_rate: float
    baseline_rate: float
    rate_ratio: float | None


def energy_scale(value: float, scale: float) -> float:
    """A non-negative weight on the saturating 1…5 energy scale."""
    return 1.0 + 4.0 * (1.0 - math.exp(-value / scale))


def score(person: Person, rules: Rules, weights: Weights, window: Window) -> StakeholderScore:
    """The stakeholder's place on the map from the running sums of the pass."""
    st = person.stakeholder
    acceptance = _acceptance(person, rules, weights)
    reviews = person.counts[REVIEWED]
    if (
        reviews >= rules.changes_requested_min_reviews
        and person.counts[REQUESTS_CHANGES] > rules.changes_requested_share * reviews
    ):
        # Reviews that mostly hold the work back: critical of the content, never accepting.
        acceptance = min(acceptance, rules.accept_above)
    energy = energy_scale(person.energy, rules.energy_scale)
    trend = _trend(person, rules, weights, window)
    losing_interest = (
        acceptance > rules.accept_above
        and trend.ratio is not None
        and trend.baseline_energy >= rules.high_energy
        and trend.ratio <= rules.at_risk_ratio
    )
    pushing_back = trend.baseline_energy >= rules.high_energy and _pushing_back(person, rules, weights)
    at_risk = losing_interest or pushing_back
    reason = AtRiskReason.PUSHING_BACK if pushing_back else AtRiskReason.LOSING_INTEREST if at_risk else None
    return StakeholderScore(
        stakeholder=st,
        acceptance=acceptance,
        energy=energy,
        category=_category(acceptance, energy, rules, _energy_without_reactions(person, rules, weights)),
        priority=st.power * st.interest,
        trend=trend.trend,
        recent_energy=trend.recent_energy,
        baseline_energy=trend.baseline_energy,
        at_risk=at_risk,
        at_risk_reason=reason,
        recent_rate=trend.recent_rate,
        baseline_rate=trend.baseline_rate,
        rate_ratio=trend.rate_ratio,
        weekly_activity=tuple(person.weekly),
        signal_counts=signal_counts(person.counts),
        evidence=_evidence(person, weights, window),
    )


def _acceptance(person: Person, rules: Rules, weights: Weights) -> float:
    """Supportive against resisting decayed sums on −3…+3, the prior counting as ``prior_strength``."""
    prior = person.stakeholder.prior_acceptance
    strength = rules.prior_strength if prior is not None else 0.0
    support = resist = 0.0
    for i in range(SLOT_COUNT):
        if IS_RESISTANCE[i]:
            resist += weights.acceptance[i] * person.sums[i]
        else:
            support += weights.acceptance[i] * person.sums[i]
    num = (prior or 0.0) * strength + 3.0 * (support - resist)
    den = strength + support + resist + rules.smoothing
    return max(-3.0, min(3.0, num / den)) if den > 0 else 0.0


def _undecayed_acceptance(support: float, resist: float, smoothing: float) -> float:
    return 3.0 * (support - resist) / (support + resist + smoothing)


def _pushing_back(person: Person, rules: Rules, weights: Weights) -> bool:
    """Accepting before the recent weeks, and recently resisting clearly more than that pattern.

    Both parts are weighed without decay or prior, so the recent weeks are compared with the
    person's own earlier behaviour, not with a blend of the two.
    """
    drop, min_resistance = rules.pushing_back_drop, rules.pushing_back_min_resistance
    recent_support = recent_resist = earlier_support = earlier_resist = 0.0
    for i in range(SLOT_COUNT):
        recent = weights.acceptance[i] * person.recent[i]
        earlier = weights.acceptance[i] * (person.counts[i] - person.recent[i])
        if IS_RESISTANCE[i]:
            recent_resist += recent
            earlier_resist += earlier
        else:
            recent_support += recent
            earlier_support += earlier
    baseline = _undecayed_acceptance(earlier_support, earlier_resist, rules.smoothing)
    recent_acceptance = _undecayed_acceptance(recent_support, recent_resist, rules.smoothing)
    return (
        baseline > rules.accept_above
        and recent_resist >= min_resistance
        and recent_acceptance <= baseline - drop
    )


def _trend(person: Person, rules: Rules, weights: Weights, window: Window) -> _Trend:
    """Recent against the person's own earlier rate, per 30 days, and both on the energy scale."""
    recent_weight = person.recent_act_energy
    base_weight = person.act_energy - recent_weight
    recent_days = float(rules.recent_days)
    base_days = max(0.0, (window.recent_start - window.since_ts) / DAY)
    recent_rate = recent_weight / recent_days * 30.0
    base_rate = base_weight / base_days * 30.0 if base_days >= 1 else 0.0
    window_days = (window.until_ts - window.since_ts) / DAY
    h = rules.half_life_days
    # The decayed sum a steady rate would give over the whole window: puts rates on the energy scale.
    steady = h / math.log(2) * (1 - 2 ** (-window_days / h)) / 30.0
    recent_energy = energy_scale(recent_rate * steady, rules.energy_scale)
    baseline_energy = energy_scale(base_rate * steady, rules.energy_scale)
    ratio: float | None = None
    if base_rate < rules.min_baseline_per_30d:
        trend = Trend.NEW if recent_rate >= rules.min_baseline_per_30d else Trend.STEADY
    else:
        ratio = recent_rate / base_rate
        if ratio >= rules.rising_ratio:
            trend = Trend.RISING
        elif ratio <= rules.falling_ratio:
            trend = Trend.FALLING
        else:
            trend = Trend.STEADY
    recent_acts = person.recent_acts / (recent_days / 7.0)
    base_acts = (person.acts - person.recent_acts) / (base_days / 7.0) if base_days >= 1 else 0.0
    act_ratio = recent_acts / base_acts if base_acts > 0 else None
    return _Trend(trend, ratio, recent_energy, baseline_energy, recent_acts, base_acts, act_ratio)


def _energy_without_reactions(person: Person, rules: Rules, weights: Weights) -> float:
    """The energy of the person's acts other than reactions (a reaction shows nothing else)."""
    reactions = weights.energy[REACTION] * person.sums[REACTION]
    return energy_scale(max(0.0, person.energy - reactions), rules.energy_scale)


def _category(acceptance: float, energy: float, rules: Rules, without_reactions: float) -> Category:
    """The place on the map; reactions never by themselves lift anyone over the partner line."""
    if acceptance > rules.accept_above:
        partner = energy >= rules.high_energy and without_reactions >= rules.high_energy
        return Category.PARTNER if partner else Category.SILENT_SUPPORTER
    if acceptance < rules.reject_below:
        return Category.OPPONENT if energy >= rules.high_energy else Category.SILENT_CRITIC
    return Category.UNDECIDED


def _evidence(person: Person, weights: Weights, window: Window) -> tuple[Evidence, ...]:
    """The kept evidence, newest first, each weighted by its signal's weight and its decay."""
    name = person.stakeholder.name
    evidence: list[Evidence] = []
    for slot, signal in EVIDENCE_SLOTS:
        for entry in person.evidence[slot]:
            if type(entry) is Activity:
                when, acts, note = entry.timestamp, (entry,), bare_note(slot, entry)
            else:
                ts, acts, note = entry
                when = datetime.fromtimestamp(ts, UTC)
            decay = math.exp((when.timestamp() - window.until_ts) * window.decay_k)
            evidence.append(
                Evidence(
                    signal=signal,
                    stakeholder=name,
                    timestamp=when,
                    weight=weights.acceptance[slot] * decay,
                    activities=acts,
                    note=note,
                )
            )
    evidence.sort(key=lambda e: (e.timestamp, e.signal.value), reverse=True)
    return tuple(evidence)
