"""Parts and batches: how the pass reads the merged stream and when it folds.

Activities are pulled from the sources in parts of ``_PART``; each part is
classified right away by the hot loop, while it is fresh in the processor's
caches, and every ``_BATCH`` activities the batch's logs are folded into the
ledger.  Deadlines that passed before a part are recorded at its start; those
passing within it are noticed where the request or agreement is next touched,
and at the end of the batch.
"""

from __future__ import annotations

from collections.abc import Iterable

from stakeplug.domain.model import Activity
from stakeplug.engine.behaviours import Behaviours
from stakeplug.engine.ledger import Batch, decays
from stakeplug.engine.loop import classify
from stakeplug.engine.sources import Part

_PART = 2048
_BATCH = 65_536
# The positions in a batch as lasting int objects: the logs hold them until the fold,
# and fresh ints freed in log order would scatter the allocator's free lists.
_POSITIONS = list(range(_BATCH + _PART))


def part_size() -> int:
    """How many activities a source is asked for at a time (read at call time, so tests can cut)."""
    return _PART


def run_pass(behaviours: Behaviours, parts: Iterable[Part], until_ts: float) -> int:
    """Feed every part through the loop, fold each batch, and close the pass; return the activities seen."""
    seen = 0
    batch = Batch()
    for part, times, ordered in parts:
        seen += len(part)
        _add_part(behaviours, batch, part, times, ordered)
        if len(batch.activities) >= _BATCH:
            _close(behaviours, batch)
            batch = Batch()
    _close(behaviours, batch)
    behaviours.deadlines.expire(until_ts)
    behaviours.ledger.fold(Batch())
    return seen


def _add_part(
    behaviours: Behaviours, batch: Batch, part: list[Activity], times: list[float], ordered: bool
) -> None:
    """One part: note its order in the batch, record the deadlines passed before it, then classify it."""
    if batch.times and (not ordered or times[0] < batch.times[-1]):
        batch.ordered = False
    elif not batch.times:
        batch.ordered = ordered
    behaviours.deadlines.expire(times[0])
    base = len(batch.activities)
    batch.activities.extend(part)
    batch.times.extend(times)
    ledger = behaviours.ledger
    batch.decays.extend(decays(times, ledger.until_ts, ledger.decay_k))
    positions = _POSITIONS[base : base + len(part)]
    if len(positions) < len(part):
        positions = list(range(base, base + len(part)))
    classify(behaviours, part, times, positions)


def _close(behaviours: Behaviours, batch: Batch) -> None:
    """Record the deadlines passed within the batch, then fold it."""
    if batch.times:
        behaviours.deadlines.expire(max(batch.times) if not batch.ordered else batch.times[-1])
    behaviours.ledger.fold(batch)
