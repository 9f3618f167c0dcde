"""Reports: one JSON document, rendered to Markdown (and HTML) for people.

The JSON report is the source of truth.  :func:`build_report` turns an audit,
its care suggestions and what posting did into a plain ``dict`` that follows
the versioned schema shipped as ``stakeplug/schema/report-v1.schema.json``;
:func:`render_markdown` and :func:`render_html` only format that dict, so a
report can be re-rendered from a JSON file and the formats never disagree.

The report holds what scoring needs and nothing more: names, numbers,
categories, signal counts, links to the items behind the evidence.  Comment
bodies are never part of it.

Files are written atomically: each goes to a temporary file in the target
folder and is moved into place with :func:`os.replace` once every format has
been rendered, so a failure never leaves a half-written report behind.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stakeplug.adapter import PostResult
from stakeplug.domain.model import CareSuggestion, Category, Evidence, StakeholderScore
from stakeplug.errors import ConfigError

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "build_report",
    "check_writable",
    "load_previous",
    "render_html",
    "render_markdown",
    "render_summary",
    "report_schema",
    "write_reports",
]

SCHEMA_VERSION = "1"
"""Bumped when a field is removed or changes meaning; adding fields keeps the version."""

FORMATS: Mapping[str, str] = {"md": "report.md", "json": "report.json", "html": "report.html"}
"""Each report format and the file it is written to."""

_EVIDENCE_PER_STAKEHOLDER = 20


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    from importlib.resources import files

    text = files("stakeplug").joinpath("schema", "report-v1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _num(value: float) -> float:
    return round(float(value), 2)


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "signal": str(e.signal),
        "resistance": e.signal.is_resistance,
        "timestamp": _iso(e.timestamp),
        "weight": _num(e.weight),
        "note": e.note,
        "links": list(e.links),
    }


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
        "trend": str(score.trend),
        "priority": score.priority,
        "at_risk": score.at_risk,
        "reachable_via": s.reachable_via,
        "ambassador_consent": s.ambassador_consent,
        "signal_counts": {str(k): int(v) for k, v in score.signal_counts.items()},
        "evidence": [_evidence(e) for e in score.evidence[:_EVIDENCE_PER_STAKEHOLDER]],
    }


def _post_status(result: PostResult | None, error: str | None) -> tuple[str, dict[str, Any] | None]:
    if error is not None:
        return "failed", None
    if result is None:
        return "dry_run", None
    task = None
    if result.task is not None:
        task = {"id": result.task.id, "url": result.task.url, "open": result.task.open}
    if result.created:
        return "created", task
    if result.task is not None:
        return "exists", task
    return ("dry_run" if result.dry_run else "skipped"), task


def _suggestion(s: CareSuggestion, result: PostResult | None, error: str | None) -> dict[str, Any]:
    status, task = _post_status(result, error)
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
    if error is not None:
        entry["error"] = error
    elif result is not None and result.reason:
        entry["reason"] = result.reason
    return entry


def _changes(
    stakeholders: Sequence[Mapping[str, Any]], previous: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    if previous is None:
        return []
    before = {p["name"]: p for p in previous.get("stakeholders", []) if isinstance(p, Mapping)}
    changes: list[dict[str, Any]] = []
    for now in stakeholders:
        old = before.pop(now["name"], None)
        if old is None or _state(old) != (now["category"], now["at_risk"]):
            changes.append(_change(now["name"], old, now))
    changes.extend(_change(name, old, None) for name, old in before.items())
    return changes


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


def build_report(
    audit: Any,
    suggestions: Sequence[CareSuggestion],
    *,
    results: Sequence[PostResult] | None = None,
    post_error: str | None = None,
    posted: bool = False,
    target: str | None = None,
    previous: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Build the JSON report (a plain dict following ``report-v1.schema.json``).

    ``results`` are the :class:`~stakeplug.PostResult` of posting (or of the
    dry run), in the order of ``suggestions``; ``post_error`` says why posting
    failed as a whole.  ``previous`` is an earlier JSON report; the categories
    that moved since then are listed under ``changes``.
    """
    from stakeplug import __version__

    stakeholders = [_stakeholder(score) for score in audit.scores.values()]
    by_fp = {r.draft.fingerprint: r for r in results or ()}
    sources = [
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
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"stakeplug {version or __version__}",
        "generated_at": _iso(generated_at or datetime.now(UTC)),
        "project": {"name": audit.project.name},
        "window": {"since": _iso(audit.since), "until": _iso(audit.until)},
        "partial": bool(audit.is_partial),
        "activities_seen": int(audit.activities_seen),
        "sources": sources,
        "warnings": list(audit.warnings),
        "stakeholders": stakeholders,
        "partners_at_risk": [s.name for s in audit.partners_at_risk],
        "posting": {
            "mode": "post" if posted else "dry_run",
            "target": target,
            "error": post_error,
        },
        "suggestions": [_suggestion(s, by_fp.get(s.fingerprint), post_error) for s in suggestions],
        "candidates": [
            {
                "tool": c.tool,
                "account": c.account,
                "activities": int(c.activities),
                "last_seen": _iso(c.last_seen),
            }
            for c in audit.candidates
        ],
        "previous": None,
        "changes": [],
    }
    if previous is not None:
        report["previous"] = {
            "generated_at": previous.get("generated_at"),
            "window": previous.get("window"),
        }
        report["changes"] = _changes(stakeholders, previous)
    return report


