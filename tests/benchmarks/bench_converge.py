"""Benchmark: do care-task writes converge over many racing and killed ``stakeplug audit --post`` runs?

Run it on demand::

    python tests/benchmarks/bench_converge.py [--trials 30] [--tools jira,github,trello] [--search-lag 1]

For each tracker (the fake Jira Cloud with its lagging search, the fake GitHub
and the fake Trello, each seeded with a project that plans six care tasks) it
runs ``--trials`` pairs of real audits posting at once (each followed by one
more audit, which must create nothing), and ``--trials`` audits
killed with SIGKILL at a seeded random moment of their posting and then run
again to the end (see ``tests/support/convergeworld.py``).  It prints one
``key=value`` line per figure, each prefixed with the tracker:

* ``pairs``, ``pairs_overlapped`` (both runs were posting at once),
  ``pair_creates`` (task creates sent), ``pair_closed`` (tasks closed as
  duplicates), ``pair_duplicates_open`` (fingerprints with two open tasks at
  the end), ``pair_problems`` (trials where the tracker or a report was wrong);
* ``kills``, ``kills_alive`` (the run was still running when killed),
  ``kills_mid_posting`` (alive, after one of its creates and before its
  report), ``kills_by_creates_sent`` (how many creates had reached the tracker
  at each kill), ``kill_closed``, ``kill_duplicates_open``, ``kill_problems``;
* ``seconds``: wall time of that tracker's trials.

Every problem found is printed after the figures, one ``problem=`` line each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from convergeworld import Trial, concurrent_trial, crash_trial


def _options(tool: str, search_lag: int) -> dict[str, int]:
    return {"search_lag": search_lag} if tool == "jira" else {}


def bench(tool: str, trials: int, search_lag: int, folder: Path) -> tuple[dict[str, object], list[str]]:
    started = time.perf_counter()
    options = _options(tool, search_lag)
    pairs: list[Trial] = [
        concurrent_trial(tool, folder / f"{tool}-pair{seed}", seed, after=1, **options)
        for seed in range(trials)
    ]
    kills: list[Trial] = [
        crash_trial(tool, folder / f"{tool}-kill{seed}", 1000 + seed, **options) for seed in range(trials)
    ]
    positions = Counter(t.killed_after for t in kills if t.killed)
    figures: dict[str, object] = {
        "pairs": len(pairs),
        "pairs_overlapped": sum(t.overlapped for t in pairs),
        "pair_creates": sum(t.creates for t in pairs),
        "pair_closed": sum(t.closed for t in pairs),
        "pair_duplicates_open": sum(t.duplicates_open for t in pairs),
        "pair_problems": sum(bool(t.problems) for t in pairs),
        "kills": len(kills),
        "kills_alive": sum(t.killed for t in kills),
        "kills_mid_posting": sum(t.mid_posting for t in kills),
        "kills_by_creates_sent": ",".join(f"{k}:{v}" for k, v in sorted(positions.items())),
        "kill_creates": sum(t.creates for t in kills),
        "kill_closed": sum(t.closed for t in kills),
        "kill_duplicates_open": sum(t.duplicates_open for t in kills),
        "kill_problems": sum(bool(t.problems) for t in kills),
        "planned_per_run": pairs[0].planned if pairs else 0,
        "seconds": round(time.perf_counter() - started, 1),
    }
    found = [f"{tool}: {p}" for t in [*pairs, *kills] for p in t.problems]
    return figures, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30, help="pairs and kills per tracker (default 30)")
    parser.add_argument("--tools", default="jira,github,trello", help="trackers, comma-separated")
    parser.add_argument("--search-lag", type=int, default=1, help="searches a new Jira issue is missing from")
    args = parser.parse_args()
    problems: list[str] = []
    print(f"trials={args.trials}")
    print(f"search_lag={args.search_lag}")
    with tempfile.TemporaryDirectory() as tmp:
        for tool in [t.strip() for t in args.tools.split(",") if t.strip()]:
            figures, found = bench(tool, args.trials, args.search_lag, Path(tmp))
            for key, value in figures.items():
                print(f"{tool}_{key}={value}", flush=True)
            problems += found
    for problem in problems:
        print(f"problem={problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
