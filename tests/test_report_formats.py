"""Report formats beside the page: CSV files, the terminal summary, and what every format shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import jsonschema
from reportdoc import sample_report

import stakeplug
from stakeplug import Activity, ActivityKind, Item
from stakeplug.config.loader import config_from_mapping
from stakeplug.reports import (
    FORMATS,
    build_report,
    ordered_stakeholders,
    render_html,
    render_markdown,
    render_stakeholders_csv,
    render_suggestions_csv,
    render_summary,
    report_schema,
    write_reports,
)
from stakeplug.reports.text import number, plural, signed, text_width
from stakeplug.testing import MemoryAdapter

STAKEHOLDERS_CSV = """\
name,role,owner,category,at_risk,acceptance,energy,map_energy,recent_energy,baseline_energy,trend,power,interest,priority
Maria,Sponsor,Dana,partner,true,3.0,3.9,1.8,1.8,4.1,falling,5,4,20
Ines,,Dana,partner,false,2.0,4.5,4.5,4.5,4.5,rising,3,5,15
Lena,Works council,Dana,opponent,false,-1.8,4.2,4.2,4.2,4.2,steady,4,5,20
山田 太郎,,Dana,silent_supporter,false,1.3,1.6,1.6,1.6,1.6,steady,2,2,4
Omar,,Dana,silent_critic,false,-0.9,1.2,1.2,1.2,1.2,steady,2,1,2
'=HYPERLINK(1),,,undecided,false,0.0,2.0,2.0,2.0,2.0,steady,1,4,4
"""

SUGGESTIONS_CSV = """\
stakeholder,action,title,owner,via,due,priority,status,task_id,task_url,fingerprint,why,links
Maria,risk_briefing,Risk briefing for Maria,Dana,,2026-06-08,20,created,AP-101,https://jira.example.com/browse/AP-101,fp05risk_b,Maria needs it. See the evidence.,https://git.example.com/acme/apollo/issues/7
Ines,status_update,Status update for Ines,Dana,,2026-06-08,20,exists,AP-90,https://jira.example.com/browse/AP-90,fp04status,Ines needs it. See the evidence.,https://git.example.com/acme/apollo/issues/7
Lena,listen_to_concerns,Listen to concerns for Lena,Dana,,2026-06-08,20,failed,,,fp04listen,Lena needs it. See the evidence.,https://git.example.com/acme/apollo/issues/7
"""


def test_stakeholders_csv_has_one_row_per_stakeholder_in_report_order() -> None:
    """stakeholders.csv matches the golden file: report order, one decimal, formulas quoted."""
    assert render_stakeholders_csv(sample_report()) == STAKEHOLDERS_CSV


def test_suggestions_csv_has_one_row_per_suggestion_with_its_task() -> None:
    """suggestions.csv matches the golden file: status, task id and link, the why on one line."""
    assert render_suggestions_csv(sample_report()) == SUGGESTIONS_CSV


def test_the_csv_format_writes_both_files(tmp_path: Path) -> None:
    """--format csv is one format that writes stakeholders.csv and suggestions.csv together."""
    assert FORMATS["csv"] == ("stakeholders.csv", "suggestions.csv")
    written = write_reports(sample_report(), tmp_path, ["csv"])
    assert [p.name for p in written] == ["stakeholders.csv", "suggestions.csv"]
    assert (tmp_path / "stakeholders.csv").read_text("utf-8") == STAKEHOLDERS_CSV


def test_numbers_round_half_up_to_one_decimal_the_same_everywhere() -> None:
    """A +2.95 acceptance reads +3.0 in Markdown, the summary and CSV; -0.04 reads +0.0."""
    assert signed(2.95) == "+3.0"
    assert signed(-0.04) == "+0.0"
    assert signed(-1.25) == "-1.3"
    assert number(1.84) == "1.8"
    report = sample_report()
    assert "| Maria | partner ⚠ at risk | +3.0 |" in render_markdown(report)
    assert "+3.0" in render_summary(report).splitlines()[4]
    assert ",3.0," in render_stakeholders_csv(report).splitlines()[1]


def test_plurals_are_right() -> None:
    """One source, one activity; two sources, three activities."""
    assert plural(1, "source") == "1 source"
    assert plural(2, "source") == "2 sources"
    assert plural(1, "activity") == "1 activity"
    assert plural(3, "activity") == "3 activities"
    summary = render_summary(sample_report())
    assert summary.startswith("Apollo <beta>: 6 stakeholders, 1 activity from 2 sources,")


def test_every_format_lists_stakeholders_in_the_one_report_order() -> None:
    """Markdown, the summary and CSV list the map by category, then highest priority, then name."""
    report = sample_report()
    order = [s["name"] for s in ordered_stakeholders(report)]
    assert order == ["Maria", "Ines", "Lena", "山田 太郎", "Omar", "=HYPERLINK(1)"]
    md_rows = [
        line.split(" | ")[0][2:] for line in render_markdown(report).splitlines() if line.startswith("| ")
    ]
    assert md_rows[1 : 1 + len(order)] == order
    summary_rows = render_summary(report).splitlines()[4 : 4 + len(order)]
    assert [row.split("  ")[0] for row in summary_rows] == order


def test_wide_characters_keep_the_summary_table_aligned() -> None:
    """A name in CJK characters takes two columns a character, and the next column still lines up."""
    assert text_width("山田 太郎") == 9
    lines = render_summary(sample_report()).splitlines()
    header, japanese = lines[2], next(line for line in lines if line.startswith("山田"))
    category_column = header.index("Category")
    assert text_width(japanese[: japanese.index("silent supporter")]) == category_column


def test_an_at_risk_partner_is_shown_at_their_recent_energy() -> None:
    """The map's energy column shows the recent energy of a partner at risk, not their baseline."""
    report = sample_report()
    assert "| Maria | partner ⚠ at risk | +3.0 | 1.8 |" in render_markdown(report)
    maria = next(line for line in render_summary(report).splitlines() if line.startswith("Maria"))
    assert maria.split()[5] == "1.8"


