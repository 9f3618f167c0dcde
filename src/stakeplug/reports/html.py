"""The HTML report: one self-contained page to open before a steering meeting.

Inline CSS and SVG only: no script, no font, no image from anywhere else (a
Content-Security-Policy in the page says so to the browser), so it works
offline, from a CI artifact and on paper.  The sections follow the Markdown
report's order, with the pictures first: the map, the power/interest grid,
changes since the previous report, partners at risk, the care tasks and what
posting did, candidates for the register, each stakeholder's evidence, the
sources.  Every chart has a table with the same facts under a ``<details>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from stakeplug.reports.charts import CATEGORY_STYLE, grid_box, grid_svg, map_svg, shape_svg, sparkline_svg
from stakeplug.reports.followup import by_owner, overdue_count, rates, task_name
from stakeplug.reports.html_style import STYLE
from stakeplug.reports.markdown import change_line
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

__all__ = ["render_html"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{_e(url)}">{_e(text or url)}</a>'


def _icon(category: str) -> str:
    """A small legend-sized shape of the category, for text next to it."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="icon" viewBox="0 0 16 16" width="16" height="16" '
        f'aria-hidden="true">{shape_svg(category, 8, 8, 5.6)}</svg>'
    )


def _badge(category: str) -> str:
    return f'<span class="cat cat-{_e(category)}">{_icon(category)}{_e(label(category))}</span>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = ()) -> str:
    """A table of already-escaped cells; columns in ``numeric`` are right-aligned."""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(report: Mapping[str, Any]) -> str:
    w = report["window"]
    mode = "dry run" if report["posting"]["mode"] == "dry_run" else "tasks posted"
    meta = (
        f"Window {_e(w['since'][:10])} → {_e(w['until'][:10])} · "
        f"{plural(len(report['sources']), 'source')} · "
        f"{plural(report['activities_seen'], 'activity')} · {mode} · generated {_e(report['generated_at'])}"
    )
    out = f"<header><h1>stakeplug report — {_e(report['project']['name'])}</h1><p class=meta>{meta}</p>"
    partial = partial_sources(report)
    if partial:
        which = "; ".join(
            f"source <code>{_e(s['name'])}</code> {_e(s['status'])}: {_e(s['error'] or 'no detail')}"
            for s in partial
        )
        out += (
            f'<p class="banner" role="alert"><strong>Partial audit.</strong> {which}. '
            "Scores may be lower than they are.</p>"
        )
    counts = {c: 0 for c in CATEGORY_ORDER}
    for s in report["stakeholders"]:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    tiles = "".join(f"<li>{_badge(c)} <strong>{n}</strong></li>" for c, n in counts.items())
    at_risk = len(report["partners_at_risk"])
    alarm = ' class="alarm"' if at_risk else ""
    tiles += f'<li{alarm}><span class="cat">partners at risk</span> <strong>{at_risk}</strong></li>'
    return out + f'<ul class="tiles">{tiles}</ul></header>'


def _map_section(report: Mapping[str, Any]) -> str:
    chart = map_svg(report)
    legend = "".join(f"<li>{_badge(c)}</li>" for c in CATEGORY_STYLE)
    legend += (
        '<li><span class="key-ring"></span>ringed: partner at risk, drawn at their recent energy; '
        "the dotted line rises to their own baseline</li>"
        "<li>marker size: power (1–5)</li>"
    )
    if 'class="leader"' in chart:
        legend += "<li>a thin line leads from a marker to its name where markers crowd</li>"
    histories = [s["history"] for s in report["stakeholders"] if s.get("history")]
    if histories:
        solid = ", ".join(sorted({h[0]["label"] for h in histories}))
        older = ", ".join(sorted({h[1]["label"] for h in histories if len(h) > 1}))
        dashed = f" (dashed: since {_e(older)})" if older else ""
        legend += f"<li>○→ arrow: moved since the {_e(solid)}{dashed}</li>"
    rows = []
    for s in ordered_stakeholders(report):
        before = (s.get("history") or [None])[0]
        then = (
            "—"
            if before is None
            else f"{signed(before['acceptance'])} / {number(before['energy'])} ({_e(before['label'])})"
        )
        rows.append(
            [
                _e(s["name"]),
                _badge(s["category"]) + (' <strong class="risk">at risk</strong>' if s["at_risk"] else ""),
                signed(s["acceptance"]),
                number(map_energy(s)),
                f"{number(s['baseline_energy'])} → {number(s['recent_energy'])}",
                _e(s["trend"]),
                str(s["power"]),
                then,
            ]
        )
    table = _table(
        [
            "Stakeholder",
            "Category",
            "Acceptance",
            "Energy on the map",
            "Baseline → recent",
            "Trend",
            "Power",
            "Before",
        ],
        rows,
        numeric=(2, 3, 6),
    )
    return (
        '<section id="map"><h2>Stakeholder map</h2><figure>'
        + chart
        + f'<figcaption><ul class="legend">{legend}</ul></figcaption></figure>'
        + f"<details><summary>The map as a table</summary>{table}</details></section>"
    )


