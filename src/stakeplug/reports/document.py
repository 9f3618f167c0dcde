"""The report document: one plain dict, the source of truth every format renders.

:func:`build_report` turns an audit, its care suggestions and what posting did
into a plain ``dict`` that follows the versioned schema shipped as
``stakeplug/schema/report-v1.schema.json`` (:func:`report_schema`).  The
renderers only format that dict, so a report can be re-rendered from a JSON
file and the formats never disagree.

The report holds what scoring needs and nothing more: names, numbers,
categories, signal counts, links to the items behind the evidence.  Comment
bodies are never part of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from stakeplug._version import __version__
from stakeplug.adapter import PostResult
from stakeplug.domain.model import CareSuggestion, StakeholderScore
from stakeplug.domain.numbers import two_decimals
from stakeplug.reports.explain import evidence_to_dict
from stakeplug.reports.followup import care_followup
from stakeplug.reports.text import map_energy

__all__ = ["SCHEMA_VERSION", "build_report", "report_schema"]

SCHEMA_VERSION = "1"
"""Bumped when a field is removed or changes meaning; adding fields keeps the version."""

_EVIDENCE_PER_STAKEHOLDER = 20


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    text = files("stakeplug").joinpath("schema", "report-v1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _num(value: float) -> float:
    return two_decimals(value)


def _stakeholder(score: StakeholderScore) -> dict[str, Any]:
    s = score.stakeholder
    return {
        "name": s.name,
        "role": s.role,
        "owner": s.owner,
        "power": s.power,
        "interest": s.interest,
        "category": str(score.category),
        "acceptance": _num(score.acceptance),
        "energy": _num(score.energy),
        "recent_energy": _num(score.recent_energy),
        "baseline_energy": _num(score.baseline_energy),
        "recent_rate": _num(score.recent_rate),
        "baseline_rate": _num(score.baseline_rate),
        "rate_ratio": None if score.rate_ratio is None else _num(score.rate_ratio),
        "weekly_activity": list(score.weekly_activity),
        "trend": str(score.trend),
        "priority": score.priority,
        "at_risk": score.at_risk,
        "at_risk_reason": str(score.at_risk_reason) if score.at_risk and score.at_risk_reason else None,
        "reachable_via": s.reachable_via,
        "ambassador_consent": s.ambassador_consent,
        "signal_counts": {str(k): int(v) for k, v in score.signal_counts.items()},
        "evidence": [evidence_to_dict(e) for e in score.evidence[:_EVIDENCE_PER_STAKEHOLDER]],
    }


def _post_status(
    result: PostResult | None, error: str | None, *, posted: bool
) -> tuple[str, dict[str, Any] | None]:
    """A suggestion's posting status and the task it matched; a dry run never fails a task.

    After posting stopped part-way (``error``), the suggestions handled before
    it keep their own status and task; only the rest failed.
    """
    if result is None:
        return ("failed" if posted and error is not None else "dry_run"), None
    task = None
    if result.task is not None:
        task = {"id": result.task.id, "url": result.task.url, "open": result.task.open}
    if result.created:
        return "created", task
    if result.task is not None:
        return "exists", task
    return ("dry_run" if result.dry_run else "skipped"), task


def _suggestion(
    s: CareSuggestion, result: PostResult | None, error: str | None, *, posted: bool
) -> dict[str, Any]:
    status, task = _post_status(result, error, posted=posted)
    entry: dict[str, Any] = {
        "action": str(s.action),
        "stakeholder": s.stakeholder,
        "owner": s.owner,
        "via": s.via,
        "title": s.title,
        "wording": s.wording,
        "why": s.explanation,
        "links": list(s.links),
        "due": _iso(s.due),
        "priority": s.priority,
        "period": s.period,
        "fingerprint": s.fingerprint,
        "status": status,
        "task": task,
    }
    if result is not None and result.reason:
        entry["reason"] = result.reason
    elif error is not None:
        entry["error"] = error
    if result is not None and result.closed_duplicates:
        entry["duplicates_closed"] = list(result.closed_duplicates)
    return entry


def _changes(
    stakeholders: Sequence[Mapping[str, Any]], previous: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    if previous is None:
        return []
    before = _people(previous)
    changes: list[dict[str, Any]] = []
    for now in stakeholders:
        old = before.pop(now["name"], None)
        if old is None or _state(old) != (now["category"], now["at_risk"]):
            changes.append(_change(now["name"], old, now))
    changes.extend(_change(name, old, None) for name, old in before.items())
    return changes


def _people(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """An earlier report's stakeholders by name, skipping anything that is not one."""
    return {p["name"]: p for p in report.get("stakeholders", []) if isinstance(p, Mapping) and "name" in p}


def _state(entry: Mapping[str, Any]) -> tuple[Any, bool]:
    """A stakeholder's place in an earlier report: category and the at-risk flag."""
    return entry.get("category"), bool(entry.get("at_risk"))


def _change(name: str, old: Mapping[str, Any] | None, now: Mapping[str, Any] | None) -> dict[str, Any]:
    """One stakeholder's move between two reports; ``None`` on the side where they were absent."""
    return {
        "stakeholder": name,
        "from": None if old is None else old.get("category"),
        "to": None if now is None else now["category"],
        "at_risk_before": None if old is None else bool(old.get("at_risk")),
        "at_risk_now": None if now is None else now["at_risk"],
    }


def _position(entry: Mapping[str, Any]) -> tuple[float, float] | None:
    """Where an earlier report placed someone (acceptance, map energy), or ``None`` if it cannot say."""
    try:
        energy = map_energy({"at_risk": False, "recent_energy": None, **entry})
        return float(entry["acceptance"]), energy
    except (KeyError, TypeError, ValueError):
        return None


