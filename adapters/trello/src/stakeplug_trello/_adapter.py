"""The Trello adapter: a board's actions in, care-task cards out.

Reading takes few requests because one listing holds everything people did on
a board: ``/1/boards/{board}/actions``, newest first, up to 1,000 actions a
page, asked only for the action types the translation uses and only the
fields it reads, from the window's start (``since``) and paged back with
``before``.  Besides it, one request each for the board (its name and
``prefs.permissionLevel``), its lists, its members and its cards (with
``due``, ``dueComplete``, ``idMembers`` and labels), the last three sent at the
same time once the board has answered.  For A actions in the
window that is ⌊A/1000⌋ + 1 pages, plus 4, per board: ⌈A/1000⌉ + 4 unless A
is a multiple of 1,000 (then one more page says the listing has ended).
Nothing is ever fetched card by card or member by member.

Every activity carries its action's id, and the actions listing starts at
``since``, so the adapter declares ``incremental``: through the store a quiet
night costs the four board requests and one page of actions.

Each page of actions is translated and yielded as it comes, newest first as
Trello lists them; the adapter declares ``ordered=False`` and holds no window
of activities (the store, or the engine in a stateless run, orders them), and
a listing that fails part-way has delivered the pages before it.

Writing creates a card in the ``[tasks]`` list; see :mod:`stakeplug_trello._tasks`.

Credentials travel in the ``Authorization: OAuth oauth_consumer_key="…",
oauth_token="…"`` header, never in a URL, so they cannot show in a log line
or an error.  Requests are paced under Trello's limits (see
:mod:`stakeplug_trello._limits`); retries are the shared HTTP policy's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from stakeplug import Activity, Capabilities, Option, PostResult, SourceStats, TaskDraft, TaskRef
from stakeplug.adapter import config_place, parse_options, secret_from_env, utc_window
from stakeplug.errors import ConfigError, NotFoundError, PayloadError, TrackerError
from stakeplug.http import HttpClient, HttpPolicy
from stakeplug_trello._board import (
    ACTION_TYPES,
    DEFAULT_INPUT_LABELS,
    DEFAULT_STATUS_LABELS,
    Board,
    board_from_payloads,
)
from stakeplug_trello._export import BOARD_OR_PATH, SkipLog, TrelloExportAdapter
from stakeplug_trello._limits import TOKEN_LIMIT, Pacer, TrelloResponses
from stakeplug_trello._mapping import Translator, translate_each
from stakeplug_trello._options import DEFAULT_BASE_URL, OPTIONS, board_settings
from stakeplug_trello._tasks import DEFAULT_TASK_LIST, TaskTarget
from stakeplug_trello._version import VERSION

__all__ = ["DEFAULT_BASE_URL", "PAGE_LIMIT", "TrelloAdapter"]

_MAX_REASONS = 20
PAGE_LIMIT = 1000
"""The most actions Trello returns in one page."""

_BOARD_ID = re.compile(r"^(?:[0-9a-fA-F]{24}|[A-Za-z0-9]{8})$")
_ACTION_FIELDS = "id,type,date,data,idMemberCreator"
_CARD_FIELDS = "id,name,shortLink,shortUrl,idList,idMembers,labels,due,dueComplete,closed"
_BOARD_FIELDS = "id,name,shortLink,shortUrl,url,prefs"


def _stamp(when: datetime) -> str:
    """A time as Trello writes it: ``2026-01-02T03:04:05.678Z``."""
    text = when.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _ceil_ms(when: datetime) -> datetime:
    """``when`` rounded up to whole milliseconds: Trello's exclusive ``before`` keeps all before it."""
    extra = when.microsecond % 1000
    return when if not extra else when + timedelta(microseconds=1000 - extra)


