"""Posting that stops part-way through: what the tracker did create is still reported, with ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sharedtracker import demo_project, serve_tracker

from stakeplug import CareAction, CareSuggestion, TaskDraft, post_care
from stakeplug.adapter import PostResult
from stakeplug.cli import main
from stakeplug.errors import PostingInterruptedError, TrackerError, UnavailableError
from stakeplug.testing import MemoryAdapter

TOKEN = "tracker-token-" + "p4rt" * 6


class FailsAfter(MemoryAdapter):
    """The in-memory target, answering 503 to every write after the first ``allowed``."""

    def __init__(self, allowed: int) -> None:
        super().__init__(tool="tracker", token=TOKEN)
        self.allowed = allowed

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        if not dry_run and len(self.tasks) >= self.allowed:
            raise UnavailableError("tracker answered 503", adapter="tracker", status=503)
        return super().post_task(draft, dry_run=dry_run)


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryAdapter]:
    yield from serve_tracker(monkeypatch, FailsAfter(allowed=2), TOKEN)


def _suggestion(name: str, fingerprint: str) -> CareSuggestion:
    return CareSuggestion(
        action=CareAction.STATUS_UPDATE,
        stakeholder=name,
        owner=None,
        title=f"Send {name} a status update",
        wording="Send an extra status update.",
        explanation="",
        evidence=(),
        due=datetime(2026, 12, 7, tzinfo=UTC),
        fingerprint=fingerprint,
        period="2026-W49",
        priority=1,
    )


def test_post_care_stopped_part_way_carries_the_results_so_far() -> None:
    """The error that stops posting carries the created tasks with their ids, and is a TrackerError."""
    suggestions = [_suggestion(f"Person {n}", f"{n:016x}") for n in range(1, 5)]
    target = FailsAfter(allowed=2)
    with pytest.raises(PostingInterruptedError) as caught:
        post_care(target, suggestions, dry_run=False)
    error = caught.value
    assert isinstance(error, TrackerError) and error.status == 503
    assert isinstance(error.__cause__, UnavailableError)
    assert [r.created for r in error.results] == [True, True]
    assert [r.task.id for r in error.results if r.task] == [t.id for t in target.tasks]
    assert all(t.id in str(error) for t in target.tasks)


def test_the_report_after_a_failure_part_way_names_the_tasks_that_exist(
    tmp_path: Path, target: FailsAfter, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report marks the tasks created before the failure as created with their ids, the rest failed."""
    config = demo_project(tmp_path)
    code = main(["audit", "--config", str(config), "--until", "2026-11-30", "--out", str(tmp_path), "--post"])
    assert code == 3
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    created = [g for g in data["suggestions"] if g["status"] == "created"]
    failed = [g for g in data["suggestions"] if g["status"] == "failed"]
    assert [g["task"]["id"] for g in created] == [t.id for t in target.tasks] and len(created) == 2
    assert len(failed) == len(data["suggestions"]) - 2 and failed
    assert all(g["task"] is None and "503" in g["error"] for g in failed)
    assert "503" in data["posting"]["error"]
    assert "care tasks were posted only in part" in capsys.readouterr().err
