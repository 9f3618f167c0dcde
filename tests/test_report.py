"""Reports: the JSON document and its schema, Markdown, HTML, and all-or-nothing writing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import stakeplug
from stakeplug import Activity, ActivityKind, Item, ItemKind, Verdict
from stakeplug.config.loader import config_from_mapping
from stakeplug.errors import AuthenticationError, ConfigError
from stakeplug.reports import (
    build_report,
    check_writable,
    load_previous,
    render_html,
    render_markdown,
    report_schema,
    write_reports,
)
from stakeplug.testing import MemoryAdapter

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)
BODY = "Please do not store this comment body anywhere"

CONFIG: dict[str, Any] = {
    "project": {"name": "Apollo <beta>"},
    "team": [{"name": "Dana", "identities": {"gh": "dana"}}],
    "stakeholders": [
        {"name": "Maria", "power": 5, "interest": 4, "owner": "Dana", "identities": {"gh": "maria"}},
        {"name": "Lena", "power": 4, "interest": 4, "owner": "Dana", "identities": {"gh": "lena"}},
    ],
}


def _item(n: int, kind: ItemKind = ItemKind.ISSUE) -> Item:
    return Item("gh", f"acme/apollo#{n}", url=f"https://git.example.com/acme/apollo/{n}", kind=kind)


def _activities() -> list[Activity]:
    acts: list[Activity] = []
    start = UNTIL - timedelta(days=120)
    for week in range(17):
        t = start + timedelta(weeks=week)
        acts.append(Activity(ActivityKind.COMMENT, "dana", _item(week), t, addressees=("maria",)))
        acts.append(
            Activity(
                ActivityKind.COMMENT,
                "maria",
                _item(week),
                t + timedelta(hours=3),
                details={"body": BODY},
            )
        )
        for n in (100, 200, 300):
            acts.append(
                Activity(
                    ActivityKind.REVIEW,
                    "lena",
                    _item(n + week, ItemKind.PULL_REQUEST),
                    t + timedelta(hours=5),
                    verdict=Verdict.CHANGES_REQUESTED,
                )
            )
    acts.append(Activity(ActivityKind.COMMENT, "stranger", _item(500), UNTIL - timedelta(days=2)))
    return sorted(acts, key=lambda a: a.timestamp)


def _audit(*, failing: bool = False) -> Any:
    config = config_from_mapping(CONFIG)
    sources: list[Any] = [("github", MemoryAdapter(_activities(), tool="gh"))]
    if failing:
        broken = MemoryAdapter(
            fail_with=AuthenticationError("token refused (HTTP 401)", adapter="memory", status=401)
        )
        sources.append(("tracker", broken))
    return stakeplug.audit(config.register, sources, until=UNTIL, since=UNTIL - timedelta(days=150))


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = _audit()
    suggestions = stakeplug.plan_care(result, now=UNTIL)
    return build_report(result, suggestions, generated_at=UNTIL)


def test_the_json_report_follows_the_shipped_schema(report: dict[str, Any]) -> None:
    """The report validates against report-v1.schema.json, the file shipped in the package."""
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.validate(report, report_schema())
    assert report["schema_version"] == "1"
    assert report["window"] == {"since": "2026-01-02T00:00:00Z", "until": "2026-06-01T00:00:00Z"}
    assert report["generated_at"] == "2026-06-01T00:00:00Z"


def test_the_report_carries_the_map_suggestions_candidates_and_sources(report: dict[str, Any]) -> None:
    """Every promised part is there, with the evidence links and why of each suggestion."""
    by_name = {s["name"]: s for s in report["stakeholders"]}
    assert by_name["Maria"]["category"] == "partner"
    assert by_name["Lena"]["category"] == "opponent"
    assert by_name["Maria"]["signal_counts"]["answers_messages"] == 17
    assert all(e["links"] for e in by_name["Maria"]["evidence"])
    actions = {(g["stakeholder"], g["action"]) for g in report["suggestions"]}
    assert ("Lena", "listen_to_concerns") in actions
    assert ("Maria", "status_update") in actions
    assert all(g["why"] and g["status"] == "dry_run" for g in report["suggestions"])
    assert report["candidates"] == [
        {"tool": "gh", "account": "stranger", "activities": 1, "last_seen": "2026-05-30T00:00:00Z"}
    ]
    assert report["sources"][0]["name"] == "github"
    assert report["sources"][0]["status"] == "ok"
    assert report["sources"][0]["activities"] == 86
    assert report["posting"] == {"mode": "dry_run", "target": None, "error": None}


def test_comment_bodies_never_reach_a_report(report: dict[str, Any]) -> None:
    """Even when an adapter left a body in an activity's details, no format carries it."""
    assert BODY not in json.dumps(report)
    assert BODY not in render_markdown(report)
    assert BODY not in render_html(report)


