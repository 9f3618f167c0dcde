"""`stakeplug audit --post`: care tasks reach the task target once, with the right wording.

These tests run the command's ``main`` in-process so that one in-memory task
target (from ``stakeplug.testing``) outlives a run, the way a tracker does
between two nightly jobs.  The adapter is registered through the public
``register_adapter``; the command code runs unchanged.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sharedtracker import demo_project, serve_tracker

from stakeplug.cli import _Progress, _progress_enabled, main
from stakeplug.errors import UnavailableError
from stakeplug.testing import MemoryAdapter

TOKEN = "tracker-token-" + "k3y" * 8
UNTIL = "2026-11-30"


@pytest.fixture
def tracker(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryAdapter]:
    yield from serve_tracker(monkeypatch, MemoryAdapter(tool="tracker", token=TOKEN), TOKEN)


def audit(config: Path, out: Path, *extra: str) -> int:
    return main(["audit", "--config", str(config), "--until", UNTIL, "--out", str(out), *extra])


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    return data


def test_post_creates_each_task_once_across_runs(
    tmp_path: Path, tracker: MemoryAdapter, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first --post creates every suggestion; a rerun right after creates nothing.

    The open tasks fill each owner's per-run cap, so the rerun does not top it up either.
    """
    config = demo_project(tmp_path)
    assert audit(config, tmp_path / "one", "--post") == 0
    first = report(tmp_path / "one")
    assert first["posting"] == {"mode": "post", "target": "tracker", "error": None}
    assert first["suggestions"]
    assert {g["status"] for g in first["suggestions"]} == {"created"}
    assert all(g["task"]["url"].startswith("memory://tasks/") for g in first["suggestions"])
    assert len(tracker.tasks) == len(first["suggestions"])

    assert audit(config, tmp_path / "two", "--post") == 0
    second = report(tmp_path / "two")
    assert [g for g in second["suggestions"] if g["status"] == "created"] == []
    fingerprints = [t.fingerprint for t in tracker.tasks]
    assert len(fingerprints) == len(set(fingerprints)) == len(first["suggestions"])
    capsys.readouterr()


def test_a_dry_run_writes_nothing_to_the_target(tmp_path: Path, tracker: MemoryAdapter) -> None:
    """Without --post the report lists what would be created and the tracker stays empty."""
    config = demo_project(tmp_path)
    assert audit(config, tmp_path / "out") == 0
    data = report(tmp_path / "out")
    assert data["posting"]["mode"] == "dry_run"
    assert {g["status"] for g in data["suggestions"]} == {"dry_run"}
    assert tracker.tasks == []


def test_a_shared_target_gets_neutral_wording_only(tmp_path: Path, tracker: MemoryAdapter) -> None:
    """With private = false no task carries a score, a category or the reasons."""
    config = demo_project(tmp_path, private=False)
    assert audit(config, tmp_path / "out", "--post", "-q") == 0
    assert tracker.drafts
    for draft in tracker.drafts.values():
        assert "Why:" not in draft.body
        for word in ("acceptance", "energy", "partner", "opponent", "critic", "at risk"):
            assert word not in draft.body.casefold(), (word, draft.body)


def test_a_private_target_gets_the_reasons(tmp_path: Path, tracker: MemoryAdapter) -> None:
    """With private = true each task also explains why it was suggested."""
    config = demo_project(tmp_path, private=True)
    assert audit(config, tmp_path / "out", "--post", "-q") == 0
    assert tracker.drafts
    assert all("Why:" in d.body for d in tracker.drafts.values())


def test_a_failing_target_still_writes_the_report_and_exits_3(
    tmp_path: Path, tracker: MemoryAdapter, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the task target is down the audit is still reported, posting is marked failed."""
    tracker.fail_with = UnavailableError("tracker answered 503", adapter="tracker", status=503)
    config = demo_project(tmp_path)
    assert audit(config, tmp_path / "out", "--post") == 3
    data = report(tmp_path / "out")
    assert "503" in (data["posting"]["error"] or "")
    assert {g["status"] for g in data["suggestions"]} == {"failed"}
    assert len(data["stakeholders"]) == 12
    err = capsys.readouterr().err
    assert "care tasks were not posted" in err


def test_post_without_a_task_target_is_a_config_error(
    tmp_path: Path, tracker: MemoryAdapter, capsys: pytest.CaptureFixture[str]
) -> None:
    """--post needs a [tasks] table; the error says so and nothing is written."""
    config = demo_project(tmp_path, tasks=False)
    assert audit(config, tmp_path / "out", "--post") == 2
    err = capsys.readouterr().err
    assert "no [tasks] table" in err
    assert not (tmp_path / "out" / "report.json").exists()


def test_the_token_never_appears_in_output_logs_or_reports(
    tmp_path: Path, tracker: MemoryAdapter, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even with debug logging and a failing target, the credential is never printed or stored."""
    tracker.fail_with = UnavailableError(f"tracker rejected token={TOKEN}", adapter="tracker")
    config = demo_project(tmp_path)
    assert audit(config, tmp_path / "out", "--post", "--debug", "-vv") == 3
    captured = capsys.readouterr()
    assert TOKEN not in captured.out
    assert TOKEN not in captured.err
    for path in (tmp_path / "out").iterdir():
        assert TOKEN not in path.read_text("utf-8")


def test_progress_is_a_single_rewritten_line_on_a_terminal() -> None:
    """On a terminal progress rewrites one line per update and clears it at the end."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = _Progress(screen, enabled=True, interval=0.0)
    progress("jira", 1000, 12)
    progress("github", 2000, 30)
    progress.done()
    text = screen.getvalue()
    assert text.count("\r") == 4
    assert "jira 1000 activities/12 requests, github 2000 activities/30 requests" in text
    assert text.endswith("\r")
    silent = Terminal()
    _Progress(silent, enabled=False)("jira", 1, 1)
    assert silent.getvalue() == ""


def test_progress_is_off_in_ci_and_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI=true or a stream that is not a terminal switch progress off."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert _progress_enabled(Terminal())
    assert not _progress_enabled(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not _progress_enabled(Terminal())
