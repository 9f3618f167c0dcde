"""The HTML report: the map and the grid as SVG, text alternatives, a self-contained page, a real browser."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import Browser, find_chromium
from clirun import run_stakeplug
from reportdoc import sample_report

from stakeplug.reports import ordered_stakeholders, render_html
from stakeplug.reports.charts import CATEGORY_STYLE, grid_box, map_point, marker_radius, sparkline_svg
from stakeplug.reports.text import map_energy

SVG = "{http://www.w3.org/2000/svg}"


def _svgs(page: str) -> dict[str, ET.Element]:
    """Every chart of the page, parsed as XML, by its class (``map``, ``grid``)."""
    charts = {}
    for text in re.findall(r"<svg\b.*?</svg>", page, flags=re.S):
        element = ET.fromstring(text)  # noqa: S314  (our own rendering, not untrusted input)
        classes = element.get("class", "").split()
        if "chart" in classes:
            charts[classes[1]] = element
    return charts


def test_the_map_is_svg_with_one_marker_per_stakeholder_where_their_numbers_put_them() -> None:
    """Each marker sits at (acceptance, map energy); a partner at risk at their recent energy, ringed."""
    report = sample_report()
    chart = _svgs(render_html(report))["map"]
    markers = {g.get("data-name"): g for g in chart.iter(f"{SVG}g") if g.get("class") == "marker"}
    assert sorted(markers) == sorted(s["name"] for s in report["stakeholders"])
    for s in report["stakeholders"]:
        g = markers[s["name"]]
        assert (float(g.get("data-cx", "")), float(g.get("data-cy", ""))) == map_point(
            s["acceptance"], map_energy(s)
        )
        assert g.get("data-category") == s["category"]
        rings = [c for c in g.iter(f"{SVG}circle") if c.get("class") == "risk-ring"]
        assert len(rings) == (1 if s["at_risk"] else 0)
    maria = markers["Maria"]
    assert float(maria.get("data-cy", "")) == map_point(2.95, 1.84)[1]


def test_markers_differ_by_shape_as_well_as_colour_and_grow_with_power() -> None:
    """Five categories, five shapes and five colours; a power-5 marker is bigger than a power-1 one."""
    assert len({shape for _, shape in CATEGORY_STYLE.values()}) == 5
    assert len({colour for colour, _ in CATEGORY_STYLE.values()}) == 5
    assert marker_radius(5) > marker_radius(3) > marker_radius(1)
    chart = _svgs(render_html(sample_report()))["map"]
    shapes = {}
    for g in chart.iter(f"{SVG}g"):
        if g.get("class") == "marker":
            (filled,) = [child for child in g if child.get("fill")]
            shapes[g.get("data-category")] = (filled.tag, filled.get("fill"))
    assert shapes["partner"] == (f"{SVG}circle", CATEGORY_STYLE["partner"][0])
    assert shapes["silent_supporter"] == (f"{SVG}rect", CATEGORY_STYLE["silent_supporter"][0])
    assert {shapes[c][0] for c in ("opponent", "silent_critic", "undecided")} == {f"{SVG}polygon"}
    assert len({shapes[c][1] for c in shapes}) == 5


def test_the_five_regions_are_drawn_and_named_from_the_reports_thresholds() -> None:
    """Region edges follow the report's map thresholds; every region carries its name."""
    report = sample_report()
    report["map"] = {"accept_above": 1.0, "reject_below": -2.0, "high_energy": 4.0}
    chart = _svgs(render_html(report))["map"]
    regions = {r.get("data-category"): r for r in chart.iter(f"{SVG}rect") if r.get("class") == "region"}
    assert sorted(regions) == sorted(CATEGORY_STYLE)
    partner = regions["partner"]
    assert float(partner.get("x", "")) == map_point(1.0, 1)[0]
    assert float(partner.get("y", "")) + float(partner.get("height", "")) == pytest.approx(
        map_point(0, 4.0)[1]
    )
    names = {t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "region-name"}
    assert names == {"partner", "opponent", "silent supporter", "silent critic", "undecided"}


def test_a_move_since_the_previous_run_is_drawn_as_an_arrow() -> None:
    """A stakeholder with an earlier position gets one arrow; the others get none."""
    chart = _svgs(render_html(sample_report()))["map"]
    arrows = [line for line in chart.iter(f"{SVG}line") if line.get("class") == "moved"]
    assert len(arrows) == 1
    start = (float(arrows[0].get("x1", "")), float(arrows[0].get("y1", "")))
    assert start == map_point(2.6, 4.0)