def test_the_summary_says_what_posting_did_and_how_many_tasks_are_open() -> None:
    """Per task: created, already there or failed; then the counts and the open care tasks."""
    summary = render_summary(sample_report())
    assert "Risk briefing for Maria (owner Dana, due 2026-06-08) — created AP-101" in summary
    assert "Status update for Ines (owner Dana, due 2026-06-08) — already there AP-90" in summary
    assert "Listen to concerns for Lena (owner Dana, due 2026-06-08) — failed" in summary
    assert "Posting: 1 created, 1 already there, 1 failed" in summary
    assert "Care tasks still open: 2" in summary


def _dry_run_audit() -> Any:
    config = config_from_mapping(
        {
            "project": {"name": "Apollo"},
            "team": [{"name": "Dana", "identities": {"gh": "dana"}}],
            "stakeholders": [{"name": "Maria", "owner": "Dana", "identities": {"gh": "maria"}}],
        }
    )
    until = datetime(2026, 6, 1, tzinfo=UTC)
    item = Item("gh", "acme/apollo#1", url="https://git.example.com/acme/apollo/1")
    acts = [Activity(ActivityKind.COMMENT, "maria", item, until - timedelta(days=d)) for d in range(1, 90, 3)]
    return stakeplug.audit(config.register, [("gh", MemoryAdapter(acts, tool="gh"))], until=until)


def test_a_dry_run_never_marks_a_task_failed() -> None:
    """When reading the target fails in a dry run, tasks stay "would be created"; only posting can fail."""
    result = _dry_run_audit()
    suggestions = stakeplug.plan_care(result)
    assert suggestions
    dry = build_report(result, suggestions, post_error="reading existing care tasks failed: 503")
    assert {g["status"] for g in dry["suggestions"]} == {"dry_run"}
    assert "failed" not in render_summary(dry).split("Suggested care tasks")[1].split("Posting failed")[0]
    posted = build_report(result, suggestions, posted=True, post_error="tracker answered 503")
    assert {g["status"] for g in posted["suggestions"]} == {"failed"}


def test_a_task_whose_racing_copy_was_closed_says_so_in_every_format() -> None:
    """The ids of duplicates a run closed are in the JSON and after the task in summary, Markdown and page."""
    result = _dry_run_audit()
    suggestions = stakeplug.plan_care(result)[:1]
    draft = stakeplug.render_task(suggestions[0], tool="gh")
    task = stakeplug.TaskRef(draft.fingerprint, "AP-7", url="https://jira.example.com/browse/AP-7")
    closed = stakeplug.PostResult(draft, False, False, task=task, reason="raced", closed_duplicates=("AP-8",))
    report = build_report(result, suggestions, results=[closed], posted=True)
    [entry] = report["suggestions"]
    assert entry["duplicates_closed"] == ["AP-8"] and entry["status"] == "exists"
    jsonschema.validate(report, report_schema())
    assert "— already there AP-7 (closed its duplicate AP-8)" in render_summary(report)
    assert "(https://jira.example.com/browse/AP-7) (closed its duplicate AP-8)" in render_markdown(report)
    assert "closed its duplicate AP-8" in render_html(report)
    plain = build_report(
        result, suggestions, results=[attrs.evolve(closed, closed_duplicates=())], posted=True
    )
    assert "duplicates_closed" not in plain["suggestions"][0]
    assert "duplicate" not in render_summary(plain)


