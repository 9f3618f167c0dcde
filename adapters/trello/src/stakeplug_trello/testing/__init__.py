"""A fake Trello for offline tests: :class:`FakeTrello` on loopback, its state, and a board generator.

::

    from stakeplug_trello import TrelloAdapter
    from stakeplug_trello.testing import FAKE_KEY, FAKE_TOKEN, FakeTrello, TrelloState, generate_board

    state = TrelloState(seed=1)
    board = generate_board(state, cards=200, actions=5000)
    with FakeTrello(state) as fake:
        adapter = TrelloAdapter.from_config(
            {"board": board["shortLink"], "base_url": fake.url},
            env={"TRELLO_API_KEY": FAKE_KEY, "TRELLO_TOKEN": FAKE_TOKEN},
        )
        ...
        fake.fail(429, path="/actions", body={"error": "API_KEY_LIMIT_EXCEEDED", "message": "..."})
        fake.use_up("token")                # the token's budget spent by another program
        assert fake.stats()["requests"] == 54

From a shell, ``python -m stakeplug_trello.testing --port 8082 --cards 2000 --actions 50000``
serves a generated board and prints its URL and credentials; ``--export board.json`` writes
the same board as a Trello board export.
"""

from __future__ import annotations

from stakeplug_trello.testing._clock import FakeClock
from stakeplug_trello.testing._example import EXAMPLE_START, World, example_board
from stakeplug_trello.testing._generate import GENERATED_END, GENERATED_START, generate_board
from stakeplug_trello.testing._limits import KEY_BODY, TOKEN_BODY, Limits
from stakeplug_trello.testing._server import FAKE_ENV, FAKE_KEY, FAKE_TOKEN, FakeTrello
from stakeplug_trello.testing._state import TrelloState, trello_time

__all__ = [
    "EXAMPLE_START",
    "FAKE_ENV",
    "FAKE_KEY",
    "FAKE_TOKEN",
    "GENERATED_END",
    "GENERATED_START",
    "KEY_BODY",
    "TOKEN_BODY",
    "FakeClock",
    "FakeTrello",
    "Limits",
    "TrelloState",
    "World",
    "example_board",
    "generate_board",
    "trello_time",
]
