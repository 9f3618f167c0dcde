"""Shared fixtures: the reference payloads and a builder for export files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
