"""How a partner at risk is described: the same words in the planner, ``explain`` and every report.

A partner is at risk by one of two roads, each measured against the person's
own baseline (:class:`~stakeplug.domain.model.AtRiskReason`): *losing
interest* (they act clearly less than they used to) or *pushing back* (they
act as much as before but resist more than they used to).  Every text that
flags a partner at risk names the road and then the measure behind it, so a
reader never has to guess which of the two it was.
"""

from __future__ import annotations

from stakeplug.domain.model import AtRiskReason
from stakeplug.domain.numbers import one_decimal

__all__ = ["risk_detail", "risk_label", "risk_meaning"]

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


def risk_detail(reason: AtRiskReason | str | None, *, recent_energy: float, baseline_energy: float) -> str:
    """The road, what it means and the measure behind it, as one phrase.

    ``losing interest: they act clearly less than they used to (recent energy
    1.8 against their own baseline of 4.1)``.
    """
    return (
        f"{risk_label(reason)}: {risk_meaning(reason)} (recent energy {one_decimal(recent_energy)} "
        f"against their own baseline of {one_decimal(baseline_energy)})"
    )
