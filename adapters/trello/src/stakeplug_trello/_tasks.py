"""Care tasks as Trello cards: found by one listing, created in the ``[tasks]`` list, never twice.

A task is a card in the list named by ``list`` (``Stakeholder care`` unless
set; created at the end of the board when missing), labelled ``stakeplug``
and, when the draft carries it (the core gives it only to a target declared
private), ``care:<action>`` (labels created when missing), with the relationship
owner as member when they are a member of the board, the due date, and the
fingerprint as a marker line at the end of the description.  The
per-fingerprint label of the draft is not created: labels are shared by the
whole board, and one per task would crowd its label picker; the description
marker carries the fingerprint instead.

Before anything is created, one listing of the board's cards (all of them,
archived too, so a task the team moved or archived is still found) finds the
existing tasks by their marker.  Writes converge when runs race: after
creating a card the adapter lists the task list's open cards once more; when
several carry the same fingerprint, the oldest (lowest ``idShort``, the card's
number on its board) is kept and every other is archived, by whichever run
sees them.  Every run picks the same card, and the last run to create one sees
all earlier ones, so whatever ran at the same time each fingerprint ends with
one open task.  Two runs that both create the care list agree on the first
list of that name on the board (new lists go to the bottom); the later one
archives its own while it is still empty.  A create is sent again only when
Trello certainly did nothing (:func:`~stakeplug.http.write_may_have_acted`):
after a 5xx or a lost answer the list is looked at first.  A board whose
permission level is ``public`` is refused unless ``allow_public = true``; even then the card
carries only the neutral wording: the generic title, the neutral text and the
``stakeplug`` label, whatever the draft carries.  A board every member of its
workspace may read (``org``) takes neutral tasks only: a draft for a private
target is refused there, as on a Jira project every site user may browse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stakeplug import (
    ACTION_LABEL_PREFIX,
    FINGERPRINT_LABEL_PREFIX,
    TASK_LABEL,
    PostResult,
    TaskDraft,
    TaskRef,
    fingerprint_from_text,
    fingerprint_marker,
    neutral_title,
    tasks_by_fingerprint,
)
from stakeplug.errors import PayloadError, PrivacyError, TrackerError
from stakeplug.http import HttpClient, get_logger, write_may_have_acted
from stakeplug_trello._limits import Pacer

__all__ = ["DEFAULT_TASK_LIST", "TaskTarget"]

DEFAULT_TASK_LIST = "Stakeholder care"
_TASK_CARD_FIELDS = "id,idShort,name,desc,closed,dueComplete,shortLink,shortUrl,idList"
_LABEL_COLORS = {TASK_LABEL: "blue"}

log = get_logger("stakeplug.trello")


def _created(card_id: str) -> datetime | None:
    """When a card was created, read from its id (the first 8 hex digits are seconds)."""
    try:
        return datetime.fromtimestamp(int(card_id[:8], 16), UTC)
    except (ValueError, OverflowError):
        return None


def task_ref(card: Mapping[str, Any]) -> TaskRef | None:
    """The task a card is, when its description carries a fingerprint marker."""
    fingerprint = fingerprint_from_text(card.get("desc") if isinstance(card.get("desc"), str) else None)
    card_id = card.get("id")
    if not fingerprint or not isinstance(card_id, str):
        return None
    link = str(card.get("shortLink") or card_id)
    url = str(card.get("shortUrl") or f"https://trello.com/c/{link}")
    return TaskRef(
        fingerprint=fingerprint,
        id=link,
        url=url,
        open=not card.get("closed") and not card.get("dueComplete"),
        created=_created(card_id),
    )


def _age(card: Mapping[str, Any]) -> tuple[int, str]:
    """Oldest first: a card's number on its board (``idShort``) grows with every card created there."""
    number = card.get("idShort")
    return (number if isinstance(number, int) else 1 << 62, str(card.get("id")))


def _fingerprint(card: Mapping[str, Any]) -> str | None:
    desc = card.get("desc")
    return fingerprint_from_text(desc) if isinstance(desc, str) else None


def _labels(draft: TaskDraft, *, public: bool) -> list[str]:
    """The labels a card gets: ``stakeplug``, and on a board that is not public the draft's others.

    The per-fingerprint label is never created (the description's marker
    carries the fingerprint); on a public board the ``care:<action>`` label,
    which tells the category, is left out whatever the draft carries.
    """
    if public:
        return [TASK_LABEL]
    others = (x for x in draft.labels if not x.startswith(FINGERPRINT_LABEL_PREFIX))
    return list(dict.fromkeys([TASK_LABEL, *others]))


def _is_private(draft: TaskDraft) -> bool:
    """Whether ``draft`` carries what only a target declared private may show."""
    action = any(x.startswith(ACTION_LABEL_PREFIX) for x in draft.labels)
    return action or bool(draft.explanation) or bool(draft.evidence)


def _marked(text: str, fingerprint: str) -> str:
    """``text`` with the fingerprint marker as its last line (added when missing)."""
    if fingerprint_from_text(text) == fingerprint:
        return text
    return f"{text.rstrip()}\n\n{fingerprint_marker(fingerprint)}"