def _grid_section(report: Mapping[str, Any]) -> str:
    rows = [
        [
            _e(grid_box(int(s["power"]), int(s["interest"]))),
            _e(s["name"]),
            str(s["power"]),
            str(s["interest"]),
            _badge(s["category"]),
        ]
        for s in ordered_stakeholders(report)
    ]
    table = _table(["Box", "Stakeholder", "Power", "Interest", "Category"], rows, numeric=(2, 3))
    return (
        '<section id="grid"><h2>Power and interest</h2>'
        "<p class=note>From the register's power and interest (4 and 5 count as high); "
        "each name carries its place on the map.</p>"
        + grid_svg(report)
        + f"<details><summary>The grid as a table</summary>{table}</details></section>"
    )


def _changes_section(report: Mapping[str, Any]) -> str:
    if report.get("previous") is None:
        return ""
    prev = _e(report["previous"].get("generated_at") or "unknown date")
    if not report["changes"]:
        body = f"<p>No category changed since the report of {prev}.</p>"
    else:
        items = "".join(
            f"<li><strong>{_e(c['stakeholder'])}</strong>: {_e(change_line(c))}</li>"
            for c in report["changes"]
        )
        body = f"<p>Compared with the report of {prev}:</p><ul>{items}</ul>"
    return f'<section id="changes"><h2>Changes since the previous report</h2>{body}</section>'


def _risk_reason(s: Mapping[str, Any]) -> str:
    return _e(risk_line(s))


def _risk_section(report: Mapping[str, Any]) -> str:
    by_name = {s["name"]: s for s in report["stakeholders"]}
    if not report["partners_at_risk"]:
        body = "<p>None: every partner's recent energy is close to their own baseline.</p>"
    else:
        items = []
        for name in report["partners_at_risk"]:
            s = by_name.get(name)
            if s is None:
                items.append(f"<li><strong>{_e(name)}</strong></li>")
                continue
            who = f"{_e(s['role'] or 'stakeholder')}, owner {_e(s['owner'] or '—')}"
            items.append(
                f'<li><a href="#p-{_anchor(name)}"><strong>{_e(name)}</strong></a> ({who}): '
                f"{_risk_reason(s)}</li>"
            )
        body = "<ul>" + "".join(items) + "</ul>"
    return f'<section id="risk"><h2>Partners at risk</h2>{body}</section>'


def _posting_line(report: Mapping[str, Any]) -> str:
    posting = report["posting"]
    target = f" to <code>{_e(posting['target'])}</code>" if posting.get("target") else ""
    if posting["mode"] == "dry_run":
        line = f"Dry run: nothing was posted{target}; each task below says what posting would do."
    else:
        line = f"Posted{target}; each task below says what posting did."
    if posting.get("error"):
        line += f' <strong class="risk">Posting failed: {_e(posting["error"])}</strong>'
    if posting.get("withheld"):
        line += f' <strong class="risk">Nothing was posted: {_e(posting["withheld"])}</strong>'
    return f"<p class=note>{line}</p>"


def _task_row(i: int, g: Mapping[str, Any]) -> list[str]:
    """One care task as table cells: number, posting, the task and its why, who, when, evidence."""
    task = g.get("task") or {}
    status = f'<span class="status st-{_e(g["status"])}">{_e(status_label(g["status"]))}</span>'
    if task.get("url"):
        status += f"<br>{_link(task['url'], task.get('id'))}"
    if g.get("duplicates_closed"):
        status += f"<br><span class=note>{_e(duplicates_note(g).strip(' ()'))}</span>"
    via = f"<br><span class=note>through {_e(g['via'])}</span>" if g.get("via") else ""
    evidence = " ".join(_link(u, f"[{n}]") for n, u in enumerate(g["links"][:5], 1))
    return [
        str(i),
        status,
        f"<strong>{_e(g['title'])}</strong> <span class=note>{_e(label(g['action']))}</span>"
        f"<div class=why>{_e(' '.join(str(g['why']).split()))}</div>",
        f"{_e(g['stakeholder'])}{via}",
        _e(g["owner"] or "—"),
        f'<span class="nowrap">{_e((g["due"] or "")[:10])}</span>',
        f'<span class="links">{evidence}</span>',
    ]


