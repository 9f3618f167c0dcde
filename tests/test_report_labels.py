"""Names on the stakeholder map: one per stakeholder, none on another, inside the plot, leaders when moved.

The structural tests parse the map's SVG and rebuild each name's box from its
coordinates (:func:`label_box`); the browser test measures the boxes Chromium
really draws, so the estimate itself is checked too.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, find_chromium
from reportdoc import crowded_report, demo_report, sample_report

from stakeplug.reports import render_html
from stakeplug.reports.charts import PLOT_AREA, grid_svg, map_svg
from stakeplug.reports.labels import Box, Marker, _crosses, label_box, label_width, place_labels

SVG = "{http://www.w3.org/2000/svg}"


def _hit(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _shape_box(element: ET.Element) -> Box:
    """The bounding box of a drawn circle, rect or polygon of the SVG."""
    if element.tag == f"{SVG}circle":
        cx, cy, r = (float(element.get(k, "")) for k in ("cx", "cy", "r"))
        return (cx - r, cy - r, cx + r, cy + r)
    if element.tag == f"{SVG}rect":
        x, y, w, h = (float(element.get(k, "")) for k in ("x", "y", "width", "height"))
        return (x, y, x + w, y + h)
    points = [tuple(map(float, p.split(","))) for p in element.get("points", "").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _map(report: dict[str, Any]) -> dict[str, Any]:
    """The map of a report, parsed: name boxes, leaders, marker shapes, the frame."""
    chart = ET.fromstring(map_svg(report))  # noqa: S314  (our own rendering)
    names = [t for t in chart.iter(f"{SVG}text") if t.get("class") == "name"]
    boxes = {
        t.get("data-name"): label_box(
            float(t.get("x", "")), float(t.get("y", "")), t.text or "", t.get("text-anchor", "")
        )
        for t in names
    }
    markers = {}
    for g in chart.iter(f"{SVG}g"):
        if g.get("class") == "marker":
            shapes = [_shape_box(e) for e in g if e.tag != f"{SVG}title" and e.get("class") not in ("fall",)]
            markers[g.get("data-name")] = (float(g.get("data-cx", "")), float(g.get("data-cy", "")), shapes)
    leaders = {
        line.get("data-name"): tuple(float(line.get(k, "")) for k in ("x1", "y1", "x2", "y2"))
        for line in chart.iter(f"{SVG}line")
        if line.get("class") == "leader"
    }
    (frame,) = [r for r in chart.iter(f"{SVG}rect") if r.get("class") == "frame"]
    return {
        "texts": names,
        "boxes": boxes,
        "markers": markers,
        "leaders": leaders,
        "frame": _shape_box(frame),
    }


def _check_names(report: dict[str, Any]) -> dict[str, Any]:
    """Every structural promise of the map's names, for one report; the parsed map for more checks."""
    drawn = _map(report)
    people = [s["name"] for s in report["stakeholders"]]
    assert Counter(t.text for t in drawn["texts"]) == Counter(people)  # one label per stakeholder
    assert sorted(drawn["boxes"]) == sorted(people)
    boxes = list(drawn["boxes"].items())
    for i, (name, box) in enumerate(boxes):
        fx0, fy0, fx1, fy1 = drawn["frame"]
        assert fx0 <= box[0] and box[2] <= fx1 and fy0 <= box[1] and box[3] <= fy1, name
        for other, other_box in boxes[i + 1 :]:
            assert not _hit(box, other_box), f"{name} on {other}"
    return drawn


def test_no_name_of_the_demo_map_covers_another_name_or_any_marker() -> None:
    """The demo's twelve names: apart, inside the frame, and clear of every marker, ring and baseline."""
    report = demo_report()
    drawn = _check_names(report)
    for name, box in drawn["boxes"].items():
        for who, (_, _, shapes) in drawn["markers"].items():
            assert not any(_hit(box, shape) for shape in shapes), f"{name} on the marker of {who}"


@pytest.mark.parametrize(
    ("acceptance", "energy", "category"),
    [(1.8, 3.9, "partner"), (3.0, 5.0, "partner"), (-3.0, 1.0, "silent_critic"), (0.0, 3.0, "undecided")],
)
def test_26_people_at_one_spot_get_26_names_apart_each_led_back_to_its_marker(
    acceptance: float, energy: float, category: str
) -> None:
    """In the middle and in the corners: no two names overlap, all stay in the plot, moved ones get a leader."""
    report = crowded_report(26, acceptance=acceptance, energy=energy, category=category)
    drawn = _check_names(report)
    assert len(drawn["boxes"]) == 26
    for name, box in drawn["boxes"].items():
        cx, cy, shapes = drawn["markers"][name]
        reach = max(max(abs(s[0] - cx), abs(s[2] - cx), abs(s[1] - cy), abs(s[3] - cy)) for s in shapes)
        nearest = (min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3]))
        away = math.hypot(nearest[0] - cx, nearest[1] - cy)
        leader = drawn["leaders"].get(name)
        if away > reach + 12:
            assert leader is not None, f"{name} sits {away:.0f} from its marker without a leader"
        if leader is not None:
            # From the marker's edge to the nearest point of its own name.
            assert (
                math.hypot(leader[0] - cx, leader[1] - cy) <= reach + 2
            )  # the ring's stroke and rounding to 0.1
            assert (leader[2], leader[3]) == pytest.approx(nearest, abs=0.2)
    assert len(drawn["leaders"]) >= 13  # most of 26 names at one spot cannot sit next to it


