"""The pictures of the HTML report, as inline SVG: the stakeholder map, the power/interest grid, sparklines.

Every chart is a plain string of SVG that parses as XML, with no external
reference.  Each category has a colour from the Okabe–Ito palette (told apart
by colour-blind readers) *and* a shape of its own, so colour is never the only
cue; the page puts a table with the same facts under each chart.

The map puts acceptance (−3 … +3) across and energy (1 … 5) up, cut into the
five regions by the rules' thresholds the audit used; one marker per
stakeholder, sized by power, ringed when a partner is at risk (and then drawn
at their recent energy, a dotted line up to their own baseline), with an arrow
from where an earlier report placed them.  Names go where :mod:`labels`
finds room: none on another, none on a marker, a leader line when moved away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from stakeplug.reports.labels import Marker, label_box, label_width, place_labels
from stakeplug.reports.text import label, map_energy, number, ordered_stakeholders, signed

__all__ = [
    "CATEGORY_STYLE",
    "DEFAULT_THRESHOLDS",
    "GRID_BOXES",
    "PLOT_AREA",
    "grid_box",
    "grid_svg",
    "map_point",
    "map_svg",
    "marker_radius",
    "shape_svg",
    "sparkline_svg",
]

CATEGORY_STYLE: Mapping[str, tuple[str, str]] = {
    "partner": ("#009E73", "circle"),
    "silent_supporter": ("#56B4E9", "square"),
    "opponent": ("#D55E00", "triangle"),
    "silent_critic": ("#CC79A7", "triangle-down"),
    "undecided": ("#E69F00", "diamond"),
}
"""Each category's colour (Okabe–Ito) and marker shape."""

_UNKNOWN_STYLE = ("#777777", "circle")

# Darker shades of the same hues, for region names on their tint (text needs more contrast than fill).
_DARK: Mapping[str, str] = {
    "partner": "#00684A",
    "silent_supporter": "#1F6E99",
    "opponent": "#9A3D00",
    "silent_critic": "#8E3F6E",
    "undecided": "#8A5D00",
}

DEFAULT_THRESHOLDS: Mapping[str, float] = {"accept_above": 0.5, "reject_below": -0.5, "high_energy": 3.0}
"""The shipped rules' map thresholds, for a report that does not carry its own."""

# The map's drawing area inside its viewBox, in SVG units.
_MAP_W, _MAP_H = 760, 480
_LEFT, _RIGHT, _TOP, _BOTTOM = 58.0, 744.0, 10.0, 424.0
# The frame is larger than the -3…+3 × 1…5 domain: region names sit in the bands above and below it.
_PAD_X, _PAD_TOP, _PAD_BOTTOM = 20.0, 40.0, 34.0
PLOT_AREA = (_LEFT + 2, _TOP + 2, _RIGHT - 2, _BOTTOM - 2)
"""Where the map writes names: inside its frame, clear of the frame's line."""


def _esc(text: Any) -> str:
    return escape(str(text), quote=True)


def _style(category: str) -> tuple[str, str]:
    return CATEGORY_STYLE.get(category, _UNKNOWN_STYLE)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def map_point(acceptance: float, energy: float) -> tuple[float, float]:
    """Where the map draws acceptance and energy, in SVG units (to 0.1); values outside are clamped."""
    left, right, top, bottom = _LEFT + _PAD_X, _RIGHT - _PAD_X, _TOP + _PAD_TOP, _BOTTOM - _PAD_BOTTOM
    x = left + (_clamp(acceptance, -3.0, 3.0) + 3.0) / 6.0 * (right - left)
    y = bottom - (_clamp(energy, 1.0, 5.0) - 1.0) / 4.0 * (bottom - top)
    return round(x, 1), round(y, 1)


def marker_radius(power: int) -> float:
    """A marker's radius from the stakeholder's power (1 … 5): bigger means more power."""
    return 5.0 + 2.0 * _clamp(float(power), 1.0, 5.0)