def _tasks_section(report: Mapping[str, Any]) -> str:
    rows = [_task_row(i, g) for i, g in enumerate(report["suggestions"], 1)]
    body = "<p>No care task is due.</p>"
    if rows:
        header = ["#", "Posting", "Task and why", "For", "Owner", "Due", "Evidence"]
        body = _table(header, rows, numeric=(0,)).replace("<table>", '<table class="tasks">', 1)
    return f'<section id="tasks"><h2>Suggested care tasks</h2>{_posting_line(report)}{body}</section>'


def _care_section(report: Mapping[str, Any]) -> str:
    """Open and overdue care tasks per owner, and what followed the done ones; only with the store."""
    if not isinstance(report.get("care"), Mapping):
        return ""
    parts = []
    for owner, tasks in by_owner(report):
        items = "".join(
            f"<li>{_link(t['url'], task_name(t)) if t.get('url') else _e(task_name(t))} — {_e(t['state'])}"
            + (f", due {_e(t['due'][:10])}" if t.get("due") else "")
            + "</li>"
            for t in tasks
        )
        head = f"{_e(owner)}: {plural(len(tasks), 'open task')}, {overdue_count(tasks)} overdue"
        parts.append(f"<h3>{head}</h3><ul>{items}</ul>")
    body = "".join(parts) or "<p>No care task is open.</p>"
    done = report["care"]["done"]
    if done:
        rows = [
            [_e(task_name(t)), _e((t.get("closed") or "")[:10]), *(_e(r) for r in rates(t))] for t in done
        ]
        body += (
            "<p class=note>Done care tasks: the stakeholder's acts a week before and after "
            "(what followed, not proof the task caused it).</p>"
            + _table(["Task", "Done", "Acts a week before", "Acts a week after"], rows, numeric=(2, 3))
        )
    return f'<section id="care"><h2>Care follow-up</h2>{body}</section>'


def _candidates_section(report: Mapping[str, Any]) -> str:
    if not report["candidates"]:
        body = "<p>None: everyone active is in the register.</p>"
    else:
        rows = [
            [
                _e(c["tool"]),
                _e(c.get("display_name") or "—"),
                f"<code>{_e(c['account'])}</code>",
                str(c["activities"]),
                _e((c["last_seen"] or "")[:10]),
            ]
            for c in report["candidates"]
        ]
        table = _table(["Tool", "Name", "Account", "Activities", "Last seen"], rows, numeric=(3,))
        body = "<p>Active people who are not in the register:</p>" + table
    return f'<section id="candidates"><h2>Candidates to add to the register</h2>{body}</section>'


def _anchor(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.casefold())


def weekly_line(s: Mapping[str, Any]) -> str:
    """The one line under a sparkline: what the line shows and how the recent rate stands to the baseline.

    Without acts before the recent weeks there is no baseline: the chart draws no dashed line
    and the line says why, instead of showing a baseline of zero.
    """
    weeks = len(s["weekly_activity"])
    line = f"Distinct acts a week over the last {plural(weeks, 'week')}"
    ratio = s.get("rate_ratio")
    if ratio is None:
        return (
            f"{line}; recently {number(s['recent_rate'])} a week; no baseline yet "
            "(no acts before the recent weeks), so no dashed line."
        )
    return (
        f"{line}; dashed: their own baseline of {number(s['baseline_rate'])} a week; "
        f"recently {number(s['recent_rate'])} a week ({number(ratio)}× the baseline)."
    )


