"""History of audits and the follow-up of care tasks, kept in the store.

Each recorded audit keeps, per stakeholder, the category, acceptance, energy and
whether (and why) they were at risk.  Care tasks are followed by fingerprint
through four states: ``open``, ``overdue`` (open past its due date), ``done``
(closed in the tracker) and ``dismissed`` (gone from the tracker without being
closed).  For a task done, :meth:`HistoryMixin.engagement` counts the
stakeholder's activities week by week before and after it closed: what happened
afterwards, which is not proof that the task caused it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from stakeplug.store._rows import from_micros, micros

__all__ = ["CareTaskState", "Engagement", "HistoryMixin", "HistoryPoint", "RunRecord"]

_WEEK = timedelta(days=7)
_RISK_REASON_FIELDS = ("at_risk_reason", "risk_reason")


@attrs.frozen
class RunRecord:
    """One recorded audit."""

    id: int
    at: datetime
    since: datetime
    until: datetime


@attrs.frozen
class HistoryPoint:
    """Where one stakeholder stood in one recorded audit."""

    run: RunRecord
    stakeholder: str
    category: str
    acceptance: float
    energy: float
    at_risk: bool
    reason: str | None


@attrs.frozen
class CareTaskState:
    """A care task as followed up in the tracker."""

    fingerprint: str
    stakeholder: str | None
    action: str | None
    owner: str | None
    state: str
    """``open``, ``overdue``, ``done`` or ``dismissed``."""
    url: str | None
    first_seen: datetime
    due: datetime | None
    closed: datetime | None


@attrs.frozen
class Engagement:
    """A stakeholder's activities per week in the weeks before and after a date (oldest week first)."""

    around: datetime
    before: tuple[int, ...]
    after: tuple[int, ...]


def _reason(score: Any) -> str | None:
    for name in _RISK_REASON_FIELDS:
        value = getattr(score, name, None)
        if value:
            return str(value)
    return None