def test_markdown_has_every_section_and_reads_as_a_table(report: dict[str, Any]) -> None:
    """The Markdown report has the map table and the sections a job summary needs."""
    md = render_markdown(report)
    for heading in (
        "# stakeplug report — Apollo <beta>",
        "## Stakeholder map",
        "## Partners at risk",
        "## Suggested care tasks",
        "## Candidates to add to the register",
        "## Sources",
    ):
        assert heading in md
    assert "| Maria | partner |" in md
    assert "| Lena | opponent |" in md
    assert "Why: Lena is opponent on the map" in md
    assert "Changes since the previous report" not in md


def test_html_escapes_what_people_typed(report: dict[str, Any]) -> None:
    """Names and titles from the register are escaped in the HTML report."""
    page = render_html(report)
    assert "Apollo &lt;beta&gt;" in page
    assert "<beta>" not in page


def test_a_failed_source_is_named_with_its_reason_and_the_report_is_partial() -> None:
    """When one source fails the others count, and the report says which one and why."""
    result = _audit(failing=True)
    report = build_report(result, stakeplug.plan_care(result, now=UNTIL), generated_at=UNTIL)
    jsonschema.validate(report, report_schema())
    assert report["partial"] is True
    tracker = next(s for s in report["sources"] if s["name"] == "tracker")
    assert tracker["status"] == "failed"
    assert "401" in tracker["error"]
    assert next(s for s in report["sources"] if s["name"] == "github")["status"] == "ok"
    md = render_markdown(report)
    assert "**Partial audit.** source `tracker` failed: token refused (HTTP 401)" in md


def test_changes_since_a_previous_report_are_listed(report: dict[str, Any]) -> None:
    """Categories that moved, people new to the map and people gone are all listed."""
    previous = json.loads(json.dumps(report))
    previous["generated_at"] = "2026-05-01T00:00:00Z"
    by_name = {s["name"]: s for s in previous["stakeholders"]}
    by_name["Maria"]["category"] = "silent_supporter"
    previous["stakeholders"] = [by_name["Maria"], {**by_name["Lena"], "name": "Old Friend"}]
    result = _audit()
    now = build_report(result, stakeplug.plan_care(result, now=UNTIL), previous=previous, generated_at=UNTIL)
    jsonschema.validate(now, report_schema())
    changes = {c["stakeholder"]: (c["from"], c["to"]) for c in now["changes"]}
    assert changes == {
        "Maria": ("silent_supporter", "partner"),
        "Lena": (None, "opponent"),
        "Old Friend": ("opponent", None),
    }
    md = render_markdown(now)
    assert "## Changes since the previous report" in md
    assert "- **Maria**: silent supporter → partner" in md
    assert "- **Old Friend**: no longer in the register" in md


def test_reports_are_written_all_or_nothing(tmp_path: Path, report: dict[str, Any]) -> None:
    """Every format is written; when one cannot be rendered, none is left behind."""
    written = write_reports(report, tmp_path, ["md", "json", "html"])
    assert sorted(p.name for p in written) == ["report.html", "report.json", "report.md"]
    assert json.loads((tmp_path / "report.json").read_text("utf-8")) == report

    empty = tmp_path / "second"
    empty.mkdir()
    broken = {k: v for k, v in report.items() if k != "window"}
    with pytest.raises(KeyError):
        write_reports(broken, empty, ["json", "md"])
    assert list(empty.iterdir()) == []


def test_an_output_folder_that_cannot_be_used_is_a_config_error(tmp_path: Path) -> None:
    """A file where the folder should be, or a folder inside a file, is refused up front."""
    blocker = tmp_path / "taken"
    blocker.write_text("x", "utf-8")
    for bad in (blocker, blocker / "inside"):
        with pytest.raises(ConfigError, match="pass --out"):
            check_writable(bad)
    made = check_writable(tmp_path / "new" / "deep")
    assert made.is_dir()
    assert list(made.iterdir()) == []


def test_a_previous_report_must_be_a_stakeplug_report(tmp_path: Path) -> None:
    """--previous accepts a report.json, and says clearly what is wrong with anything else."""
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigError, match="not found"):
        load_previous(missing)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", "utf-8")
    with pytest.raises(ConfigError, match="line 1, column 2"):
        load_previous(garbage)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', "utf-8")
    with pytest.raises(ConfigError, match="not a stakeplug JSON report"):
        load_previous(other)
