"""What every report format shares: the one sort order, number formats, labels and plurals.

The Markdown report, the HTML page, the terminal summary and the CSV files
all list stakeholders in :func:`ordered_stakeholders` order and format each
number with :func:`signed` or :func:`number`, so one stakeholder reads the
same everywhere: a +2.95 acceptance is ``+3.0`` in every format, never
``+3.0`` in one and ``+2.9`` in another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from stakeplug.domain.model import Category
from stakeplug.domain.numbers import one_decimal, signed_one_decimal
from stakeplug.domain.risk import risk_detail, risk_label, risk_meaning

__all__ = [
    "CATEGORY_ORDER",
    "STATUS_LABEL",
    "columns",
    "duplicates_note",
    "label",
    "map_energy",
    "number",
    "ordered_stakeholders",
    "pad",
    "partial_sources",
    "plural",
    "signed",
    "status_label",
    "text_width",
]

CATEGORY_ORDER: tuple[str, ...] = tuple(c.value for c in Category)
"""Categories in report order: partners first, undecided last."""

STATUS_LABEL: Mapping[str, str] = {
    "dry_run": "would be created (dry run)",
    "created": "created",
    "exists": "already there",
    "skipped": "skipped",
    "failed": "failed",
}
"""How each care task's posting status reads in a report."""


def number(value: float) -> str:
    """A map number to one decimal, the one rounding (:mod:`stakeplug.domain.numbers`): ``2.95`` → ``3.0``."""
    return one_decimal(value)


def signed(value: float) -> str:
    """An acceptance to one decimal with its sign: ``+3.0``, ``-1.2``, ``+0.0``."""
    return signed_one_decimal(value)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 source``, ``2 sources``, ``1 activity``, ``3 activities``."""
    if count == 1:
        return f"{count} {singular}"
    if plural_form is None:
        plural_form = singular[:-1] + "ies" if singular.endswith("y") else singular + "s"
    return f"{count} {plural_form}"


def label(category: str | None) -> str:
    """A category or action as people read it: ``silent supporter``; ``—`` for none."""
    return "—" if category is None else category.replace("_", " ")


def status_label(status: str) -> str:
    """A care task's posting status as people read it."""
    return STATUS_LABEL.get(status, status)


def duplicates_note(suggestion: Mapping[str, Any]) -> str:
    """``(closed its duplicate KEY)`` when the run closed copies a racing run made; else empty."""
    closed = suggestion.get("duplicates_closed") or []
    if not closed:
        return ""
    what = "its duplicate" if len(closed) == 1 else "its duplicates"
    return f" (closed {what} {', '.join(closed)})"


def _order_key(s: Mapping[str, Any]) -> tuple[int, int, str]:
    category = s["category"]
    rank = CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return rank, -int(s["priority"]), str(s["name"])


def ordered_stakeholders(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The report's stakeholders in the one report order: by category, highest priority first, by name."""
    return sorted(report["stakeholders"], key=_order_key)


def map_energy(s: Mapping[str, Any]) -> float:
    """:attr:`~stakeplug.domain.model.StakeholderScore.map_energy`, read from a report entry."""
    return float(s["recent_energy"] if s["at_risk"] else s["energy"])


def partial_sources(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The sources that failed or had to skip data."""
    return [s for s in report["sources"] if s["status"] != "ok"]


def text_width(text: str) -> int:
    """How many terminal columns ``text`` takes: East Asian wide characters take two, marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (on the left when ``right``)."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill


def columns(rows: Sequence[Sequence[str]], *, right: Iterable[int] = (), rule: bool = False) -> list[str]:
    """Rows of cells as aligned text lines, two spaces apart; columns in ``right`` are right-aligned.

    With ``rule`` the first row is a header, underlined with dashes as wide as each column.
    """
    aligned = set(right)
    widths = [max(text_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    if rule:
        rows = [rows[0], ["-" * n for n in widths], *rows[1:]]
    return ["  ".join(pad(c, widths[i], right=i in aligned) for i, c in enumerate(r)).rstrip() for r in rows]


def risk_line(s: Mapping[str, Any]) -> str:
    """Why a report's partner at risk is at risk: the road and the rates behind it, in the shared words.

    A report written before the rates were recorded has none to show, so it gives the road and its
    meaning only rather than rates of zero.
    """
    reason = s.get("at_risk_reason")
    if "recent_rate" not in s:
        return f"{risk_label(reason)}: {risk_meaning(reason)}"
    ratio = s.get("rate_ratio")
    return risk_detail(
        reason,
        recent_rate=float(s["recent_rate"]),
        baseline_rate=float(s.get("baseline_rate", 0.0)),
        rate_ratio=None if ratio is None else float(ratio),
    )