def shape_svg(category: str, cx: float, cy: float, r: float, *, extra: str = "") -> str:
    """The category's shape centred on ``(cx, cy)``, ``r`` its radius, filled with its colour."""
    colour, shape = _style(category)
    paint = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"{extra}'
    if shape == "square":
        side = r * 1.7
        corner = f'x="{cx - side / 2:.1f}" y="{cy - side / 2:.1f}"'
        return f'<rect {corner} width="{side:.1f}" height="{side:.1f}" {paint}/>'
    if shape in ("triangle", "triangle-down", "diamond"):
        return f'<polygon points="{_polygon(shape, cx, cy, r)}" {paint}/>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" {paint}/>'


def _polygon(shape: str, cx: float, cy: float, r: float) -> str:
    s = r * 1.25
    if shape == "diamond":
        points = [(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy)]
    elif shape == "triangle":
        points = [(cx, cy - s), (cx + s * 0.95, cy + s * 0.7), (cx - s * 0.95, cy + s * 0.7)]
    else:
        points = [(cx, cy + s), (cx + s * 0.95, cy - s * 0.7), (cx - s * 0.95, cy - s * 0.7)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def thresholds(report: Mapping[str, Any]) -> Mapping[str, float]:
    """The map thresholds the report was made with, or the shipped defaults."""
    found = report.get("map")
    return found if isinstance(found, Mapping) else DEFAULT_THRESHOLDS


# --------------------------------------------------------------------------- the map


def _region_boxes(t: Mapping[str, float]) -> list[tuple[str, float, float, float, float, str, float, float]]:
    """Each region's rectangle and where its name goes: category, x0, y0, x1, y1, anchor, x, y."""
    x_low, y_high = map_point(t["reject_below"], t["high_energy"])
    x_high, _ = map_point(t["accept_above"], 1)
    top_name, bottom_name = _TOP + 24, _BOTTOM - 12
    return [
        ("opponent", _LEFT, _TOP, x_low, y_high, "start", _LEFT + 10, top_name),
        ("silent_critic", _LEFT, y_high, x_low, _BOTTOM, "start", _LEFT + 10, bottom_name),
        ("undecided", x_low, _TOP, x_high, _BOTTOM, "middle", (x_low + x_high) / 2, top_name),
        ("partner", x_high, _TOP, _RIGHT, y_high, "end", _RIGHT - 10, top_name),
        ("silent_supporter", x_high, y_high, _RIGHT, _BOTTOM, "end", _RIGHT - 10, bottom_name),
    ]


def _region_name_box(category: str, anchor: str, x: float, y: float) -> tuple[float, float, float, float]:
    """The box a region's name takes: 14-unit bold capitals, spaced out (see the style sheet)."""
    text = label(category).upper()
    x0, y0, x1, y1 = label_box(x, y, text, anchor, size=14)
    extra = (x1 - x0) * 0.12 + 0.56 * len(text)  # bold and letter-spacing
    shift = {"start": 0.0, "middle": extra / 2}.get(anchor, extra)
    return x0 - shift, y0, x1 + extra - shift, y1


def _regions(t: Mapping[str, float]) -> list[str]:
    """The five category regions as tinted rectangles, each named in the band above or below the domain."""
    out = []
    for category, x0, y0, x1, y1, anchor, tx, ty in _region_boxes(t):
        colour = _style(category)[0]
        out.append(
            f'<rect class="region" data-category="{category}" x="{x0:.1f}" y="{y0:.1f}" '
            f'width="{max(0.0, x1 - x0):.1f}" height="{max(0.0, y1 - y0):.1f}" '
            f'fill="{colour}" fill-opacity="0.10"/>'
        )
        out.append(
            f'<text class="region-name" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" '
            f'fill="{_DARK[category]}">'
            f"{_esc(label(category))}</text>"
        )
    x_low, y_high = map_point(t["reject_below"], t["high_energy"])
    x_high, _ = map_point(t["accept_above"], 1)
    for x in (x_low, x_high):
        out.append(f'<line class="threshold" x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_BOTTOM}"/>')
    out.append(f'<line class="threshold" x1="{_LEFT}" y1="{y_high:.1f}" x2="{_RIGHT}" y2="{y_high:.1f}"/>')
    return out


def _axes() -> list[str]:
    out = [f'<rect class="frame" x="{_LEFT}" y="{_TOP}" width="{_RIGHT - _LEFT}" height="{_BOTTOM - _TOP}"/>']
    for a in range(-3, 4):
        x, _ = map_point(a, 1)
        out.append(f'<line class="gridline" x1="{x}" y1="{_TOP}" x2="{x}" y2="{_BOTTOM}"/>')
        out.append(f'<line class="tick" x1="{x}" y1="{_BOTTOM}" x2="{x}" y2="{_BOTTOM + 5}"/>')
        text = f"{a:+d}" if a else "0"
        out.append(f'<text class="tick-label" x="{x}" y="{_BOTTOM + 19}" text-anchor="middle">{text}</text>')
    for e in range(1, 6):
        _, y = map_point(-3, e)
        out.append(f'<line class="gridline" x1="{_LEFT}" y1="{y}" x2="{_RIGHT}" y2="{y}"/>')
        out.append(f'<line class="tick" x1="{_LEFT - 5}" y1="{y}" x2="{_LEFT}" y2="{y}"/>')
        out.append(f'<text class="tick-label" x="{_LEFT - 9}" y="{y + 4}" text-anchor="end">{e}</text>')
    mid = (_LEFT + _RIGHT) / 2
    out.append(
        f'<text class="axis-label" x="{mid}" y="{_BOTTOM + 44}" text-anchor="middle">'
        "acceptance: rejects ← → accepts</text>"
    )
    out.append(
        f'<text class="axis-label" x="16" y="{(_TOP + _BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(_TOP + _BOTTOM) / 2})">energy: quiet ← → visible</text>'
    )
    return out


def _arrow(start: tuple[float, float], end: tuple[float, float], gap: float, css: str) -> str | None:
    """A line from ``start`` stopping ``gap`` short of ``end``; ``None`` when the move is too small."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < gap + 6:
        return None
    x2, y2 = end[0] - dx / length * gap, end[1] - dy / length * gap
    return (
        f'<line class="{css}" x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        'marker-end="url(#arrowhead)"/>'
    )


def _history(s: Mapping[str, Any], here: tuple[float, float], r: float) -> list[str]:
    """Arrows from where earlier reports placed them: solid from the previous run, dashed from older."""
    out = []
    for i, then in enumerate((s.get("history") or [])[:2]):
        css = "moved" if i == 0 else "moved older"
        start = map_point(then["acceptance"], then["energy"])
        arrow = _arrow(start, here, r + 3, css)
        if arrow is not None:
            out.append(f'<circle class="then" cx="{start[0]}" cy="{start[1]}" r="2.5"/>')
            out.append(arrow)
    return out


def _marker(s: Mapping[str, Any]) -> tuple[list[str], tuple[float, float], float]:
    """One stakeholder's marker group (with ring and drop line when at risk), its centre and its radius."""
    cx, cy = map_point(s["acceptance"], map_energy(s))
    r = marker_radius(s["power"])
    tip = (
        f"{s['name']}: {label(s['category'])}{' (partner at risk)' if s['at_risk'] else ''}, "
        f"acceptance {signed(s['acceptance'])}, energy {number(map_energy(s))}, power {s['power']}"
    )
    parts = [
        f'<g class="marker" data-name="{_esc(s["name"])}" data-category="{_esc(s["category"])}" '
        f'data-cx="{cx}" data-cy="{cy}"><title>{_esc(tip)}</title>'
    ]
    if s["at_risk"]:
        _, by = map_point(s["acceptance"], s["baseline_energy"])
        parts.append(f'<line class="fall" x1="{cx}" y1="{by:.1f}" x2="{cx}" y2="{cy - r - 6:.1f}"/>')
        parts.append(f'<circle class="baseline" cx="{cx}" cy="{by:.1f}" r="{r * 0.6:.1f}"/>')
        parts.append(f'<circle class="risk-ring" cx="{cx}" cy="{cy}" r="{r + 5:.1f}"/>')
    parts.append(shape_svg(s["category"], cx, cy, r))
    parts.append("</g>")
    return parts, (cx, cy), r


def _reach(s: Mapping[str, Any], r: float) -> float:
    """How far a marker reaches from its centre: its shape's extent, its ring when at risk, the stroke."""
    if s["at_risk"]:
        return r + 6.5
    shape = _style(s["category"])[1]
    return {"circle": r, "square": r * 0.85}.get(shape, r * 1.25) + 1.0


def _labels(
    people: Sequence[tuple[Mapping[str, Any], tuple[float, float], float]], t: Mapping[str, float]
) -> list[str]:
    """The names beside their markers (see :mod:`stakeplug.reports.labels`), leader lines under them.

    Names are placed partners at risk first, then by power, so the people who matter most keep
    the places nearest their markers; the small circles of baselines and earlier positions are
    kept clear too, and names keep off the arrows and drop lines where they can.
    """
    order = sorted(people, key=lambda p: (not p[0]["at_risk"], -int(p[0]["power"])))
    marks = [Marker(str(s["name"]), cx, cy, _reach(s, r)) for s, (cx, cy), r in order]
    dots: list[tuple[float, float, float]] = []
    lines: list[tuple[float, float, float, float]] = []
    for s, (cx, cy), r in people:
        if s["at_risk"]:
            by = map_point(s["acceptance"], s["baseline_energy"])[1]
            dots.append((cx, by, r * 0.6 + 1))
            lines.append((cx, by, cx, cy))
        for h in (s.get("history") or [])[:2]:
            then = map_point(h["acceptance"], h["energy"])
            dots.append((*then, 3.5))
            lines.append((*then, cx, cy))
    obstacles = [(x - d, y - d, x + d, y + d) for x, y, d in dots]
    obstacles += [_region_name_box(c, anchor, x, y) for c, *_, anchor, x, y in _region_boxes(t)]
    placed = place_labels(marks, PLOT_AREA, obstacles, lines)
    leaders = [
        f'<line class="leader" data-name="{_esc(p.name)}" x1="{p.leader[0]}" y1="{p.leader[1]}" '
        f'x2="{p.leader[2]}" y2="{p.leader[3]}"/>'
        for p in placed
        if p.leader is not None
    ]
    names = [
        f'<text class="name" data-name="{_esc(p.name)}" x="{p.x}" y="{p.y}" text-anchor="{p.anchor}">'
        f"{_esc(p.name)}</text>"
        for p in placed
    ]
    return leaders + names


_DEFS = (
    '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" '
    'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444444"/></marker></defs>'
)


def map_svg(report: Mapping[str, Any]) -> str:
    """The stakeholder map as one SVG element."""
    people, t = ordered_stakeholders(report), thresholds(report)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" viewBox="0 0 {_MAP_W} {_MAP_H}" '
        'role="img" aria-labelledby="map-title">'
        '<title id="map-title">Stakeholder map: acceptance across, energy up</title>',
        _DEFS,
        *_regions(t),
        *_axes(),
    ]
    placed: list[tuple[Mapping[str, Any], tuple[float, float], float]] = []
    markers: list[str] = []
    arrows: list[str] = []
    # Big markers first, so that a small one is never hidden under a big one.
    for s in sorted(people, key=lambda p: -int(p["power"])):
        group, centre, r = _marker(s)
        markers += group
        arrows += _history(s, centre, r)
        placed.append((s, centre, r))
    parts += arrows + markers + _labels(placed, t)
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- the grid

