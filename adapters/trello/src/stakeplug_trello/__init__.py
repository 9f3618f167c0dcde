"""stakeplug's Trello adapter: what people do on Trello boards, read through the REST API or from
a board export.

Install with ``pip install "stakeplug[trello]"`` and name it in a config::

    [[sources]]
    adapter = "trello"
    board = "joJVJ2KP"                # the board's id or short link
    key_env = "TRELLO_API_KEY"        # the variables' names, never the values
    token_env = "TRELLO_TOKEN"

Care tasks are posted as cards (``[tasks]`` with ``adapter = "trello"``, ``board`` and ``list``).
Or read a board's "Export as JSON" file offline, with no credentials::

    [[sources]]
    adapter = "trello"
    path = "board.json"

It registers through the ``stakeplug.adapters`` entry point like any plugin.
:mod:`stakeplug_trello.testing` holds a fake Trello server for offline tests.
"""

from __future__ import annotations

from stakeplug_trello._adapter import DEFAULT_BASE_URL, PAGE_LIMIT, TrelloAdapter
from stakeplug_trello._board import ACTION_TYPES, Board, Card, board_from_payloads, is_done_name
from stakeplug_trello._export import TrelloExportAdapter, read_export
from stakeplug_trello._limits import KEY_LIMIT, TOKEN_LIMIT, WINDOW_SECONDS, Pacer
from stakeplug_trello._mapping import Translator, mentions

__all__ = [
    "ACTION_TYPES",
    "DEFAULT_BASE_URL",
    "KEY_LIMIT",
    "PAGE_LIMIT",
    "TOKEN_LIMIT",
    "WINDOW_SECONDS",
    "Board",
    "Card",
    "Pacer",
    "Translator",
    "TrelloAdapter",
    "TrelloExportAdapter",
    "board_from_payloads",
    "is_done_name",
    "mentions",
    "read_export",
]
