"""Activities to rows and back: only the normalized fields the engine reads.

Times are stored as integer microseconds since the epoch, so they come back
exactly.  An activity's key is a digest of its stable id (with its kind, actor and
item), or of all its fields when the tool gave no id: writing the same event twice
replaces the row instead of adding one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from stakeplug.domain.model import Activity, ActivityKind, Item, Verdict

__all__ = ["activity_key", "from_micros", "micros", "row_activity"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SEP = "\x1f"
_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


def micros(when: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The aware UTC datetime of :func:`micros` (see :data:`_FAST_LIMIT` for the quick way)."""
    if -_FAST_LIMIT < value < _FAST_LIMIT:
        return _from_seconds(value / 1_000_000, UTC)
    return _EPOCH + timedelta(microseconds=value)


def activity_key(a: Activity) -> bytes:
    """The identity under which ``a`` is stored: the same event always gets the same key."""
    item = a.item
    if a.id is not None:
        parts: tuple[Any, ...] = ("id", a.kind, a.actor, item.tool, item.id, a.id)
    else:
        parts = (
            "content", a.kind, a.actor, item.tool, item.id, micros(a.timestamp), a.addressees,
            a.verdict, a.due and micros(a.due), a.link_type, a.external, a.count,
        )  # fmt: skip
    return hashlib.blake2b(_SEP.join(map(str, parts)).encode(), digest_size=12).digest()


def details_text(details: Mapping[str, Any]) -> str | None:
    """The activity's extras as JSON, or ``None`` when there are none."""
    return json.dumps(dict(details), sort_keys=True, default=str) if details else None


_FAST_LIMIT = 2**32 * 1_000_000
"""Below 2**32 s (the year 2106) a time in microseconds divided by 10**6 is a float within 0.25 µs
of the exact value, so ``datetime.fromtimestamp`` (which rounds to the nearest microsecond)
gives it back exactly, four times faster than adding a timedelta to the epoch."""
_KINDS = {str(kind): kind for kind in ActivityKind}
_VERDICTS = {str(verdict): verdict for verdict in Verdict}
_from_seconds = datetime.fromtimestamp


_DETAILS_KEPT = 4_096
_details_seen: dict[str, Mapping[str, Any]] = {}


def _details(text: str) -> Mapping[str, Any]:
    """The extras of a row, read-only; the few distinct texts a tool writes are parsed once."""
    found = _details_seen.get(text)
    if found is None:
        if len(_details_seen) >= _DETAILS_KEPT:
            _details_seen.clear()
        found = _details_seen[text] = MappingProxyType(json.loads(text))
    return found


def row_activity(row: tuple[Any, ...], item: Item) -> Activity:
    """Rebuild an activity from a row of ``ts, kind, actor, addressees, verdict, due, link_type,
    external, count, activity_id, details, actor_name, item id`` and its item.

    Called once per stored activity an audit reads, so it passes the enum members and the
    aware UTC times the converters of :class:`Activity` take as they are.
    """
    ts, kind, actor, addressees, verdict, due, link_type, external, count, activity_id, details, name, _ = row
    return Activity(
        _KINDS.get(kind, kind),
        actor,
        item,
        _from_seconds(ts / 1_000_000, UTC) if -_FAST_LIMIT < ts < _FAST_LIMIT else from_micros(ts),
        tuple(addressees.split(_SEP)) if addressees else (),
        None if verdict is None else _VERDICTS.get(verdict, verdict),
        None if due is None else from_micros(due),
        link_type,
        external == 1,
        count,
        activity_id,
        _details(details) if details else _NO_DETAILS,
        name,
    )


def addressees_text(addressees: tuple[str, ...]) -> str | None:
    """The addressees joined by the unit separator (account ids never contain it)."""
    return _SEP.join(addressees) if addressees else None


def item_row(item: Item) -> tuple[Any, ...]:
    """An item's columns: tool, id, url, title, labels (JSON), kind, project."""
    return (
        item.tool,
        item.id,
        item.url,
        item.title,
        json.dumps(list(item.labels)),
        str(item.kind),
        item.project,
    )


def row_item(row: tuple[Any, ...]) -> Item:
    """The item of :func:`item_row`."""
    tool, item_id, url, title, labels, kind, project = row
    return Item(tool=tool, id=item_id, url=url, title=title, labels=tuple(json.loads(labels)), kind=kind,
                project=project)  # fmt: skip