GRID_BOXES: tuple[tuple[str, bool, bool], ...] = (
    ("keep satisfied", True, False),
    ("manage closely", True, True),
    ("monitor", False, False),
    ("keep informed", False, True),
)
"""The four boxes, top left to bottom right: name, high power, high interest."""

_GRID_W = 760
_HIGH = 4


def grid_box(power: int, interest: int) -> str:
    """Which box of the power/interest grid a stakeholder belongs in; 4 and 5 count as high."""
    for name, high_power, high_interest in GRID_BOXES:
        if (power >= _HIGH) == high_power and (interest >= _HIGH) == high_interest:
            return name
    raise AssertionError("the four boxes cover every power and interest")


def _grid_entries(report: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    boxes: dict[str, list[Mapping[str, Any]]] = {name: [] for name, _, _ in GRID_BOXES}
    for s in ordered_stakeholders(report):
        boxes[grid_box(int(s["power"]), int(s["interest"]))].append(s)
    return boxes


# A grid entry: the icon, the name (13.5 units) and " · category" (12 units), as the style sheet has them.
_ICON_GAP, _NAME_SIZE, _CATEGORY_SIZE = 12.0, 13.5, 12.0


def _entry_width(s: Mapping[str, Any]) -> float:
    return (
        _ICON_GAP
        + label_width(str(s["name"]), _NAME_SIZE)
        + label_width(f" · {label(s['category'])}", _CATEGORY_SIZE)
    )


def _grid_columns(people: Sequence[Mapping[str, Any]], width: float) -> int:
    """Two columns for more than five names when the widest fits half the box, else one."""
    if len(people) <= 5 or max(_entry_width(s) for s in people) > width / 2 - 12:
        return 1
    return 2


def _grid_names(people: Sequence[Mapping[str, Any]], box: str, x: float, y: float, width: float) -> list[str]:
    columns = _grid_columns(people, width)
    per_column = max(1, math.ceil(len(people) / columns))
    column_width = width / columns
    out = []
    for i, s in enumerate(people):
        col, row = divmod(i, per_column)
        nx, ny = x + 18 + col * column_width, y + 52 + row * 22
        # A name too long for the box is squeezed to fit rather than written across its edge.
        room = column_width - _ICON_GAP - 6
        fit = f' textLength="{room:.1f}" lengthAdjust="spacingAndGlyphs"' if _entry_width(s) > room else ""
        out.append(
            f'<g class="grid-name" data-name="{_esc(s["name"])}" data-box="{box}" '
            f'data-category="{_esc(s["category"])}">'
            + shape_svg(s["category"], nx, ny - 4, 5.5)
            + f'<text x="{nx + _ICON_GAP:.1f}" y="{ny:.1f}"{fit}>{_esc(s["name"])}'
            f'<tspan class="grid-category"> · {_esc(label(s["category"]))}</tspan></text></g>'
        )
    return out


def grid_svg(report: Mapping[str, Any]) -> str:
    """The power/interest grid as one SVG element: four boxes, each name marked with its category."""
    boxes = _grid_entries(report)
    box_w, left, top = (_GRID_W - 60) / 2, 44.0, 8.0
    rows = max(1, *(math.ceil(len(v) / _grid_columns(v, box_w - 24)) for v in boxes.values()))
    box_h = 62 + rows * 22
    height = top + 2 * box_h + 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart grid" viewBox="0 0 {_GRID_W} {height:.0f}" '
        'role="img" aria-labelledby="grid-title"><title id="grid-title">Power and interest grid</title>'
    ]
    for i, (name, high_power, high_interest) in enumerate(GRID_BOXES):
        x, y = left + (i % 2) * (box_w + 8), top + (i // 2) * (box_h + 8)
        css = "box key" if high_power and high_interest else "box"
        parts.append(
            f'<rect class="{css}" data-box="{name}" x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" '
            f'height="{box_h:.1f}" rx="6"/>'
        )
        parts.append(
            f'<text class="box-name" x="{x + 14:.1f}" y="{y + 26:.1f}">{_esc(name.capitalize())}</text>'
        )
        parts.append(
            f'<text class="box-count" x="{x + box_w - 14:.1f}" y="{y + 26:.1f}" text-anchor="end">'
            f"{len(boxes[name])}</text>"
        )
        parts += _grid_names(boxes[name], name, x, y, box_w - 24)
    mid_y = top + box_h + 4
    parts.append(
        f'<text class="axis-label" x="16" y="{mid_y:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {mid_y:.1f})">power: low ← → high</text>'
    )
    parts.append(
        f'<text class="axis-label" x="{left + box_w + 4:.1f}" y="{height - 10:.1f}" text-anchor="middle">'
        "interest: low ← → high</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- sparklines


def sparkline_svg(
    values: Sequence[float], baseline: float | None, *, width: int = 180, height: int = 40
) -> str:
    """Weekly values as a small line, with the person's own baseline as a dashed line across."""
    top = max([*values, baseline or 0.0, 1.0])
    step = (width - 8) / max(1, len(values) - 1)

    def y(v: float) -> float:
        return height - 4 - v / top * (height - 8)

    points = " ".join(f"{4 + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="weekly activity">'
    ]
    if baseline is not None:
        parts.append(
            f'<line class="spark-base" x1="2" y1="{y(baseline):.1f}" '
            f'x2="{width - 2}" y2="{y(baseline):.1f}"/>'
        )
    if values:
        parts.append(f'<polyline class="spark-line" points="{points}"/>')
        parts.append(
            f'<circle class="spark-end" cx="{4 + (len(values) - 1) * step:.1f}" '
            f'cy="{y(values[-1]):.1f}" r="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