def test_the_grid_holds_every_name_in_its_box_marked_with_its_category() -> None:
    """Each stakeholder appears once in the power/interest grid, in the box their register values give."""
    report = sample_report()
    chart = _svgs(render_html(report))["grid"]
    entries = {g.get("data-name"): g for g in chart.iter(f"{SVG}g") if g.get("class") == "grid-name"}
    assert sorted(entries) == sorted(s["name"] for s in report["stakeholders"])
    for s in report["stakeholders"]:
        assert entries[s["name"]].get("data-box") == grid_box(s["power"], s["interest"])
        assert entries[s["name"]].get("data-category") == s["category"]
    assert grid_box(5, 4) == "manage closely"
    assert grid_box(5, 1) == "keep satisfied"
    assert grid_box(2, 5) == "keep informed"
    assert grid_box(3, 3) == "monitor"


def test_every_chart_has_a_table_under_details() -> None:
    """The map and the grid each have a text alternative: a table inside a <details>."""
    page = render_html(sample_report())
    for summary in ("The map as a table", "The grid as a table"):
        block = page.split(f"<summary>{summary}</summary>", 1)[1].split("</details>", 1)[0]
        assert block.startswith("<table>")
        for s in sample_report()["stakeholders"]:
            assert f"<td>{s['name'].replace('<', '&lt;')}</td>" in block


def test_the_page_has_no_external_references() -> None:
    """No script, stylesheet link, image source, font or url() to load: the page works offline."""
    page = render_html(sample_report())
    assert "<script" not in page
    assert "<link" not in page
    assert "<img" not in page
    assert "url(http" not in page and "@import" not in page
    assert re.findall(r'\bsrc="', page) == []
    assert "default-src 'none'" in page
    # Only links a reader may click go elsewhere; the one other URL is the SVG namespace name.
    other = {
        u for u in re.findall(r"https?://[^\s\"'<>]+", page) if not u.startswith("http://www.w3.org/2000/svg")
    }
    hrefs = set(re.findall(r'href="(https?://[^"]+)"', page))
    assert other <= hrefs | {u.rstrip(".") for u in hrefs}


def test_the_page_says_what_the_markdown_says_in_the_same_order() -> None:
    """Partial banner, map, changes, partners at risk, tasks with posting, candidates, sources: Markdown's order."""
    page = render_html(sample_report())
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "Stakeholder map",
        "Power and interest",
        "Changes since the previous report",
        "Partners at risk",
        "Suggested care tasks",
        "Candidates to add to the register",
        "Stakeholders one by one",
        "Sources",
    ]
    assert (
        "<strong>Partial audit.</strong> source <code>jira</code> partial: rate limited after 3 pages" in page
    )
    assert '<a href="https://jira.example.com/browse/AP-101">AP-101</a>' in page
    assert ">already there<" in page and ">failed<" in page
    assert "Posted to <code>jira</code>" in page
    assert "<td>2026-05-30</td>" in page
    order = [s["name"] for s in ordered_stakeholders(sample_report())]
    cards = re.findall(r'<article class="person" id="[^"]*"><h3>(.*?) <span', page)
    assert [c.replace("&lt;", "<") for c in cards] == order


def test_a_dry_run_page_says_nothing_was_posted_and_never_failed() -> None:
    """In a dry run every task reads "would be created" and the page says nothing was posted."""
    report = sample_report()
    report["posting"] = {"mode": "dry_run", "target": "jira", "error": None}
    for g in report["suggestions"]:
        g["status"], g["task"] = "dry_run", None
    page = render_html(report)
    assert "Dry run: nothing was posted to <code>jira</code>" in page
    assert ">failed<" not in page
    assert page.count(">would be created (dry run)<") == len(report["suggestions"])


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-html")
    result: subprocess.CompletedProcess[str] = run_stakeplug(
        "demo", "--format", "html", "--out", str(out), cwd=out
    )
    assert result.returncode == 0, result.stderr
    return out / "report.html"


def test_the_demo_page_loads_in_chromium_without_console_errors_and_the_map_is_captured(
    demo_page: Path, tmp_path: Path
) -> None:
    """Headless Chromium opens the demo's report.html with no console message, and a PNG of the map is saved."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine (Debian: apt-get install chromium); the browser check did not run"
        )
    with Browser(executable) as browser:
        browser.open(demo_page, width=1200, height=900)
        assert browser.messages == []
        assert browser.evaluate("document.querySelectorAll('#map g.marker').length") == 12
        assert browser.evaluate("document.querySelector('#map svg').getBoundingClientRect().width") > 600
        shot = browser.screenshot("#map", tmp_path / "map.png")
        browser.screenshot("body", tmp_path / "page.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000


def test_the_browser_check_sees_a_blocked_external_reference(tmp_path: Path) -> None:
    """The console check is not blind: a page loading an outside image under the report's policy is caught."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine (Debian: apt-get install chromium); the browser check did not run"
        )
    page = render_html(sample_report()).replace(
        "<main>", '<main><img alt="" src="https://example.com/x.png">'
    )
    (tmp_path / "bad.html").write_text(page, "utf-8")
    with Browser(executable) as browser:
        browser.open(tmp_path / "bad.html")
    assert any(m["level"] == "error" and "Content Security Policy" in m["text"] for m in browser.messages)


