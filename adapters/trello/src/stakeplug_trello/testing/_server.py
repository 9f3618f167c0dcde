"""The fake Trello server: Trello's REST API for boards, lists, cards, labels and actions, on loopback.

Built on :class:`stakeplug.testing.FakeServer` (faults, request log,
``/_fake/stats``, ``/_fake/reset``).  What it answers like Trello:

* credentials in ``Authorization: OAuth oauth_consumer_key="…", oauth_token="…"``
  (or ``key``/``token`` in the query, which Trello accepts too and the stats
  count as ``credentials_in_query``); otherwise 401 with Trello's plain-text body;
* a malformed board id is 400 ``invalid id``, an unknown one 404;
* ``GET /1/boards/{id}/actions`` (and ``/1/cards/{id}/actions``): newest first, ``limit`` 0–1000 (default 50),
  ``before`` and ``since`` as a date or an action id (both exclusive),
  ``filter`` by type, ``fields``, ``memberCreator_fields``, ``member_fields``;
* the board, its lists (with ``cards`` nested on request), members, labels and
  cards (``filter`` ``all``/``open``/``closed``/``visible``), each with ``fields``;
* ``POST /1/cards``, ``/1/lists`` and ``/1/labels`` create, with Trello's 400s;
  ``PUT /1/cards/{id}`` archives (``closed``), renames or rewrites a card;
* token buckets with Trello's limits (100 per 10 s per token, 300 per key) and
  its 429 bodies (``API_TOKEN_LIMIT_EXCEEDED``, ``API_KEY_LIMIT_EXCEEDED``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from stakeplug.testing import FakeServer, Reply, ReplyNow, Request, Routes
from stakeplug_trello.testing._limits import Limits
from stakeplug_trello.testing._state import TrelloState, trello_time

__all__ = ["FAKE_ENV", "FAKE_KEY", "FAKE_TOKEN", "FakeTrello"]

FAKE_KEY = "fakekey0123456789abcdef0123456789"
FAKE_TOKEN = "ATTAfaketoken0123456789abcdef0123456789abcdef0123456789abcdef"  # noqa: S105  (a made-up token)
FAKE_ENV = {"TRELLO_API_KEY": FAKE_KEY, "TRELLO_TOKEN": FAKE_TOKEN}
"""The environment the adapter reads the fake's credentials from (the default variable names)."""

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_BOARD_REF = re.compile(r"^(?:[0-9a-fA-F]{24}|[A-Za-z0-9]{8})$")
_OAUTH = re.compile(r'(oauth_consumer_key|oauth_token)="([^"]*)"')
_DEFAULT_MEMBER_FIELDS = ("id", "username", "fullName", "initials")
_MAX_LIMIT = 1000


