"""Explanations: the evidence trail behind one stakeholder's place on the map, as text and JSON.

The one evidence format: :func:`evidence_to_dict` is what the report document
and ``explain --json`` both write (times in UTC with ``Z``, weights to two
decimals).  :func:`explain` is the explainer :func:`stakeplug.audit` gives
every :class:`~stakeplug.engine.results.Audit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

import attrs

from stakeplug.care.planner import plan_care
from stakeplug.domain.model import CareSuggestion, Evidence, StakeholderScore
from stakeplug.domain.numbers import two_decimals
from stakeplug.domain.risk import risk_detail, risk_label
from stakeplug.engine.results import Audit

__all__ = ["Explanation", "evidence_to_dict", "explain"]


def evidence_to_dict(e: Evidence) -> dict[str, Any]:
    """One piece of evidence as the report and ``explain --json`` write it."""
    return {
        "signal": str(e.signal),
        "resistance": e.signal.is_resistance,
        "timestamp": e.timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "weight": two_decimals(e.weight),
        "note": e.note,
        "links": list(e.links),
    }


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
            "acceptance": two_decimals(s.acceptance),
            "energy": two_decimals(s.energy),
            "trend": s.trend.value,
            "at_risk": s.at_risk,
            "at_risk_reason": str(s.at_risk_reason) if s.at_risk_reason else None,
            "priority": s.priority,
            "signals": dict(s.signal_counts),
            "evidence": [evidence_to_dict(e) for e in s.evidence],
            "suggestions": [_suggestion_dict(c) for c in self.suggestions],
        }

    def __str__(self) -> str:
        s = self.score
        lines = [
            f"{s.name}: {s.category.label}"
            + (f" — partner at risk ({risk_label(s.at_risk_reason)})" if s.at_risk else ""),
            f"  acceptance {s.acceptance:+.2f} (−3…+3), energy {_energy(s)}, "
            f"trend {s.trend.value} ({_rates(s)}), priority {s.priority}",
        ]
        if s.at_risk:
            detail = risk_detail(
                s.at_risk_reason,
                recent_rate=s.recent_rate,
                baseline_rate=s.baseline_rate,
                rate_ratio=s.rate_ratio,
            )
            lines.append(f"  at risk, {detail}")
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


def _rates(s: StakeholderScore) -> str:
    """``2.0 a week recently vs 6.1 a week before (0.33×)``: the person's own activity rates."""
    ratio = f" ({s.rate_ratio:.2f}×)" if s.rate_ratio is not None else ""
    return f"{s.recent_rate:.1f} a week recently vs {s.baseline_rate:.1f} a week before{ratio}"


def _suggestion_dict(c: CareSuggestion) -> dict[str, Any]:
    return {
        "action": c.action.value,
        "title": c.title,
        "why": c.explanation,
        "links": list(c.links),
        "due": c.due.date().isoformat(),
        "fingerprint": c.fingerprint,
    }


def _energy(s: StakeholderScore) -> str:
    """The energy as the map places it; for a partner at risk, also the window's overall figure."""
    if s.at_risk:
        return f"{s.map_energy:.2f} lately (1…5; {s.energy:.2f} over the window)"
    return f"{s.energy:.2f} (1…5)"


def explain(
    audit: Audit, score: StakeholderScore, suggestions: Sequence[CareSuggestion] | None = None
) -> Explanation:
    """The explanation of ``score``; without ``suggestions`` the planner runs with ``now = until``."""
    if suggestions is None:
        suggestions = plan_care(audit, now=audit.until)
    mine = tuple(c for c in suggestions if c.stakeholder == score.name)
    return Explanation(score=score, suggestions=mine)
