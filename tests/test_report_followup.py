"""Care follow-up end to end: two nights of `stakeplug audit --post` through one store into a fake Jira.

Night one (window ending 2026-11-02) posts the care tasks; in between, the team
closes one of them in Jira; night two (window ending 2026-11-30) posts again.
Night two's reports list the open and overdue tasks per owner and, for the done
one, the stakeholder's acts a week before and after it was closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from clirun import run_stakeplug

from stakeplug import demo

jira_testing = pytest.importorskip("stakeplug_jira.testing")

ENV = {"JIRA_EMAIL": "stakeplug-bot@example.org", "JIRA_API_TOKEN": "followup-fake-token"}
CLOSED = datetime(2026, 11, 9, 15, tzinfo=UTC)


def _report(folder: Path, night: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / night / "report.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str], Any]]:
    """The demo project audited and posted on two nights, one task closed in Jira in between."""
    folder = tmp_path_factory.mktemp("followup")
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    clock = [datetime(2026, 11, 2, 6, tzinfo=UTC)]
    fake = jira_testing.FakeJira(mode="cloud", email=ENV["JIRA_EMAIL"], token=ENV["JIRA_API_TOKEN"],
                                 clock=lambda: clock[0])  # fmt: skip
    fake.add_project("CARE")
    with fake, (folder / "stakeplug.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[tasks]\nadapter = "jira"\nurl = "{fake.url}"\nproject = "CARE"\nissue_type = "Task"\n'
            'private = true\nemail_env = "JIRA_EMAIL"\ntoken_env = "JIRA_API_TOKEN"\n'
        )
        fh.close()
        outputs = []
        for night, until in (("night1", "2026-11-02"), ("night2", "2026-11-30")):
            if night == "night2":
                first = _report(folder, "night1")["suggestions"][0]["task"]["id"]
                fake.transition(first, "Done", by=fake.BOT, at=CLOSED)
                clock[0] = datetime(2026, 11, 30, 6, tzinfo=UTC)
            args = ("audit", "--until", until, "--post", "--out", night, "--format", "md,json,html")
            done = run_stakeplug(*args, cwd=folder, env=ENV)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
        yield folder, outputs, fake


def test_the_first_night_follows_the_tasks_it_created_at_once(nights: tuple[Path, list[str], Any]) -> None:
    """Tasks created tonight are open in tonight's follow-up: none is lost until the next night."""
    folder, _, _ = nights
    report = _report(folder, "night1")
    created = {g["task"]["id"] for g in report["suggestions"] if g["status"] == "created"}
    assert created
    assert {t["url"].rsplit("/", 1)[1] for t in report["care"]["open"]} == created
    assert {t["state"] for t in report["care"]["open"]} == {"open"}
    assert report["care"]["done"] == []


def test_the_second_night_shows_open_overdue_and_done_care_tasks(nights: tuple[Path, list[str], Any]) -> None:
    """Night two: last night's tasks past their due date are overdue, tonight's are open, the closed one done."""
    folder, _, fake = nights
    first, second = _report(folder, "night1"), _report(folder, "night2")
    closed_one = first["suggestions"][0]
    care = second["care"]
    states = {t["url"].rsplit("/", 1)[1]: t["state"] for t in care["open"]}
    tonight = {g["task"]["id"] for g in second["suggestions"] if g["status"] == "created"}
    assert tonight and all(states[key] == "open" for key in tonight)
    last_night = {g["task"]["id"]: g["due"] for g in first["suggestions"]}
    assert all(states[k] == "overdue" for k, due in last_night.items() if k in states and due < "2026-11-30")
    assert closed_one["task"]["id"] not in states
    assert len(states) == len(fake.issues) - 1
    [done] = care["done"]
    assert done["stakeholder"] == closed_one["stakeholder"]
    assert done["action"] == closed_one["action"]
    assert done["closed"] == "2026-11-09T15:00:00Z"
    assert len(done["before"]) == 4
    assert len(done["after"]) == 2, "only the two weeks after it that had ended when the window closed"
    assert sum(done["before"]) > 0


def test_the_follow_up_is_in_the_terminal_markdown_and_html(nights: tuple[Path, list[str], Any]) -> None:
    """Each format lists open and overdue tasks per owner and the done task's acts a week before and after."""
    folder, outputs, _ = nights
    care = _report(folder, "night2")["care"]
    [done] = care["done"]
    before = f"{sum(done['before']) / 4:.1f}"
    after = f"{sum(done['after']) / 2:.1f} (2 of 4 weeks)"
    overdue = sum(t["state"] == "overdue" for t in care["open"])
    assert overdue > 0
    name = f"{done['action'].replace('_', ' ')} for {done['stakeholder']}"

    summary = outputs[1]
    assert f"Care tasks still open: {len(care['open'])} ({overdue} overdue)" in summary
    assert f"Done 2026-11-09: {name}; acts a week in the 4 weeks before: {before}, after: {after}" in summary
    owners = {t["owner"] for t in care["open"]}
    assert all(f"  {owner}: " in summary for owner in owners)

    md = (folder / "night2" / "report.md").read_text("utf-8")
    section = md.split("## Care follow-up\n", 1)[1].split("\n## ", 1)[0]
    assert f"| {name} | 2026-11-09 | {before} | {after} |" in section
    assert sum(line.startswith("- **") for line in section.splitlines()) == len(owners)
    assert section.count("— overdue") == overdue

    page = (folder / "night2" / "report.html").read_text("utf-8")
    html_section = page.split('<section id="care">', 1)[1].split("</section>", 1)[0]
    assert html_section.count("<h3>") == len(owners)
    assert f"<td>{before}</td><td>{after}</td>" in html_section.replace(" class=num", "").replace(
        ' class="num"', ""
    )
