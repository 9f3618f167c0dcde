"""The benchmarks stay runnable: a small run prints every figure (no timing is checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parent / "benchmarks"


def _figures(script: str, *args: str) -> dict[str, str]:
    """The ``key=value`` lines a benchmark script prints."""
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_the_engine_benchmark_prints_every_figure() -> None:
    figures = _figures("bench_engine.py", "--activities", "4000")
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
        "store_write_seconds",
        "store_audit_seconds",
        "store_audit_cpu_seconds",
        "store_ratio",
        "store_cpu_ratio",
        "store_peak_mb",
        "store_peak_mb_small",
        "store_bytes",
        "store_bytes_per_million",
    }
    assert figures["activities"] == "4000"
    assert figures["small_activities"] == "1000"
    assert all(
        float(figures[key]) > 0
        for key in (
            "audit_seconds",
            "floor_seconds",
            "generate_seconds",
            "engine_cpu_seconds",
            "store_write_seconds",
            "store_audit_seconds",
            "store_bytes",
        )
    )


def test_the_label_benchmark_prints_every_figure() -> None:
    """The map-label benchmark runs on the demo and on 26 people at one spot (no timing is checked)."""
    figures = _figures("bench_labels.py", "--runs", "1")
    cases = ("demo", "crowded_middle", "crowded_corner")
    assert set(figures) == {"runs", "crowded_people"} | {
        f"{case}_{figure}"
        for case in cases
        for figure in ("stakeholders", "map_ms_best", "map_ms_median", "placement_ms_median")
    }
    assert figures["demo_stakeholders"] == "12"
    assert figures["crowded_middle_stakeholders"] == figures["crowded_corner_stakeholders"] == "26"
    assert all(float(figures[f"{case}_placement_ms_median"]) > 0 for case in cases)
