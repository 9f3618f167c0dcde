"""The CSV files, for the people who live in spreadsheets.

``stakeholders.csv`` has one row per stakeholder (the map, the energies, at
risk, priority) in the one report order; ``suggestions.csv`` one row per care
suggestion with what posting did.  Numbers are written the way every other
format shows them (one decimal, halves rounded up); flags are ``true`` or
``false``; a row ends in ``\\n``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from stakeplug.reports.text import map_energy, number, ordered_stakeholders

__all__ = ["STAKEHOLDER_COLUMNS", "SUGGESTION_COLUMNS", "render_stakeholders_csv", "render_suggestions_csv"]

STAKEHOLDER_COLUMNS: tuple[str, ...] = (
    "name",
    "role",
    "owner",
    "category",
    "at_risk",
    "acceptance",
    "energy",
    "map_energy",
    "recent_energy",
    "baseline_energy",
    "trend",
    "power",
    "interest",
    "priority",
)
"""The columns of ``stakeholders.csv``; ``map_energy`` is where the map draws them (recent when at risk)."""

SUGGESTION_COLUMNS: tuple[str, ...] = (
    "stakeholder",
    "action",
    "title",
    "owner",
    "via",
    "due",
    "priority",
    "status",
    "task_id",
    "task_url",
    "fingerprint",
    "why",
    "links",
)
"""The columns of ``suggestions.csv``; ``links`` are separated by spaces."""


def _flag(value: Any) -> str:
    return "true" if value else "false"


_FORMULA_STARTS = ("=", "+", "-", "@")


def _text(value: Any) -> str:
    """A text cell on one line; one a spreadsheet would run as a formula is quoted with ``'``."""
    text = "" if value is None else " ".join(str(value).split())
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _stakeholder_row(s: Mapping[str, Any]) -> list[str]:
    return [
        _text(s["name"]),
        _text(s["role"]),
        _text(s["owner"]),
        s["category"],
        _flag(s["at_risk"]),
        number(s["acceptance"]),
        number(s["energy"]),
        number(map_energy(s)),
        number(s["recent_energy"]),
        number(s["baseline_energy"]),
        s["trend"],
        str(s["power"]),
        str(s["interest"]),
        str(s["priority"]),
    ]


def render_stakeholders_csv(report: Mapping[str, Any]) -> str:
    """``stakeholders.csv``: one row per stakeholder, in report order."""
    return _csv(STAKEHOLDER_COLUMNS, (_stakeholder_row(s) for s in ordered_stakeholders(report)))


def _suggestion_row(g: Mapping[str, Any]) -> list[str]:
    task = g.get("task") or {}
    return [
        _text(g["stakeholder"]),
        g["action"],
        _text(g["title"]),
        _text(g["owner"]),
        _text(g.get("via")),
        (g["due"] or "")[:10],
        str(g["priority"]),
        g["status"],
        _text(task.get("id")),
        _text(task.get("url")),
        g["fingerprint"],
        _text(g["why"]),
        " ".join(g["links"]),
    ]


def render_suggestions_csv(report: Mapping[str, Any]) -> str:
    """``suggestions.csv``: one row per care suggestion, in the report's order."""
    return _csv(SUGGESTION_COLUMNS, (_suggestion_row(g) for g in report["suggestions"]))
