"""Where the stakeholder map writes each name: next to its marker, never on another name.

:func:`place_labels` places one label per marker, in the order given (the most
important first), and is deterministic: the same markers always get the same
places.  It tries places in rings of growing distance around the marker:
first the eight places touching it (right, left, above, below, the four
diagonals), then rings a few units further out, each ring tried right before
left before above and below.  The first place that

* lies inside the plot area,
* covers no name placed before, no marker and no other obstacle,
* and whose leader line would cross no name placed before, while the name
  itself covers no earlier leader line and no other line of the chart (arrows)

is taken.  Where every clear place has a line through it (names all around a
crowd of markers), the clear place crossing the fewest lines within eight
rings of the first clear one is taken.  A name that had to move away from its
marker gets a thin leader line from the marker's edge to the nearest point of
the name.  Only when no place is clear at all (a plot far too full for its
names) does a name take the place that overlaps the least, names first, then
markers.

Label sizes are estimated without a browser: :func:`label_width` adds up
per-letter widths measured for DejaVu Sans, the widest of the usual system
sans-serif fonts, so in narrower fonts a name only gets a little more room.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["FONT_SIZE", "Box", "Label", "Marker", "label_box", "label_width", "place_labels"]

FONT_SIZE = 12.5
"""The font size of a name on the map, in SVG units (the style sheet uses the same)."""

Box = tuple[float, float, float, float]
"""A rectangle as ``(x0, y0, x1, y1)``, ``y`` growing down as in SVG."""
Segment = tuple[float, float, float, float]
Score = tuple[float, float, int]

# Above and below the baseline, in em, with room for the white halo drawn around each name.
_ASCENT, _DESCENT, _HALO = 0.98, 0.30, 1.5

# Letter advances in em, as DejaVu Sans has them (in 1/1000 em); others take _WIDE or _OTHER.
_EM: dict[str, float] = {}
for _letters, _width in (
    ("ijlIJ'", 278),
    (" ,.", 318),
    ("/:;", 337),
    ("-", 361),
    ("ft()", 392),
    ("!r", 411),
    ('"', 460),
    ("_", 500),
    ("sz", 525),
    ("c", 550),
    ("kLvxy", 592),
    ("FPTY", 611),
    ("aeSo", 615),
    ("bdghnpqu0123456789", 636),
    ("E", 632),
    ("K", 656),
    ("ABRVXZ", 695),
    ("C", 698),
    ("UN", 752),
    ("DGOQ&", 787),
    ("w", 818),
    ("=<>+", 838),
    ("M", 863),
    ("%", 951),
    ("mW@", 1000),
):
    for _letter in _letters:
        _EM[_letter] = _width / 1000
_WIDE, _OTHER = 1.0, 0.72
# A little over the letters' sum, so that a name never takes more room than its box.
_SLACK = 1.03


def _letter_width(char: str) -> float:
    if unicodedata.combining(char):
        return 0.0
    if char in _EM:
        return _EM[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    base = unicodedata.normalize("NFD", char)[:1]
    return _EM.get(base, _OTHER)


def label_width(text: str, size: float = FONT_SIZE) -> float:
    """The width of ``text`` written at ``size``, a little more than most fonts need."""
    return sum(_letter_width(c) for c in text) * size * _SLACK


def label_box(x: float, y: float, text: str, anchor: str, size: float = FONT_SIZE) -> Box:
    """The box a name takes when written at ``(x, y)`` (its baseline) with SVG's ``text-anchor``."""
    return _box(x, y, label_width(text, size), anchor, size)


def _box(x: float, y: float, width: float, anchor: str, size: float = FONT_SIZE) -> Box:
    x0 = x if anchor == "start" else x - width / 2 if anchor == "middle" else x - width
    return (x0 - _HALO, y - _ASCENT * size - _HALO, x0 + width + _HALO, y + _DESCENT * size + _HALO)


@dataclass(frozen=True)
class Marker:
    """A marker to label: its centre and how far it reaches from there (ring included)."""

    name: str
    cx: float
    cy: float
    reach: float

    @property
    def box(self) -> Box:
        return (self.cx - self.reach, self.cy - self.reach, self.cx + self.reach, self.cy + self.reach)


@dataclass(frozen=True)
class Label:
    """Where a name is written, the box it takes, and its leader line ``(x1, y1, x2, y2)`` if any."""

    name: str
    x: float
    y: float
    anchor: str
    box: Box
    leader: Segment | None


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _inside(box: Box, area: Box) -> bool:
    return box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]


