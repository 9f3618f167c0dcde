"""Posting that stops part-way through: what the tracker did create is still reported, with ids."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import pytest

import stakeplug
from stakeplug import CareAction, CareSuggestion, TaskDraft, demo, post_care
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


class SharedTarget:
    """Every build returns the same :class:`FailsAfter`, so the test sees what the run did."""

    name: ClassVar[str] = "tracker"
    version: ClassVar[str] = "1.0"
    capabilities = MemoryAdapter.capabilities
    OPTIONS = MemoryAdapter.OPTIONS
    store: ClassVar[FailsAfter]

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, env: Mapping[str, str] | None = None, where: str | None = None
    ) -> MemoryAdapter:
        MemoryAdapter.from_config({**config, "seed": "empty"}, env=env, where=where)
        return cls.store


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[FailsAfter]:
    SharedTarget.store = FailsAfter(allowed=2)
    stakeplug.register_adapter("tracker", SharedTarget, clobber=True)
    monkeypatch.setenv("TRACKER_TOKEN", TOKEN)
    monkeypatch.delenv("CI", raising=False)
    yield SharedTarget.store
    stakeplug.unregister_adapter("tracker")


def _demo_project(folder: Path) -> Path:
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    config = folder / "stakeplug.toml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write('\n[tasks]\nadapter = "tracker"\ntoken_env = "TRACKER_TOKEN"\nprivate = false\n')
    return config


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
    config = _demo_project(tmp_path)
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