def test_a_previous_report_gives_each_stakeholder_their_earlier_position() -> None:
    """With --previous each stakeholder still on the map has a "previous run" position in history."""
    result = _dry_run_audit()
    first = build_report(result, [])
    first["stakeholders"][0]["acceptance"] = 1.234
    now = build_report(result, [], previous=first)
    assert now["stakeholders"][0]["history"] == [
        {
            "label": "previous run",
            "generated_at": first["generated_at"],
            "acceptance": 1.23,
            "energy": first["stakeholders"][0]["energy"],
            "category": first["stakeholders"][0]["category"],
        }
    ]
    assert now["map"] == {"accept_above": 0.5, "reject_below": -0.5, "high_energy": 3.0}


def test_the_why_of_a_task_and_the_map_show_the_same_numbers() -> None:
    """On the demo, each suggestion's "acceptance +x.y" is the map's acceptance for that person, digit for digit."""
    from stakeplug import demo
    from stakeplug.config.loader import load_config

    with demo.config_path() as path:
        config = load_config(path)
        result = stakeplug.audit(config.register, config.build_sources(), until=demo.UNTIL)
    report = build_report(result, stakeplug.plan_care(result, now=demo.UNTIL))
    by_name = {s["name"]: s for s in report["stakeholders"]}
    assert report["suggestions"]
    for g in report["suggestions"]:
        assert f"(acceptance {signed(by_name[g['stakeholder']]['acceptance'])}," in g["why"]


def test_the_readme_script_writes_the_reports_through_the_public_api(tmp_path: Path) -> None:
    """The README's Reports example runs as written and leaves every format in the folder."""
    import re
    import subprocess
    import sys

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("\n## Reports\n", 1)[1].split("\n## ", 1)[0]
    (script,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "stakeplug-report").iterdir())
    assert names == ["report.html", "report.json", "report.md", "stakeholders.csv", "suggestions.csv"]
    assert "Suggested care tasks (16, dry run):" in result.stdout


def test_the_example_script_writes_every_report_format_from_an_audit(tmp_path: Path) -> None:
    """examples/write_reports.py audits the demo and leaves each format in the folder it is given."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "examples" / "write_reports.py"
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["report.html", "report.json", "report.md", "stakeholders.csv", "suggestions.csv"]
    assert "Suggested care tasks (16, dry run):" in result.stdout
    assert '<section id="map">' in (tmp_path / "out" / "report.html").read_text("utf-8")


def _followed_report() -> dict[str, Any]:
    """The sample report with a care follow-up as the store gives it: two open tasks and one done."""
    from types import SimpleNamespace as NS

    from stakeplug.reports.followup import care_followup

    day = datetime(2026, 5, 1, tzinfo=UTC)

    def task(who: str, action: str, owner: str | None, state: str, **more: Any) -> NS:
        fields = {"url": None, "due": None, "closed": None, **more}
        return NS(fingerprint=f"fp-{who}", stakeholder=who, action=action, owner=owner, state=state,
                  first_seen=day, **fields)  # fmt: skip

    history = NS(
        open_tasks=[
            task("Ines", "status_update", "Dana", "open", due=day + timedelta(days=20)),
            task("Maria", "risk_briefing", "Dana", "overdue", url="https://jira.example.com/browse/AP-7"),
        ],
        done=[(task("Lena", "listen_to_concerns", "Sam", "done", closed=day), NS(before=[1, 0, 1, 0], after=[2, 3, 2, 1]))],
    )  # fmt: skip
    report = sample_report()
    report["care"] = care_followup(history)
    return report


def test_open_and_overdue_care_tasks_are_listed_per_owner_with_what_followed_the_done_ones() -> None:
    """With the store's follow-up, Markdown, HTML and the summary show open and overdue tasks and before/after."""

    report = _followed_report()
    md = render_markdown(report)
    section = md.split("## Care follow-up\n", 1)[1].split("\n## ", 1)[0]
    assert "- **Dana**: 2 open tasks, 1 overdue" in section
    lines = section.splitlines()
    assert lines.index(
        "  - risk briefing for Maria — overdue <https://jira.example.com/browse/AP-7>"
    ) < lines.index("  - status update for Ines — open, due 2026-05-21")
    assert "| listen to concerns for Lena | 2026-05-01 | 0.5 | 2.0 |" in section
    assert md.index("## Suggested care tasks") < md.index("## Care follow-up") < md.index("## Candidates")
    page = render_html(report)
    assert "<h3>Dana: 2 open tasks, 1 overdue</h3>" in page
    assert page.index('id="tasks"') < page.index('id="care"') < page.index('id="candidates"')
    assert "Care tasks still open: 2 (1 overdue)" in render_summary(report)


def test_a_report_without_the_store_has_no_care_follow_up() -> None:
    """Without follow-up from the store, no format invents an empty care section."""
    assert "Care follow-up" not in render_markdown(sample_report())