def _maybe_time(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def _run(row: Sequence[Any]) -> RunRecord:
    return RunRecord(row[0], from_micros(row[1]), from_micros(row[2]), from_micros(row[3]))


class HistoryMixin:
    """The history and care follow-up half of :class:`~stakeplug.store.Store`."""

    path: Path
    _db: sqlite3.Connection
    _transaction: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]

    # ----------------------------------------------------------------- audits

    def record_audit(self, result: Any, *, at: datetime | None = None) -> RunRecord:
        """Record an :class:`~stakeplug.Audit`'s window and every stakeholder's place; returns the run."""
        when = at or datetime.now(UTC)
        with self._transaction() as db:
            run_id = db.execute(
                "INSERT INTO runs (at, since, until) VALUES (?, ?, ?) RETURNING id",
                (micros(when), micros(result.since), micros(result.until)),
            ).fetchone()[0]
            db.executemany(
                "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, s.name, str(s.category), s.acceptance, s.energy, int(s.at_risk), _reason(s))
                    for s in result.scores.values()
                ],
            )
        return RunRecord(run_id, when, result.since, result.until)

    def runs(self, *, limit: int | None = None) -> tuple[RunRecord, ...]:
        """The recorded audits, newest first."""
        rows = self._db.execute(
            "SELECT id, at, since, until FROM runs ORDER BY id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        return tuple(_run(r) for r in rows)

    def path_of(self, stakeholder: str, *, since: datetime | None = None) -> tuple[HistoryPoint, ...]:
        """One stakeholder's place in every recorded audit (from ``since`` on), oldest first."""
        rows = self._db.execute(
            "SELECT r.id, r.at, r.since, r.until, s.stakeholder, s.category, s.acceptance, s.energy,"
            " s.at_risk, s.reason FROM scores s JOIN runs r ON r.id = s.run"
            " WHERE s.stakeholder = ? AND r.at >= ? ORDER BY r.id",
            (stakeholder, -(2**62) if since is None else micros(since)),
        ).fetchall()
        return tuple(HistoryPoint(_run(r[:4]), r[4], r[5], r[6], r[7], bool(r[8]), r[9]) for r in rows)

    def points(self, run: RunRecord) -> Mapping[str, HistoryPoint]:
        """Every stakeholder's place in one recorded audit, by name."""
        rows = self._db.execute(
            "SELECT stakeholder, category, acceptance, energy, at_risk, reason FROM scores WHERE run = ?",
            (run.id,),
        ).fetchall()
        return {r[0]: HistoryPoint(run, r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows}

    # ----------------------------------------------------------------- care tasks

    def note_suggestions(self, suggestions: Iterable[Any]) -> None:
        """Remember who and what each planned care task is about, and its due date, by fingerprint."""
        now = micros(datetime.now(UTC))
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO care_tasks"
                " (fingerprint, stakeholder, action, owner, state, first_seen, due, updated)"
                " VALUES (?, ?, ?, ?, 'planned', ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET"
                " stakeholder = excluded.stakeholder, action = excluded.action, owner = excluded.owner,"
                " due = coalesce(care_tasks.due, excluded.due)",
                [
                    (s.fingerprint, s.stakeholder, str(s.action), s.owner, now, micros(s.due), now)
                    for s in suggestions
                ],
            )

    def follow_tasks(self, tasks: Iterable[Any], *, now: datetime | None = None) -> None:
        """Update each care task's state from the tracker's listing (:class:`~stakeplug.TaskRef` values).

        A task listed open is ``open`` or, past its due date, ``overdue``; listed closed it is
        ``done``; a task seen before and missing from the listing now was ``dismissed``.
        """
        at = micros(now or datetime.now(UTC))
        seen: list[str] = []
        with self._transaction() as db:
            for t in tasks:
                seen.append(t.fingerprint)
                closed = None if t.open else micros(t.closed) if t.closed is not None else at
                first = micros(t.created) if t.created is not None else at
                db.execute(
                    "INSERT INTO care_tasks (fingerprint, state, url, first_seen, closed, updated)"
                    " VALUES (?, 'open', ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET"
                    " url = excluded.url, closed = excluded.closed, updated = excluded.updated,"
                    " first_seen = min(care_tasks.first_seen, excluded.first_seen)",
                    (t.fingerprint, t.url, first, closed, at),
                )
                db.execute(
                    "UPDATE care_tasks SET state = CASE WHEN closed IS NOT NULL THEN 'done'"
                    " WHEN due IS NOT NULL AND due < ? THEN 'overdue' ELSE 'open' END WHERE fingerprint = ?",
                    (at, t.fingerprint),
                )
            marks = ",".join("?" * len(seen))
            db.execute(
                f"UPDATE care_tasks SET state = 'dismissed', updated = ? WHERE state IN ('open', 'overdue')"  # noqa: S608
                f" AND fingerprint NOT IN ({marks})",
                (at, *seen),
            )

    def care_tasks(
        self, *, states: Sequence[str] = ("open", "overdue", "done", "dismissed")
    ) -> tuple[CareTaskState, ...]:
        """The followed care tasks in ``states``, oldest first."""
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            "SELECT fingerprint, stakeholder, action, owner, state, url, first_seen, due, closed"  # noqa: S608
            f" FROM care_tasks WHERE state IN ({marks}) ORDER BY first_seen, fingerprint",
            tuple(states),
        ).fetchall()
        return tuple(
            CareTaskState(
                r[0], r[1], r[2], r[3], r[4], r[5], from_micros(r[6]), _maybe_time(r[7]), _maybe_time(r[8])
            )
            for r in rows
        )

    def engagement(
        self, accounts: Iterable[tuple[str, str]], around: datetime, *, weeks: int = 4
    ) -> Engagement:
        """Weekly activity of ``(tool, account)`` pairs in the ``weeks`` before and after ``around``."""
        counts = [0] * (2 * weeks)
        start = around - weeks * _WEEK
        for tool, account in accounts:
            for (ts,) in self._times(tool, account, start, around + weeks * _WEEK):
                counts[int((from_micros(ts) - start) / _WEEK)] += 1
        return Engagement(around, tuple(counts[:weeks]), tuple(counts[weeks:]))

    def _times(self, tool: str, account: str, since: datetime, until: datetime) -> Iterator[tuple[int]]:
        yield from self._db.execute(
            "SELECT a.ts FROM activities a JOIN items i ON i.id = a.item"
            " WHERE a.actor = ? AND i.tool = ? AND a.ts >= ? AND a.ts < ?",
            (account, tool, micros(since), micros(until)),
        )
