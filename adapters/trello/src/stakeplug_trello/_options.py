"""The options of a ``trello`` source or tasks table, read once for the API and the export alike.

One table serves both ways of reading a board: ``board``/``boards`` through the
REST API (:class:`~stakeplug_trello.TrelloAdapter`), or ``path`` to a board
export (:class:`~stakeplug_trello.TrelloExportAdapter`).  The label and list
settings mean the same in both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stakeplug import Option
from stakeplug.errors import ConfigError
from stakeplug_trello._board import DEFAULT_INPUT_LABELS, DEFAULT_STATUS_LABELS
from stakeplug_trello._limits import TOKEN_LIMIT
from stakeplug_trello._tasks import DEFAULT_TASK_LIST

__all__ = ["DEFAULT_BASE_URL", "OPTIONS", "board_settings"]

DEFAULT_BASE_URL = "https://api.trello.com/1"

OPTIONS: Mapping[str, Option] = {
    "board": Option(str, help="the board's id or short link (trello.com/b/<short link>/...)"),
    "boards": Option(list, help="several boards to read, each an id or short link"),
    "path": Option(str, help="a Trello board export (Export as JSON) to read offline instead"),
    "key_env": Option(str, default="TRELLO_API_KEY", help="the environment variable that holds the API key"),
    "token_env": Option(str, default="TRELLO_TOKEN", help="the environment variable that holds the token"),
    "base_url": Option(str, default=DEFAULT_BASE_URL, help="the API root (a fake Trello in tests)"),
    "done_lists": Option(list, help='names of the lists that mean done (default: lists named like "Done")'),
    "status_labels": Option(
        list, default=list(DEFAULT_STATUS_LABELS), help="labels that mark a card as a status report"
    ),
    "input_labels": Option(
        list, default=list(DEFAULT_INPUT_LABELS), help="labels that mark a card as a request for input"
    ),
    "list": Option(
        str, default=DEFAULT_TASK_LIST, help="the list that receives care tasks (created if missing)"
    ),
    "allow_public": Option(bool, default=False, help="allow posting care tasks to a public board"),
    "requests_per_10s": Option(
        int, default=90, help=f"the pace of requests, at most {TOKEN_LIMIT} (Trello's per-token limit)"
    ),
}
"""Every key a ``trello`` table may hold."""


def board_settings(opts: Mapping[str, Any], bad: Callable[[str], ConfigError]) -> dict[str, Any]:
    """``done_lists``, ``status_labels`` and ``input_labels`` of parsed options, each checked."""
    return {
        "done_lists": _strings(opts, "done_lists", bad),
        "status_labels": _strings(opts, "status_labels", bad) or (),
        "input_labels": _strings(opts, "input_labels", bad) or (),
    }


def _strings(opts: Mapping[str, Any], key: str, bad: Callable[[str], ConfigError]) -> tuple[str, ...] | None:
    value = opts[key]
    if value is None:
        return None
    if not all(isinstance(x, str) and x for x in value):
        raise bad(f"{key}: must be a list of non-empty strings")
    return tuple(value)
