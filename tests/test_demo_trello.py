"""The demo's Trello board: a bundled board export read by the trello adapter, offline."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import stakeplug.demo
from stakeplug import AuditRun, demo, load_config, run_audit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trello_run() -> AuditRun:
    with demo.config_path() as path:
        return run_audit(path, until=demo.UNTIL, now=demo.UNTIL, generated_at=demo.UNTIL, formats=())


def test_the_bundled_board_export_matches_its_generator() -> None:
    """trello-board.json is exactly what tools/make_demo_trello.py writes."""
    script = ROOT / "tools" / "make_demo_trello.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_the_trello_board_adds_evidence_that_links_back_to_its_cards(
    trello_run: AuditRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board export is read fully; Maria and Priya gain the signals their Trello actions show."""
    report = trello_run.report
    [source] = [s for s in report["sources"] if s["name"] == "trello"]
    assert source["status"] == "ok" and source["activities"] > 60 and source["requests"] == 0
    assert "https://trello.example.com/c/" in json.dumps(report)
    monkeypatch.setattr(stakeplug.demo, "available_adapters", lambda: ("file",))
    with demo.config_path() as path:
        without = run_audit(path, until=demo.UNTIL, now=demo.UNTIL, generated_at=demo.UNTIL, formats=())
    for name, signal in (
        ("Maria Jensen", "gives_unsolicited_feedback"),
        ("Maria Jensen", "answers_messages"),
        ("Priya Raman", "keeps_agreements"),
    ):
        gained = (
            trello_run.audit.score(name).signal_counts[signal]
            - without.audit.score(name).signal_counts[signal]
        )
        assert gained >= 5, (name, signal, gained)


def test_without_the_trello_adapter_the_demo_leaves_the_board_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """When no trello adapter is installed the demo's config has no Trello source and still loads."""
    monkeypatch.setattr(stakeplug.demo, "available_adapters", lambda: ("file",))
    with demo.config_path() as path:
        text = path.read_text(encoding="utf-8")
        config = load_config(path)
    assert 'adapter = "trello"' not in text
    assert [s.adapter for s in config.sources] == ["file", "file", "file"]
    assert tomllib.loads(text)["project"]["name"] == "Apollo"