def test_a_name_next_to_its_marker_gets_no_leader() -> None:
    """Alone on the map, a name is written right of its marker, touching it, with no leader line."""
    report = crowded_report(1)
    drawn = _check_names(report)
    ((name, box),) = drawn["boxes"].items()
    cx, cy, _ = drawn["markers"][name]
    assert drawn["leaders"] == {}
    assert box[0] > cx and box[1] < cy < box[3]
    assert drawn["texts"][0].get("text-anchor") == "start"


def test_placement_is_deterministic_and_follows_the_order_given() -> None:
    """The same register draws the same map; the first marker keeps the place beside it."""
    report = crowded_report(26)
    assert map_svg(report) == map_svg(crowded_report(26))
    area = (0.0, 0.0, 400.0, 300.0)
    first, second = Marker("Alpha Person", 200, 150, 8), Marker("Beta Person", 201, 150, 8)
    placed = place_labels([first, second], area)
    assert placed[0].anchor == "start" and placed[0].leader is None
    assert placed[0].box[0] == pytest.approx(200 + 8 + 3 - 1.5)
    assert not _hit(placed[0].box, placed[1].box)
    swapped = place_labels([second, first], area)
    assert swapped[0].name == "Beta Person" and swapped[0].anchor == "start"


def test_a_plot_too_full_for_its_names_still_gets_one_label_each_inside_it() -> None:
    """Forty long names in a small plot cannot all be apart; each still gets exactly one label, inside."""
    area = (0.0, 0.0, 300.0, 120.0)
    marks = [Marker(f"Somebody With A Long Name {i}", 150, 60, 6) for i in range(40)]
    placed = place_labels(marks, area)
    assert [p.name for p in placed] == [m.name for m in marks]
    for p in placed:
        assert area[0] <= p.box[0] and p.box[2] <= area[2] and area[1] <= p.box[1] and p.box[3] <= area[3]
    clashes = sum(_hit(a.box, b.box) for i, a in enumerate(placed) for b in placed[i + 1 :])
    assert clashes > 0  # the honest outcome: the plot holds fewer than forty such names


def test_name_widths_count_wide_letters_and_marks() -> None:
    """East Asian wide letters take a full em, combining marks nothing, accented letters their base's width."""
    assert label_width("山田") == pytest.approx(2 * label_width("山"))
    assert label_width("山") > label_width("n") > label_width("i")
    assert label_width("é") == label_width("e")
    assert label_width("e\u0301") == label_width("e")
    assert label_width("WM") > label_width("il") * 2


def test_the_plot_area_lies_inside_the_frame() -> None:
    """Names are kept inside the frame's line."""
    drawn = _map(crowded_report(1))
    fx0, fy0, fx1, fy1 = drawn["frame"]
    assert fx0 < PLOT_AREA[0] and fy0 < PLOT_AREA[1] and PLOT_AREA[2] < fx1 and PLOT_AREA[3] < fy1


_REAL_BOXES = (
    "Array.from(document.querySelectorAll('#map text.name')).map(t => {const b = t.getBBox();"
    " return [t.dataset.name, b.x, b.y, b.x + b.width, b.y + b.height]})"
)
_GRID_OUTSIDE = (
    "Array.from(document.querySelectorAll('#grid g.grid-name')).filter(g => {"
    " const t = g.querySelector('text').getBBox();"
    " const b = document.querySelector(`#grid rect[data-box='${g.dataset.box}']`).getBBox();"
    " return t.x < b.x || t.y < b.y || t.x + t.width > b.x + b.width || t.y + t.height > b.y + b.height;"
    "}).map(g => g.dataset.name)"
)