def load_previous(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an earlier JSON report for ``--previous``; a :class:`ConfigError` when it is not one."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "previous report not found; pass the report.json of an earlier run", path=str(p)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"previous report cannot be read: {exc}", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"previous report is not JSON (line {exc.lineno}, column {exc.colno}); "
            "pass the report.json of an earlier run",
            path=str(p),
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data or "stakeholders" not in data:
        raise ConfigError(
            "is not a stakeplug JSON report; pass the report.json of an earlier run", path=str(p)
        )
    return data


# --------------------------------------------------------------------------- Markdown

_CATEGORY_ORDER = [c.value for c in Category]
_STATUS_LABEL = {
    "dry_run": "would be created (dry run)",
    "created": "created",
    "exists": "already exists",
    "skipped": "skipped",
    "failed": "failed",
}


def _map_order(s: Mapping[str, Any]) -> tuple[int, int, str]:
    """Map rows: by category (partners first), then highest priority, then name."""
    category = s["category"]
    rank = _CATEGORY_ORDER.index(category) if category in _CATEGORY_ORDER else len(_CATEGORY_ORDER)
    return rank, -int(s["priority"]), str(s["name"])


def _label(category: str | None) -> str:
    return "—" if category is None else category.replace("_", " ")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def _sources_partial(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in report["sources"] if s["status"] != "ok"]


def render_markdown(report: Mapping[str, Any]) -> str:
    """Render the report as Markdown that reads well in a CI log and as a job summary."""
    out: list[str] = []
    w = report["window"]
    mode = "dry run" if report["posting"]["mode"] == "dry_run" else "tasks posted"
    out.append(f"# stakeplug report — {report['project']['name']}")
    out.append("")
    out.append(
        f"Window {w['since'][:10]} → {w['until'][:10]} · {len(report['sources'])} source(s) · "
        f"{report['activities_seen']} activities · {mode} · generated {report['generated_at']}"
    )
    partial = _sources_partial(report)
    if partial:
        out += [
            "",
            "> **Partial audit.** "
            + "; ".join(f"source `{s['name']}` {s['status']}: {s['error'] or 'no detail'}" for s in partial)
            + ". Scores may be lower than they are.",
        ]
    out += ["", "## Stakeholder map", ""]
    out.append("| Stakeholder | Category | Acceptance | Energy | Trend | Priority | Owner |")
    out.append("|---|---|--:|--:|---|--:|---|")
    for s in sorted(
        report["stakeholders"],
        key=_map_order,
    ):
        flag = " ⚠ at risk" if s["at_risk"] else ""
        out.append(
            f"| {_cell(s['name'])} | {_label(s['category'])}{flag} | {_signed(s['acceptance'])} | "
            f"{s['energy']:.1f} | {s['trend']} | {s['priority']} | {_cell(s['owner'] or '—')} |"
        )
    counts = {c: 0 for c in _CATEGORY_ORDER}
    for s in report["stakeholders"]:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    out += ["", " · ".join(f"{_label(c)}: {n}" for c, n in counts.items())]

    if report.get("previous") is not None:
        out += ["", "## Changes since the previous report", ""]
        prev = report["previous"].get("generated_at") or "unknown date"
        if not report["changes"]:
            out.append(f"No category changed since the report of {prev}.")
        else:
            out.append(f"Compared with the report of {prev}:")
            out.append("")
            for c in report["changes"]:
                risk = ""
                if c["at_risk_now"] and not c["at_risk_before"]:
                    risk = " — now at risk"
                elif c["at_risk_before"] and c["at_risk_now"] is False:
                    risk = " — no longer at risk"
                if c["from"] is None:
                    out.append(f"- **{c['stakeholder']}**: new on the map as {_label(c['to'])}{risk}")
                elif c["to"] is None:
                    out.append(f"- **{c['stakeholder']}**: no longer in the register")
                elif c["from"] == c["to"]:
                    out.append(f"- **{c['stakeholder']}**: still {_label(c['to'])}{risk}")
                else:
                    out.append(f"- **{c['stakeholder']}**: {_label(c['from'])} → {_label(c['to'])}{risk}")

    out += ["", "## Partners at risk", ""]
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
            f"recent energy {s['recent_energy']:.1f} against a baseline of "
            f"{s['baseline_energy']:.1f}"
        )

    out += ["", "## Suggested care tasks", ""]
    if not report["suggestions"]:
        out.append("No care task is due.")
    for i, g in enumerate(report["suggestions"], 1):
        who = f"owner {g['owner']}" if g["owner"] else "no owner"
        via = f", through {g['via']}" if g.get("via") else ""
        out.append(
            f"{i}. **{_cell(g['title'])}** — {_label(g['action'])} "
            f"for {g['stakeholder']}{via} ({who}, due {(g['due'] or '')[:10]}) — "
            f"{_STATUS_LABEL.get(g['status'], g['status'])}"
            + (f" [{g['task']['id']}]({g['task']['url']})" if g.get("task") and g["task"].get("url") else "")
        )
        why = " ".join(str(g["why"]).split())
        out.append(f"   - Why: {why}")
        if g["links"]:
            out.append("   - Evidence: " + ", ".join(f"<{u}>" for u in g["links"][:5]))
    if report["posting"].get("error"):
        out += ["", f"> Posting failed: {report['posting']['error']}"]

    out += ["", "## Candidates to add to the register", ""]
    if not report["candidates"]:
        out.append("None: everyone active is in the register.")
    else:
        out.append("Active people who are not in the register:")
        out.append("")
        out.append("| Tool | Account | Activities | Last seen |")
        out.append("|---|---|--:|---|")
        for c in report["candidates"]:
            out.append(
                f"| {c['tool']} | {_cell(c['account'])} | {c['activities']} | {(c['last_seen'] or '')[:10]} |"
            )

    out += ["", "## Sources", ""]
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
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML


def render_html(report: Mapping[str, Any]) -> str:
    """Render the report as one self-contained HTML page (no scripts, no external assets)."""
    e = html.escape
    rows = []
    for s in report["stakeholders"]:
        risk = ' <strong class="risk">at risk</strong>' if s["at_risk"] else ""
        rows.append(
            f"<tr><td>{e(s['name'])}</td><td>{e(_label(s['category']))}{risk}</td>"
            f"<td>{_signed(s['acceptance'])}</td><td>{s['energy']:.1f}</td>"
            f"<td>{e(s['trend'])}</td><td>{s['priority']}</td><td>{e(s['owner'] or '—')}</td></tr>"
        )
    items = []
    for g in report["suggestions"]:
        links = "".join(f'<li><a href="{e(u, quote=True)}">{e(u)}</a></li>' for u in g["links"][:5])
        items.append(
            f"<li><strong>{e(g['title'])}</strong> — {e(_label(g['action']))} "
            f"for {e(g['stakeholder'])} (due {e((g['due'] or '')[:10])}, "
            f"{e(_STATUS_LABEL.get(g['status'], g['status']))})<br>{e(str(g['why']))}"
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


# --------------------------------------------------------------------------- terminal


def render_summary(report: Mapping[str, Any]) -> str:
    """A plain-text summary for the terminal: the map, the partners at risk, the care tasks."""
    out: list[str] = []
    w = report["window"]
    out.append(
        f"{report['project']['name']}: {len(report['stakeholders'])} stakeholders, "
        f"{report['activities_seen']} activities from {len(report['sources'])} source(s), "
        f"{w['since'][:10]} to {w['until'][:10]}"
    )
    out.append("")
    header = ("Stakeholder", "Category", "Accept", "Energy", "Trend", "Prio")
    rows = [
        (
            s["name"],
            _label(s["category"]) + (" (AT RISK)" if s["at_risk"] else ""),
            _signed(s["acceptance"]),
            f"{s['energy']:.1f}",
            s["trend"],
            str(s["priority"]),
        )
        for s in sorted(
            report["stakeholders"],
            key=_map_order,
        )
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, tuple("-" * n for n in widths), *rows]:
        out.append(
            "  ".join(
                c.ljust(widths[i]) if i < 2 or i == 4 else c.rjust(widths[i]) for i, c in enumerate(r)
            ).rstrip()
        )
    out.append("")
    risk = report["partners_at_risk"]
    out.append("Partners at risk: " + (", ".join(risk) if risk else "none"))
    for s in _sources_partial(report):
        out.append(f"Source {s['name']} is {s['status']}: {s['error'] or 'no detail'}")
    out.append("")
    out.append(f"Suggested care tasks ({len(report['suggestions'])}):")
    for g in report["suggestions"]:
        owner = g["owner"] or "no owner"
        line = f"  - [{_label(g['action'])}] {g['title']} (owner {owner}, due {(g['due'] or '')[:10]})"
        out.append(line)
    if report["candidates"]:
        out.append("")
        out.append(
            "Candidates to add to the register: "
            + ", ".join(f"{c['tool']}:{c['account']}" for c in report["candidates"][:8])
            + (" …" if len(report["candidates"]) > 8 else "")
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- files


def check_writable(out_dir: str | os.PathLike[str]) -> Path:
    """Create ``out_dir`` if needed and prove a file can be written there, before any work.

    Raises :class:`ConfigError` naming the folder and what to do.
    """
    p = Path(out_dir)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError("exists and is not a folder; pass --out with a folder path", path=str(p)) from None
    except OSError as exc:
        raise ConfigError(
            f"output folder cannot be created ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    if not p.is_dir():
        raise ConfigError("exists and is not a folder; pass --out with a folder path", path=str(p))
    try:
        fd, probe = tempfile.mkstemp(prefix=".stakeplug-probe-", dir=p)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"output folder cannot be written ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    return p


def write_reports(
    report: Mapping[str, Any], out_dir: str | os.PathLike[str], formats: Iterable[str]
) -> list[Path]:
    """Write ``report`` in each of ``formats`` to ``out_dir``, all or nothing.

    Every format is rendered and written to a temporary file first; only when
    all succeeded are they moved into place.  Returns the written paths.
    """
    p = Path(out_dir)
    renderers = {
        "md": render_markdown,
        "json": lambda r: json.dumps(r, indent=2, ensure_ascii=False) + "\n",
        "html": render_html,
    }
    texts = [(p / FORMATS[fmt], renderers[fmt](report)) for fmt in formats]
    try:
        write_all(texts)
    except OSError as exc:
        raise ConfigError(
            f"report could not be written ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    return [final for final, _ in texts]


def write_all(texts: Sequence[tuple[Path, str]]) -> None:
    """Write each text to its path (UTF-8, ``\\n`` line ends), all or nothing.

    Each text goes to a temporary file beside its path first; only when all are
    written are they moved into place.  On an ``OSError`` the temporary files
    are removed and the error is raised.
    """
    staged: list[tuple[str, Path]] = []
    moved = 0
    try:
        for final, text in texts:
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            staged.append((tmp, final))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        for tmp, final in staged:
            os.replace(tmp, final)
            moved += 1
    finally:
        for tmp, _ in staged[moved:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
