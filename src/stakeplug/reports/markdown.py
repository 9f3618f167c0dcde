"""The Markdown report: reads well in a CI log, as a GitHub job summary and in a merge request.

Its sections, in order, are the order of every report format: the partial-audit
banner, the map, changes since the previous report, partners at risk, the
care tasks with what posting did, candidates for the register, the sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stakeplug.reports.followup import by_owner, overdue_count, rates, task_name
from stakeplug.reports.text import (
    CATEGORY_ORDER,
    duplicates_note,
    label,
    map_energy,
    number,
    ordered_stakeholders,
    partial_sources,
    plural,
    risk_line,
    signed,
    status_label,
)

__all__ = ["render_markdown"]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _header(report: Mapping[str, Any]) -> list[str]:
    w = report["window"]
    mode = "dry run" if report["posting"]["mode"] == "dry_run" else "tasks posted"
    out = [
        f"# stakeplug report — {report['project']['name']}",
        "",
        f"Window {w['since'][:10]} → {w['until'][:10]} · {plural(len(report['sources']), 'source')} · "
        f"{plural(report['activities_seen'], 'activity')} · {mode} · generated {report['generated_at']}",
    ]
    partial = partial_sources(report)
    if partial:
        out += [
            "",
            "> **Partial audit.** "
            + "; ".join(f"source `{s['name']}` {s['status']}: {s['error'] or 'no detail'}" for s in partial)
            + ". Scores may be lower than they are.",
        ]
    return out


def _map(report: Mapping[str, Any]) -> list[str]:
    out = ["", "## Stakeholder map", ""]
    out.append("| Stakeholder | Category | Acceptance | Energy | Trend | Priority | Owner |")
    out.append("|---|---|--:|--:|---|--:|---|")
    for s in ordered_stakeholders(report):
        flag = " ⚠ at risk" if s["at_risk"] else ""
        out.append(
            f"| {_cell(s['name'])} | {label(s['category'])}{flag} | {signed(s['acceptance'])} | "
            f"{number(map_energy(s))} | {s['trend']} | {s['priority']} | {_cell(s['owner'] or '—')} |"
        )
    counts = dict.fromkeys(CATEGORY_ORDER, 0)
    for s in report["stakeholders"]:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    out += ["", " · ".join(f"{label(c)}: {n}" for c, n in counts.items())]
    return out


def change_line(c: Mapping[str, Any]) -> str:
    """One change since the previous report, in words (without the name)."""
    risk = ""
    if c["at_risk_now"] and not c["at_risk_before"]:
        risk = " — now at risk"
    elif c["at_risk_before"] and c["at_risk_now"] is False:
        risk = " — no longer at risk"
    if c["from"] is None:
        return f"new on the map as {label(c['to'])}{risk}"
    if c["to"] is None:
        return "no longer in the register"
    if c["from"] == c["to"]:
        return f"still {label(c['to'])}{risk}"
    return f"{label(c['from'])} → {label(c['to'])}{risk}"


def _changes(report: Mapping[str, Any]) -> list[str]:
    if report.get("previous") is None:
        return []
    out = ["", "## Changes since the previous report", ""]
    prev = report["previous"].get("generated_at") or "unknown date"
    if not report["changes"]:
        out.append(f"No category changed since the report of {prev}.")
        return out
    out.append(f"Compared with the report of {prev}:")
    out.append("")
    out += [f"- **{c['stakeholder']}**: {change_line(c)}" for c in report["changes"]]
    return out


def _at_risk(report: Mapping[str, Any]) -> list[str]:
    out = ["", "## Partners at risk", ""]
    by_name = {s["name"]: s for s in report["stakeholders"]}
    if not report["partners_at_risk"]:
        out.append("None: every partner's recent energy is close to their own baseline.")
    for name in report["partners_at_risk"]:
        s = by_name.get(name)
        if s is None:
            out.append(f"- **{name}**")
            continue
        out.append(
            f"- **{name}** ({_cell(s['role'] or 'stakeholder')}, owner {s['owner'] or '—'}): "
            f"{_cell(risk_line(s))}"
        )
    return out


def _suggestions(report: Mapping[str, Any]) -> list[str]:
    out = ["", "## Suggested care tasks", ""]
    if not report["suggestions"]:
        out.append("No care task is due.")
    for i, g in enumerate(report["suggestions"], 1):
        who = f"owner {g['owner']}" if g["owner"] else "no owner"
        via = f", through {g['via']}" if g.get("via") else ""
        task = g.get("task") or {}
        link = f" [{task['id']}]({task['url']})" if task.get("url") else ""
        out.append(
            f"{i}. **{_cell(g['title'])}** — {label(g['action'])} "
            f"for {g['stakeholder']}{via} ({who}, due {(g['due'] or '')[:10]}) — "
            f"{status_label(g['status'])}{link}{duplicates_note(g)}"
        )
        why = " ".join(str(g["why"]).split())
        out.append(f"   - Why: {why}")
        if g["links"]:
            out.append("   - Evidence: " + ", ".join(f"<{u}>" for u in g["links"][:5]))
    if report["posting"].get("error"):
        out += ["", f"> Posting failed: {report['posting']['error']}"]
    if report["posting"].get("withheld"):
        out += ["", f"> Nothing was posted: {report['posting']['withheld']}"]
    return out


def _care(report: Mapping[str, Any]) -> list[str]:
    """Open and overdue care tasks per owner, and what followed the done ones; only with the store."""
    if not isinstance(report.get("care"), Mapping):
        return []
    out = ["", "## Care follow-up", ""]
    groups = by_owner(report)
    if not groups:
        out.append("No care task is open.")
    for owner, tasks in groups:
        out.append(f"- **{_cell(owner)}**: {plural(len(tasks), 'open task')}, {overdue_count(tasks)} overdue")
        for t in tasks:
            link = f" <{t['url']}>" if t.get("url") else ""
            due = f", due {t['due'][:10]}" if t.get("due") else ""
            out.append(f"  - {_cell(task_name(t))} — {t['state']}{due}{link}")
    done = report["care"]["done"]
    if done:
        out += [
            "",
            "Done care tasks: the stakeholder's acts a week before and after (what followed, not proof):",
            "",
        ]
        out += ["| Task | Done | Acts a week before | Acts a week after |", "|---|---|--:|--:|"]
        for t in done:
            before, after = rates(t)
            out.append(f"| {_cell(task_name(t))} | {(t.get('closed') or '')[:10]} | {before} | {after} |")
    return out


def _candidates(report: Mapping[str, Any]) -> list[str]:
    out = ["", "## Candidates to add to the register", ""]
    if not report["candidates"]:
        out.append("None: everyone active is in the register.")
        return out
    out.append("Active people who are not in the register:")
    out.append("")
    out.append("| Tool | Account | Activities | Last seen |")
    out.append("|---|---|--:|---|")
    for c in report["candidates"]:
        account = c["account"] if not c.get("display_name") else f"{c['display_name']} ({c['account']})"
        out.append(f"| {c['tool']} | {_cell(account)} | {c['activities']} | {(c['last_seen'] or '')[:10]} |")
    return out


def _sources(report: Mapping[str, Any]) -> list[str]:
    out = ["", "## Sources", ""]
    out.append("| Source | Adapter | Status | Requests | Items | Activities | Note |")
    out.append("|---|---|---|--:|--:|--:|---|")
    for s in report["sources"]:
        note = s["error"] or (f"{s['skipped']} skipped" if s["skipped"] else "")
        out.append(
            f"| {_cell(s['name'])} | {s['adapter']} | {s['status']} | {s['requests']} | "
            f"{s['items']} | {s['activities']} | {_cell(note)} |"
        )
    if report["warnings"]:
        out += ["", "Warnings:", ""] + [f"- {_cell(x)}" for x in report["warnings"]]
    return out


def render_markdown(report: Mapping[str, Any]) -> str:
    """Render the report as Markdown that reads well in a CI log and as a job summary."""
    out: list[str] = []
    for section in (_header, _map, _changes, _at_risk, _suggestions, _care, _candidates, _sources):
        out += section(report)
    out.append("")
    return "\n".join(out)
