"""What the store adds to a report: movement since earlier runs, and care follow-up.

:func:`report_history` reads it before the current audit is recorded.  Earlier
runs come as report-like mappings (``generated_at``, ``window`` and a
``stakeholders`` list of names, categories, acceptances and energies), which is
what :func:`stakeplug.reports.build_report` takes as ``previous`` and ``earlier``.
:func:`care_follow_up` reads the care tasks' states, best after the run has
followed them up in the tracker; it is what ``build_report`` takes as ``care``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from stakeplug.domain.register import Register
from stakeplug.store._history import CareTaskState, Engagement, RunRecord
from stakeplug.store._store import Store

__all__ = ["CareFollowUp", "ReportHistory", "care_follow_up", "report_history"]

_HALF_WEEK = timedelta(days=3, hours=12)


@attrs.frozen
class CareFollowUp:
    """The care tasks followed up in the tracker, for the report."""

    open_tasks: tuple[CareTaskState, ...]
    """Care tasks open or overdue in the tracker, oldest first (each names its owner)."""
    done: tuple[tuple[CareTaskState, Engagement], ...]
    """Each care task done, with its stakeholder's weekly activity before and after it closed:
    what happened afterwards, not proof that the task caused it."""


@attrs.frozen
class ReportHistory:
    """History and care follow-up from the store, for the report."""

    previous: Mapping[str, Any] | None
    """The last recorded run, in the shape of an earlier report; ``None`` on the first run."""
    earlier: tuple[tuple[str, Mapping[str, Any]], ...]
    """``("2 weeks ago", run)`` pairs, one a week back over the last weeks."""
    open_tasks: tuple[CareTaskState, ...]
    """Care tasks open or overdue in the tracker, oldest first (each names its owner)."""
    done: tuple[tuple[CareTaskState, Engagement], ...]
    """Each care task done, with its stakeholder's weekly activity before and after it closed:
    what happened afterwards, not proof that the task caused it."""


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _as_report(store: Store, run: RunRecord) -> dict[str, Any]:
    points = store.points(run)
    return {
        "generated_at": _iso(run.at),
        "window": {"since": _iso(run.since), "until": _iso(run.until)},
        "stakeholders": [
            {"name": p.stakeholder, "category": p.category, "acceptance": p.acceptance, "energy": p.energy,
             "at_risk": p.at_risk, "at_risk_reason": p.reason}
            for p in points.values()
        ],
    }  # fmt: skip


def report_history(
    store: Store, register: Register, *, weeks: int = 4, until: datetime | None = None
) -> ReportHistory:
    """Read the store's history and care follow-up for the report of the run about to be recorded.

    "N weeks ago" counts back from ``until``, the end of the window of the audit being
    reported (default: now): it is the recorded run whose own window ended nearest to
    ``until`` minus N weeks, half a week either way, and never the previous run itself.
    """
    end = until or datetime.now(UTC)
    runs = store.runs()
    previous = _as_report(store, runs[0]) if runs else None
    earlier: list[tuple[str, Mapping[str, Any]]] = []
    for back in range(1, weeks + 1):
        run = _nearest(runs[1:], end - timedelta(weeks=back))
        if run is not None:
            earlier.append((f"{back} week{'s' if back > 1 else ''} ago", _as_report(store, run)))
    care = care_follow_up(store, register, weeks=weeks)
    return ReportHistory(previous, tuple(earlier), care.open_tasks, care.done)


def _nearest(runs: Sequence[RunRecord], then: datetime) -> RunRecord | None:
    """The run whose window ended nearest to ``then``, within half a week; the newer one on a tie."""
    near = [r for r in runs if abs(r.until - then) <= _HALF_WEEK]
    return min(near, key=lambda r: (abs(r.until - then), -r.id), default=None)


def care_follow_up(store: Store, register: Register, *, weeks: int = 4) -> CareFollowUp:
    """The care tasks open or overdue, and the done ones with the ``weeks`` before and after each closed."""
    done = []
    for task in store.care_tasks(states=("done",)):
        person = register.stakeholder(task.stakeholder) if task.stakeholder else None
        if person is None or task.closed is None:
            continue
        accounts = [(i.tool, i.account) for i in person.identities]
        done.append((task, store.engagement(accounts, task.closed, weeks=weeks)))
    return CareFollowUp(store.care_tasks(states=("open", "overdue")), tuple(done))
