"""The audit: from a stream of activities to behaviours, scores and the stakeholder map.

One pass over the activities, oldest first, derives the behaviours of
DESIGN §1 for every registered stakeholder.  The parts, in the order an
activity meets them:

* :mod:`~stakeplug.engine.sources` — the one per-source wrapper: failures
  contained, activities counted, the window and the time order checked once,
  several sources merged oldest first;
* :mod:`~stakeplug.engine.repeats` — an activity repeated with the same id
  counts once;
* :mod:`~stakeplug.engine.batches` — activities read in parts and folded in
  batches;
* :mod:`~stakeplug.engine.loop` — the hot loop, classifying each activity;
* :mod:`~stakeplug.engine.behaviours` — answers, agreements and the rarer
  kinds, over :mod:`~stakeplug.engine.identities` (who an account is) and
  :mod:`~stakeplug.engine.deadlines` (pending requests and agreements);
* :mod:`~stakeplug.engine.ledger` — decayed sums and capped evidence per
  stakeholder and signal (slots in :mod:`~stakeplug.engine.signals`);
* :mod:`~stakeplug.engine.scoring` — sums to acceptance, energy, trend and
  category;
* :mod:`~stakeplug.engine.results` — what the audit returns.

Pending requests and agreements are kept only until their deadline passes, and
evidence is capped per signal, so memory does not grow with the number of
activities.  Every number is in ``data/rules.toml``.
"""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from stakeplug.config.rules import load_rules
from stakeplug.domain.model import ensure_utc
from stakeplug.domain.register import Register, normalize_account
from stakeplug.domain.rules import Rules
from stakeplug.engine import batches
from stakeplug.engine.behaviours import Behaviours
from stakeplug.engine.ledger import DAY, WEEK, Ledger, Person
from stakeplug.engine.repeats import Repeats
from stakeplug.engine.results import Audit, Candidate, Explainer, SourceReport
from stakeplug.engine.scoring import Weights, Window, score
from stakeplug.engine.sources import ProgressCallback, SourceLike, SourceRun, merged_parts, source_runs
from stakeplug.errors import ConfigError

__all__ = ["Audit", "Candidate", "ProgressCallback", "SourceLike", "SourceReport", "audit"]

log = logging.getLogger("stakeplug.engine")

# The young-generation threshold of the cyclic garbage collector during an audit.  A batch
# keeps some hundred thousand objects alive until its fold; at the default threshold
# the collector would sweep them over and over (the pass itself makes no cycles).
_GC_THRESHOLD = 1_000_000


def audit(
    register: Register,
    sources: Iterable[SourceLike],
    since: datetime | None = None,
    until: datetime | None = None,
    rules: Rules | None = None,
    *,
    progress: ProgressCallback | None = None,
    explainer: Explainer | None = None,
) -> Audit:
    """Score every registered stakeholder from the activities of ``sources``.

    ``sources`` holds adapters (``collect(since, until)`` is called on each),
    ``(name, adapter)`` pairs, or plain iterables of :class:`Activity`.  The
    window defaults to ``[until - lookback_days, until)`` with ``until`` = now.
    Activities are consumed lazily, merged oldest first across sources.  A
    source that raises is recorded as failed (or partial) in
    :attr:`Audit.sources` and the others still count.  ``explainer`` is what
    :meth:`Audit.explain` delegates to.
    """
    rules = rules or load_rules()
    since, until = _window(register, since, until, rules)
    until_ts = until.timestamp()
    weeks = math.ceil((until - since).total_seconds() / WEEK)
    people = [Person(s, i, rules.evidence_per_signal, weeks) for i, s in enumerate(register.stakeholders)]
    weights = Weights.from_rules(rules)
    ledger = Ledger(people, rules, until_ts, until_ts - rules.recent_days * DAY, weights.energy)
    window = Window(since.timestamp(), until_ts, ledger.recent_start, ledger.decay_k)
    behaviours = Behaviours(register, rules, ledger)
    runs = source_runs(sources, since, until)
    # Rarer young-generation sweeps while the pass and the scoring run (see _GC_THRESHOLD).
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _GC_THRESHOLD), *thresholds[1:])
    try:
        size = batches.part_size()
        tolerance = float(rules.reorder_tolerance_seconds)
        streams = [r.parts((window.since_ts, until_ts), size, tolerance, progress) for r in runs]
        repeats = Repeats()
        seen = batches.run_pass(behaviours, repeats.parts(merged_parts(streams, size)), until_ts)
        if repeats.dropped:
            log.info("%d activities repeated with the same id counted once", repeats.dropped)
        scores = {p.stakeholder.name: score(p, rules, weights, window) for p in people}
    finally:
        gc.set_threshold(*thresholds)
    return Audit(
        project=register.project,
        register=register,
        rules=rules,
        since=since,
        until=until,
        scores=scores,
        candidates=_candidates(behaviours),
        sources=tuple(r.report() for r in runs),
        warnings=_warnings(runs),
        activities_seen=seen,
        tools_seen=frozenset(behaviours.identities.accounts),
        explainer=explainer,
    )


def _window(
    register: Register, since: datetime | None, until: datetime | None, rules: Rules
) -> tuple[datetime, datetime]:
    """The audit's window in UTC: ``[until - lookback_days, until)`` unless given."""
    until = ensure_utc(until) if until is not None else datetime.now(UTC)
    lookback = timedelta(days=register.project.lookback_days)
    since = ensure_utc(since) if since is not None else until - lookback
    if since >= until:
        raise ConfigError(
            f"the window is empty: since {since:%Y-%m-%d %H:%M} is not before until {until:%Y-%m-%d %H:%M}"
        )
    if rules.recent_days * DAY >= (until - since).total_seconds():
        log.info("window shorter than rules.windows.recent_days: trends need a longer window")
    return since, until


def _candidates(behaviours: Behaviours) -> tuple[Candidate, ...]:
    """Accounts outside the register, the most active first."""
    seen = behaviours.identities.candidates.items()
    return tuple(
        sorted(
            (Candidate(tool, account, n, last, name) for (tool, account), (n, last, name) in seen),
            key=lambda c: (-c.activities, c.tool, normalize_account(c.account)),
        )
    )


def _warnings(runs: list[SourceRun]) -> tuple[str, ...]:
    return tuple(
        f"source {r.name}: {r.out_of_order} activities arrived out of chronological order; "
        "request/answer pairing may be approximate"
        for r in runs
        if r.out_of_order
    )
