"""The terminal summary: the map, who is at risk, and what posting did, in a few lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from stakeplug.domain.risk import risk_label
from stakeplug.reports.followup import by_owner, overdue_count, rates, task_name
from stakeplug.reports.text import (
    STATUS_LABEL,
    columns,
    duplicates_note,
    label,
    map_energy,
    number,
    ordered_stakeholders,
    partial_sources,
    plural,
    signed,
    status_label,
)

__all__ = ["open_task_count", "posting_counts", "render_summary"]


def posting_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """How many suggestions ended in each posting status, in a fixed order, zeros left out."""
    counts = Counter(g["status"] for g in report["suggestions"])
    return {status: counts[status] for status in STATUS_LABEL if counts[status]}


def open_task_count(report: Mapping[str, Any]) -> int | None:
    """How many care tasks are still open in the tracker, as far as this run knows; ``None`` when unknown.

    The care follow-up (when the activity store keeps it) knows every open
    task; without it, the tasks this run found or created for its suggestions.
    """
    care = report.get("care")
    if isinstance(care, Mapping) and isinstance(care.get("open"), list):
        return len(care["open"])
    tasks = [g["task"] for g in report["suggestions"] if g.get("task")]
    if not tasks:
        return None
    return sum(1 for t in tasks if t.get("open"))


def _risk(report: Mapping[str, Any]) -> list[str]:
    """Each partner at risk with the road that put them there: ``Maria (losing interest)``."""
    by_name = {s["name"]: s for s in report["stakeholders"]}
    return [
        f"{name} ({risk_label(by_name[name].get('at_risk_reason'))})" if name in by_name else name
        for name in report["partners_at_risk"]
    ]


def _table(report: Mapping[str, Any]) -> list[str]:
    header = ("Stakeholder", "Category", "Accept", "Energy", "Trend", "Prio")
    rows = [
        (
            str(s["name"]),
            label(s["category"]) + (" (AT RISK)" if s["at_risk"] else ""),
            signed(s["acceptance"]),
            number(map_energy(s)),
            str(s["trend"]),
            str(s["priority"]),
        )
        for s in ordered_stakeholders(report)
    ]
    return columns([header, *rows], right=(2, 3, 5), rule=True)


def _posting(report: Mapping[str, Any]) -> list[str]:
    suggestions = report["suggestions"]
    mode = "dry run" if report["posting"]["mode"] == "dry_run" else "posted"
    out = [f"Suggested care tasks ({len(suggestions)}, {mode}):"]
    for g in suggestions:
        owner = g["owner"] or "no owner"
        task = g.get("task") or {}
        where = f" {task['id']}" if task.get("id") else ""
        out.append(
            f"  - [{label(g['action'])}] {g['title']} (owner {owner}, due {(g['due'] or '')[:10]})"
            f" — {status_label(g['status'])}{where}{duplicates_note(g)}"
        )
    counts = posting_counts(report)
    if counts:
        out.append("Posting: " + ", ".join(f"{n} {status_label(s)}" for s, n in counts.items()))
    if report["posting"].get("error"):
        out.append(f"Posting failed: {report['posting']['error']}")
    if report["posting"].get("withheld"):
        out.append(f"Nothing was posted: {report['posting']['withheld']}")
    still_open = open_task_count(report)
    if still_open is not None:
        care = report.get("care")
        late = overdue_count(care["open"]) if isinstance(care, Mapping) else 0
        out.append(f"Care tasks still open: {still_open}" + (f" ({late} overdue)" if late else ""))
    return out + _followed(report)


def _followed(report: Mapping[str, Any]) -> list[str]:
    """The care follow-up in a few lines: open and overdue per owner, then what followed each done task."""
    if not isinstance(report.get("care"), Mapping):
        return []
    out = []
    for owner, tasks in by_owner(report):
        late = overdue_count(tasks)
        first = tasks[0]
        due = f", due {first['due'][:10]}" if first.get("due") else ""
        oldest = f"; first: {task_name(first)} ({first['state']}{due})"
        out.append(f"  {owner}: {plural(len(tasks), 'open task')}, {late} overdue{oldest}")
    for t in report["care"]["done"]:
        before, after = rates(t)
        out.append(
            f"  Done {(t.get('closed') or '')[:10]}: {task_name(t)}; acts a week in the "
            f"{plural(len(t['before']), 'week')} before: {before}, after: {after}"
        )
    return out


def _candidate(c: Mapping[str, Any]) -> str:
    account = f"{c['tool']}:{c['account']}"
    return f"{c['display_name']} ({account})" if c.get("display_name") else account


def render_summary(report: Mapping[str, Any]) -> str:
    """A plain-text summary for the terminal: the map, the partners at risk, the care tasks."""
    w = report["window"]
    out = [
        f"{report['project']['name']}: {plural(len(report['stakeholders']), 'stakeholder')}, "
        f"{plural(report['activities_seen'], 'activity')} from {plural(len(report['sources']), 'source')}, "
        f"{w['since'][:10]} to {w['until'][:10]}",
        "",
        *_table(report),
        "",
    ]
    out.append("Partners at risk: " + (", ".join(_risk(report)) or "none"))
    for s in partial_sources(report):
        out.append(f"Source {s['name']} is {s['status']}: {s['error'] or 'no detail'}")
    out.append("")
    out += _posting(report)
    if report["candidates"]:
        out.append("")
        out.append(
            "Candidates to add to the register: "
            + ", ".join(_candidate(c) for c in report["candidates"][:8])
            + (" …" if len(report["candidates"]) > 8 else "")
        )
    return "\n".join(out)
