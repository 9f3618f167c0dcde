"""The local activity store: memory across runs, in one SQLite file.

It sits between the adapters and the engine.  Adapters write what changed since
their source's cursor, in any order; the engine reads each source back oldest
first; each audit's result is recorded (history, movement over time), and care
tasks are followed up (open, overdue, done, dismissed) so a report can show what
happened after them.

Only the normalized fields the engine reads are kept, never comment bodies, and
nothing done by a stakeholder who opted out.  The file is in WAL mode, written
one transaction per batch, locked for one run at a time (an ``fcntl`` lock on a
sidecar file, which the kernel drops when the process dies) and versioned with
forward migrations.
"""

from __future__ import annotations

from stakeplug.store._collect import (
    DEFAULT_PATH,
    FULL_REFRESH_DAYS,
    OVERLAP,
    PROGRESS_EVERY,
    StoredSource,
    StoreSettings,
    opted_out_filter,
    store_settings,
    stored_sources,
)
from stakeplug.store._db import (
    SCHEMA_VERSION,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
)
from stakeplug.store._history import CareTaskState, Engagement, HistoryPoint, RunRecord
from stakeplug.store._report import CareFollowUp, ReportHistory, care_follow_up, report_history
from stakeplug.store._store import BATCH, PRUNE_MARGIN_DAYS, SourceState, Store, StoreInfo

__all__ = [
    "BATCH",
    "DEFAULT_PATH",
    "FULL_REFRESH_DAYS",
    "OVERLAP",
    "PROGRESS_EVERY",
    "PRUNE_MARGIN_DAYS",
    "SCHEMA_VERSION",
    "CareFollowUp",
    "CareTaskState",
    "Engagement",
    "HistoryPoint",
    "ReportHistory",
    "RunRecord",
    "SourceState",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreInfo",
    "StoreLockedError",
    "StoreSettings",
    "StoreVersionError",
    "StoredSource",
    "care_follow_up",
    "opted_out_filter",
    "report_history",
    "store_settings",
    "stored_sources",
]
