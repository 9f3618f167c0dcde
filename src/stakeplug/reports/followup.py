"""Care follow-up in a report: care tasks still open or overdue per owner, and what followed the done ones.

The activity store follows every care task in the tracker (open, overdue,
done).  :func:`care_followup` turns what it knows into the report's ``care``
entry, a plain dict like the rest of the document; the Markdown, HTML and
terminal renderers read only that entry, and leave the follow-up out when a
report has none (a run without the store).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from stakeplug.reports.text import number

__all__ = ["by_owner", "care_followup", "overdue_count", "rates", "task_name", "weekly_rate"]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _task(task: Any) -> dict[str, Any]:
    return {
        "fingerprint": str(task.fingerprint),
        "stakeholder": task.stakeholder,
        "action": task.action,
        "owner": task.owner,
        "state": str(task.state),
        "url": task.url,
        "first_seen": _iso(task.first_seen),
        "due": _iso(task.due),
        "closed": _iso(task.closed),
    }


def _elapsed(after: Sequence[int], closed: datetime | None, until: datetime | None) -> list[int]:
    """The weeks after a task closed that had ended by ``until``: a week still to come counts nothing yet."""
    weeks = [int(n) for n in after]
    if closed is None or until is None:
        return weeks
    return [n for i, n in enumerate(weeks) if closed + timedelta(weeks=i + 1) <= until]


def care_followup(history: Any, *, until: datetime | None = None) -> dict[str, Any]:
    """The report's ``care`` entry from the store's follow-up.

    ``history`` has ``open_tasks`` (care tasks open or overdue in the tracker,
    each with ``fingerprint``, ``stakeholder``, ``action``, ``owner``,
    ``state``, ``url``, ``first_seen``, ``due`` and ``closed``) and ``done``
    (``(task, engagement)`` pairs, the engagement holding the stakeholder's
    acts per week ``before`` and ``after`` the task closed, oldest first).
    With ``until``, the end of the audit's window, only the weeks after that
    had ended by then are kept, so a task done last week is not shown as
    followed by silence in the weeks that have not happened yet.
    """
    return {
        "open": [_task(t) for t in history.open_tasks],
        "done": [
            {**_task(t), "before": [int(n) for n in e.before], "after": _elapsed(e.after, t.closed, until)}
            for t, e in history.done
        ],
    }


def task_name(task: Mapping[str, Any]) -> str:
    """A followed-up task as people read it: ``risk briefing for Maria``."""
    action = str(task.get("action") or "care task").replace("_", " ")
    return f"{action} for {task['stakeholder']}" if task.get("stakeholder") else action


def _open_key(task: Mapping[str, Any]) -> tuple[int, str, str]:
    return (0 if task["state"] == "overdue" else 1), task.get("due") or "~", task_name(task)


def by_owner(report: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The open care tasks per owner, owners by name (no owner last), overdue first, then by due date."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for task in report["care"]["open"]:
        groups.setdefault(task.get("owner") or "", []).append(task)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0].casefold()))
    return [(owner or "no owner", sorted(tasks, key=_open_key)) for owner, tasks in ordered]


def overdue_count(tasks: Sequence[Mapping[str, Any]]) -> int:
    """How many of ``tasks`` are overdue."""
    return sum(1 for t in tasks if t["state"] == "overdue")


def weekly_rate(weeks: Sequence[int]) -> float | None:
    """Acts a week over ``weeks``; ``None`` when there are no weeks to measure."""
    return sum(weeks) / len(weeks) if weeks else None


def rates(task: Mapping[str, Any]) -> tuple[str, str]:
    """A done task's acts a week before and after it, as printed: ``("0.5", "2.0 (2 of 4 weeks)")``.

    The after side names how many of its weeks have passed when fewer than the before side's.
    """
    before, after = weekly_rate(task["before"]), weekly_rate(task["after"])
    shown_after = "—" if after is None else number(after)
    if len(task["after"]) < len(task["before"]):
        shown_after += f" ({len(task['after'])} of {len(task['before'])} weeks)"
    return ("—" if before is None else number(before)), shown_after
