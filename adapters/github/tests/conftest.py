"""Shared fixtures: a fake GitHub on loopback, a fake clock that never sleeps, adapter builders."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeClock, FakeGitHub

from stakeplug.http import HttpPolicy

DATA = Path(__file__).parent / "data"
TOKEN = "ghp_testtoken0000000000000000000000000001"
START = 1_800_000_000.0
"""The fake wall clock starts here (2027-01-15)."""
EVERYTHING = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def load() -> Callable[[str], Any]:
    """Read a JSON file from the test data folder."""
    return _load


@pytest.fixture
def token() -> str:
    """The token the fake accepts."""
    return TOKEN


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def policy(clock: FakeClock) -> HttpPolicy:
    return HttpPolicy(sleep=clock.sleep, clock=clock, jitter=0.0, read_timeout=10.0)


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=(TOKEN,), clock=clock) as server:
        yield server


@pytest.fixture
def make_adapter(fake: FakeGitHub, policy: HttpPolicy) -> Iterator[Callable[..., GitHubAdapter]]:
    built: list[GitHubAdapter] = []

    def make(env: dict[str, str] | None = None, **config: Any) -> GitHubAdapter:
        config.setdefault("base_url", fake.url)
        adapter = GitHubAdapter.from_config(
            config, env={"GITHUB_TOKEN": TOKEN} if env is None else env, policy=policy
        )
        built.append(adapter)
        return adapter

    yield make
    for adapter in built:
        adapter.close()
