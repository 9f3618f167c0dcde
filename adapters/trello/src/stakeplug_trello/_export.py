"""Trello's own board export ("Export as JSON"), read offline: no network, no credentials.

The export is one JSON object: the board with its ``actions``, ``cards``,
``lists``, ``members`` and ``labels`` inline, the same objects the API's
listings return.  It is translated exactly as the API's answers are, so an
export and the API give the same activities for the same board state.
Trello puts at most the newest 1,000 actions in an export; older activity
needs the API.  An export that holds that many and does not reach back to the
window's start is reported as partial (one skipped item saying from when on
the export is complete), never as a complete source.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from stakeplug import Activity, Capabilities, Option, PostResult, TaskDraft
from stakeplug.adapter import ReadOnlyAdapter, config_place, parse_options, utc_window
from stakeplug.errors import ConfigError, NotFoundError, PayloadError, PermissionDeniedError, TrackerError
from stakeplug.http import get_logger
from stakeplug_trello._board import (
    DEFAULT_INPUT_LABELS,
    DEFAULT_STATUS_LABELS,
    Board,
    board_from_payloads,
    parse_time,
)
from stakeplug_trello._mapping import Translator, translate_all
from stakeplug_trello._options import OPTIONS, board_settings
from stakeplug_trello._version import VERSION

__all__ = ["BOARD_OR_PATH", "SkipLog", "TrelloExportAdapter", "read_export"]

BOARD_OR_PATH = "set either board (read through the API) or path (a board export), not both"

log = get_logger("stakeplug.trello")


class SkipLog:
    """What a collection had to leave out: each reason logged and kept in ``reasons``."""

    def __init__(self, reasons: list[str] | None = None) -> None:
        self._lock = threading.Lock()
        self.reasons: list[str] = [] if reasons is None else reasons

    @property
    def count(self) -> int:
        """How many actions were skipped."""
        return len(self.reasons)

    def __call__(self, reason: str) -> None:
        log.warning("trello: skipped %s", reason)
        with self._lock:
            self.reasons.append(reason)


EXPORT_ACTION_LIMIT = 1000
"""The most actions Trello puts into a board export."""


def read_export(path: str | Path, *, done_lists: Sequence[str] | None = None) -> tuple[Board, list[Any]]:
    """The board and all its actions from an export file; a file that is no export is a ``PayloadError``."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(f"the Trello board export {shown!r} does not exist", adapter="trello") from exc
    except PermissionError as exc:
        raise PermissionDeniedError(
            f"the Trello board export {shown!r} cannot be read: permission denied", adapter="trello"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TrackerError(
            f"the Trello board export {shown!r} cannot be read: {exc}", adapter="trello"
        ) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PayloadError(
            f"the Trello board export {shown!r} is not JSON (line {getattr(exc, 'lineno', '?')}); "
            "export the board with Share → Export as JSON",
            adapter="trello",
        ) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
        raise PayloadError(
            f"{shown!r} is not a Trello board export: expected an object with the board's id, "
            "actions, cards, lists and members",
            adapter="trello",
        )

    def listing(key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise PayloadError(f"{shown!r}: {key!r} must be a list in a board export", adapter="trello")
        return value

    board = board_from_payloads(
        data,
        listing("lists"),
        listing("cards"),
        listing("members"),
        labels=listing("labels"),
        done_lists=done_lists,
    )
    return board, listing("actions")


class TrelloExportAdapter(ReadOnlyAdapter):
    """Reads a Trello board export file; it reads only and posts no tasks.

    Built by :meth:`stakeplug_trello.TrelloAdapter.from_config` when the
    source names a ``path``.  The file is read again by each collection, so
    a newer export is picked up without rebuilding the adapter.
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
    )
    OPTIONS: ClassVar[Mapping[str, Option]] = {}

    def __init__(
        self,
        path: str | Path,
        *,
        done_lists: Sequence[str] | None = None,
        status_labels: Sequence[str] = DEFAULT_STATUS_LABELS,
        input_labels: Sequence[str] = DEFAULT_INPUT_LABELS,
    ):
        super().__init__()
        self.path = Path(path)
        self.done_lists = tuple(done_lists) if done_lists is not None else None
        self.status_labels = tuple(status_labels)
        self.input_labels = tuple(input_labels)
        self._skips = SkipLog(self._skipped)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, env: Mapping[str, str] | None = None, where: str | None = None
    ) -> TrelloExportAdapter:
        """Build the adapter from a ``trello`` table that names a ``path``.

        The table is checked against the same options as
        :class:`~stakeplug_trello.TrelloAdapter`, which builds this class for
        such a table; a table naming a board instead is an error here.
        """
        place = config_place(cls.name, where)
        opts = parse_options(cls.name, config, OPTIONS, where=where)

        def bad(message: str) -> ConfigError:
            return ConfigError(message, location=place)

        settings = board_settings(opts, bad)
        if opts["path"] is None:
            raise bad("set path = 'board.json' to read a board export; a board is read by TrelloAdapter")
        if opts["board"] is not None or opts["boards"]:
            raise bad(BOARD_OR_PATH)
        return cls(opts["path"], **settings)

    def __repr__(self) -> str:
        return f"TrelloExportAdapter(path={str(self.path)!r})"

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the export's activities with ``since <= timestamp < until``, oldest first."""
        since, until = utc_window(since, until)
        if since >= until:
            return
        board, actions = read_export(self.path, done_lists=self.done_lists)
        translator = Translator(board, status_labels=self.status_labels, input_labels=self.input_labels)
        found = translate_all(translator, actions, since, until, self._skips)
        self._check_reach(actions, since)
        self._items += len(board.cards)
        self._collected += len(found)
        yield from found

    def _check_reach(self, actions: Sequence[Any], since: datetime) -> None:
        """Say so when the export is cut at Trello's limit after the window's start."""
        if len(actions) < EXPORT_ACTION_LIMIT:
            return
        dates = [str(a["date"]) for a in actions if isinstance(a, Mapping) and isinstance(a.get("date"), str)]
        oldest = parse_time(min(dates)) if dates else None
        if oldest is not None and oldest > since:
            self._skips(
                f"the export holds Trello's newest {EXPORT_ACTION_LIMIT} actions only, back to "
                f"{oldest:%Y-%m-%d %H:%M} UTC; what happened before is not in it: read the board "
                "through the API (board = ...) for the whole window"
            )

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Refused: a board export is read only; name the board (``board = ...``) in ``[tasks]``."""
        raise ConfigError(
            "a Trello board export cannot receive care tasks; in [tasks] name the board "
            "(board = '<id or short link>') instead of a path",
            location="tasks (trello)",
        )
