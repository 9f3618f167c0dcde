"""Benchmark the engine: score a million activities for 200 stakeholders.

Run it on demand::

    python tests/benchmarks/bench_engine.py [--activities 1000000] [--audit-only]

It prints one ``key=value`` line per figure:

* ``generate_seconds``: generating and iterating the activities only;
* ``audit_seconds``: generating the same activities and scoring them;
* ``activities_per_second`` and ``overhead_ratio`` (audit / generate);
* ``generate_cpu_seconds`` and ``audit_cpu_seconds``: the same in processor time of the
  measuring process, which other work on a shared machine disturbs far less than the clock;
* ``engine_cpu_seconds``: processor time of the audit alone, in a process of its own that
  builds all the activities first and audits them from a list, so nothing but the engine
  is timed; compare two versions of the engine on it, runs of each interleaved;
* ``peak_mb``: growth of the process's peak resident memory during the audit,
  measured in a fresh child process for each size so runs do not mask each other;
  a run with a quarter of the activities at the same density (over a quarter of
  the days) is measured too (``peak_mb_small``): the engine keeps one batch of
  activities (a fixed number) until it is folded, open requests and agreements
  (bounded by the rate of activity times the answer window) and capped
  evidence, so memory does not grow with the number of activities;
* ``floor_seconds`` and ``floor_ratio`` (floor / generate): the same activities through
  the least that any exact single pass must do, without classifying anything: pull
  them in the engine's parts, compute their times and decay factors, and keep the
  newest ``evidence_per_signal`` activities per stakeholder and kind for the
  explanations (as copies of their values, the cheapest way found); in a process of
  its own, against the generation timed there.  What the audit costs beyond this is
  the engine's rules;
* ``store_…``: the same million activities written into a real store file (one child
  process: ``store_write_seconds``; ``store_bytes`` and ``store_bytes_per_million`` of the
  file), then read back oldest first by the audit (another child: ``store_audit_seconds``
  and ``store_audit_cpu_seconds``, ``store_ratio`` = store_audit_seconds / audit_seconds,
  the audit from the generator, and ``store_cpu_ratio`` the same in processor time);
  ``store_peak_mb`` is that audit's peak memory growth and ``store_peak_mb_small`` the
  same for the quarter-sized store, as for ``peak_mb``.

With ``--audit-only`` only the first figures are measured (no floor, no memory run, no store).

Targets: under 3 s on one core, overhead_ratio <= 2.0, peak_mb < 100; from the store
store_ratio <= 2.0 with store_peak_mb as flat as peak_mb.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice, repeat
from operator import attrgetter, mul, sub
from pathlib import Path
from typing import Any

from stakeplug import Activity, ActivityKind, Item, ItemKind, Verdict, audit, load_rules
from stakeplug.config.register import register_from_mapping
from stakeplug.store import Store

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)
STAKEHOLDERS = 200
TEAM = 12
ITEMS = 6000
# The floor pass reads parts of the engine's size and raises the garbage collector's
# young-generation threshold as the audit does (see stakeplug/engine/batches.py and audit.py).
PART = 2048
GC_THRESHOLD = 1_000_000


def build_register() -> object:
    team = [{"name": f"Team {i}", "identities": {"jira": f"team-{i}"}} for i in range(TEAM)]
    people = [
        {
            "name": f"Stakeholder {i}",
            "power": 1 + i % 5,
            "interest": 1 + (i * 7) % 5,
            "owner": f"Team {i % TEAM}",
            "identities": {"jira": f"sh-{i}"},
        }
        for i in range(STAKEHOLDERS)
    ]
    return register_from_mapping(
        {"project": {"name": "Bench", "lookback_days": 180}, "team": team, "stakeholders": people}
    )


KINDS = [
    (ActivityKind.COMMENT, 40),
    (ActivityKind.REVIEW, 7),
    (ActivityKind.REVIEW_COMMENT, 8),
    (ActivityKind.REQUEST, 5),
    (ActivityKind.ASSIGNED, 6),
    (ActivityKind.TRANSITIONED, 8),
    (ActivityKind.COMPLETED, 4),
    (ActivityKind.REACTION, 10),
    (ActivityKind.CREATED, 4),
    (ActivityKind.LINKED, 2),
    (ActivityKind.REOPENED, 1),
    (ActivityKind.UNASSIGNED, 1),
    (ActivityKind.MEMBER_ADDED, 1),
]


def activities(n: int, seed: int = 7, days: float = 180.0) -> Iterator[Activity]:
    """Yield ``n`` activities over ``days`` days up to UNTIL, oldest first, as an adapter builds them.

    Random draws are taken in chunks so that the generator itself stays cheap and
    the benchmark measures the engine, not the random module.
    """
    rng = random.Random(seed)
    items = [
        Item(
            tool="jira",
            id=f"BENCH-{i}",
            url=f"https://jira.example.org/browse/BENCH-{i}",
            title=f"Item {i}",
            labels=("status-report",) if i % 50 == 0 else (),
            kind=ItemKind.TASK,
            project="BENCH" if i % 20 else "OTHER",
        )
        for i in range(ITEMS)
    ]
    kinds = [k for k, w in KINDS for _ in range(w)]
    verdicts = [Verdict.APPROVED, Verdict.APPROVED, Verdict.COMMENTED, Verdict.CHANGES_REQUESTED]
    team = [f"team-{i}" for i in range(TEAM)]
    people = [f"sh-{i}" for i in range(STAKEHOLDERS)]
    strangers = [f"guest-{i}" for i in range(40)]
    # 30 % team members, 66 % stakeholders, 4 % people outside the register.
    actors = team * 25 + people * 3 + strangers * 1
    actors = actors[: len(actors)]
    step = timedelta(seconds=(days * 86400.0) / (n + 1))
    ts = UNTIL - timedelta(days=days)
    team_set = set(team)
    comment = ActivityKind.COMMENT
    request = ActivityKind.REQUEST
    assigned = ActivityKind.ASSIGNED
    review = ActivityKind.REVIEW
    linked = ActivityKind.LINKED
    done = (ActivityKind.COMPLETED, ActivityKind.UNASSIGNED)
    member = ActivityKind.MEMBER_ADDED
    produced = 0
    while produced < n:
        chunk = min(10_000, n - produced)
        k_draw = rng.choices(kinds, k=chunk)
        a_draw = rng.choices(actors, k=chunk)
        i_draw = rng.choices(items, k=chunk)
        p_draw = rng.choices(people, k=chunk)
        r_draw = [rng.random() for _ in range(chunk)]
        for j in range(chunk):
            ts += step
            kind = k_draw[j]
            actor = a_draw[j]
            item = i_draw[j]
            if kind is comment:
                if actor in team_set and r_draw[j] < 0.6:
                    yield Activity(kind, actor, item, ts, (p_draw[j],))
                else:
                    yield Activity(kind, actor, item, ts)
            elif kind is request:
                yield Activity(kind, actor, item, ts, (p_draw[j],))
            elif kind is assigned:
                due = ts + timedelta(days=3 + int(r_draw[j] * 27))
                yield Activity(kind, actor, item, ts, (p_draw[j],), due=due)
            elif kind in done:
                yield Activity(kind, actor, item, ts, (actor,))
            elif kind is member:
                yield Activity(kind, actor, item, ts, (team[int(r_draw[j] * TEAM)],))
            elif kind is review:
                yield Activity(kind, actor, item, ts, verdict=verdicts[int(r_draw[j] * 4)])
            elif kind is linked:
                yield Activity(
                    kind,
                    actor,
                    item,
                    ts,
                    link_type="blocks" if r_draw[j] < 0.3 else "relates to",
                    external=item.project != "BENCH",
                )
            else:
                yield Activity(kind, actor, item, ts)
        produced += chunk


def floor_pass(
    stream: Iterable[Activity], accounts: set[str], cap: int, until: datetime, half_life_days: float
) -> int:
    """The least an exact single pass does; returns how many activities it read.

    Parts of the engine's size; per part the epoch times and the decay factors,
    column-wise as the engine computes them; per activity only a check of the actor
    and, for stakeholders, keeping it among the newest ``cap`` of its kind.  Those are
    kept as copies of the activity's attribute values in a preallocated ring per
    stakeholder and kind, with the time as a float: in CPython that costs less than
    keeping the activity objects themselves alive (about 0.25 s less a million).
    """
    epoch, when = datetime.timestamp, attrgetter("timestamp")
    until_ts = until.timestamp()
    k = math.log(2) / (half_life_days * 86400.0)
    layout = [*vars(Activity("comment", "a", Item("t", "1"), until))]
    width, stamp = len(layout), layout.index("timestamp")
    rings: dict[tuple[str, ActivityKind], tuple[list[Any], list[int]]] = {}
    it = iter(stream)
    seen = 0
    while True:
        part = list(islice(it, PART))
        tss = list(map(epoch, map(when, part)))
        list(map(math.exp, map(mul, map(sub, tss, repeat(until_ts)), repeat(k))))
        for activity, ts in zip(part, tss, strict=True):
            actor = activity.actor
            if actor in accounts:
                key = (actor, activity.kind)
                kept = rings.get(key)
                if kept is None:
                    kept = rings[key] = ([None] * (cap * width), [0])
                ring, at = kept
                j = at[0]
                at[0] = (j + width) % (cap * width)
                ring[j : j + width] = vars(activity).values()
                ring[j + stamp] = ts
        seen += len(part)
        if len(part) < PART:
            return seen


def _measure_engine(n: int, days: float) -> dict[str, float]:
    """Processor time of the audit alone, over activities built beforehand."""
    register = build_register()
    built = list(activities(n, days=days))
    gc.collect()
    c0 = time.process_time()
    result = audit(register, [built], until=UNTIL)  # type: ignore[arg-type]
    cpu = time.process_time() - c0
    assert result.activities_seen == n
    return {"engine_cpu_seconds": cpu}


def _measure(n: int, days: float, floor: bool) -> dict[str, float]:
    """Time generating the activities, then either the audit (and its memory) or the floor pass."""
    register = build_register()
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    count = 0
    for _ in activities(n, days=days):
        count += 1
    generate = time.perf_counter() - t0
    generate_cpu = time.process_time() - c0
    if floor:
        rules = load_rules()
        accounts = {f"sh-{i}" for i in range(STAKEHOLDERS)}
        gc.set_threshold(GC_THRESHOLD)
        gc.collect()
        t0 = time.perf_counter()
        read = floor_pass(
            activities(n, days=days), accounts, rules.evidence_per_signal, UNTIL, rules.half_life_days
        )
        seconds = time.perf_counter() - t0
        assert read == count
        return {"generate_seconds": generate, "floor_seconds": seconds}
    seen, seconds, cpu, peak_mb = _audited(register, activities(n, days=days))
    assert seen == count
    return {
        "generate_seconds": generate,
        "audit_seconds": seconds,
        "generate_cpu_seconds": generate_cpu,
        "audit_cpu_seconds": cpu,
        "peak_mb": peak_mb,
    }


def _audited(register: Any, stream: Iterable[Any]) -> tuple[int, float, float, float]:
    """Audit ``stream``: activities seen, wall and processor seconds, peak memory growth in MB."""
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    result = audit(register, [stream], until=UNTIL)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result.activities_seen, seconds, cpu, max(0, after - before) / 1024.0


SOURCE = "bench"


def _store_write(n: int, days: float, path: str) -> dict[str, float]:
    """Write the activities into a new store at ``path`` as a collection does; time it."""
    t0 = time.perf_counter()
    with Store.open(path) as store:
        generation = store.start_collection(SOURCE, "bench", full=True)
        written = store.write(SOURCE, activities(n, days=days), generation=generation)
        store.finish_collection(SOURCE, until=UNTIL, full=True, generation=generation)
        store.checkpoint()
    seconds = time.perf_counter() - t0
    assert written == n
    return {"store_write_seconds": seconds}


def _store_audit(n: int, path: str) -> dict[str, float]:
    """The audit reading the store at ``path`` oldest first: its time and peak memory growth."""
    register = build_register()
    with Store.open(path) as store:
        seen, seconds, cpu, peak_mb = _audited(
            register, store.read(SOURCE, UNTIL - timedelta(days=180), UNTIL)
        )
    assert seen == n
    return {"store_audit_seconds": seconds, "store_audit_cpu_seconds": cpu, "store_peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument(
        "--audit-only", action="store_true", help="time the audit only (no floor pass, no memory run)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--days", type=float, default=180.0, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store-write", help=argparse.SUPPRESS)
    parser.add_argument("--store-audit", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.store_write:
            print(json.dumps(_store_write(args.child, args.days, args.store_write)))
        elif args.store_audit:
            print(json.dumps(_store_audit(args.child, args.store_audit)))
        elif args.engine:
            print(json.dumps(_measure_engine(args.child, args.days)))
        else:
            print(json.dumps(_measure(args.child, args.days, args.floor)))
        return

    def child(
        n: int, days: float = 180.0, floor: bool = False, engine: bool = False, *store: str
    ) -> dict[str, float]:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(n),
                "--days",
                str(days),
                *(["--floor"] if floor else []),
                *(["--engine"] if engine else []),
                *store,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    big = child(args.activities)
    alone = child(args.activities, engine=True)
    n = args.activities
    print(f"activities={n}")
    print(f"stakeholders={STAKEHOLDERS}")
    print(f"generate_seconds={big['generate_seconds']:.3f}")
    print(f"audit_seconds={big['audit_seconds']:.3f}")
    print(f"activities_per_second={n / big['audit_seconds']:.0f}")
    print(f"overhead_ratio={big['audit_seconds'] / big['generate_seconds']:.2f}")
    print(f"generate_cpu_seconds={big['generate_cpu_seconds']:.3f}")
    print(f"audit_cpu_seconds={big['audit_cpu_seconds']:.3f}")
    print(f"engine_cpu_seconds={alone['engine_cpu_seconds']:.3f}")
    if args.audit_only:
        return
    # The floor in a process of its own, against the generation timed in that process.
    floor = child(args.activities, floor=True)
    # A quarter of the activities at the same density (a quarter of the days): memory that
    # depends only on the rate of activity, not on how many there are, stays the same.
    small = child(max(1, args.activities // 4), days=45.0)
    print(f"floor_seconds={floor['floor_seconds']:.3f}")
    print(f"floor_ratio={floor['floor_seconds'] / floor['generate_seconds']:.2f}")
    print(f"peak_mb={big['peak_mb']:.1f}")
    print(f"peak_mb_small={small['peak_mb']:.1f}")
    print(f"small_activities={max(1, n // 4)}")
    with tempfile.TemporaryDirectory() as tmp:
        path, small_path = f"{tmp}/store.sqlite", f"{tmp}/small.sqlite"
        write = child(n, 180.0, False, False, "--store-write", path)
        size = sum(Path(p).stat().st_size for p in (path, f"{path}-wal") if Path(p).exists())
        read = child(n, 180.0, False, False, "--store-audit", path)
        child(max(1, n // 4), 45.0, False, False, "--store-write", small_path)
        read_small = child(max(1, n // 4), 45.0, False, False, "--store-audit", small_path)
    print(f"store_write_seconds={write['store_write_seconds']:.3f}")
    print(f"store_audit_seconds={read['store_audit_seconds']:.3f}")
    print(f"store_audit_cpu_seconds={read['store_audit_cpu_seconds']:.3f}")
    print(f"store_ratio={read['store_audit_seconds'] / big['audit_seconds']:.2f}")
    print(f"store_cpu_ratio={read['store_audit_cpu_seconds'] / big['audit_cpu_seconds']:.2f}")
    print(f"store_peak_mb={read['store_peak_mb']:.1f}")
    print(f"store_peak_mb_small={read_small['store_peak_mb']:.1f}")
    print(f"store_bytes={size}")
    print(f"store_bytes_per_million={size / n * 1_000_000:.0f}")


if __name__ == "__main__":
    main()
