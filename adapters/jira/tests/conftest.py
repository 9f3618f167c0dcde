"""Fixtures: fake Jira servers (Cloud and Server) on loopback ports, and adapters pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira

from stakeplug.http import HttpPolicy

EMAIL = "stakeplug-bot@example.org"
TOKEN = "fake-jira-token-3f9a1c"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Sleeps(list[float]):
    """A policy ``sleep`` that records the waits and never sleeps."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def policy(sleeps: Sleeps) -> HttpPolicy:
    """The default limits, no jitter, a fixed wall clock, and a sleep that only records."""
    return HttpPolicy(jitter=0.0, sleep=sleeps, clock=NOW.timestamp, read_timeout=5.0)


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira(mode="cloud", email=EMAIL, token=TOKEN, clock=lambda: NOW) as fake:
        yield fake


@pytest.fixture
def server() -> Iterator[FakeJira]:
    with FakeJira(mode="server", email=EMAIL, token=TOKEN, clock=lambda: NOW) as fake:
        yield fake


@pytest.fixture(params=["cloud", "server"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    """A fake Jira in each mode: Cloud, then Server/Data Center."""
    with FakeJira(mode=request.param, email=EMAIL, token=TOKEN, clock=lambda: NOW) as jira:
        yield jira


@pytest.fixture
def make_adapter(policy: HttpPolicy) -> Iterator[Callable[..., JiraAdapter]]:
    """Build adapters against a fake through from_config, closing them afterwards."""
    built: list[JiraAdapter] = []

    def make(fake: FakeJira, **options: Any) -> JiraAdapter:
        chosen = options.pop("policy", policy)
        config: dict[str, Any] = {"url": fake.url, "project": "APOLLO", "token_env": "JIRA_TOKEN"}
        env = {"JIRA_TOKEN": options.pop("token", TOKEN)}
        if fake.mode == "cloud":
            config["email_env"] = "JIRA_EMAIL"
            env["JIRA_EMAIL"] = EMAIL
        config.update(options)
        adapter = JiraAdapter.from_config(config, env=env, policy=chosen)
        built.append(adapter)
        return adapter

    yield make
    for adapter in built:
        adapter.close()


@pytest.fixture
def token() -> str:
    """The API token the fakes accept: it must never show in a message or a log."""
    return TOKEN
