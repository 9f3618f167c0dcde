"""The commands as a user runs them: audit, validate, explain, adapters, init, --help, --version."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import run_stakeplug

import stakeplug
from stakeplug import demo
from stakeplug.cli import build_parser
from stakeplug.reports import report_schema

UNTIL = "2026-11-30"


run = run_stakeplug


def copy_demo(folder: Path) -> Path:
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    return folder / "stakeplug.toml"


def report_of(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
    jsonschema.validate(data, report_schema())
    return data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("apollo")
    copy_demo(folder)
    return folder


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plus a fourth source whose file cannot be read (not UTF-8)."""
    folder = tmp_path_factory.mktemp("apollo-broken")
    config = copy_demo(folder)
    (folder / "chat.jsonl").write_bytes(b"\xff\xfe not text \x00\x81")
    with config.open("a", encoding="utf-8") as fh:
        fh.write('\n[[sources]]\nadapter = "file"\nname = "chat"\npath = "chat.jsonl"\n')
    return folder


def test_an_audit_writes_both_reports_and_exits_0(project: Path) -> None:
    """A dry-run audit of a healthy project: Markdown and JSON reports, exit code 0, quiet stderr."""
    result = run("audit", "--until", UNTIL, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = project / "out"
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md"]
    report = report_of(out)
    assert report["posting"]["mode"] == "dry_run"
    assert report["window"]["until"] == "2026-11-30T00:00:00Z"
    assert {g["status"] for g in report["suggestions"]} == {"dry_run"}
    assert "Reports: " in result.stdout
    assert "## Stakeholder map" in (out / "report.md").read_text("utf-8")


def test_fail_on_conditions_exit_1(project: Path) -> None:
    """--fail-on partner-at-risk and --fail-on opponent turn what the map shows into exit code 1."""
    result = run(
        "audit", "--until", UNTIL, "--out", "fail", "--fail-on", "partner-at-risk", "-q", cwd=project
    )
    assert result.returncode == 1
    assert "partners at risk: Tom Okafor" in result.stderr
    assert result.stdout == ""
    assert (project / "fail" / "report.md").exists()
    result = run(
        "audit",
        "--until",
        UNTIL,
        "--out",
        "fail",
        "--fail-on",
        "opponent,source-error",
        "--format",
        "json",
        "--no-summary",
        cwd=project,
    )
    assert result.returncode == 1
    assert "opponents: Lena Fischer" in result.stderr


def test_a_failing_source_does_not_sink_the_others(broken_project: Path) -> None:
    """The other sources are audited, the report names the failed one and why, exit code 3."""
    result = run("audit", "--until", UNTIL, "--out", "out", cwd=broken_project)
    assert result.returncode == 3, result.stderr
    assert "chat (failed)" in result.stderr
    report = report_of(broken_project / "out")
    status = {s["name"]: (s["status"], s["error"]) for s in report["sources"]}
    assert status["chat"][0] == "failed"
    assert "cannot be read" in status["chat"][1]
    assert {status[n][0] for n in ("jira", "github", "mail")} == {"ok"}
    assert report["partial"] is True
    assert len(report["stakeholders"]) == 12
    md = (broken_project / "out" / "report.md").read_text("utf-8")
    assert "**Partial audit.** source `chat` failed" in md


def test_fail_on_source_error_turns_a_source_failure_into_exit_1(broken_project: Path) -> None:
    """With --fail-on source-error, CI sees exit code 1 for a failed source instead of 3."""
    result = run(
        "audit",
        "--until",
        UNTIL,
        "--out",
        "out2",
        "--fail-on",
        "source-error",
        "-q",
        cwd=broken_project,
    )
    assert result.returncode == 1


def test_changes_since_a_previous_report(project: Path) -> None:
    """--previous compares categories with an earlier report.json."""
    first = run("audit", "--until", "2026-09-01", "--out", "sept", "-q", cwd=project)
    assert first.returncode == 0, first.stderr
    second = run(
        "audit",
        "--until",
        UNTIL,
        "--out",
        "nov",
        "--previous",
        "sept/report.json",
        "-q",
        cwd=project,
    )
    assert second.returncode == 0, second.stderr
    report = report_of(project / "nov")
    assert report["previous"]["window"]["until"] == "2026-09-01T00:00:00Z"
    changed = {c["stakeholder"]: c for c in report["changes"]}
    assert changed["Tom Okafor"]["at_risk_now"] is True
    assert changed["Tom Okafor"]["at_risk_before"] is False
    assert "## Changes since the previous report" in (project / "nov" / "report.md").read_text()


def test_validate_summarises_a_good_config(project: Path) -> None:
    """validate builds every source without collecting and says what it found."""
    result = run("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "stakeplug.toml is valid." in result.stdout
    assert "12 stakeholders, 3 team members" in result.stdout
    assert "jira (file), github (file), mail (file)" in result.stdout


def test_explain_shows_the_evidence_trail_with_links(project: Path) -> None:
    """explain prints the place on the map, the evidence with links, and each suggestion's why."""
    result = run("explain", "tom okafor", "--until", UNTIL, cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Tom Okafor: partner — partner at risk")
    assert "https://jira.example.com/browse/APOLLO-" in out
    assert "risk_briefing" in out
    as_json = run("explain", "Tom Okafor", "--until", UNTIL, "--json", cwd=project)
    data = json.loads(as_json.stdout)
    assert data["stakeholder"] == "Tom Okafor"
    assert data["at_risk"] is True
    assert any(s["action"] == "risk_briefing" for s in data["suggestions"])


def test_explain_an_unknown_name_suggests_the_closest(project: Path) -> None:
    """A misspelt name gets a did-you-mean, exit code 2, before anything is collected."""
    result = run("explain", "Tom Okafur", cwd=project)
    assert result.returncode == 2
    assert "did you mean 'Tom Okafor'" in result.stderr


def test_adapters_lists_installed_adapters_with_capabilities(tmp_path: Path) -> None:
    """The file source is always installed; its version and capabilities are listed."""
    result = run("adapters", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = {a["name"]: a for a in json.loads(result.stdout)}
    assert listed["file"]["version"] == stakeplug.__version__
    assert "comments" in listed["file"]["capabilities"]
    table = run("adapters", cwd=tmp_path)
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == ["name", "version", "distribution", "capabilities"]
    assert any(line.startswith("file ") for line in table.stdout.splitlines())


def test_init_writes_a_starter_that_validates(tmp_path: Path) -> None:
    """init writes a commented config that passes validate, and never overwrites silently."""
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "stakeplug.toml").read_text("utf-8")
    for section in ("[project]", "[[team]]", "[[stakeholders]]", "[[sources]]", "[tasks]", "[rules"):
        assert section in text
    assert run("validate", cwd=tmp_path).returncode == 0
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "--force" in again.stderr


def test_version_and_help(tmp_path: Path) -> None:
    """--version prints the version; --help of a command shows an example and the exit codes."""
    version = run("--version", cwd=tmp_path)
    assert version.stdout.strip() == f"stakeplug {stakeplug.__version__}"
    helped = run("audit", "--help", cwd=tmp_path)
    assert helped.returncode == 0
    assert "example" in helped.stdout and "--fail-on" in helped.stdout
    assert "exit codes" in helped.stdout


def test_every_command_has_help_with_an_example() -> None:
    """Each subcommand's help ends with at least one example command line."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    choices: dict[str, Any] = sub.choices  # type: ignore[assignment]
    assert set(choices) == {"demo", "audit", "validate", "explain", "adapters", "init", "store", "history"}
    for name, command in choices.items():
        text = command.format_help()
        assert "example" in text, name
        assert f"stakeplug {name}" in text, name


def test_progress_stays_quiet_in_ci(project: Path) -> None:
    """With CI=true (and no terminal) nothing but errors reaches stderr."""
    result = run("audit", "--until", UNTIL, "--out", "ci", "-v", cwd=project, env={"CI": "true"})
    assert result.returncode == 0
    assert "\r" not in result.stderr
    assert "collecting:" not in result.stderr