def _crosses(segment: Segment, box: Box) -> bool:
    """Whether a line segment passes through the inside of a box (Liang–Barsky clipping)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]), (dy, box[3] - y1)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


# How much further out each ring of places lies, and when a name counts as moved away (in SVG units).
_RING_STEP, _GAP, _LEADER_FROM = 6.0, 3.0, 7.0


def _attach(m: Marker, angle: float, distance: float) -> tuple[float, float, str]:
    """The baseline point and anchor of a name whose box touches the point ``distance`` out at ``angle``."""
    px, py = m.cx + distance * math.cos(angle), m.cy + distance * math.sin(angle)
    up, down = _ASCENT * FONT_SIZE, _DESCENT * FONT_SIZE
    middle = py + (up - down) / 2
    cos = math.cos(angle)
    if cos > 0.38:
        return px, middle, "start"
    if cos < -0.38:
        return px, middle, "end"
    if math.sin(angle) < 0:
        return px, py - down - _HALO, "middle"
    return px, py + up + _HALO, "middle"


def _places(m: Marker, area: Box) -> Iterator[tuple[float, float, str, float]]:
    """Places for a name (baseline point, anchor, distance), nearest first; within a ring right,
    then left, then the diagonals, then above and below."""
    limit = math.hypot(area[2] - area[0], area[3] - area[1])
    ring = 0
    while True:
        distance = m.reach + _GAP + ring * _RING_STEP
        if distance > limit:
            return
        count = 8 if ring == 0 else max(12, math.ceil(2 * math.pi * distance / 10))
        angles = [2 * math.pi * k / count for k in range(count)]
        angles.sort(key=lambda a: (round(abs(math.sin(a)), 3), math.cos(a) < 0, math.sin(a) > 0))
        for angle in angles:
            yield (*_attach(m, angle, distance), distance)
        ring += 1


def _leader(m: Marker, box: Box) -> Segment | None:
    """A line from the marker's edge to the nearest point of its name, if the name sits away from it."""
    nx, ny = min(max(m.cx, box[0]), box[2]), min(max(m.cy, box[1]), box[3])
    gap = math.hypot(nx - m.cx, ny - m.cy)
    if gap <= m.reach + _LEADER_FROM:
        return None
    sx, sy = m.cx + (nx - m.cx) / gap * m.reach, m.cy + (ny - m.cy) / gap * m.reach
    return (round(sx, 1), round(sy, 1), round(nx, 1), round(ny, 1))


def _hits(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _clear(box: Box, placed: Sequence[Label], blocked: Sequence[Box]) -> bool:
    return not any(_hits(box, b) for b in blocked) and not any(_hits(box, p.box) for p in placed)


def _tangles(box: Box, leader: Segment | None, placed: Sequence[Label], lines: Sequence[Segment]) -> int:
    """How many names placed before this leader line crosses, plus the earlier leader lines and
    other lines of the chart this name covers."""
    crossed = sum(1 for p in placed if leader is not None and _crosses(leader, p.box))
    crossed += sum(1 for p in placed if p.leader is not None and _crosses(p.leader, box))
    return crossed + sum(1 for line in lines if _crosses(line, box))


def _score(
    box: Box,
    leader: Segment | None,
    placed: Sequence[Label],
    blocked: Sequence[Box],
    lines: Sequence[Segment],
) -> Score:
    """How badly a place clashes: area on names, area on markers, lines crossing names."""
    on_names = sum(_overlap(box, p.box) for p in placed)
    return (on_names, sum(_overlap(box, b) for b in blocked), _tangles(box, leader, placed, lines))


# How much further out a name looks for a place whose leader line crosses no name, once it has
# a place clear of names and markers; and how many places are weighed when no place is clear.
_FURTHER, _FALLBACK_PLACES = 8 * _RING_STEP, 1500


def _candidates(m: Marker, width: float, area: Box) -> Iterator[tuple[float, Label]]:
    """The places inside the plot area, nearest first, each with the box it takes."""
    for x_exact, y_exact, anchor, distance in _places(m, area):
        x, y = round(x_exact, 1), round(y_exact, 1)
        box = _box(x, y, width, anchor)
        if _inside(box, area):
            yield distance, Label(m.name, x, y, anchor, box, _leader(m, box))


def _place_one(
    m: Marker, area: Box, placed: Sequence[Label], blocked: Sequence[Box], lines: Sequence[Segment]
) -> Label:
    """The nearest clear place whose leader crosses nothing; else the least tangled clear place near
    the first clear one; else, in a plot too full, the nearest place that overlaps the least."""
    width = label_width(m.name)
    tangled: tuple[int, float, Label] | None = None
    for distance, label in _candidates(m, width, area):
        if tangled is not None and distance > tangled[1] + _FURTHER:
            break
        if _clear(label.box, placed, blocked):
            crossings = _tangles(label.box, label.leader, placed, lines)
            if crossings == 0:
                return label
            if tangled is None or crossings < tangled[0]:
                tangled = (crossings, tangled[1] if tangled else distance, label)
    if tangled is not None:
        return tangled[2]
    weighed = [
        (_score(label.box, label.leader, placed, blocked, lines), i, label)
        for i, (_, label) in zip(range(_FALLBACK_PLACES), _candidates(m, width, area), strict=False)
    ]
    if weighed:
        return min(weighed)[2]
    # The plot is smaller than the name itself: write it on the marker.
    return Label(m.name, m.cx, m.cy, "middle", _box(m.cx, m.cy, width, "middle"), None)


def place_labels(
    markers: Sequence[Marker], area: Box, obstacles: Sequence[Box] = (), lines: Sequence[Segment] = ()
) -> list[Label]:
    """One label per marker, in the markers' order, none on another (see the module's description).

    ``obstacles`` are boxes no name may cover (like markers); ``lines`` are lines of the chart a
    name had better not cover (arrows), weighed like leader lines crossing names.
    """
    blocked = [m.box for m in markers] + list(obstacles)
    placed: list[Label] = []
    for m in markers:
        placed.append(_place_one(m, area, placed, blocked, lines))
    return placed
