"""The fake Trello's memory: boards with their lists, labels, cards, members and actions.

Objects are kept in the shapes Trello's API returns (plain dicts with Trello's
key names), so the server only selects fields.  Every change that Trello
records as an action (a card created, moved, joined, commented...) is made
through a method here that also appends that action, so the board's current
state and its history always agree, and :meth:`TrelloState.export` writes the
same board as Trello's "Export as JSON".
"""

from __future__ import annotations

import bisect
import itertools
import random
import string
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["TrelloState", "trello_time"]

_HEX = "0123456789abcdef"


def trello_time(when: datetime) -> str:
    """A time as Trello writes it: ``2026-01-02T03:04:05.678Z``."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _key(action: Mapping[str, Any]) -> tuple[str, str]:
    return (action["date"], action["id"])


class TrelloState:
    """Boards, members and the actions on them, kept as Trello's payloads.

    ``seed`` makes ids and short links repeatable; ``epoch`` is the time in the
    ids of objects created without one (lists, labels, members), so that a
    seeded state is the same on every run.  All methods are thread-safe (the
    server's threads read while a test writes).
    """

    def __init__(self, *, seed: int = 0, epoch: datetime | None = None):
        self.epoch = epoch
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self._serial = itertools.count(1)
        self.boards: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.labels: dict[str, list[dict[str, Any]]] = {}
        self.cards: dict[str, list[dict[str, Any]]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.board_members: dict[str, list[str]] = {}
        self.deleted: set[str] = set()
        self.actions: dict[str, list[dict[str, Any]]] = {}
        """Each board's actions, oldest first (by date, then id)."""
        self._keys: dict[str, list[tuple[str, str]]] = {}
        self.card_actions: dict[str, list[dict[str, Any]]] = {}
        """Each card's actions, oldest first (for the card-by-card listing)."""
        self._card_index: dict[str, tuple[str, dict[str, Any]]] = {}
        self.created_cards: list[dict[str, Any]] = []
        """Cards created through ``POST /1/cards``, in order."""

    # -- ids -----------------------------------------------------------------------

    def new_id(self, when: datetime | None = None) -> str:
        """A 24-hex-digit object id whose first 8 digits are ``when`` in seconds, as Trello's are."""
        seconds = int((when or self.epoch or datetime.now(UTC)).timestamp())
        serial = next(self._serial)
        tail = "".join(self._rng.choice(_HEX) for _ in range(10))
        return f"{seconds:08x}{tail}{serial % 0xFFFFFF:06x}"

    def short_link(self) -> str:
        """A new 8-character short link."""
        return "".join(self._rng.choice(string.ascii_letters + string.digits) for _ in range(8))

    # -- boards, lists, labels, members --------------------------------------------------

    def add_board(
        self,
        name: str,
        *,
        short_link: str | None = None,
        permission: str = "private",
        when: datetime | None = None,
    ) -> dict[str, Any]:
        """A new board (``permission``: ``private``, ``org`` or ``public``)."""
        with self.lock:
            board_id = self.new_id(when)
            link = short_link or self.short_link()
            board = {
                "id": board_id,
                "name": name,
                "desc": "",
                "closed": False,
                "shortLink": link,
                "url": f"https://trello.com/b/{link}/{_slug(name)}",
                "shortUrl": f"https://trello.com/b/{link}",
                "prefs": {"permissionLevel": permission, "comments": "members", "invitations": "members"},
            }
            self.boards[board_id] = board
            for table in (self.lists, self.labels, self.cards, self.actions, self._keys):
                table[board_id] = []
            self.board_members[board_id] = []
            return board

    def find_board(self, ref: str) -> dict[str, Any] | None:
        """The board with this id or short link."""
        with self.lock:
            found = self.boards.get(ref)
            if found is not None:
                return found
            return next((b for b in self.boards.values() if b["shortLink"] == ref), None)

    def add_list(self, board: Mapping[str, Any], name: str, *, closed: bool = False) -> dict[str, Any]:
        """A new list at the end of ``board``."""
        with self.lock:
            lists = self.lists[board["id"]]
            entry = {
                "id": self.new_id(),
                "name": name,
                "closed": closed,
                "idBoard": board["id"],
                "pos": 16384 * (len(lists) + 1),
            }
            lists.append(entry)
            return entry

    def add_label(self, board: Mapping[str, Any], name: str, color: str | None = None) -> dict[str, Any]:
        """A new label on ``board``."""
        with self.lock:
            label = {"id": self.new_id(), "idBoard": board["id"], "name": name, "color": color}
            self.labels[board["id"]].append(label)
            return label

    def add_member(self, username: str, full_name: str | None = None) -> dict[str, Any]:
        """A new Trello member (not yet on any board)."""
        with self.lock:
            member = {
                "id": self.new_id(),
                "username": username,
                "fullName": full_name or username,
                "initials": "".join(p[0] for p in (full_name or username).split()[:2]).upper(),
            }
            self.members[member["id"]] = member
            return member

    def join(self, board: Mapping[str, Any], member: Mapping[str, Any]) -> None:
        """Make ``member`` a member of ``board`` without an action (the board's first members)."""
        with self.lock:
            ids = self.board_members[board["id"]]
            if member["id"] not in ids:
                ids.append(member["id"])

    def delete_member(self, member: Mapping[str, Any]) -> None:
        """Delete an account: it leaves every board and its actions lose their ``memberCreator``."""
        with self.lock:
            self.deleted.add(member["id"])
            for ids in self.board_members.values():
                if member["id"] in ids:
                    ids.remove(member["id"])

    def board_members_of(self, board_id: str) -> list[dict[str, Any]]:
        """The members of a board, deleted accounts left out."""
        with self.lock:
            return [self.members[m] for m in self.board_members[board_id] if m not in self.deleted]

    # -- cards and the actions that change them ------------------------------------------

    def card(self, card_id: str) -> tuple[str, dict[str, Any]] | None:
        """``(board id, card)`` for a card id."""
        with self.lock:
            return self._card_index.get(card_id)

    def record(
        self,
        board_id: str,
        kind: str,
        by: Mapping[str, Any] | None,
        when: datetime,
        data: dict[str, Any],
        *,
        member: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append one action to the board's history (``by=None``: an action without a creator)."""
        board = self.boards[board_id]
        action: dict[str, Any] = {
            "id": self.new_id(when),
            "idMemberCreator": by["id"] if by is not None else None,
            "data": {
                **data,
                "board": {"id": board_id, "name": board["name"], "shortLink": board["shortLink"]},
            },
            "type": kind,
            "date": trello_time(when),
            "limits": {},
        }
        if member is not None:
            action["_member"] = member["id"]
        with self.lock:
            key = _key(action)
            at = bisect.bisect_right(self._keys[board_id], key)
            self._keys[board_id].insert(at, key)
            self.actions[board_id].insert(at, action)
            card = data.get("card")
            if isinstance(card, Mapping):
                on_card = self.card_actions.setdefault(card["id"], [])
                on_card.insert(bisect.bisect_right(on_card, key, key=_key), action)
        return action

    def add_card(
        self,
        board: Mapping[str, Any],
        in_list: Mapping[str, Any],
        name: str,
        *,
        by: Mapping[str, Any] | None,
        when: datetime,
        due: datetime | None = None,
        labels: Iterable[Mapping[str, Any]] = (),
        desc: str = "",
        action: bool = True,
    ) -> dict[str, Any]:
        """A new card, with its ``createCard`` action (unless ``action=False``)."""
        with self.lock:
            cards = self.cards[board["id"]]
            link = self.short_link()
            card = {
                "id": self.new_id(when),
                "name": name,
                "desc": desc,
                "closed": False,
                "idBoard": board["id"],
                "idList": in_list["id"],
                "idShort": len(cards) + 1,
                "shortLink": link,
                "shortUrl": f"https://trello.com/c/{link}",
                "url": f"https://trello.com/c/{link}/{len(cards) + 1}-{_slug(name)}",
                "due": trello_time(due) if due else None,
                "dueComplete": False,
                "idMembers": [],
                "idLabels": [x["id"] for x in labels],
                "labels": [dict(x) for x in labels],
                "dateLastActivity": trello_time(when),
            }
            cards.append(card)
            self._card_index[card["id"]] = (board["id"], card)
            if action:
                self.record(
                    board["id"], "createCard", by, when, {"card": _ref(card), "list": _list_ref(in_list)}
                )
            return card

    def _card_action(
        self,
        card: dict[str, Any],
        kind: str,
        by: Mapping[str, Any] | None,
        when: datetime,
        data: dict[str, Any],
        member: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        board_id = card["idBoard"]
        card["dateLastActivity"] = trello_time(when)
        return self.record(board_id, kind, by, when, {"card": _ref(card), **data}, member=member)

    def comment(
        self, card: dict[str, Any], by: Mapping[str, Any] | None, text: str, when: datetime
    ) -> dict[str, Any]:
        """A comment on ``card``."""
        return self._card_action(card, "commentCard", by, when, {"text": text, "list": self._list_of(card)})

    def assign(
        self, card: dict[str, Any], member: Mapping[str, Any], *, by: Mapping[str, Any] | None, when: datetime
    ) -> dict[str, Any]:
        """``by`` adds ``member`` to ``card``."""
        with self.lock:
            if member["id"] not in card["idMembers"]:
                card["idMembers"].append(member["id"])
        data = {"idMember": member["id"], "member": {"id": member["id"], "name": member["fullName"]}}
        return self._card_action(card, "addMemberToCard", by, when, data, member)

    def unassign(
        self, card: dict[str, Any], member: Mapping[str, Any], *, by: Mapping[str, Any] | None, when: datetime
    ) -> dict[str, Any]:
        """``by`` removes ``member`` from ``card``."""
        with self.lock:
            if member["id"] in card["idMembers"]:
                card["idMembers"].remove(member["id"])
        data = {
            "idMember": member["id"],
            "deactivated": False,
            "member": {"id": member["id"], "name": member["fullName"]},
        }
        return self._card_action(card, "removeMemberFromCard", by, when, data, member)

    def move(
        self, card: dict[str, Any], to: Mapping[str, Any], *, by: Mapping[str, Any] | None, when: datetime
    ) -> dict[str, Any]:
        """``by`` moves ``card`` into the list ``to``."""
        before = self._list_of(card)
        with self.lock:
            card["idList"] = to["id"]
        data = {"old": {"idList": before["id"]}, "listBefore": before, "listAfter": _list_ref(to)}
        action = self._card_action(card, "updateCard", by, when, data)
        action["data"]["card"]["idList"] = to["id"]
        return action

    def tick_due(
        self, card: dict[str, Any], *, by: Mapping[str, Any] | None, when: datetime, complete: bool = True
    ) -> dict[str, Any]:
        """``by`` marks the due date of ``card`` complete (or not)."""
        with self.lock:
            card["dueComplete"] = complete
        action = self._card_action(
            card, "updateCard", by, when, {"old": {"dueComplete": not complete}, "list": self._list_of(card)}
        )
        action["data"]["card"]["dueComplete"] = complete
        if card["due"]:
            action["data"]["card"]["due"] = card["due"]
        return action

    def attach_link(
        self, card: dict[str, Any], url: str, *, by: Mapping[str, Any] | None, when: datetime
    ) -> dict[str, Any]:
        """``by`` attaches a link (to a Trello card, say) to ``card``."""
        attachment = {"id": self.new_id(when), "name": url, "url": url}
        return self._card_action(card, "addAttachmentToCard", by, when, {"attachment": attachment})

    def copy_from(
        self, card: dict[str, Any], source: Mapping[str, Any], *, by: Mapping[str, Any] | None, when: datetime
    ) -> dict[str, Any]:
        """Record that ``card`` was copied here from a card of another board, ``source``."""
        data = {
            "cardSource": {"id": self.new_id(when), "name": card["name"], "shortLink": self.short_link()},
            "boardSource": {"id": source["id"]},
            "list": self._list_of(card),
        }
        return self._card_action(card, "copyCard", by, when, data)

    def add_to_board(
        self,
        board: Mapping[str, Any],
        member: Mapping[str, Any],
        *,
        by: Mapping[str, Any] | None,
        when: datetime,
    ) -> dict[str, Any]:
        """``by`` adds ``member`` to ``board``."""
        self.join(board, member)
        data = {"idMemberAdded": member["id"], "memberType": "normal"}
        return self.record(board["id"], "addMemberToBoard", by, when, data, member=member)

    def _list_of(self, card: Mapping[str, Any]) -> dict[str, Any]:
        for entry in self.lists[card["idBoard"]]:
            if entry["id"] == card["idList"]:
                return _list_ref(entry)
        return {"id": card["idList"], "name": ""}

    # -- reading the history -------------------------------------------------------------

    def member_object(self, member_id: str | None) -> dict[str, Any] | None:
        """The member as actions show it, or ``None`` for a deleted or unknown account."""
        if member_id is None or member_id in self.deleted:
            return None
        return self.members.get(member_id)

    def full_action(self, action: Mapping[str, Any]) -> dict[str, Any]:
        """An action as Trello shows it: with ``memberCreator`` and ``member`` objects inline."""
        out = {k: v for k, v in action.items() if not k.startswith("_")}
        creator = self.member_object(action.get("idMemberCreator"))
        if creator is not None:
            out["memberCreator"] = dict(creator)
        member = self.member_object(action.get("_member"))
        if member is not None:
            out["member"] = dict(member)
        return out

    def export(self, board_id: str, *, max_actions: int | None = None) -> dict[str, Any]:
        """The board as Trello's "Export as JSON": the board with everything inline, actions newest first."""
        with self.lock:
            actions = [self.full_action(a) for a in reversed(self.actions[board_id])]
            if max_actions is not None:
                actions = actions[:max_actions]
            return {
                **self.boards[board_id],
                "actions": actions,
                "cards": [dict(c) for c in self.cards[board_id]],
                "labels": [dict(x) for x in self.labels[board_id]],
                "lists": [dict(x) for x in self.lists[board_id]],
                "members": [dict(m) for m in self.board_members_of(board_id)],
                "checklists": [],
            }


def _ref(card: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": card["id"],
        "name": card["name"],
        "idShort": card["idShort"],
        "shortLink": card["shortLink"],
    }


def _list_ref(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "name": entry["name"]}


def _slug(name: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in name)
    return "-".join(p for p in cleaned.split("-") if p)[:40] or "board"
