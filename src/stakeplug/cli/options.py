"""The command's argument types: windows, report formats and ``--fail-on`` conditions."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

from stakeplug.app.results import FAIL_ON
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import StakeplugError
from stakeplug.reports import FORMATS

__all__ = ["UsageError", "fail_on_list", "format_list", "parse_when", "window"]

_RELATIVE = re.compile(r"^\s*(\d{1,12})\s*([dwh])\s*$", re.IGNORECASE)
_MAX_SPAN_DAYS = 36_500
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Dates an audit window may name: activity cannot be older, and a later end cannot be computed with."""


class UsageError(StakeplugError):
    """A command-line argument that cannot be used; exit code 2."""


def parse_when(text: str, *, option: str, now: datetime) -> datetime:
    """Parse ``--since``/``--until``: a date, an ISO 8601 time, or a span back from ``now`` (``90d``).

    Dates and times without a zone are taken as UTC.
    """
    m = _RELATIVE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        hours = n * {"d": 24, "w": 24 * 7, "h": 1}[unit]
        if hours > _MAX_SPAN_DAYS * 24:
            raise UsageError(
                f"{option} {text!r} reaches back more than {_MAX_SPAN_DAYS} days (100 years); "
                "give a shorter span like 90d, or a date"
            )
        return now - timedelta(hours=hours)
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date or time; use a date like 2026-06-01, "
            "a time like 2026-06-01T08:00:00+02:00, or a span back from now like 90d, 12w or 36h"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not _EARLIEST <= parsed <= _LATEST:
        raise UsageError(
            f"{option} {text!r} is outside the years {_EARLIEST.year}–{_LATEST.year - 1}; "
            "give a date within them, like 2026-06-01"
        )
    return parsed.astimezone(UTC)


def window(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    """The audit window of ``--since`` and ``--until``; ``None`` where the config's default applies."""
    now = datetime.now(UTC)
    until = parse_when(args.until, option="--until", now=now) if args.until else None
    since = parse_when(args.since, option="--since", now=until or now) if args.since else None
    if since is not None and until is not None and since >= until:
        raise UsageError(f"--since {args.since} is not before --until {args.until}; give a non-empty window")
    if since is not None and until is None and since >= now:
        raise UsageError(f"--since {args.since} is in the future; give a time before now")
    return since, until


def format_list(text: str) -> list[str]:
    """``--format``: report formats, comma-separated, ``markdown`` accepted for ``md``."""
    chosen: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name == "markdown":
            name = "md"
        if name not in FORMATS:
            raise argparse.ArgumentTypeError(
                f"unknown format {part.strip()!r}; choose from {', '.join(FORMATS)} (comma-separated)"
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise argparse.ArgumentTypeError(f"give at least one of {', '.join(FORMATS)}")
    return chosen


def fail_on_list(text: str) -> list[str]:
    """``--fail-on``: conditions, comma-separated, with a did-you-mean for a misspelt one."""
    chosen: list[str] = []
    for part in text.split(","):
        name = part.strip().lower().replace("_", "-")
        if not name:
            continue
        if name not in FAIL_ON:
            raise argparse.ArgumentTypeError(
                f"unknown condition {part.strip()!r}{did_you_mean(name, FAIL_ON)}; "
                f"choose from {', '.join(FAIL_ON)}"
            )
        chosen.append(name)
    return chosen