def test_names_people_typed_are_escaped_inside_the_charts() -> None:
    """A name with <, & and quotes is shown as written on the map and in the grid, and the SVG still parses."""
    report = sample_report()
    report["stakeholders"][0]["name"] = 'Ana <"R&D"> Lee'
    page = render_html(report)
    charts = _svgs(page)
    for chart in charts.values():
        names = {g.get("data-name") for g in chart.iter(f"{SVG}g")}
        assert 'Ana <"R&D"> Lee' in names
    labels = {t.text for t in charts["map"].iter(f"{SVG}text") if t.get("class") == "name"}
    assert 'Ana <"R&D"> Lee' in labels
    assert "<R&D>" not in page


def test_sparkline_draws_each_week_and_the_baseline_from_plain_counts() -> None:
    """The sparkline has one point per week, oldest left, the highest week at the top, and a dashed baseline."""
    chart = ET.fromstring(sparkline_svg([0, 4, 2], 2.0, width=100, height=40))  # noqa: S314
    points = [tuple(map(float, p.split(","))) for p in chart.find(f"{SVG}polyline").get("points").split()]
    assert [x for x, _ in points] == [4.0, 50.0, 96.0]
    assert [y for _, y in points] == [36.0, 4.0, 20.0]
    base = chart.find(f"{SVG}line")
    assert base.get("class") == "spark-base"
    assert float(base.get("y1")) == float(base.get("y2")) == 20.0


def test_each_stakeholder_with_a_weekly_series_gets_a_sparkline_explained_in_one_line() -> None:
    """Maria's section draws her weekly acts against her baseline and says what the line shows in one line."""
    page = render_html(sample_report())
    section = page.split('id="p-maria"', 1)[1].split("</article>", 1)[0]
    (spark,) = re.findall(r'<svg[^>]*class="spark".*?</svg>', section, flags=re.S)
    assert len(ET.fromstring(spark).find(f"{SVG}polyline").get("points").split()) == 8  # noqa: S314
    assert (
        "Distinct acts a week over the last 8 weeks; dashed: their own baseline of 6.0 a week; "
        "recently 1.0 a week (0.2× the baseline)." in section
    )
    assert "<summary>Weekly values, oldest first</summary><p>6, 7, 5, 6, 6, 2, 1, 0</p>" in section


def test_the_demo_report_draws_a_sparkline_for_everyone_the_engine_counted(demo_page: Path) -> None:
    """Every stakeholder of the demo has a weekly series from the engine, so every one gets a sparkline."""
    page = demo_page.read_text("utf-8")
    assert page.count('class="spark"') == 12


def test_without_a_baseline_the_sparkline_draws_no_baseline_and_says_so() -> None:
    """No acts before the recent weeks: no dashed line at zero, and the line under the chart says why."""
    assert ET.fromstring(sparkline_svg([0, 0, 3], None)).find(f"{SVG}line") is None  # noqa: S314
    report = sample_report()
    ines = next(s for s in report["stakeholders"] if s["name"] == "Ines")
    ines.update(weekly_activity=[0, 0, 0, 2, 3], recent_rate=2.5, baseline_rate=0.0, rate_ratio=None)
    section = render_html(report).split('id="p-ines"', 1)[1].split("</article>", 1)[0]
    assert 'class="spark"' in section and "spark-base" not in section
    assert (
        "Distinct acts a week over the last 5 weeks; recently 2.5 a week; no baseline yet "
        "(no acts before the recent weeks), so no dashed line." in section
    )
    assert "baseline of 0.0" not in section


def test_the_demo_draws_a_baseline_only_for_people_who_have_one(demo_page: Path) -> None:
    """In the demo, the people without acts before the recent weeks get a sparkline without a baseline."""
    page = demo_page.read_text("utf-8")
    cards = re.findall(r'<article class="person" id="p-([^"]+)">(.*?)</article>', page, flags=re.S)
    without = {name for name, card in cards if "no baseline yet" in card}
    assert without  # the demo has such people (new or silent ones)
    for name, card in cards:
        assert ("spark-base" in card) == (name not in without), name
    assert all("baseline of 0.0" not in card for name, card in cards if name in without)


def test_printed_on_a4_the_task_table_fits_the_page_width(demo_page: Path) -> None:
    """With print media at an A4 page's width (690 CSS px), no section is wider than the page."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine (Debian: apt-get install chromium); the browser check did not run"
        )
    with Browser(executable) as browser:
        browser.call("Emulation.setEmulatedMedia", {"media": "print"})
        browser.open(demo_page, width=690, height=900)
        widest = browser.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('section, section table'))"
            ".map(e => e.scrollWidth))"
        )
        summaries = browser.evaluate(
            "Array.from(document.querySelectorAll('summary')).filter(s => getComputedStyle(s).display !== 'none').length"
        )
    assert widest <= 690
    assert summaries == 0  # closed <details> print nothing, so their toggles do not either