@pytest.mark.parametrize("which", ["demo", "crowded"])
def test_in_chromium_the_names_as_drawn_stay_inside_their_boxes_and_apart(which: str, tmp_path: Path) -> None:
    """Chromium's own measure of each map name (getBBox) fits the estimated box, so drawn names never
    touch; every grid name as drawn stays inside its box."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium on this machine (Debian: apt-get install chromium); the browser check did not run"
        )
    report = demo_report() if which == "demo" else crowded_report(26)
    page = tmp_path / "report.html"
    page.write_text(render_html(report), "utf-8")
    estimated = _map(report)["boxes"]
    with Browser(executable) as browser:
        browser.open(page, width=1200, height=900)
        real = browser.evaluate(_REAL_BOXES)
        outside = browser.evaluate(_GRID_OUTSIDE)
        browser.screenshot("#map", tmp_path / "map.png")
    assert browser.messages == []
    assert outside == []  # every name of the power/interest grid, as drawn, inside its box
    assert len(real) == len(report["stakeholders"])
    for name, *box in real:
        x0, y0, x1, y1 = estimated[name]
        assert x0 - 0.5 <= box[0] and box[2] <= x1 + 0.5, (name, box, estimated[name])
        assert y0 - 0.5 <= box[1] and box[3] <= y1 + 0.5, (name, box, estimated[name])
    for i, (name, *box) in enumerate(real):
        for other, *other_box in real[i + 1 :]:
            assert not _hit(tuple(box), tuple(other_box)), f"{name} drawn on {other}"  # type: ignore[arg-type]


def test_names_people_typed_keep_their_place_and_their_text() -> None:
    """Names with markup characters are escaped in the label and in its data-name."""
    report = crowded_report(3)
    report["stakeholders"][0]["name"] = 'Ana <"R&D"> Lee'
    drawn = _check_names(report)
    assert 'Ana <"R&D"> Lee' in drawn["boxes"]
    assert re.search(r"<R&D>", map_svg(report)) is None


def _grid(report: dict[str, Any]) -> tuple[dict[str, Box], dict[str, tuple[str, Box]]]:
    """The grid's four boxes, and each entry's box (icon to the end of its text) with the box it is in."""
    chart = ET.fromstring(grid_svg(report))  # noqa: S314  (our own rendering)
    boxes = {r.get("data-box", ""): _shape_box(r) for r in chart.iter(f"{SVG}rect") if r.get("data-box")}
    entries = {}
    for g in chart.iter(f"{SVG}g"):
        if g.get("class") != "grid-name":
            continue
        text = g.find(f"{SVG}text")
        assert text is not None
        icon = _shape_box(next(e for e in g if e.tag != f"{SVG}text"))
        x, y = float(text.get("x", "")), float(text.get("y", ""))
        width = float(text.get("textLength") or 0) or label_width(text.text or "", 13.5) + label_width(
            "".join(text.itertext())[len(text.text or "") :], 12
        )
        entries[g.get("data-name", "")] = (g.get("data-box", ""), (icon[0], y - 13.5, x + width, y + 4))
    return boxes, entries


@pytest.mark.parametrize("which", ["demo", "crowded", "long name"])
def test_the_grid_writes_every_name_inside_its_box_and_none_on_another(which: str) -> None:
    """Two columns only where the names fit; a name longer than its box is squeezed into it."""
    report = demo_report() if which == "demo" else crowded_report(26)
    if which == "long name":
        report["stakeholders"][0]["name"] = (
            "Maximiliane Theodora von Hohenberg-Wittelsbach-Oyelaran (Steering)"
        )
    boxes, entries = _grid(report)
    assert sorted(entries) == sorted(s["name"] for s in report["stakeholders"])
    assert grid_svg(report).count("textLength=") == (
        1 if which == "long name" else 0
    )  # squeezed only if need be
    items = list(entries.items())
    for i, (name, (box_name, box)) in enumerate(items):
        x0, y0, x1, y1 = boxes[box_name]
        assert x0 <= box[0] and box[2] <= x1 and y0 <= box[1] and box[3] <= y1, name
        for other, (_, other_box) in items[i + 1 :]:
            assert not _hit(box, other_box), f"{name} on {other}"


def test_names_keep_off_the_arrows_and_drop_lines_where_there_is_room() -> None:
    """A line through the place right of a marker (an arrow, a drop line) sends the name to the left."""
    area = (0.0, 0.0, 400.0, 300.0)
    marker = Marker("Alpha Person", 200, 150, 8)
    (free,) = place_labels([marker], area)
    assert free.anchor == "start"
    (moved,) = place_labels([marker], area, lines=[(240.0, 0.0, 240.0, 300.0)])
    assert moved.anchor == "end" and moved.box[2] < 200 and moved.leader is None
    chart = ET.fromstring(map_svg(sample_report()))  # noqa: S314  (our own rendering)
    segments = [
        tuple(float(line.get(k, "")) for k in ("x1", "y1", "x2", "y2"))
        for line in chart.iter(f"{SVG}line")
        if line.get("class") in ("moved", "fall")
    ]
    assert len(segments) == 2  # Maria's arrow and her drop line, clear of every name
    for name, box in _map(sample_report())["boxes"].items():
        assert not any(_crosses(seg, box) for seg in segments), name  # type: ignore[arg-type]


def test_the_legend_explains_leader_lines_only_when_the_map_has_some() -> None:
    """A map with leader lines says what they are under it; a map without says nothing of them."""
    words = "a thin line leads from a marker to its name where markers crowd"
    assert words in render_html(crowded_report(26))
    assert words not in render_html(crowded_report(1))
