"""A partner at risk is named with the road that put them there, in every text that flags them."""

from __future__ import annotations

from typing import Any

import pytest
from spworld import World, make_register

from stakeplug import Audit, plan_care
from stakeplug.reports import build_report, github_annotations, render_html, render_markdown, render_summary


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
    assert "  at risk, losing interest: they act clearly less than they used to (recent energy" in tom


def test_the_care_task_explanation_names_the_reason(result: Audit) -> None:
    """The risk briefing's explanation for the team says which road the partner is on."""
    briefings = {s.stakeholder: s.explanation for s in plan_care(result) if str(s.action) == "risk_briefing"}
    assert "Partner at risk, pushing back:" in briefings["Pia"]
    assert "Partner at risk, losing interest:" in briefings["Tom"]
