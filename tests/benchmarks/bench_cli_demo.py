"""How long `stakeplug demo` takes, end to end and by phase.

Prints ``key=value`` lines; the target is a demo well under 5 seconds offline.

    python tests/benchmarks/bench_cli_demo.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = shutil.which("stakeplug", path=str(Path(sys.executable).parent)) or "stakeplug"

    walls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            started = time.perf_counter()
            subprocess.run(
                [command, "demo", "-q", "--out", str(Path(tmp) / str(i))],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - started)

    import stakeplug
    from stakeplug import demo
    from stakeplug.reports import build_report, render_markdown

    with demo.config_path() as path:
        t0 = time.perf_counter()
        config = stakeplug.load_config(path)
        sources = config.build_sources()
        t1 = time.perf_counter()
        result = stakeplug.audit(config.register, sources, until=demo.UNTIL, rules=config.load_rules())
        t2 = time.perf_counter()
        suggestions = stakeplug.plan_care(result, now=demo.UNTIL)
        t3 = time.perf_counter()
        render_markdown(build_report(result, suggestions, generated_at=demo.UNTIL))
        t4 = time.perf_counter()

    print(f"demo_runs={args.runs}")
    print(f"demo_wall_seconds_median={statistics.median(walls):.3f}")
    print(f"demo_wall_seconds_max={max(walls):.3f}")
    print(f"activities={result.activities_seen}")
    print(f"stakeholders={len(result.scores)}")
    print(f"suggestions={len(suggestions)}")
    print(f"phase_load_config_seconds={t1 - t0:.4f}")
    print(f"phase_audit_seconds={t2 - t1:.4f}")
    print(f"phase_plan_seconds={t3 - t2:.4f}")
    print(f"phase_report_seconds={t4 - t3:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
