"""GitHub Actions: the job summary and the annotations, from the library and from a real `stakeplug audit`."""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path

from clirun import run_stakeplug
from reportdoc import sample_report

from stakeplug import demo
from stakeplug.reports import github_annotations, github_error, publish_github, render_markdown, step_summary
from stakeplug.reports.ci import SUMMARY_LIMIT

ANNOTATIONS = [
    "::warning title=Partner at risk%3A Maria::losing interest: they act clearly less than they used to "
    "(1.0 activities a week lately against 6.0 a week before, 17%25 of their usual); owner Dana",
    "::warning title=Source jira partial::rate limited after 3 pages",
    "::error title=stakeplug exited with code 3::incomplete: jira (partial)",
]


def test_partners_at_risk_and_partial_sources_become_warnings_and_a_failing_exit_an_error() -> None:
    """The annotations for the sample report match the golden lines, escaped as GitHub reads them."""
    assert (
        github_annotations(sample_report(), exit_code=3, reasons=["incomplete: jira (partial)"])
        == ANNOTATIONS
    )


def test_a_healthy_run_gives_no_annotation() -> None:
    """No partner at risk, every source ok, exit 0: nothing to annotate."""
    report = sample_report()
    report["partners_at_risk"] = []
    report["sources"] = report["sources"][:1]
    assert github_annotations(report, exit_code=0) == []


def test_messages_are_escaped_and_warnings_capped_at_ten() -> None:
    """Newlines, percent signs and colons cannot end a workflow command early; an eleventh warning is folded."""
    report = sample_report()
    report["sources"][1]["error"] = "50% done\nthen: 503"
    report["sources"][1]["name"] = "jira:main, eu"
    lines = github_annotations(report)
    assert lines[1] == "::warning title=Source jira%3Amain%2C eu partial::50%25 done%0Athen: 503"
    report["partners_at_risk"] = [f"P{i}" for i in range(12)]
    lines = github_annotations(report)
    assert len(lines) == 10
    assert lines[-1] == "::warning title=More warnings::4 more warnings in the report"


def test_publishing_off_github_does_nothing(tmp_path: Path) -> None:
    """Without GITHUB_STEP_SUMMARY or GITHUB_ACTIONS nothing is written anywhere."""
    stream = io.StringIO()
    assert publish_github(sample_report(), exit_code=3, environ={}, stream=stream) is False
    assert stream.getvalue() == ""


def test_publishing_on_github_appends_the_markdown_and_prints_the_annotations(tmp_path: Path) -> None:
    """The job summary gets the Markdown report appended after what was there; annotations go to the stream."""
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", "utf-8")
    stream = io.StringIO()
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    assert publish_github(
        sample_report(), exit_code=3, reasons=["incomplete: jira (partial)"], environ=env, stream=stream
    )
    assert summary.read_text("utf-8") == "# earlier step\n" + render_markdown(sample_report())
    assert stream.getvalue().splitlines() == ANNOTATIONS


def test_a_report_too_long_for_a_job_summary_is_cut_with_a_note() -> None:
    """Over 1 MiB the summary is cut at a line and says the full report is in the artifacts."""
    report = sample_report()
    report["warnings"] = ["x" * 1000] * 1200
    text = step_summary(report)
    assert len(text.encode("utf-8")) <= SUMMARY_LIMIT
    assert text.endswith("> Cut to fit a job summary; the full report is in the job's artifacts.\n")


def _broken_project(folder: Path) -> Path:
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    (folder / "chat.jsonl").write_bytes(b"\xff\xfe not text \x00\x81")
    with (folder / "stakeplug.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[sources]]\nadapter = "file"\nname = "chat"\npath = "chat.jsonl"\n')
    return folder


def test_an_audit_on_github_actions_writes_the_summary_and_annotations_without_any_option(
    tmp_path: Path,
) -> None:
    """`stakeplug audit` on a runner: the summary file gets the report, stdout the warnings and the error."""
    project = _broken_project(tmp_path)
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    result = run_stakeplug("audit", "--until", "2026-11-30", "--out", "out", "-q", cwd=project, env=env)
    assert result.returncode == 3, result.stderr
    assert summary.read_text("utf-8") == (project / "out" / "report.md").read_text("utf-8")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::warning title=Partner at risk%3A Tom Okafor::losing interest: ")
    assert lines[1].startswith("::warning title=Source chat failed::")
    assert lines[2] == "::error title=stakeplug exited with code 3::incomplete: chat (failed)"
    assert len(lines) == 3


def test_a_command_that_fails_before_its_report_still_gets_an_error_annotation() -> None:
    """github_error: one escaped ::error line on a runner, nothing elsewhere."""
    out = io.StringIO()
    assert github_error(
        2, "stakeplug.toml: 100% wrong,\nsee: docs", environ={"GITHUB_ACTIONS": "true"}, stream=out
    )
    assert (
        out.getvalue()
        == "::error title=stakeplug exited with code 2::stakeplug.toml: 100%25 wrong,%0Asee: docs\n"
    )
    quiet = io.StringIO()
    assert not github_error(2, "x", environ={}, stream=quiet)
    assert quiet.getvalue() == ""


def test_an_audit_whose_config_is_broken_fails_early_with_an_error_annotation(tmp_path: Path) -> None:
    """Exit 2 before anything is collected: no report, no summary, but the job's ::error names the fault."""
    (tmp_path / "stakeplug.toml").write_text(
        '[project]\nname = "x"\n\n[[sources]]\nadapter = "nope"\nname = "a"\n', "utf-8"
    )
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    result = run_stakeplug("audit", "--out", "out", cwd=tmp_path, env=env)
    assert result.returncode == 2
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        "::error title=stakeplug exited with code 2::stakeplug.toml: sources[0].adapter: no adapter named 'nope'"
    )
    assert line.endswith(" — `stakeplug adapters` lists what is installed")
    assert not summary.exists() and not (tmp_path / "out").exists()
    off = run_stakeplug("audit", "--out", "out", cwd=tmp_path)
    assert off.returncode == 2 and "::error" not in off.stdout + off.stderr


def test_a_command_line_that_does_not_parse_gets_an_error_annotation_on_a_runner(tmp_path: Path) -> None:
    """An unknown option is a usage error (exit 2); on a runner the job gets an ::error for it too."""
    result = run_stakeplug("audit", "--no-such-option", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "::error title=stakeplug exited with code 2::the command line could not be parsed; the job log shows why"
    ]
    assert "--no-such-option" in result.stderr
