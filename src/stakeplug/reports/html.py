"""The HTML report: one self-contained page (no scripts, no external assets)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from stakeplug.reports.text import label, signed, status_label

__all__ = ["render_html"]


def render_html(report: Mapping[str, Any]) -> str:
    """Render the report as one self-contained HTML page (no scripts, no external assets)."""
    e = html.escape
    rows = []
    for s in report["stakeholders"]:
        risk = ' <strong class="risk">at risk</strong>' if s["at_risk"] else ""
        rows.append(
            f"<tr><td>{e(s['name'])}</td><td>{e(label(s['category']))}{risk}</td>"
            f"<td>{signed(s['acceptance'])}</td><td>{s['energy']:.1f}</td>"
            f"<td>{e(s['trend'])}</td><td>{s['priority']}</td><td>{e(s['owner'] or '—')}</td></tr>"
        )
    items = []
    for g in report["suggestions"]:
        links = "".join(f'<li><a href="{e(u, quote=True)}">{e(u)}</a></li>' for u in g["links"][:5])
        items.append(
            f"<li><strong>{e(g['title'])}</strong> — {e(label(g['action']))} "
            f"for {e(g['stakeholder'])} (due {e((g['due'] or '')[:10])}, "
            f"{e(status_label(g['status']))})<br>{e(str(g['why']))}"
            f"{'<ul>' + links + '</ul>' if links else ''}</li>"
        )
    cands = "".join(
        f"<tr><td>{e(c['tool'])}</td><td>{e(c['account'])}</td><td>{c['activities']}</td></tr>"
        for c in report["candidates"]
    )
    srcs = "".join(
        f"<tr><td>{e(s['name'])}</td><td>{e(s['status'])}</td><td>{s['requests']}</td>"
        f"<td>{e(s['error'] or '')}</td></tr>"
        for s in report["sources"]
    )
    risk_list = "".join(f"<li>{e(n)}</li>" for n in report["partners_at_risk"]) or "<li>None</li>"
    title = e(f"stakeplug report — {report['project']['name']}")
    w = report["window"]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        ".risk{color:#b00}</style></head><body>"
        f"<h1>{title}</h1><p>Window {e(w['since'][:10])} → {e(w['until'][:10])}, "
        f"{report['activities_seen']} activities.</p>"
        "<h2>Stakeholder map</h2><table><tr><th>Stakeholder</th><th>Category</th>"
        "<th>Acceptance</th><th>Energy</th><th>Trend</th><th>Priority</th><th>Owner</th></tr>"
        + "".join(rows)
        + "</table><h2>Partners at risk</h2><ul>"
        + risk_list
        + "</ul>"
        "<h2>Suggested care tasks</h2><ol>" + "".join(items) + "</ol>"
        "<h2>Candidates to add to the register</h2><table><tr><th>Tool</th><th>Account</th>"
        "<th>Activities</th></tr>" + cands + "</table>"
        "<h2>Sources</h2><table><tr><th>Source</th><th>Status</th><th>Requests</th><th>Note</th></tr>"
        + srcs
        + "</table></body></html>\n"
    )
