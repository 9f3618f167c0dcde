"""From Trello actions to stakeplug activities.

One :class:`Translator` per board turns each action (as the actions listing
or a board export gives it) into at most one :class:`~stakeplug.Activity`.
Nothing here talks to the network, and nothing keeps a comment's text: it is
read for ``@username`` mentions and dropped.

Decisions worth knowing:

* Accounts are Trello usernames (what ``@mentions`` use).  The actor is the
  action's ``memberCreator``, or the board member with its ``idMemberCreator``;
  a deleted member, or an action without either, gives ``actor=None``.
* ``commentCard`` is a comment addressed to the people it mentions (``@card``
  and ``@board`` address nobody in particular and are left out).
* ``addMemberToCard`` is an assignment with the card's due date; on a card
  with an input label, someone else adding a member is a request for input.
  ``removeMemberFromCard`` is an unassignment.
* ``updateCard`` that moves a card between lists is a transition, a
  completion into a done list, a reopening out of one.  Marking the due date
  complete is a completion with the due date, unmarking it a reopening; a
  card that now sits in a done list was completed by its move there, so its
  due-date tick is not counted a second time.
* A card copied or moved from another board, and an attachment that is a
  link to a Trello card, are links; external when the other board is not this
  one (``details["other_project"]`` names it when known, so the register's
  ``own_projects`` decide).  Trello names the source board of a moved card by
  its id; a board read in the same run is named by its short link instead, as
  ``own_projects`` and items name boards.
* ``addMemberToBoard`` is a member added to the board.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from stakeplug import Activity, ActivityKind, Item, ItemKind
from stakeplug_trello._board import ACTION_TYPES, Board, Card, parse_time

__all__ = ["TOOL", "Translator", "mentions", "translate_all", "translate_each"]

TOOL = "trello"

_MENTION = re.compile(r"(?<![A-Za-z0-9_.@/])@([A-Za-z0-9_]{1,100})(?![A-Za-z0-9_@])")
_READ = frozenset(ACTION_TYPES)
_EVERYONE = frozenset({"card", "board"})
_CARD_LINK = re.compile(r"^https?://(?:www\.)?trello\.com/c/([A-Za-z0-9]+)")


def mentions(text: Any, *, author: str | None = None) -> tuple[str, ...]:
    """The usernames a comment mentions (lowercase, first appearance first, no repeats)."""
    if not isinstance(text, str) or "@" not in text:
        return ()
    me = author.lower() if author else None
    seen: dict[str, None] = {}
    for m in _MENTION.finditer(text):
        name = m.group(1).lower()
        if name not in _EVERYONE and name != me:
            seen.setdefault(name, None)
    return tuple(seen)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class Translator:
    """Turns one board's actions into activities.

    ``status_labels`` and ``input_labels`` mark cards as status reports and
    requests for input (compared case-insensitively); ``boards`` are the other
    boards of the same run, by short link, to tell where a linked card lives.
    """

    def __init__(
        self,
        board: Board,
        *,
        status_labels: Iterable[str] = (),
        input_labels: Iterable[str] = (),
        boards: Mapping[str, Board] | None = None,
    ):
        self.board = board
        self._status = {x.casefold() for x in status_labels}
        self._input = {x.casefold() for x in input_labels}
        self._links = {board.short_link: {c.short_link for c in board.cards.values()}}
        self._short_links = {board.id: board.short_link}
        for key, other in (boards or {}).items():
            self._links.setdefault(key, {c.short_link for c in other.cards.values()})
            self._short_links.setdefault(other.id, key)
        self._items: dict[str, Item] = {}
        self._board_item = Item(
            tool=TOOL,
            id=board.short_link,
            url=board.url,
            title=board.name,
            kind=ItemKind.DISCUSSION,
            project=board.short_link,
        )

    # -- people and items ----------------------------------------------------------

    def username(self, member: Any, member_id: Any) -> str | None:
        """The username of an inline member object, else of the board member with ``member_id``."""
        name = _mapping(member).get("username")
        if isinstance(name, str) and name:
            return name.lower()
        if isinstance(member_id, str):
            known = self.board.usernames.get(member_id)
            if known:
                return known.lower()
        return None

    def full_name(self, member: Any, member_id: Any) -> str | None:
        """The name Trello shows for a member (``fullName``), inline or from the board's members."""
        name = _mapping(member).get("fullName")
        if isinstance(name, str) and name:
            return name
        return self.board.full_names.get(member_id) if isinstance(member_id, str) else None

    def _kind(self, labels: tuple[str, ...]) -> ItemKind:
        folded = {x.casefold() for x in labels}
        if folded & self._status:
            return ItemKind.STATUS_REPORT
        if folded & self._input:
            return ItemKind.INPUT_NEEDED
        return ItemKind.TASK

    def item(self, card_ref: Mapping[str, Any]) -> Item:
        """The item for the card an action names (the cards listing knows it best)."""
        card_id = card_ref.get("id")
        if not isinstance(card_id, str) or not card_id:
            raise ValueError("the action names no card")
        found = self._items.get(card_id)
        if found is not None:
            return found
        card = self.board.cards.get(card_id)
        short: str = card_id
        title: str | None = None
        url: str | None = None
        labels: tuple[str, ...] = ()
        if card is not None:
            short, title, url, labels = card.short_link, card.name, card.url, card.labels
        else:
            if isinstance(card_ref.get("shortLink"), str):
                short = card_ref["shortLink"]
            if isinstance(card_ref.get("name"), str):
                title = card_ref["name"]
        item = Item(
            tool=TOOL,
            id=short,
            url=url or f"https://trello.com/c/{short}",
            title=title,
            labels=labels,
            kind=self._kind(labels),
            project=self.board.short_link,
        )
        self._items[card_id] = item
        return item

    def _card(self, card_ref: Mapping[str, Any]) -> Card | None:
        card_id = card_ref.get("id")
        return self.board.cards.get(card_id) if isinstance(card_id, str) else None

    def _assignees(self, card: Card | None) -> tuple[str, ...]:
        if card is None:
            return ()
        names = (self.board.usernames.get(m) for m in card.members)
        return tuple(n.lower() for n in names if n)

    # -- actions -------------------------------------------------------------------

    def translate(self, action: Mapping[str, Any]) -> Activity | None:
        """The activity for one action, or ``None`` for what carries no signal.

        A malformed action raises ``KeyError``, ``TypeError`` or ``ValueError``
        (the adapter counts it as skipped).
        """
        kind = action.get("type")
        if kind not in _READ:
            return None
        when = parse_time(action.get("date"))
        if when is None:
            raise ValueError(f"{kind} action has no date")
        data = _mapping(action.get("data"))
        creator = action.get("memberCreator")
        actor = self.username(creator, action.get("idMemberCreator"))
        base: dict[str, Any] = {
            "actor": actor,
            "timestamp": when,
            "id": f"trello:{action['id']}",
            "actor_name": self.full_name(creator, action.get("idMemberCreator")) if actor else None,
        }
        if kind == "addMemberToBoard":
            added = self.username(action.get("member"), data.get("idMemberAdded"))
            if added is None:
                return None
            return Activity(
                kind=ActivityKind.MEMBER_ADDED, item=self._board_item, addressees=(added,), **base
            )
        card_ref = _mapping(data.get("card"))
        item = self.item(card_ref)
        if kind == "commentCard":
            return Activity(
                kind=ActivityKind.COMMENT,
                item=item,
                addressees=mentions(data.get("text"), author=actor),
                **base,
            )
        if kind == "createCard":
            return Activity(kind=ActivityKind.CREATED, item=item, **base)
        if kind in ("addMemberToCard", "removeMemberFromCard"):
            return self._membership(kind, action, data, item, base)
        if kind == "updateCard":
            return self._update(data, item, when, base)
        if kind in ("copyCard", "moveCardToBoard"):
            source = _mapping(data.get("boardSource"))
            if kind == "copyCard" and not source:
                return Activity(kind=ActivityKind.CREATED, item=item, **base)
            other = source.get("shortLink") or source.get("id")
            if isinstance(other, str):
                other = self._short_links.get(other, other)
            return self._link(item, other if isinstance(other, str) else None, kind, base)
        if kind == "addAttachmentToCard":
            url = _mapping(data.get("attachment")).get("url")
            m = _CARD_LINK.match(url) if isinstance(url, str) else None
            if m is None:
                return None
            return self._link(item, self._board_of(m.group(1)), "attachment", base)
        return None

    def _membership(
        self,
        kind: str,
        action: Mapping[str, Any],
        data: Mapping[str, Any],
        item: Item,
        base: dict[str, Any],
    ) -> Activity | None:
        member = self.username(action.get("member"), data.get("idMember"))
        if member is None:
            return None
        if kind == "removeMemberFromCard":
            return Activity(kind=ActivityKind.UNASSIGNED, item=item, addressees=(member,), **base)
        card = self._card(_mapping(data.get("card")))
        due = card.due if card is not None else None
        if item.kind is ItemKind.INPUT_NEEDED and base["actor"] != member:
            return Activity(
                kind=ActivityKind.REQUEST,
                item=item,
                addressees=(member,),
                details={"request_kind": "input"},
                **base,
            )
        details = {"self_assigned": True} if base["actor"] == member else {}
        return Activity(
            kind=ActivityKind.ASSIGNED, item=item, addressees=(member,), due=due, details=details, **base
        )

    def _update(
        self, data: Mapping[str, Any], item: Item, when: datetime, base: dict[str, Any]
    ) -> Activity | None:
        card_ref = _mapping(data.get("card"))
        card = self._card(card_ref)
        before, after = _mapping(data.get("listBefore")), _mapping(data.get("listAfter"))
        if before or after:
            done = self.board.done_lists
            was, now = before.get("id") in done, after.get("id") in done
            details = {"from": before.get("name"), "to": after.get("name")}
            if now and not was:
                return Activity(
                    kind=ActivityKind.COMPLETED,
                    item=item,
                    addressees=self._assignees(card),
                    due=card.due if card is not None else parse_time(card_ref.get("due")),
                    details=details,
                    **base,
                )
            kind = ActivityKind.REOPENED if was and not now else ActivityKind.TRANSITIONED
            return Activity(kind=kind, item=item, details=details, **base)
        old = _mapping(data.get("old"))
        if "dueComplete" in old:
            if card_ref.get("dueComplete") is not True:
                return Activity(kind=ActivityKind.REOPENED, item=item, **base)
            if card is not None and card.list_id in self.board.done_lists:
                return None
            due = parse_time(card_ref.get("due")) or (card.due if card is not None else None)
            return Activity(
                kind=ActivityKind.COMPLETED,
                item=item,
                addressees=self._assignees(card),
                due=due,
                details={"due_complete": True},
                **base,
            )
        return None

    def _board_of(self, short_link: str) -> str | None:
        """The short link of the board that holds the card ``short_link``, when this run knows it."""
        return next((key for key, cards in self._links.items() if short_link in cards), None)

    def _link(self, item: Item, other: str | None, how: str, base: dict[str, Any]) -> Activity | None:
        here = self.board
        external = other is None or other not in (here.short_link, here.id)
        details: dict[str, Any] = {"via": how}
        if other is not None:
            details["other_project"] = other
        return Activity(
            kind=ActivityKind.LINKED,
            item=item,
            link_type="relates",
            external=external,
            details=details,
            **base,
        )


