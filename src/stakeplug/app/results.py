"""What one audit run produced, as named types: the collection, the posting and the whole run.

The exit code of the ``stakeplug`` command is computed here, from these
values, by :meth:`AuditRun.exit_status`; a script calling
:func:`stakeplug.run_audit` gets the same answer the command would give.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from stakeplug.adapter import PostResult, TaskRef
from stakeplug.app.identities import IdentityWarning
from stakeplug.domain.model import CareSuggestion, Category
from stakeplug.engine.audit import Audit

__all__ = [
    "FAIL_ON",
    "AuditRun",
    "Collection",
    "ExitCode",
    "ExitStatus",
    "Posting",
    "ReportDocument",
]

FAIL_ON = ("partner-at-risk", "opponent", "source-error")
"""The conditions ``--fail-on`` (and :meth:`AuditRun.exit_status`) can turn into exit code 1."""

ReportDocument = dict[str, Any]
"""The JSON report, a plain dict following ``report-v1.schema.json`` (see :mod:`stakeplug.reports`)."""


class ExitCode(enum.IntEnum):
    """The exit codes of the ``stakeplug`` command."""

    OK = 0
    FAIL_ON = 1
    """A ``--fail-on`` condition was met."""
    CONFIG = 2
    """Usage or config error, or the task target was refused as public."""
    SOURCE = 3
    """A source failed or posting failed (and ``source-error`` was not a fail-on condition)."""
    INTERNAL = 4
    """A bug."""


@attrs.frozen
class ExitStatus:
    """The exit code of a run and the reasons for it, one line each."""

    code: ExitCode
    reasons: tuple[str, ...] = ()


@attrs.frozen
class Collection:
    """The audit, the care suggestions planned from it and the task target's existing tasks."""

    audit: Audit
    suggestions: tuple[CareSuggestion, ...]
    existing_tasks: tuple[TaskRef, ...] = ()
    """The target's stakeplug tasks, listed once for the planner's cooldowns and for posting."""
    history_error: str | None = None
    """Why the existing tasks could not be read, when they could not; then nothing is posted."""
    identity_warnings: tuple[IdentityWarning, ...] = ()
    """Registered identities that look wrong: a likely typo, or a tool no source reads."""


@attrs.frozen
class Posting:
    """What posting (or the dry run) did with the suggestions."""

    post: bool
    """``True`` when the tasks were to be created, ``False`` for a dry run."""
    target: str | None
    """The adapter of ``[tasks]``, or ``None`` when the config has none."""
    results: tuple[PostResult, ...] | None = None
    """One result per suggestion, in order; ``None`` when nothing reached the target."""
    error: str | None = None
    """Why posting failed as a whole."""
    refused_for_privacy: bool = False
    """The target refused a place the public can read."""
    withheld: str | None = None
    """Why nothing was posted although ``post`` was asked for: the audit lacked the evidence."""

    @property
    def failed(self) -> bool:
        """True when posting (or reading the existing tasks) failed."""
        return self.error is not None

    @property
    def posted(self) -> bool:
        """True when tasks were to be created and nothing withheld them (the results are not a dry run)."""
        return self.post and self.withheld is None


@attrs.frozen
class AuditRun:
    """One run of :func:`stakeplug.run_audit`: what was collected, posted and written."""

    collection: Collection
    posting: Posting
    report: ReportDocument
    """The report document, with every registered secret redacted."""
    written: tuple[Path, ...] = ()
    """The report files written, in the order of the formats asked for."""

    @property
    def audit(self) -> Audit:
        return self.collection.audit

    @property
    def suggestions(self) -> tuple[CareSuggestion, ...]:
        return self.collection.suggestions

    def exit_status(self, fail_on: Sequence[str] = ()) -> ExitStatus:
        """The exit code for this run, given the ``--fail-on`` conditions.

        A refused public target is a config error.  A failed source or failed
        posting comes before ``partner-at-risk`` and ``opponent``: scores from a
        partial audit are lower than they should be, so the caller hears first
        that the data was incomplete.
        """
        unknown = [c for c in fail_on if c not in FAIL_ON]
        if unknown:
            raise ValueError(f"unknown fail-on conditions {unknown}; choose from {', '.join(FAIL_ON)}")
        if self.posting.refused_for_privacy:
            return ExitStatus(ExitCode.CONFIG, (self.posting.error or "refused for privacy",))
        incomplete = [f"{s.name} ({s.status})" for s in self.audit.sources if s.status != "ok"]
        if self.posting.failed:
            incomplete.append("posting care tasks")
        if incomplete:
            code = ExitCode.FAIL_ON if "source-error" in fail_on else ExitCode.SOURCE
            return ExitStatus(code, ("incomplete: " + ", ".join(incomplete),))
        met: list[str] = []
        at_risk = [s.name for s in self.audit.partners_at_risk]
        if "partner-at-risk" in fail_on and at_risk:
            met.append("partners at risk: " + ", ".join(at_risk))
        opponents = [s.name for s in self.audit.scores.values() if s.category is Category.OPPONENT]
        if "opponent" in fail_on and opponents:
            met.append("opponents: " + ", ".join(opponents))
        if met:
            return ExitStatus(ExitCode.FAIL_ON, tuple(met))
        return ExitStatus(ExitCode.OK)
