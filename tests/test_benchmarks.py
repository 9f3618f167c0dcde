"""The engine benchmark stays runnable: a small run prints every figure (no timing is checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "benchmarks" / "bench_engine.py"


def test_the_engine_benchmark_prints_every_figure() -> None:
    out = subprocess.run(
        [sys.executable, str(BENCH), "--activities", "4000"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    figures = dict(line.split("=", 1) for line in out.splitlines())
    assert set(figures) == {
        "activities",
        "stakeholders",
        "generate_seconds",
        "audit_seconds",
        "activities_per_second",
        "overhead_ratio",
        "generate_cpu_seconds",
        "audit_cpu_seconds",
        "engine_cpu_seconds",
        "floor_seconds",
        "floor_ratio",
        "peak_mb",
        "peak_mb_small",
        "small_activities",
    }
    assert figures["activities"] == "4000"
    assert figures["small_activities"] == "1000"
    assert all(
        float(figures[key]) > 0
        for key in ("audit_seconds", "floor_seconds", "generate_seconds", "engine_cpu_seconds")
    )