class TaskTarget:
    """The board that receives care tasks, read once per adapter and then kept."""

    def __init__(self, http: HttpClient, pacer: Pacer, board: str, list_name: str, *, allow_public: bool):
        self._http = http
        self._pacer = pacer
        self.board = board
        self.list_name = list_name
        self.allow_public = allow_public
        self._known: dict[str, TaskRef] | None = None
        self._info: dict[str, Any] | None = None
        self._list_id: str | None = None
        self._labels: dict[str, str] = {}
        self._members: dict[str, str] = {}

    def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        self._pacer.wait()
        return self._http.get_json(path, params=params)

    def _post(self, path: str, payload: Mapping[str, Any]) -> Any:
        self._pacer.wait()
        response = self._http.request("POST", path, json=dict(payload))
        try:
            return response.json()
        except ValueError as exc:
            raise PayloadError(f"Trello's answer to POST /{path} is not JSON", adapter="trello") from exc

    def _archive(self, path: str) -> None:
        """Archive the card or list at ``path`` (``cards/{id}``, ``lists/{id}``)."""
        self._pacer.wait()
        self._http.request("PUT", path, json={"closed": True})

    def _named_lists(self, lists: Any) -> list[Mapping[str, Any]]:
        """The open lists of a listing that carry the task list's name, in the listing's order."""
        wanted = self.list_name.casefold()
        return [
            x
            for x in (lists if isinstance(lists, list) else [])
            if isinstance(x, Mapping) and str(x.get("name", "")).casefold() == wanted
        ]

    def find(self) -> list[TaskRef]:
        """Every task on the board, open or not: one listing of its cards."""
        cards = self._get(f"boards/{self.board}/cards", {"filter": "all", "fields": _TASK_CARD_FIELDS})
        if not isinstance(cards, list):
            raise PayloadError(
                f"Trello listed the cards of {self.board!r} as something else", adapter="trello"
            )
        tasks = [t for t in (task_ref(c) for c in cards if isinstance(c, Mapping)) if t is not None]
        self._known = tasks_by_fingerprint(tasks)
        return tasks

    def _board_info(self) -> dict[str, Any]:
        """The board's id and visibility, its lists, labels and members: four requests, once."""
        if self._info is None:
            info = self._get(f"boards/{self.board}", {"fields": "id,name,shortLink,prefs"})
            if not isinstance(info, Mapping) or not isinstance(info.get("id"), str):
                raise PayloadError(
                    f"Trello described board {self.board!r} as something else", adapter="trello"
                )
            lists = self._get(f"boards/{self.board}/lists", {"filter": "open", "fields": "id,name"})
            labels = self._get(f"boards/{self.board}/labels", {"fields": "id,name"})
            members = self._get(f"boards/{self.board}/members", {"fields": "id,username"})
            self._list_id = next((x["id"] for x in self._named_lists(lists)), None)
            self._labels = {x["name"]: x["id"] for x in labels if isinstance(x, Mapping) and x.get("name")}
            self._members = {
                str(m["username"]).lower(): m["id"]
                for m in members
                if isinstance(m, Mapping) and m.get("username")
            }
            self._info = dict(info)
        return self._info

    def level(self) -> str:
        """Who may read the board: ``private`` (its members), ``org`` (its workspace) or ``public``."""
        prefs = self._board_info().get("prefs")
        level = prefs.get("permissionLevel") if isinstance(prefs, Mapping) else None
        return str(level).lower()

    def public(self) -> bool:
        """Whether anyone on the internet can read the board."""
        return self.level() == "public"

    def post(self, draft: TaskDraft, *, dry_run: bool) -> PostResult:
        """Create ``draft`` as a card unless a card carries its fingerprint already."""
        known = self._known if self._known is not None else tasks_by_fingerprint(self.find())
        found = known.get(draft.fingerprint)
        if found is not None:
            return PostResult(draft, created=False, dry_run=dry_run, task=found, reason="already exists")
        public = self.public()
        if public and not self.allow_public:
            raise PrivacyError(
                f"Trello board {self.board!r} is public: stakeplug does not post care tasks where anyone "
                "can read them about people; allow_public = true in [tasks] permits it (neutral wording only)"
            )
        if self.level() == "org" and _is_private(draft):
            raise PrivacyError(
                f"Trello board {self.board!r} can be read by every member of its workspace, the "
                "stakeholders too, but [tasks] private = true would put scores, categories and care "
                "actions on its cards: set private = false, or make the board visible to its members only"
            )
        where = f"list {self.list_name!r} of board {self.board!r}"
        if dry_run:
            missing = "" if self._list_id else " (the list would be created)"
            return PostResult(
                draft, created=False, dry_run=True, reason=f"dry run: would create a card in {where}{missing}"
            )
        payload: dict[str, Any] = {
            "idList": self._task_list(),
            "name": neutral_title(draft.stakeholder) if public else draft.title,
            "desc": _marked(draft.neutral_body if public else draft.body, draft.fingerprint),
            "idLabels": [self._label(name) for name in _labels(draft, public=public)],
            "pos": "bottom",
        }
        if draft.due is not None:
            payload["due"] = draft.due.astimezone(UTC).isoformat().replace("+00:00", "Z")
        reason = f"created in {where}"
        if draft.assignee:
            member = self._members.get(draft.assignee.lower())
            if member is not None:
                payload["idMembers"] = [member]
            else:
                reason += f" without a member: {draft.assignee!r} is not a member of the board"
        card, reason = self._create_card(payload, draft.fingerprint, reason)
        ref = task_ref(card) if isinstance(card, Mapping) else None
        if ref is None:
            raise PayloadError(
                f"Trello's answer to creating a card in {where} cannot be read", adapter="trello"
            )
        winner, archived = self._converge(draft.fingerprint, str(payload["idList"]))
        known[draft.fingerprint] = winner or ref
        self._known = known
        if winner is not None and winner.id != ref.id:
            return PostResult(
                draft,
                created=False,
                dry_run=False,
                task=winner,
                reason=f"another run created {winner.id} at the same time; this run's card {ref.id} "
                "was archived",
                closed_duplicates=tuple(archived),
            )
        if archived:
            reason += (
                f"; another run created the same task at the same time: kept {ref.id}, "
                f"archived {', '.join(archived)}"
            )
        return PostResult(
            draft, created=True, dry_run=False, task=ref, reason=reason, closed_duplicates=tuple(archived)
        )

    def _create_card(self, payload: Mapping[str, Any], fingerprint: str, reason: str) -> tuple[Any, str]:
        """POST the card; after a failure that may have created it, look in the list before sending again."""
        try:
            return self._post("cards", payload), reason
        except TrackerError as exc:
            if not write_may_have_acted(exc):
                raise
            log.warning("trello: creating a card on %s may have failed (%s); looking first", self.board, exc)
        same = self._open_cards(fingerprint, str(payload["idList"]))
        if same:
            return same[0], f"{reason} (its answer was lost; found by its fingerprint)"
        return self._post("cards", payload), f"{reason} at the second attempt"

    def _open_cards(self, fingerprint: str, list_id: str) -> list[Mapping[str, Any]]:
        """The open cards of the task list that carry ``fingerprint``, oldest first: one listing."""
        cards = self._get(f"lists/{list_id}/cards", {"fields": _TASK_CARD_FIELDS})
        listed = [c for c in (cards if isinstance(cards, list) else []) if isinstance(c, Mapping)]
        return sorted((c for c in listed if not c.get("closed") and _fingerprint(c) == fingerprint), key=_age)

    def _converge(self, fingerprint: str, list_id: str) -> tuple[TaskRef | None, list[str]]:
        """Keep the oldest open card that carries ``fingerprint``; archive the others (their links)."""
        same = self._open_cards(fingerprint, list_id)
        archived = []
        for duplicate in same[1:]:
            link = str(duplicate.get("shortLink") or duplicate["id"])
            log.warning("trello: archiving card %s, a duplicate", link)
            self._archive(f"cards/{duplicate['id']}")
            archived.append(link)
        return (task_ref(same[0]) if same else None), archived

    def _task_list(self) -> str:
        if self._list_id is None:
            info = self._board_info()
            made = self._post("lists", {"name": self.list_name, "idBoard": info["id"], "pos": "bottom"})
            if not isinstance(made, Mapping) or not isinstance(made.get("id"), str):
                raise PayloadError(
                    f"Trello's answer to creating the list {self.list_name!r} cannot be read",
                    adapter="trello",
                )
            self._list_id = self._first_list(made["id"])
        return self._list_id

    def _first_list(self, ours: str) -> str:
        """The task list once this run made one: the first open list of that name on the board.

        Two runs that both found no list both create one; each new list goes
        to the bottom, so the one a run made is never ahead of an older one.
        A run whose list is not the first archives it (still empty) and uses
        the first, so both runs' cards go to one list.
        """
        lists = self._get(f"boards/{self.board}/lists", {"filter": "open", "fields": "id,name,pos"})
        named = [x for x in self._named_lists(lists) if isinstance(x.get("id"), str)]
        named.sort(key=lambda x: x["pos"] if isinstance(x.get("pos"), int | float) else float("inf"))
        first = str(named[0]["id"]) if named else ours
        if first != ours:
            log.warning("trello: another run created the list %r at the same time; using it", self.list_name)
            self._archive(f"lists/{ours}")
        return first

    def _label(self, name: str) -> str:
        found = self._labels.get(name)
        if found is None:
            info = self._board_info()
            made = self._post(
                "labels", {"name": name, "idBoard": info["id"], "color": _LABEL_COLORS.get(name, "sky")}
            )
            if not isinstance(made, Mapping) or not isinstance(made.get("id"), str):
                raise PayloadError(
                    f"Trello's answer to creating the label {name!r} cannot be read", adapter="trello"
                )
            found = self._labels[name] = made["id"]
        return found
