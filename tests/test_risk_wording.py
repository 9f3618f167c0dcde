"""A partner at risk is named with the road that put them there, in every text that flags them."""

from __future__ import annotations

from typing import Any

import pytest
from spworld import World, make_register

from stakeplug import Audit, plan_care
from stakeplug.domain.risk import activity_rates, risk_detail
from stakeplug.reports import build_report, github_annotations, render_html, render_markdown, render_summary
from stakeplug.reports.text import risk_line


def _pia_and_tom() -> Audit:
    """Pia keeps acting but has started to block the team's items; Tom fell silent six weeks ago."""
    reg = make_register(
        [
            {"name": "Pia", "owner": "Tess", "power": 4, "interest": 4, "identities": {"jira": "pia"}},
            {"name": "Tom", "owner": "Tess", "power": 4, "interest": 4, "identities": {"jira": "tom"}},
        ]
    )
    w = World(reg)
    for n, days_ago in enumerate(range(178, 1, -3)):
        w.act("comment", "pia", f"AP-{n}", days_ago)
    for n, days_ago in enumerate(range(40, 1, -7)):
        w.act("linked", "pia", f"AP-B{n}", days_ago, hours=4, link_type="blocks")
    for n, days_ago in enumerate(range(178, 44, -2)):
        w.act("comment", "tom", f"TOM-{n}", days_ago)
    return w.audit()


@pytest.fixture(scope="module")
def result() -> Audit:
    audit = _pia_and_tom()
    assert str(audit.score("Pia").at_risk_reason) == "pushing_back"
    assert str(audit.score("Tom").at_risk_reason) == "losing_interest"
    return audit


@pytest.fixture(scope="module")
def report(result: Audit) -> dict[str, Any]:
    return build_report(result, plan_care(result))


def test_the_report_document_records_why_each_partner_is_at_risk(report: dict[str, Any]) -> None:
    """The JSON report carries the reason next to the flag, and none for a partner not at risk."""
    reasons = {s["name"]: s["at_risk_reason"] for s in report["stakeholders"]}
    assert reasons == {"Pia": "pushing_back", "Tom": "losing_interest"}


def test_the_terminal_summary_names_the_reason(report: dict[str, Any]) -> None:
    """The summary's at-risk line says which road each partner is on."""
    assert "Partners at risk: Pia (pushing back), Tom (losing interest)" in render_summary(report)


def test_markdown_and_html_name_the_reason_for_each_partner(report: dict[str, Any]) -> None:
    """Markdown and HTML say pushing back for Pia and losing interest for Tom, never one word for both."""
    markdown = render_markdown(report)
    pia = next(line for line in markdown.splitlines() if line.startswith("- **Pia**"))
    tom = next(line for line in markdown.splitlines() if line.startswith("- **Tom**"))
    assert "pushing back: they act as much as before but push back more" in pia
    assert "losing interest: they act clearly less than they used to" in tom
    html = render_html(report)
    assert html.count("pushing back: they act as much as before") >= 2  # the risk list and Pia's card
    assert html.count("losing interest: they act clearly less") >= 2


def test_ci_annotations_name_the_reason(report: dict[str, Any]) -> None:
    """Each partner-at-risk annotation starts with the reason."""
    lines = github_annotations(report, exit_code=0, reasons=[])
    assert any(line.startswith("::warning title=Partner at risk%3A Pia::pushing back: ") for line in lines)
    assert any(line.startswith("::warning title=Partner at risk%3A Tom::losing interest: ") for line in lines)


def test_explain_names_the_reason_with_its_measure(result: Audit) -> None:
    """``explain`` heads the trail with the reason and gives a line with what it means and the measure."""
    pia = str(result.explain("Pia"))
    assert pia.splitlines()[0] == "Pia: partner — partner at risk (pushing back)"
    assert "  at risk, pushing back: they act as much as before but push back more than they used to" in pia
    tom = str(result.explain("Tom"))
    assert tom.splitlines()[0] == "Tom: partner — partner at risk (losing interest)"
    assert "  at risk, losing interest: they act clearly less than they used to (" in tom


def test_the_care_task_explanation_names_the_reason(result: Audit) -> None:
    """The risk briefing's explanation for the team says which road the partner is on."""
    briefings = {s.stakeholder: s.explanation for s in plan_care(result) if str(s.action) == "risk_briefing"}
    assert "Partner at risk, pushing back:" in briefings["Pia"]
    assert "Partner at risk, losing interest:" in briefings["Tom"]


def test_every_text_gives_the_activity_rates_not_the_energy_scale(
    result: Audit, report: dict[str, Any]
) -> None:
    """Planner, explain and the report say how many activities a week lately against before, and the share."""
    tom = result.score("Tom")
    assert tom.rate_ratio is not None
    rates = (
        f"({tom.recent_rate:.1f} activities a week lately against {tom.baseline_rate:.1f} a week before, "
        f"{round(tom.rate_ratio * 100)}% of their usual)"
    )
    briefing = next(
        s for s in plan_care(result) if s.stakeholder == "Tom" and str(s.action) == "risk_briefing"
    )
    markdown = next(line for line in render_markdown(report).splitlines() if line.startswith("- **Tom**"))
    for text in (briefing.explanation, str(result.explain("Tom")), markdown):
        assert rates in text
        assert "recent energy" not in text
        assert "baseline of" not in text


def test_the_rates_read_as_a_project_manager_reads_them() -> None:
    """The phrase rounds like the JSON report, says the share in percent and copes with no baseline."""
    assert risk_detail("losing_interest", recent_rate=1.2, baseline_rate=4.0, rate_ratio=0.3) == (
        "losing interest: they act clearly less than they used to "
        "(1.2 activities a week lately against 4.0 a week before, 30% of their usual)"
    )
    assert activity_rates(2.0, 0.0, None) == "2.0 activities a week lately, none before"
    assert activity_rates(4.04, 3.96, 1.0202) == (
        "4.0 activities a week lately against 4.0 a week before, 102% of their usual"
    )


def test_a_report_without_rates_names_the_road_without_inventing_rates() -> None:
    """A stakeholder entry from a report that has no rates gives the road and its meaning, not zeros."""
    line = risk_line({"at_risk_reason": "pushing_back", "recent_energy": 3.0, "baseline_energy": 4.0})
    assert line == "pushing back: they act as much as before but push back more than they used to"
