"""Shared fixtures: the reference payloads and a builder for export files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from stakeplug_trello import TrelloAdapter
from stakeplug_trello.testing import FAKE_ENV, FakeClock, FakeTrello, TrelloState, World, example_board

from stakeplug.http import HttpPolicy

DATA = Path(__file__).parent / "data"
GOCD = DATA / "gocd-board-export-subset.json"
"""A real board export: 269 actions on 66 cards, 11 members, a "Done" list."""


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def load() -> Callable[[str], Any]:
    """Read a JSON file of the test data folder."""
    return _load


@pytest.fixture
def gocd() -> dict[str, Any]:
    """The gocd board export, parsed (a fresh copy for each test)."""
    data: dict[str, Any] = _load(GOCD.name)
    return data


@pytest.fixture
def write_export(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a board export (any JSON value) to a file and return its path."""

    def write(data: Any, name: str = "board.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write


# -- the fake Trello ----------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """A clock shared by the adapter's HTTP policy and the fake's rate limits; it never sleeps."""
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> HttpPolicy:
    return HttpPolicy(sleep=clock.sleep, clock=clock, jitter=0.0, read_timeout=10.0)


@pytest.fixture
def state() -> TrelloState:
    return TrelloState(seed=7)


@pytest.fixture
def fake(state: TrelloState, clock: FakeClock) -> Iterator[FakeTrello]:
    with FakeTrello(state, clock=clock) as server:
        yield server


@pytest.fixture
def make_adapter(fake: FakeTrello, policy: HttpPolicy) -> Iterator[Callable[..., Any]]:
    """Build a TrelloAdapter against the fake (credentials from ENV unless ``env`` is given)."""
    built: list[Any] = []

    def make(env: dict[str, str] | None = None, **config: Any) -> Any:
        config.setdefault("base_url", fake.url)
        adapter = TrelloAdapter.from_config(config, env=FAKE_ENV if env is None else env, policy=policy)
        built.append(adapter)
        return adapter

    yield make
    for adapter in built:
        adapter.close()


@pytest.fixture
def world(state: TrelloState) -> World:
    """The example board on the fake's state."""
    return example_board(state)
