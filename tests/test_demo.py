"""`stakeplug demo`: the whole pipeline on the bundled project, offline, with every promised case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import run_stakeplug

from stakeplug import CareAction, Category, demo
from stakeplug.reports import report_schema

ROOT = Path(__file__).resolve().parent.parent


run = run_stakeplug


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    cwd = tmp_path_factory.mktemp("demo")
    result = run("demo", "--format", "md,json,html", cwd=cwd)
    return result, cwd / "stakeplug-report"


@pytest.fixture(scope="module")
def report(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, Any]:
    result, out = demo_run
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    return data


def test_the_demo_writes_every_report_to_the_default_folder(
    demo_run: tuple[subprocess.CompletedProcess[str], Path], report: dict[str, Any]
) -> None:
    """With no --out the reports land in ./stakeplug-report, and the JSON follows the schema."""
    result, out = demo_run
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    jsonschema.validate(report, report_schema())
    assert result.stderr == ""
    assert "Stakeholder" in result.stdout and "Suggested care tasks" in result.stdout


def test_the_demo_reads_more_than_one_tool_from_bundled_files(report: dict[str, Any]) -> None:
    """Three file sources and a Trello board export, all read fully: no network, no credentials."""
    assert [(s["name"], s["adapter"], s["status"]) for s in report["sources"]] == [
        ("jira", "file", "ok"),
        ("github", "file", "ok"),
        ("mail", "file", "ok"),
        ("trello", "trello", "ok"),
    ]
    assert report["window"] == {"since": "2026-06-03T00:00:00Z", "until": "2026-11-30T00:00:00Z"}
    assert report["activities_seen"] > 500
    assert len(report["stakeholders"]) == 12


def test_every_category_of_the_map_appears(report: dict[str, Any]) -> None:
    """Partner, opponent, silent supporter, silent critic and undecided all have someone."""
    assert {s["category"] for s in report["stakeholders"]} == {c.value for c in Category}


def test_a_partner_is_at_risk(report: dict[str, Any]) -> None:
    """At least one partner's recent energy fell clearly below their own baseline."""
    assert report["partners_at_risk"]
    by_name = {s["name"]: s for s in report["stakeholders"]}
    for name in report["partners_at_risk"]:
        person = by_name[name]
        assert person["at_risk"] and person["acceptance"] > 0.5
        assert person["trend"] == "falling"
        assert person["recent_energy"] < person["baseline_energy"]
        assert any(g["action"] == "risk_briefing" and g["stakeholder"] == name for g in report["suggestions"])


def test_every_care_action_is_suggested(report: dict[str, Any]) -> None:
    """Each of the seven care actions appears among the suggestions, each with its why."""
    assert {g["action"] for g in report["suggestions"]} == {a.value for a in CareAction}
    assert all(g["why"] and g["wording"] and g["owner"] for g in report["suggestions"])
    assert all(g["status"] == "dry_run" for g in report["suggestions"])


def test_a_powerful_stakeholder_is_reached_through_an_intermediary(report: dict[str, Any]) -> None:
    """The via_intermediary task names who to go through, as the register declares."""
    by_name = {s["name"]: s for s in report["stakeholders"]}
    via = [g for g in report["suggestions"] if g["action"] == "via_intermediary"]
    assert via
    for g in via:
        person = by_name[g["stakeholder"]]
        assert person["reachable_via"] == g["via"]
        assert person["power"] >= 4
        assert not any(
            o["stakeholder"] == g["stakeholder"] and o["action"] == "status_update"
            for o in report["suggestions"]
        )


def test_the_ambassador_request_goes_only_to_someone_who_consented(report: dict[str, Any]) -> None:
    """Ambassador tasks exist, and only for stakeholders with recorded consent."""
    by_name = {s["name"]: s for s in report["stakeholders"]}
    ambassadors = [g["stakeholder"] for g in report["suggestions"] if g["action"] == "ambassador"]
    assert ambassadors
    assert all(by_name[name]["ambassador_consent"] for name in ambassadors)


def test_active_people_outside_the_register_are_candidates(report: dict[str, Any]) -> None:
    """The demo has accounts nobody registered, reported with their activity counts."""
    assert {c["tool"] for c in report["candidates"]} == {"github", "jira"}
    assert all(c["activities"] > 0 for c in report["candidates"])


def test_the_demo_is_the_same_on_every_run(tmp_path: Path, report: dict[str, Any]) -> None:
    """A fixed "now" makes the demo's report identical on every run and every day."""
    result = run("demo", "--out", str(tmp_path / "again"), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    again = json.loads((tmp_path / "again" / "report.json").read_text("utf-8"))
    assert again == report


def test_the_bundled_data_matches_its_generator() -> None:
    """The committed activity files are exactly what the seeded generator writes."""
    script = ROOT / "tools" / "make_demo_data.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    from importlib.resources import files

    for name in demo.FILES:
        assert files("stakeplug.demo").joinpath(name).is_file()