def _weekly(s: Mapping[str, Any]) -> str:
    """A stakeholder's sparkline of weekly acts against their own baseline, its line and its numbers."""
    counts = [int(v) for v in s.get("weekly_activity") or ()]
    if not counts or "baseline_rate" not in s:
        return ""
    cells = ", ".join(str(v) for v in counts)
    baseline = None if s.get("rate_ratio") is None else float(s["baseline_rate"])
    return (
        f'<div class="spark-box">{sparkline_svg(counts, baseline)}'
        f"<p class=note>{_e(weekly_line(s))}</p>"
        f"<details><summary>Weekly values, oldest first</summary><p>{cells}</p></details></div>"
    )


def _evidence_rows(s: Mapping[str, Any]) -> str:
    if not s["evidence"]:
        return "<p class=note>No evidence in the window.</p>"
    rows = [
        [
            _e((e["timestamp"] or "")[:10]),
            '<span class="minus">−</span>' if e["resistance"] else '<span class="plus">+</span>',
            _e(label(e["signal"])),
            _e(e["note"]),
            " ".join(_link(u, f"link {i}") for i, u in enumerate(e["links"], 1)),
        ]
        for e in s["evidence"]
    ]
    return _table(["Date", "", "Signal", "What happened", "Links"], rows)


def _signals(s: Mapping[str, Any]) -> str:
    """The stakeholder's most frequent signals in the window, as one line."""
    counts = sorted(s["signal_counts"].items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    if not counts:
        return ""
    text = " · ".join(f"{_e(label(signal))} ×{n}" for signal, n in counts)
    return f"<p class=signals>Most seen: {text}</p>"


def _person(s: Mapping[str, Any], tasks: int) -> str:
    facts = (
        f"acceptance {signed(s['acceptance'])} · energy {number(map_energy(s))} · trend {_e(s['trend'])} · "
        f"power {s['power']} · interest {s['interest']} · owner {_e(s['owner'] or '—')}"
    )
    risk = f'<p class="risk">At risk: {_risk_reason(s)}.</p>' if s["at_risk"] else ""
    care = f'<p class=note><a href="#tasks">{plural(tasks, "care task")}</a> suggested.</p>' if tasks else ""
    return (
        f'<article class="person" id="p-{_anchor(s["name"])}">'
        f"<h3>{_e(s['name'])} {_badge(s['category'])}</h3>"
        f"<p class=meta>{_e(s['role'] or 'stakeholder')} · {facts}</p>{risk}{_weekly(s)}{_signals(s)}{care}"
        f"<details><summary>Evidence trail ({plural(len(s['evidence']), 'entry')})</summary>"
        f"{_evidence_rows(s)}</details>"
        "</article>"
    )


def _people_section(report: Mapping[str, Any]) -> str:
    tasks: dict[str, int] = {}
    for g in report["suggestions"]:
        tasks[g["stakeholder"]] = tasks.get(g["stakeholder"], 0) + 1
    cards = "".join(_person(s, tasks.get(s["name"], 0)) for s in ordered_stakeholders(report))
    return f'<section id="people"><h2>Stakeholders one by one</h2><div class="people">{cards}</div></section>'


def _sources_section(report: Mapping[str, Any]) -> str:
    rows = [
        [
            _e(s["name"]),
            _e(s["adapter"]),
            f'<span class="src-{_e(s["status"])}">{_e(s["status"])}</span>',
            str(s["requests"]),
            str(s["items"]),
            str(s["activities"]),
            _e(s["error"] or (f"{s['skipped']} skipped" if s["skipped"] else "")),
        ]
        for s in report["sources"]
    ]
    table = _table(
        ["Source", "Adapter", "Status", "Requests", "Items", "Activities", "Note"], rows, numeric=(3, 4, 5)
    )
    warnings = ""
    if report["warnings"]:
        warnings = (
            "<h3>Warnings</h3><ul>" + "".join(f"<li>{_e(w)}</li>" for w in report["warnings"]) + "</ul>"
        )
    return f'<section id="sources"><h2>Sources</h2>{table}{warnings}</section>'


def render_html(report: Mapping[str, Any]) -> str:
    """Render the report as one self-contained HTML page (no scripts, no external assets)."""
    title = _e(f"stakeplug report — {report['project']['name']}")
    sections = (
        _map_section,
        _grid_section,
        _changes_section,
        _risk_section,
        _tasks_section,
        _care_section,
        _candidates_section,
        _people_section,
        _sources_section,
    )
    body = _header(report) + "<main>" + "".join(section(report) for section in sections) + "</main>"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>{body}"
        f"<footer>{_e(report['generator'])}</footer></body></html>\n"
    )