def translate_all(
    translator: Translator,
    actions: Iterable[Any],
    since: datetime,
    until: datetime,
    skip: Callable[[str], None],
) -> list[Activity]:
    """The activities of ``actions`` with ``since <= timestamp < until``, oldest first.

    Actions are translated oldest first (ties by id, as Trello's ids grow with
    time); a malformed one is passed to ``skip`` with the reason and left out.
    """
    dated = sorted(
        (a for a in actions if _is_action(a, skip)),
        key=lambda a: (str(a.get("date", "")), str(a.get("id", ""))),
    )
    out = list(translate_each(translator, dated, since, until, skip))
    out.sort(key=lambda a: a.timestamp)
    return out


def translate_each(
    translator: Translator,
    actions: Iterable[Any],
    since: datetime,
    until: datetime,
    skip: Callable[[str], None],
) -> Iterator[Activity]:
    """The activities of ``actions`` with ``since <= timestamp < until``, one by one in the order given.

    The translation depends on no other action, so a listing is translated as its pages
    come; a malformed action is passed to ``skip`` with the reason and left out.
    """
    for action in actions:
        if not _is_action(action, skip):
            continue
        try:
            activity = translator.translate(action)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            action_id = str(action.get("id", "")) or "?"
            skip(f"{action.get('type', 'action')} {action_id}: {type(exc).__name__}: {exc}")
            continue
        if activity is not None and since <= activity.timestamp < until:
            yield activity


def _is_action(action: Any, skip: Callable[[str], None]) -> bool:
    """Whether ``action`` is an object; if not, it is skipped with the reason."""
    if isinstance(action, Mapping):
        return True
    skip(f"action of type {type(action).__name__}, not an object")
    return False
