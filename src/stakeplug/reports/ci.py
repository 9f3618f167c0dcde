"""Speaking the CI platform's language: the GitHub Actions job summary and annotations.

On a GitHub Actions runner :func:`publish_github` appends the Markdown report
to the job summary (the file named by ``GITHUB_STEP_SUMMARY``) and prints
workflow commands that GitHub shows as annotations: a ``::warning`` for each
partner at risk and each failed or partial source, an ``::error`` when the run
exits with a failing code.  Off GitHub it does nothing, so the command line
calls it on every run without an option.  A command that fails before it has
a report (a config error, a store that cannot be opened, an internal error)
still gets its ``::error`` from :func:`github_error`.

GitHub shows at most ten warning annotations of a step, so the eleventh and
later ones are folded into one that says how many more the report lists; a
job summary is at most 1 MiB, so a longer report is cut at a line with a note.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from stakeplug.reports.markdown import render_markdown
from stakeplug.reports.text import partial_sources, plural, risk_line

__all__ = ["SUMMARY_LIMIT", "github_annotations", "github_error", "publish_github", "step_summary"]

SUMMARY_LIMIT = 1024 * 1024
"""The most bytes GitHub accepts in one step's job summary."""

_MAX_WARNINGS = 10


def _data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value (``title=...``), escaped as GitHub's runner reads it."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, title: str, message: str) -> str:
    return f"::{kind} title={_property(title)}::{_data(message)}"


def _error(exit_code: int, reasons: Sequence[str]) -> str:
    return _command(
        "error", f"stakeplug exited with code {exit_code}", "; ".join(reasons) or "see the report"
    )


def _warnings(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    by_name = {s["name"]: s for s in report["stakeholders"]}
    found: list[tuple[str, str]] = []
    for name in report["partners_at_risk"]:
        s = by_name.get(name)
        detail = "partner at risk"
        if s is not None:
            detail = f"{risk_line(s)}; owner {s['owner'] or 'none'}"
        found.append((f"Partner at risk: {name}", detail))
    for src in partial_sources(report):
        found.append((f"Source {src['name']} {src['status']}", src["error"] or "no detail"))
    if report["posting"]["mode"] == "post" and report["posting"].get("error"):
        found.append(("Care tasks not posted", str(report["posting"]["error"])))
    return found


def github_annotations(
    report: Mapping[str, Any], *, exit_code: int = 0, reasons: Sequence[str] = ()
) -> list[str]:
    """The workflow commands for a report: warnings (at most ten) and an error for a failing exit."""
    warnings = _warnings(report)
    if len(warnings) > _MAX_WARNINGS:
        rest = len(warnings) - (_MAX_WARNINGS - 1)
        warnings = [
            *warnings[: _MAX_WARNINGS - 1],
            ("More warnings", f"{plural(rest, 'more warning')} in the report"),
        ]
    lines = [_command("warning", title, message) for title, message in warnings]
    if exit_code != 0:
        lines.append(_error(exit_code, reasons))
    return lines


def step_summary(report: Mapping[str, Any]) -> str:
    """The Markdown report as a job summary: whole, or cut at a line below GitHub's limit with a note."""
    text = render_markdown(report)
    if len(text.encode("utf-8")) <= SUMMARY_LIMIT:
        return text
    note = "\n\n> Cut to fit a job summary; the full report is in the job's artifacts.\n"
    budget = SUMMARY_LIMIT - len(note.encode("utf-8"))
    kept = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return kept[: kept.rfind("\n")] + note


def publish_github(
    report: Mapping[str, Any],
    *,
    exit_code: int = 0,
    reasons: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    stream: TextIO | None = None,
) -> bool:
    """On GitHub Actions, append the job summary and print the annotations; ``False`` elsewhere.

    The summary goes to ``GITHUB_STEP_SUMMARY`` when that is set; the
    annotations go to ``stream`` (standard output) when ``GITHUB_ACTIONS`` is
    ``true``.  A summary file that cannot be written costs the summary only,
    never the run.
    """
    env = os.environ if environ is None else environ
    did = False
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with Path(summary_path).open("a", encoding="utf-8", newline="\n") as fh:
                fh.write(step_summary(report))
            did = True
        except OSError as exc:
            print(f"stakeplug: the job summary could not be written ({exc.strerror})", file=sys.stderr)
    if env.get("GITHUB_ACTIONS") == "true":
        out = stream or sys.stdout
        for line in github_annotations(report, exit_code=exit_code, reasons=reasons):
            print(line, file=out)
        did = True
    return did


def github_error(
    exit_code: int, message: str, *, environ: Mapping[str, str] | None = None, stream: TextIO | None = None
) -> bool:
    """On GitHub Actions, the ``::error`` of a command that failed before it had a report.

    ``message`` is printed as given, so it must already be redacted; ``False`` off GitHub.
    """
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") != "true":
        return False
    print(_error(exit_code, [message]), file=stream or sys.stdout)
    return True