def _fields(request: Request, name: str, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The fields asked for (``None``: all of them); ``id`` always comes along."""
    value = request.arg(name)
    if value is None:
        return default
    if value == "all":
        return None
    return ("id", *(f for f in value.split(",") if f and f != "id"))


def _pick(obj: Mapping[str, Any], fields: tuple[str, ...] | None) -> dict[str, Any]:
    if fields is None:
        return {k: v for k, v in obj.items() if not k.startswith("_")}
    return {f: obj[f] for f in fields if f in obj}


class FakeTrello(FakeServer):
    """A fake Trello API; point the adapter's ``base_url`` at :attr:`url` (``…/1``).

    ``state`` holds the boards (build them with its methods, or
    :func:`~stakeplug_trello.testing.generate_board`); ``key`` and ``token``
    are the only credentials accepted; ``clock`` (monotonic seconds) drives the
    rate limits, so a test can share a fake clock with the adapter.
    """

    thread_name = "fake-trello"
    server_version = "FakeTrello/1.0"

    def __init__(
        self,
        state: TrelloState | None = None,
        *,
        key: str = FAKE_KEY,
        token: str = FAKE_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ):
        self.state = state or TrelloState()
        self.key = key
        self.token = token
        self.limits = Limits(clock=clock)
        self.credentials_in_query = 0
        self._now = now or (lambda: datetime.now(UTC))
        self.me = self.state.add_member("stakeplug-bot", "stakeplug bot")
        super().__init__(host=host, port=port, latency=latency)

    @property
    def url(self) -> str:
        """The API root to give the adapter as ``base_url``."""
        return f"{self.address}/1"

    # -- hooks -------------------------------------------------------------------

    def error(self, status: int, message: str | None = None) -> Reply:
        """Trello answers most errors in plain text."""
        stock = {
            400: "invalid id",
            401: "unauthorized permission requested",
            404: "The requested resource was not found.",
        }
        text = message or stock.get(status, "Server error")
        return Reply(status, raw=text.encode(), headers={"content-type": "text/plain; charset=utf-8"})

    def authorize(self, request: Request) -> Reply | None:
        found = dict(_OAUTH.findall(request.headers.get("authorization", "")))
        key, token = found.get("oauth_consumer_key"), found.get("oauth_token")
        if key is None and (request.arg("key") or request.arg("token")):
            self.credentials_in_query += 1
            key, token = request.arg("key"), request.arg("token")
        if key != self.key:
            return self.error(401, "invalid key")
        if token != self.token:
            return self.error(401, "invalid token")
        refused = self.limits.check(key, token)
        if refused is not None:
            return Reply(429, refused)
        return None

    def finish(self, request: Request, reply: Reply) -> Reply:
        """An injected error without a body of its own gets Trello's plain-text one."""
        if reply.status >= 400 and reply.body is None and reply.raw is None:
            return attrs.evolve(
                self.error(reply.status), headers={**self.error(reply.status).headers, **reply.headers}
            )
        return reply

    def extra_stats(self) -> dict[str, Any]:
        return {
            "created_cards": len(self.state.created_cards),
            "rate_limited": dict(self.limits.refused),
            "credentials_in_query": self.credentials_in_query,
        }

    def on_reset(self) -> None:
        self.limits.reset()
        self.credentials_in_query = 0

    def add_routes(self, routes: Routes) -> None:
        routes.add("GET", "/1/boards/{board}", self.get_board)
        routes.add("GET", "/1/boards/{board}/actions", self.board_actions)
        routes.add("GET", "/1/boards/{board}/lists", self.board_lists)
        routes.add("GET", "/1/boards/{board}/members", self.board_members)
        routes.add("GET", "/1/boards/{board}/labels", self.board_labels)
        routes.add("GET", "/1/boards/{board}/cards", self.board_cards)
        routes.add("GET", "/1/boards/{board}/cards/{filter}", self.board_cards)
        routes.add("GET", "/1/cards/{card}/actions", self.card_actions)
        routes.add("GET", "/1/lists/{list}/cards", self.list_cards)
        routes.add("POST", "/1/cards", self.create_card)
        routes.add("PUT", "/1/cards/{card}", self.update_card)
        routes.add("POST", "/1/lists", self.create_list)
        routes.add("PUT", "/1/lists/{list}", self.update_list)
        routes.add("POST", "/1/labels", self.create_label)

    # -- rate limits, for tests ----------------------------------------------------

    def use_up(self, which: str = "token") -> None:
        """Spend the token's (``"token"``) or the key's (``"key"``) budget, as another program would."""
        self.limits.use_up(which, self.token if which == "token" else self.key)

    # -- reading -----------------------------------------------------------------

    def _board(self, request: Request) -> dict[str, Any]:
        ref = request.params["board"]
        if not _BOARD_REF.match(ref):
            raise ReplyNow(self.error(400, "invalid id"))
        board = self.state.find_board(ref)
        if board is None:
            raise ReplyNow(self.error(404))
        return board

    def get_board(self, request: Request) -> Reply:
        return Reply(200, _pick(self._board(request), _fields(request, "fields", None)))

    def board_members(self, request: Request) -> Reply:
        board = self._board(request)
        fields = _fields(request, "fields", ("id", "username", "fullName"))
        return Reply(200, [_pick(m, fields) for m in self.state.board_members_of(board["id"])])

    def board_labels(self, request: Request) -> Reply:
        board = self._board(request)
        fields = _fields(request, "fields", None)
        return Reply(200, [_pick(x, fields) for x in self.state.labels[board["id"]]])

    def board_lists(self, request: Request) -> Reply:
        board = self._board(request)
        which = request.arg("filter", "open")
        if which not in ("all", "open", "closed"):
            raise ReplyNow(self.error(400, "invalid value for filter"))
        fields = _fields(request, "fields", None)
        nested = request.arg("cards", "none")
        card_fields = _fields(request, "card_fields", None)
        out = []
        with self.state.lock:
            for entry in self.state.lists[board["id"]]:
                if which != "all" and entry["closed"] != (which == "closed"):
                    continue
                shown = _pick(entry, fields)
                if nested != "none":
                    cards = [c for c in self.state.cards[board["id"]] if c["idList"] == entry["id"]]
                    picked = _filter_cards(cards, nested or "all", self)
                    shown["cards"] = [_pick(c, card_fields) for c in picked]
                out.append(shown)
        return Reply(200, out)

    def board_cards(self, request: Request) -> Reply:
        board = self._board(request)
        which = request.params.get("filter") or request.arg("filter", "visible")
        if which not in ("all", "open", "closed", "visible"):
            raise ReplyNow(self.error(400, "invalid value for filter"))
        fields = _fields(request, "fields", None)
        with self.state.lock:
            cards = _filter_cards(self.state.cards[board["id"]], which or "visible", self)
            return Reply(200, [_pick(c, fields) for c in cards])

    def card_actions(self, request: Request) -> Reply:
        """One card's actions (what a collector that reads card by card asks for)."""
        found = self.state.card(request.params["card"])
        if found is None:
            raise ReplyNow(self.error(404))
        with self.state.lock:
            actions = list(self.state.card_actions.get(found[1]["id"], ()))
        return self._actions(request, found[0], actions)

    def list_cards(self, request: Request) -> Reply:
        """The open cards of one list."""
        found = self._list_by_id(request.params["list"])
        if found is None:
            raise ReplyNow(self.error(404))
        board, entry = found
        fields = _fields(request, "fields", None)
        with self.state.lock:
            cards = [
                c for c in self.state.cards[board["id"]] if c["idList"] == entry["id"] and not c["closed"]
            ]
            return Reply(200, [_pick(c, fields) for c in cards])

    def board_actions(self, request: Request) -> Reply:
        board_id = self._board(request)["id"]
        return self._actions(request, board_id, self.state.actions[board_id])

    def _actions(self, request: Request, board_id: str, actions: list[dict[str, Any]]) -> Reply:
        limit = _limit(request, self)
        types = request.arg("filter", "all") or "all"
        wanted = None if types == "all" else set(types.split(","))
        before = self._cursor(request, "before", board_id)
        since = self._cursor(request, "since", board_id)
        fields = _fields(request, "fields", None)
        creator_fields = _fields(request, "memberCreator_fields", _DEFAULT_MEMBER_FIELDS)
        member_fields = _fields(request, "member_fields", _DEFAULT_MEMBER_FIELDS)
        with_creator = request.arg("memberCreator", "true") != "false"
        with_member = request.arg("member", "true") != "false"
        out: list[dict[str, Any]] = []
        with self.state.lock:
            for action in reversed(actions):
                if len(out) >= limit:
                    break
                key = (action["date"], action["id"])
                if before is not None and key >= before:
                    continue
                if since is not None and key <= since:
                    break
                if wanted is not None and action["type"] not in wanted:
                    continue
                shown = _pick(action, fields)
                creator = self.state.member_object(action.get("idMemberCreator"))
                if with_creator and creator is not None:
                    shown["memberCreator"] = _pick(creator, creator_fields)
                member = self.state.member_object(action.get("_member"))
                if with_member and member is not None:
                    shown["member"] = _pick(member, member_fields)
                out.append(shown)
        return Reply(200, out)

    def _cursor(self, request: Request, name: str, board_id: str) -> tuple[str, str] | None:
        """``before``/``since`` as a sort key: a date, or the key of the action with that id."""
        value = request.arg(name)
        if value is None:
            return None
        if _OBJECT_ID.match(value):
            with self.state.lock:
                found = next((a for a in self.state.actions[board_id] if a["id"] == value), None)
            if found is not None:
                return (found["date"], found["id"])
            seconds = int(value[:8], 16)
            return (trello_time(datetime.fromtimestamp(seconds, UTC)), value)
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ReplyNow(self.error(400, f"invalid value for {name}")) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        # A date sorts before every action of that instant for "before", after them for "since".
        return (trello_time(when), "" if name == "before" else "g")

    # -- writing -----------------------------------------------------------------

    def _form(self, request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise ReplyNow(self.error(400, "invalid JSON")) from None
        form = {k: v[-1] for k, v in request.query.items() if k not in ("key", "token")}
        if isinstance(body, Mapping):
            form.update(body)
        return form

    def create_list(self, request: Request) -> Reply:
        form = self._form(request)
        board = self.state.boards.get(str(form.get("idBoard", "")))
        if board is None:
            return self.error(400, "invalid value for idBoard")
        name = form.get("name")
        if not isinstance(name, str) or not name.strip():
            return self.error(400, "invalid value for name")
        return Reply(200, self.state.add_list(board, name.strip()))

    def update_list(self, request: Request) -> Reply:
        """``PUT /1/lists/{id}``: archive (``closed``) or rename a list."""
        found = self._list_by_id(request.params["list"])
        if found is None:
            return self.error(404)
        form = self._form(request)
        _, entry = found
        with self.state.lock:
            if "closed" in form:
                entry["closed"] = str(form["closed"]).lower() == "true"
            if isinstance(form.get("name"), str) and form["name"].strip():
                entry["name"] = form["name"].strip()
        return Reply(200, entry)

    def create_label(self, request: Request) -> Reply:
        form = self._form(request)
        board = self.state.boards.get(str(form.get("idBoard", "")))
        if board is None:
            return self.error(400, "invalid value for idBoard")
        name = form.get("name")
        if not isinstance(name, str):
            return self.error(400, "invalid value for name")
        return Reply(200, self.state.add_label(board, name, form.get("color") or None))

    def create_card(self, request: Request) -> Reply:
        form = self._form(request)
        found = self._list_by_id(str(form.get("idList", "")))
        if found is None:
            return self.error(400, "invalid value for idList")
        board, in_list = found
        members = _ids(form.get("idMembers"))
        if any(m not in self.state.board_members[board["id"]] for m in members):
            return self.error(400, "invalid value for idMembers")
        labels = [x for x in self.state.labels[board["id"]] if x["id"] in _ids(form.get("idLabels"))]
        if len(labels) != len(_ids(form.get("idLabels"))):
            return self.error(400, "invalid value for idLabels")
        due = form.get("due")
        try:
            due_at = datetime.fromisoformat(str(due).replace("Z", "+00:00")) if due else None
        except ValueError:
            return self.error(400, "invalid date")
        card = self.state.add_card(
            board,
            in_list,
            str(form.get("name") or ""),
            by=self.me,
            when=self._now(),
            due=due_at,
            labels=labels,
            desc=str(form.get("desc") or ""),
        )
        with self.state.lock:
            card["idMembers"] = list(members)
            self.state.created_cards.append(card)
        return Reply(200, card)

    def update_card(self, request: Request) -> Reply:
        """``PUT /1/cards/{id}``: archive (``closed``) a card, rename it or change its description."""
        found = self.state.card(request.params["card"])
        if found is None:
            return self.error(404)
        form = self._form(request)
        _, card = found
        with self.state.lock:
            if "closed" in form:
                card["closed"] = str(form["closed"]).lower() == "true"
            for key in ("name", "desc"):
                if isinstance(form.get(key), str):
                    card[key] = form[key]
        return Reply(200, card)

    def _list_by_id(self, list_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        with self.state.lock:
            for board_id, lists in self.state.lists.items():
                for entry in lists:
                    if entry["id"] == list_id:
                        return self.state.boards[board_id], entry
        return None


def _ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(x) for x in value]
    if isinstance(value, str) and value:
        return value.split(",")
    return []


def _limit(request: Request, fake: FakeTrello) -> int:
    raw = request.arg("limit", "50")
    try:
        limit = int(raw or "")
    except ValueError:
        raise ReplyNow(fake.error(400, "invalid value for limit")) from None
    if not 0 <= limit <= _MAX_LIMIT:
        raise ReplyNow(fake.error(400, "invalid value for limit"))
    return limit


def _filter_cards(cards: list[dict[str, Any]], which: str, fake: FakeTrello) -> list[dict[str, Any]]:
    if which == "all":
        return list(cards)
    if which == "closed":
        return [c for c in cards if c["closed"]]
    open_cards = [c for c in cards if not c["closed"]]
    if which == "visible":
        closed_lists = {x["id"] for lists in fake.state.lists.values() for x in lists if x["closed"]}
        return [c for c in open_cards if c["idList"] not in closed_lists]
    return open_cards
