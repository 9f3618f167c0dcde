"""Bad input that used to end in an internal error is an exit 2 with one line naming the place and the fix."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from clirun import run_stakeplug

CONFIG = """\
[project]
name = "Apollo"

[[team]]
name = "Dana Whitfield"
identities = { file = "dana" }

[[stakeholders]]
name = "Maria Jensen"
identities = { file = "maria" }

[[sources]]
adapter = "file"
path = "activity.jsonl"
"""
LINE = '{"kind": "comment", "actor": "maria", "timestamp": "2026-05-01T10:00:00Z", "item": {"id": "A-1"}}\n'


def _project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "activity.jsonl").write_text(LINE, "utf-8")
    config = tmp_path / "stakeplug.toml"
    config.write_text(CONFIG + extra, "utf-8")
    return config


def _audit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_stakeplug("audit", "--out", str(tmp_path / "out"), *args, cwd=tmp_path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--until", "9999-12-31"), "--until '9999-12-31' is outside the years 1970–2199"),
        (("--until", "0001-01-01"), "--until '0001-01-01' is outside the years"),
        (("--since", "200000000d"), "--since '200000000d' reaches back more than 36500 days"),
        (("--since", "99999999999999999999d"), "is not a date or time"),
    ],
)
def test_a_window_beyond_any_usable_date_is_a_usage_error(
    tmp_path: Path, args: tuple[str, str], says: str
) -> None:
    """Dates and spans no audit can use exit 2 with one line saying what to give instead."""
    _project(tmp_path)
    result = _audit(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_read_only_source_as_task_target_is_a_config_error(tmp_path: Path) -> None:
    """``[tasks] adapter = "file"`` is refused by validate and by audit --post, naming tasks.adapter."""
    _project(tmp_path, '\n[tasks]\nadapter = "file"\npath = "activity.jsonl"\n')
    for args in (("validate",), ("audit", "--post", "--out", str(tmp_path / "out"))):
        result = run_stakeplug(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "tasks.adapter" in result.stderr
        assert "cannot post care tasks" in result.stderr


def test_limits_out_of_range_name_the_key(tmp_path: Path) -> None:
    """A ``[limits]`` value that is not a sane number of minutes is refused with its place."""
    _project(tmp_path, "\n[limits]\nsource_minutes = 0\n")
    result = run_stakeplug("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "must be a number from 0.1 to 1440, got 0" in result.stderr
    assert "limits.source_minutes" in result.stderr


def test_a_bad_line_in_a_file_source_makes_it_partial_and_the_report_names_the_line(tmp_path: Path) -> None:
    """A reaction count of 10**400 and a date past 9999 skip their lines; the audit reports the rest, exit 3."""
    _project(tmp_path)
    good = LINE.replace('{"id": "A-1"}', '{"tool": "file", "id": "A-1"}')
    huge = good.replace('"comment"', '"reaction"').replace('"item"', f'"count": {10**400}, "item"')
    late = good.replace("2026-05-01T10:00:00Z", "9999-12-31T23:00:00-05:00")
    (tmp_path / "activity.jsonl").write_text(good + huge + late, "utf-8")
    result = _audit(tmp_path, "--until", "2026-06-01", "--format", "json")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (source,) = report["sources"]
    assert source["status"] == "partial"
    assert source["activities"] == 1
    assert source["skipped"] == 2
    assert source["skipped_reasons"][0].startswith("line 2: count must be a whole number from 1 to")
    assert source["skipped_reasons"][1].startswith("line 3: timestamp '9999-12-31T23:00:00-05:00' is outside")
