"""What the store adds to one run's report: earlier runs, and the care tasks followed up in the tracker.

:func:`remember` records the run and returns what the report shows from the
store, each read at its right moment: the earlier runs *before* this run is
recorded (so the last of them is the previous run, and "N weeks ago" counts back
from this audit's window end), the care tasks *after* this run has followed
them up in the tracker (so a task created tonight is open tonight, and one
closed since last night is done, with its stakeholder's weeks before and after).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from stakeplug.adapter import TaskRef, tasks_by_fingerprint
from stakeplug.app.memory import after_audit
from stakeplug.app.results import Collection, Posting
from stakeplug.config.loader import Config
from stakeplug.store import CareFollowUp, Store, care_follow_up, report_history

__all__ = ["StoredContext", "remember"]


@attrs.frozen
class StoredContext:
    """What a report compares with and follows up: ``build_report``'s previous, earlier and care."""

    previous: Mapping[str, Any] | None = None
    earlier: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    care: CareFollowUp | None = None
    """``None`` without a store: the report then has no care follow-up section."""


def seen_tasks(collection: Collection, posting: Posting) -> tuple[TaskRef, ...]:
    """The care tasks in the tracker as this run left them: those listed, and those it created."""
    tasks = tasks_by_fingerprint(collection.existing_tasks)
    for result in posting.results or ():
        if result.task is not None and result.task.fingerprint not in tasks:
            tasks[result.task.fingerprint] = result.task
    return tuple(tasks.values())


def remember(
    store: Store | None,
    config: Config,
    collection: Collection,
    posting: Posting,
    previous: Mapping[str, Any] | None,
    *,
    listed: bool,
) -> StoredContext:
    """Record the run in ``store`` and return what its report shows from the store.

    ``previous`` (an earlier report handed in) wins over the last recorded run.
    The care tasks are followed up only when the task target was ``listed``
    (and read without error): a missing listing must not mark tasks dismissed.
    Without a task target there is nothing to follow, and no care follow-up.
    """
    if store is None:
        return StoredContext(previous)
    history = report_history(store, config.register, until=collection.audit.until)
    tasks = seen_tasks(collection, posting) if listed and not collection.history_error else None
    after_audit(store, config, collection.audit, collection.suggestions, tasks)
    care = care_follow_up(store, config.register) if listed else None
    return StoredContext(previous or history.previous, history.earlier, care)