class TrelloAdapter:
    """Reads Trello boards through the REST API.

    Build it with :meth:`from_config`; with ``path`` that returns a
    :class:`~stakeplug_trello.TrelloExportAdapter` reading a board export
    instead.  The API key and token are read from the environment variables
    named by ``key_env`` and ``token_env`` and never appear in reprs, logs or
    errors.
    """

    name: ClassVar[str] = "trello"
    version: ClassVar[str] = VERSION
    capabilities: ClassVar[Capabilities] = Capabilities(
        comments=True,
        mentions=True,
        requests=True,
        assignments=True,
        due_dates=True,
        transitions=True,
        links=True,
        membership=True,
        created=True,
        posts_tasks=True,
        incremental=True,
        ordered=False,
    )
    OPTIONS: ClassVar[Mapping[str, Option]] = OPTIONS

    def __init__(
        self,
        boards: Sequence[str],
        *,
        key: str,
        token: str,
        key_env: str = "TRELLO_API_KEY",
        token_env: str = "TRELLO_TOKEN",  # noqa: S107  (the variable's name, not a secret)
        base_url: str = DEFAULT_BASE_URL,
        done_lists: Sequence[str] | None = None,
        status_labels: Sequence[str] = DEFAULT_STATUS_LABELS,
        input_labels: Sequence[str] = DEFAULT_INPUT_LABELS,
        requests_per_10s: int = 90,
        task_board: str | None = None,
        task_list: str = DEFAULT_TASK_LIST,
        allow_public: bool = False,
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
        where: str | None = None,
    ):
        self.boards = tuple(boards)
        self._place = config_place(self.name, where)
        self.key_env = key_env
        self.token_env = token_env
        self.base_url = base_url.rstrip("/")
        self.done_lists = tuple(done_lists) if done_lists is not None else None
        self.status_labels = tuple(status_labels)
        self.input_labels = tuple(input_labels)
        policy = policy or HttpPolicy()
        self.pacer = Pacer(requests_per_10s, clock=policy.clock, sleep=policy.sleep)
        header = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
        self._http = HttpClient(
            self.name,
            self.base_url,
            headers={"Authorization": header, "User-Agent": f"stakeplug-trello/{self.version}"},
            policy=policy,
            secrets=(key, token),
            classify=TrelloResponses(self.pacer, key_env=key_env, token_env=token_env, clock=policy.clock),
            session=session,
        )
        self._skips = SkipLog()
        self._items = 0
        self._activities = 0
        self.task_board = task_board
        self._tasks = (
            TaskTarget(self._http, self.pacer, task_board, task_list, allow_public=allow_public)
            if task_board is not None
            else None
        )

    # -- building --------------------------------------------------------------------

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
    ) -> TrelloAdapter | TrelloExportAdapter:
        """Build the adapter from a ``[[sources]]`` or ``[tasks]`` table.

        ``env`` replaces ``os.environ`` for the credentials; ``policy``
        replaces the default :class:`~stakeplug.http.HttpPolicy` (tests inject
        a clock and a sleep that never sleeps).
        """
        opts = parse_options(cls.name, config, cls.OPTIONS, where=where)
        place = config_place(cls.name, where)

        def bad(message: str) -> ConfigError:
            return ConfigError(message, location=place)

        settings = board_settings(opts, bad)
        boards = _board_names(opts, bad)
        if opts["path"] is not None:
            if boards:
                raise bad(BOARD_OR_PATH)
            return TrelloExportAdapter(opts["path"], **settings)
        if not boards:
            raise bad("set board = '<id or short link>' (or boards = [...], or path = 'board.json')")
        base_url = _base_url(opts["base_url"], bad)
        pace = opts["requests_per_10s"]
        if not 1 <= pace <= TOKEN_LIMIT:
            raise bad(f"requests_per_10s: must be between 1 and {TOKEN_LIMIT}, got {pace}")
        key = secret_from_env(opts, "key_env", place=place, what="the Trello API key", env=env)
        token = secret_from_env(opts, "token_env", place=place, what="a Trello token", env=env)
        return cls(
            boards,
            key=key,
            token=token,
            key_env=opts["key_env"],
            token_env=opts["token_env"],
            base_url=base_url,
            **settings,
            requests_per_10s=pace,
            task_board=opts["board"]
            if opts["board"] is not None
            else (boards[0] if len(boards) == 1 else None),
            task_list=_task_list(opts["list"], bad),
            allow_public=opts["allow_public"],
            policy=policy,
            session=session,
            where=where,
        )

    def __repr__(self) -> str:
        return (
            f"TrelloAdapter(boards={list(self.boards)!r}, base_url={self.base_url!r}, "
            f"key_env={self.key_env!r}, token_env={self.token_env!r})"
        )

    @property
    def http(self) -> HttpClient:
        """The HTTP client, with its request counter."""
        return self._http

    @property
    def stats(self) -> SourceStats:
        """Requests made, cards and activities seen, and the actions that had to be skipped."""
        return SourceStats(
            requests=self._http.counter.total,
            items=self._items,
            activities=self._activities,
            skipped=self._skips.count,
            skipped_reasons=tuple(self._skips.reasons[:_MAX_REASONS]),
        )

    # -- reading ---------------------------------------------------------------------

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the activities with ``since <= timestamp < until`` on every board, page by page.

        The adapter declares ``ordered=False``: each page of a board's actions
        (newest first, as Trello lists them) is translated and yielded as it
        comes, so nothing of the window is held, and what came before a failure
        has been delivered; the store, or the engine without one, orders them.
        """
        since, until = utc_window(since, until)
        if since >= until:
            return
        boards = {name: self.board(name) for name in self.boards}
        by_link = {b.short_link: b for b in boards.values()}
        for name, board in boards.items():
            translator = Translator(
                board, status_labels=self.status_labels, input_labels=self.input_labels, boards=by_link
            )
            self._items += len(board.cards)
            actions = (action for page in self.action_pages(name, since, until) for action in page)
            for activity in translate_each(translator, actions, since, until, self._skips):
                self._activities += 1
                yield activity

    def board(self, name: str) -> Board:
        """The board ``name`` with its lists, members and cards: four requests, the last three at once."""
        path = f"boards/{name}"
        data = self._board_request(name, path, {"fields": _BOARD_FIELDS})
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            raise PayloadError(
                f"Trello described board {name!r} with something that is not a board", adapter=self.name
            )
        # Its lists, members and cards do not depend on each other: asked at the same time, they
        # cost the wait of one (the pacer counts each; an error is that of the first in this order).
        lists, members, cards = self._http.together(
            lambda: self._listing(f"{path}/lists", {"filter": "all", "fields": "id,name,closed"}),
            lambda: self._listing(f"{path}/members", {"fields": "id,username,fullName"}),
            lambda: self._listing(f"{path}/cards", {"filter": "all", "fields": _CARD_FIELDS}),
        )
        return board_from_payloads(data, lists, cards, members, done_lists=self.done_lists)

    def action_pages(self, name: str, since: datetime, until: datetime) -> Iterator[list[Any]]:
        """The board's actions of the types read, created in the window, page by page (newest
        first): ⌊A/1000⌋ + 1 pages.

        Trello's ``since`` and ``before`` exclude their own instant and count
        whole milliseconds, so the first page asks from a millisecond before the
        window to its end rounded up; later pages continue ``before`` the oldest
        action of the previous one.  The window is applied exactly afterwards.
        """
        params: dict[str, Any] = {
            "filter": ",".join(ACTION_TYPES),
            "fields": _ACTION_FIELDS,
            "memberCreator_fields": "username,fullName",
            "member_fields": "username",
            "limit": PAGE_LIMIT,
            "since": _stamp(since - timedelta(milliseconds=1)),
            "before": _stamp(_ceil_ms(until)),
        }
        while True:
            page = self._listing(f"boards/{name}/actions", params)
            yield page
            if len(page) < PAGE_LIMIT:
                return
            oldest = page[-1]
            cursor = oldest.get("id") if isinstance(oldest, Mapping) else None
            if not isinstance(cursor, str) or cursor == params["before"]:
                raise PayloadError(
                    f"Trello's actions of board {name!r} cannot be paged: the last action has no id",
                    adapter=self.name,
                )
            params["before"] = cursor

    def _board_request(self, name: str, path: str, params: Mapping[str, Any]) -> Any:
        """The board itself; the first request for a board, so its errors name the board."""
        self.pacer.wait()
        try:
            return self._http.get_json(path, params=params)
        except NotFoundError as exc:
            raise NotFoundError(
                f"Trello board {name!r} not found, or the token cannot see it "
                f"(the token in {self.token_env} must belong to a member of the board)",
                adapter=self.name,
                status=exc.status,
            ) from exc
        except TrackerError as exc:
            if exc.status == 400 and "invalid id" in str(exc).lower():
                raise ConfigError(
                    f"board: Trello says {name!r} is not a board id; use the board's id or the short "
                    "link from its address (trello.com/b/<short link>/...)",
                    location=self._place,
                ) from exc
            raise

    def _listing(self, path: str, params: Mapping[str, Any]) -> list[Any]:
        self.pacer.wait()
        data = self._http.get_json(path, params=params)
        if not isinstance(data, list):
            raise PayloadError(
                f"Trello answered /{path} with a {type(data).__name__}, not a list", adapter=self.name
            )
        return data

    # -- writing ---------------------------------------------------------------------

    def _target(self) -> TaskTarget:
        if self._tasks is None:
            raise ConfigError(
                f"this adapter reads {len(self.boards)} boards; set board = '<id or short link>' "
                "to say which one receives care tasks",
                location=self._place,
            )
        return self._tasks

    def find_tasks(self) -> Sequence[TaskRef]:
        """Every care-task card on the task board, open, done or archived: one listing."""
        return self._target().find()

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` as a card unless one with its fingerprint exists (see ``_tasks``).

        With ``dry_run`` (the default) nothing is written; the privacy guard
        still applies, so a dry run shows a refusal before a real run meets it.
        """
        return self._target().post(draft, dry_run=dry_run)

    def is_public(self) -> bool:
        """Whether anyone can read the task board (asked once, then kept)."""
        return self._target().public()

    def close(self) -> None:
        """Close the HTTP session."""
        self._http.close()

    def __enter__(self) -> TrelloAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _board_names(opts: Mapping[str, Any], bad: Any) -> list[str]:
    names: list[str] = []
    if opts["board"] is not None:
        names.append(opts["board"])
    for value in opts["boards"] or ():
        if not isinstance(value, str):
            raise bad(f"boards: each entry must be a board id or short link, got {value!r}")
        if value not in names:
            names.append(value)
    for value in names:
        if not _BOARD_ID.match(value):
            key = "board" if value == opts["board"] else "boards"
            raise bad(
                f"{key}: {value!r} is not a Trello board id (24 hex digits) or short link (8 letters "
                "and digits, from the board's address trello.com/b/<short link>/...)"
            )
    return names


def _task_list(value: str, bad: Any) -> str:
    name = value.strip()
    if not name:
        raise bad(f"list: name the list that receives care tasks, e.g. {DEFAULT_TASK_LIST!r}")
    return name


def _base_url(value: str, bad: Any) -> str:
    base_url = value.rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad(f"base_url: {base_url!r} is not an http(s) URL; Trello's is {DEFAULT_BASE_URL}")
    if parts.username or parts.password or "key=" in (parts.query or "") or "token=" in (parts.query or ""):
        raise bad("base_url: credentials do not belong in the URL; use key_env and token_env")
    return base_url
