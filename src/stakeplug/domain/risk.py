"""How a partner at risk is described: the same words in the planner, ``explain`` and every report.

A partner is at risk by one of two roads, each measured against the person's
own baseline (:class:`~stakeplug.domain.model.AtRiskReason`): *losing
interest* (they act clearly less than they used to) or *pushing back* (they
act as much as before but resist more than they used to).  Every text that
flags a partner at risk names the road and then the measure behind it, so a
reader never has to guess which of the two it was.  The measure is the
person's activity rate (distinct acts a week lately against before, and the
share that is of their usual), never the saturating energy scale, on which a
fall to a third can read as 4.6 against 5.0.
"""

from __future__ import annotations

from stakeplug.domain.model import AtRiskReason
from stakeplug.domain.numbers import one_decimal, two_decimals

__all__ = ["activity_rates", "risk_detail", "risk_label", "risk_meaning"]

_MEANING = {
    AtRiskReason.LOSING_INTEREST: "they act clearly less than they used to",
    AtRiskReason.PUSHING_BACK: "they act as much as before but push back more than they used to",
}


def _reason(reason: AtRiskReason | str | None) -> AtRiskReason:
    """The reason as the enum; an audit older than the second road only knew losing interest."""
    return AtRiskReason(reason) if reason else AtRiskReason.LOSING_INTEREST


def risk_label(reason: AtRiskReason | str | None) -> str:
    """The road for people: ``losing interest`` or ``pushing back``."""
    return _reason(reason).value.replace("_", " ")


def risk_meaning(reason: AtRiskReason | str | None) -> str:
    """What the road means, in a few words: ``they act clearly less than they used to``."""
    return _MEANING[_reason(reason)]


def activity_rates(recent_rate: float, baseline_rate: float, rate_ratio: float | None) -> str:
    """The person's own activity rates, as a project manager reads them.

    ``1.0 activities a week lately against 6.0 a week before, 17% of their
    usual``; without acts before the recent weeks, ``1.0 activities a week
    lately, none before``.  Rates and ratio are rounded the way the JSON
    report stores them first, so a re-rendered report reads the same.
    """
    lately = f"{one_decimal(recent_rate)} activities a week lately"
    if rate_ratio is None:
        return f"{lately}, none before"
    percent = round(two_decimals(rate_ratio) * 100)
    return f"{lately} against {one_decimal(baseline_rate)} a week before, {percent}% of their usual"


def risk_detail(
    reason: AtRiskReason | str | None, *, recent_rate: float, baseline_rate: float, rate_ratio: float | None
) -> str:
    """The road, what it means and the rates behind it, as one phrase.

    ``losing interest: they act clearly less than they used to (1.0
    activities a week lately against 6.0 a week before, 17% of their
    usual)``.  The rates are distinct acts a week, recently and before: what
    a reader can check against the evidence, unlike a point on the saturating
    energy scale.
    """
    rates = activity_rates(recent_rate, baseline_rate, rate_ratio)
    return f"{risk_label(reason)}: {risk_meaning(reason)} ({rates})"
