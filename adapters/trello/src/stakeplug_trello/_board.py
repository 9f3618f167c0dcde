"""What the translation needs to know of a Trello board: its lists, cards and members.

A :class:`Board` is built the same way from the four listings the adapter
asks for (the board, its lists, its cards, its members) and from a board
export file, which carries the same objects inline.  That is what makes the
online and the offline path give the same activities for the same board.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "ACTION_TYPES",
    "DEFAULT_INPUT_LABELS",
    "DEFAULT_STATUS_LABELS",
    "Board",
    "Card",
    "board_from_payloads",
    "is_done_name",
    "parse_time",
]

ACTION_TYPES = (
    "commentCard",
    "addMemberToCard",
    "removeMemberFromCard",
    "updateCard",
    "createCard",
    "copyCard",
    "moveCardToBoard",
    "addAttachmentToCard",
    "addMemberToBoard",
)
"""The action types the adapter reads; the actions listing is asked for these only."""

DEFAULT_STATUS_LABELS = ("status report", "status-report")
DEFAULT_INPUT_LABELS = ("input needed", "input-needed", "needs input")

_DONE = re.compile(r"\bdone\b", re.IGNORECASE)


def is_done_name(name: str) -> bool:
    """Whether a list name reads like "Done" (``Done``, ``DONE! 🙌``, ``Done this week``)."""
    return bool(_DONE.search(name))


def parse_time(value: Any) -> datetime | None:
    """Trello's ISO 8601 timestamp (``2026-01-02T03:04:05.678Z``) as aware UTC, or ``None``."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return parsed


@attrs.frozen
class Card:
    """One card as the cards listing (or the export) describes it."""

    id: str
    short_link: str
    name: str | None
    url: str | None
    labels: tuple[str, ...]
    members: tuple[str, ...]
    """Member ids on the card now."""
    due: datetime | None
    due_complete: bool
    list_id: str | None


@attrs.frozen
class Board:
    """A board's name, visibility, lists (with which mean done), cards and members."""

    id: str
    short_link: str
    name: str | None
    url: str | None
    permission_level: str | None
    lists: Mapping[str, str]
    """List id → name."""
    done_lists: frozenset[str]
    """Ids of the lists that mean done."""
    cards: Mapping[str, Card]
    """Card id → card."""
    usernames: Mapping[str, str]
    """Member id → username, for every member the payloads name."""
    full_names: Mapping[str, str] = attrs.field(factory=dict)
    """Member id → the name Trello shows (``fullName``), when given."""

    @property
    def public(self) -> bool:
        """Whether anyone on the internet can read the board."""
        return (self.permission_level or "").lower() == "public"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _label_names(card: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[str, ...]:
    """The names of a card's labels: inline label objects, or ``idLabels`` looked up."""
    inline = card.get("labels")
    if isinstance(inline, list) and inline:
        names = (x.get("name") for x in inline if isinstance(x, Mapping))
        return tuple(n for n in names if isinstance(n, str) and n)
    ids = card.get("idLabels") or ()
    return tuple(labels[i] for i in ids if isinstance(i, str) and labels.get(i))


def _card(card: Mapping[str, Any], labels: Mapping[str, str]) -> Card:
    card_id = str(card["id"])
    short_link = _text(card.get("shortLink")) or card_id
    members = card.get("idMembers") or ()
    return Card(
        id=card_id,
        short_link=short_link,
        name=_text(card.get("name")),
        url=_text(card.get("shortUrl")) or _text(card.get("url")),
        labels=_label_names(card, labels),
        members=tuple(m for m in members if isinstance(m, str)),
        due=parse_time(card.get("due")),
        due_complete=card.get("dueComplete") is True,
        list_id=_text(card.get("idList")),
    )


def _lists(lists: Iterable[Any], done_lists: Iterable[str] | None) -> tuple[dict[str, str], set[str]]:
    """List id → name, and the ids of the lists that mean done."""
    wanted = {name.casefold() for name in done_lists} if done_lists is not None else None
    names: dict[str, str] = {}
    done: set[str] = set()
    for entry in lists:
        if not isinstance(entry, Mapping) or not _text(entry.get("id")):
            continue
        name = _text(entry.get("name")) or ""
        names[entry["id"]] = name
        if (name.casefold() in wanted) if wanted is not None else is_done_name(name):
            done.add(entry["id"])
    return names, done


def board_from_payloads(
    board: Mapping[str, Any],
    lists: Iterable[Any],
    cards: Iterable[Any],
    members: Iterable[Any],
    *,
    labels: Iterable[Any] = (),
    done_lists: Iterable[str] | None = None,
) -> Board:
    """A :class:`Board` from Trello's payloads; malformed entries of the listings are left out.

    ``done_lists`` names the lists that mean done (compared case-insensitively);
    without it, lists whose name reads like "Done" do.
    """
    list_names, done = _lists(lists, done_lists)
    label_names = {
        x["id"]: x["name"]
        for x in labels
        if isinstance(x, Mapping) and _text(x.get("id")) and isinstance(x.get("name"), str)
    }
    card_map: dict[str, Card] = {}
    for entry in cards:
        if isinstance(entry, Mapping) and _text(entry.get("id")):
            try:
                card_map[entry["id"]] = _card(entry, label_names)
            except (TypeError, ValueError):
                continue
    usernames = {
        m["id"]: m["username"]
        for m in members
        if isinstance(m, Mapping) and _text(m.get("id")) and _text(m.get("username"))
    }
    full_names = {
        m["id"]: m["fullName"]
        for m in members
        if isinstance(m, Mapping) and _text(m.get("id")) and _text(m.get("fullName"))
    }
    prefs = board.get("prefs")
    level = prefs.get("permissionLevel") if isinstance(prefs, Mapping) else None
    board_id = str(board["id"])
    return Board(
        id=board_id,
        short_link=_text(board.get("shortLink")) or board_id,
        name=_text(board.get("name")),
        url=_text(board.get("shortUrl")) or _text(board.get("url")),
        permission_level=_text(level),
        lists=list_names,
        done_lists=frozenset(done),
        cards=card_map,
        usernames=usernames,
        full_names=full_names,
    )
