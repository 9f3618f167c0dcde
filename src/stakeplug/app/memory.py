"""The store's part in an audit run: collecting through it, history for the report, recording after.

:func:`run_audit` takes an open :class:`~stakeplug.store.Store` (or ``None`` for
a stateless run).  With one, the sources collect through the store
(:func:`stored_sources`), the last recorded run stands in for ``--previous``,
and after the audit the result is recorded, the care tasks seen in the tracker
are followed up and what lies beyond the lookback window plus its margin is
pruned.  :func:`open_store` opens the store a config names; what the report
reads from the store is in :mod:`stakeplug.app._report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from stakeplug.adapter import Adapter, TaskRef
from stakeplug.config.loader import Config
from stakeplug.engine.audit import Audit
from stakeplug.store import Store, store_settings, stored_sources

__all__ = ["RisingProgress", "after_audit", "open_store", "through_store"]


def open_store(config: Config, *, disabled: bool = False) -> Store | None:
    """The config's store (``[store] path``, beside the config), opened and locked, or ``None``.

    ``None`` when ``disabled`` (``--no-store``) or ``[store] enabled = false``.
    Another run holding the store is waited for ``[store] lock_timeout`` seconds.
    """
    settings = store_settings(config)
    if disabled or settings is None:
        return None
    return Store.open(settings.path, lock_timeout=settings.lock_timeout)


def through_store(
    store: Store,
    config: Config,
    sources: Sequence[tuple[str, Adapter]],
    progress: Callable[[str, int, int], None] | None = None,
) -> list[tuple[str, Any]]:
    """The audit's sources, collecting through ``store`` (opted-out people forgotten first).

    ``progress`` is told how collecting into the store goes, source by source.
    """
    settings = store_settings(config)
    days = settings.full_refresh_days if settings is not None else 7
    return list(stored_sources(store, sources, config.register, full_refresh_days=days, progress=progress))


class RisingProgress:
    """One count per source that never goes back, for a run through the store.

    Collecting into the store reports what the adapter delivered; the engine then reports
    what it has read back.  Shown on one line, the second would start again from zero, so
    each source's count is the highest told so far.
    """

    def __init__(self, progress: Callable[[str, int, int], None]):
        self.progress = progress
        self.highest: dict[str, int] = {}

    def __call__(self, source: str, activities: int, requests: int) -> None:
        count = self.highest[source] = max(activities, self.highest.get(source, 0))
        self.progress(source, count, requests)


def after_audit(
    store: Store,
    config: Config,
    result: Audit,
    suggestions: Sequence[Any],
    tasks: Sequence[TaskRef] | None,
) -> None:
    """Record the audit (unless partial), follow up the listed care tasks, prune, fold the log in.

    A task open past its due date is overdue as of the end of the audit's window, the
    planner's today, so a report of an earlier window does not call its tasks late.
    """
    store.note_suggestions(suggestions)
    if tasks is not None:
        store.follow_tasks(tasks, now=result.until)
    if not result.is_partial:
        store.record_audit(result)
    store.prune_for(config.register.project.lookback_days)
    store.checkpoint()