def _add_history(
    stakeholders: Sequence[dict[str, Any]], earlier: Sequence[tuple[str, Mapping[str, Any]]]
) -> None:
    """Give each stakeholder their positions in the earlier reports, newest first, as ``history``."""
    for label, report in earlier:
        people = _people(report)
        for s in stakeholders:
            old = people.get(s["name"])
            where = None if old is None else _position(old)
            if where is None:
                continue
            s.setdefault("history", []).append(
                {
                    "label": label,
                    "generated_at": report.get("generated_at"),
                    "acceptance": _num(where[0]),
                    "energy": _num(where[1]),
                    "category": old.get("category") if old is not None else None,
                }
            )


def _sources(audit: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": src.name,
            "adapter": src.adapter,
            "status": src.status,
            "error": src.error,
            "requests": src.stats.requests,
            "items": src.stats.items,
            "activities": int(getattr(src, "activities", src.stats.activities)),
            "skipped": src.stats.skipped,
            "skipped_reasons": list(src.stats.skipped_reasons),
        }
        for src in audit.sources
    ]


def _candidate(c: Any) -> dict[str, Any]:
    """An account the register does not know; with the name the tool shows, when the audit has it."""
    entry: dict[str, Any] = {
        "tool": c.tool,
        "account": c.account,
        "activities": int(c.activities),
        "last_seen": _iso(c.last_seen),
    }
    display_name = getattr(c, "display_name", None)
    if display_name:
        entry["display_name"] = str(display_name)
    return entry


def _map_rules(audit: Any) -> dict[str, float] | None:
    """The thresholds that cut the map into its five regions, as the audit used them."""
    rules = getattr(audit, "rules", None)
    if rules is None:
        return None
    return {
        "accept_above": float(rules.accept_above),
        "reject_below": float(rules.reject_below),
        "high_energy": float(rules.high_energy),
    }


def _posting(posted: bool, target: str | None, error: str | None, withheld: str | None) -> dict[str, Any]:
    """What posting did as a whole; ``withheld`` only when posting was asked for and held back."""
    posting: dict[str, Any] = {"mode": "post" if posted else "dry_run", "target": target, "error": error}
    if withheld is not None:
        posting["withheld"] = withheld
    return posting


def build_report(
    audit: Any,
    suggestions: Sequence[CareSuggestion],
    *,
    results: Sequence[PostResult] | None = None,
    post_error: str | None = None,
    posted: bool = False,
    withheld: str | None = None,
    warnings: Sequence[str] = (),
    target: str | None = None,
    previous: Mapping[str, Any] | None = None,
    earlier: Sequence[tuple[str, Mapping[str, Any]]] = (),
    care: Any = None,
    generated_at: datetime | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Build the JSON report (a plain dict following ``report-v1.schema.json``).

    ``results`` are the :class:`~stakeplug.PostResult` of posting (or of the
    dry run), in the order of ``suggestions``; ``post_error`` says why posting
    failed as a whole, ``withheld`` why posting was asked for and nothing was
    posted (the suggestions are then a dry run).  ``warnings`` are added to
    the audit's own, such as identities that look wrong.  ``previous`` is an
    earlier JSON report; the categories that moved since then are listed
    under ``changes``, and each stakeholder's position in it becomes their
    ``history`` entry ``previous run``.
    ``earlier`` adds more positions as ``(label, report)`` pairs, such as
    ``("4 weeks ago", report_of_then)``; anything with a ``stakeholders`` list
    of names, acceptances and energies will do.
    ``care`` is the store's care follow-up (``open_tasks`` and ``done``, see
    :func:`~stakeplug.reports.followup.care_followup`); it becomes ``care``.
    """
    stakeholders = [_stakeholder(score) for score in audit.scores.values()]
    by_fp = {r.draft.fingerprint: r for r in results or ()}
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"stakeplug {version or __version__}",
        "generated_at": _iso(generated_at or datetime.now(UTC)),
        "project": {"name": audit.project.name},
        "window": {"since": _iso(audit.since), "until": _iso(audit.until)},
        "partial": bool(audit.is_partial),
        "activities_seen": int(audit.activities_seen),
        "sources": _sources(audit),
        "warnings": [*audit.warnings, *warnings],
        "stakeholders": stakeholders,
        "partners_at_risk": [s.name for s in audit.partners_at_risk],
        "posting": _posting(posted, target, post_error, withheld),
        "suggestions": [
            _suggestion(s, by_fp.get(s.fingerprint), post_error, posted=posted) for s in suggestions
        ],
        "candidates": [_candidate(c) for c in audit.candidates],
        "previous": None,
        "changes": [],
    }
    _add_context(report, audit, previous, earlier, care)
    return report


def _add_context(
    report: dict[str, Any],
    audit: Any,
    previous: Mapping[str, Any] | None,
    earlier: Sequence[tuple[str, Mapping[str, Any]]],
    care: Any,
) -> None:
    """Add what lies around the audit: the map's thresholds, earlier runs and the care follow-up."""
    thresholds = _map_rules(audit)
    if thresholds is not None:
        report["map"] = thresholds
    if previous is not None:
        report["previous"] = {"generated_at": previous.get("generated_at"), "window": previous.get("window")}
        report["changes"] = _changes(report["stakeholders"], previous)
        earlier = [("previous run", previous), *earlier]
    _add_history(report["stakeholders"], earlier)
    if care is not None:
        report["care"] = care_followup(care, until=audit.until)
