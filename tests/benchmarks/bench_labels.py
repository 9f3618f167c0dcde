"""How long placing the names on the stakeholder map takes: the demo, and 26 people at one spot.

Prints ``key=value`` lines (best and median of ``--runs``, in milliseconds); the target is well
under a second for a crowded map.

    python tests/benchmarks/bench_labels.py [--runs 5] [--people 26]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from reportdoc import crowded_report, demo_report

from stakeplug.reports import charts, labels


def _timed(run: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Best and median wall time of ``run`` over ``runs``, and the median of the placement alone (ms)."""
    walls, placing = [], []
    spent = [0.0]
    place = labels.place_labels

    def timed_place(*args: object, **kwargs: object) -> list[labels.Label]:
        started = time.perf_counter()
        try:
            return place(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent[0] += time.perf_counter() - started

    charts.place_labels = timed_place  # type: ignore[assignment]
    try:
        for _ in range(runs):
            spent[0] = 0.0
            started = time.perf_counter()
            run()
            walls.append(time.perf_counter() - started)
            placing.append(spent[0])
    finally:
        charts.place_labels = place
    return min(walls) * 1000, statistics.median(walls) * 1000, statistics.median(placing) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=26)
    args = parser.parse_args()
    cases = {
        "demo": demo_report(),
        "crowded_middle": crowded_report(args.people),
        "crowded_corner": crowded_report(args.people, acceptance=3.0, energy=5.0),
    }
    print(f"runs={args.runs}")
    print(f"crowded_people={args.people}")
    for name, report in cases.items():
        best, median, placing = _timed(lambda r=report: charts.map_svg(r), args.runs)
        print(f"{name}_stakeholders={len(report['stakeholders'])}")
        print(f"{name}_map_ms_best={best:.1f}")
        print(f"{name}_map_ms_median={median:.1f}")
        print(f"{name}_placement_ms_median={placing:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
