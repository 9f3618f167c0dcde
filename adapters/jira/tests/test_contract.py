"""The Jira adapter passes the stakeplug conformance kit, on Jira Cloud and on Server/Data Center."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, seed_example

from stakeplug.http import HttpPolicy
from stakeplug.testing import AdapterContract, ContractSubject

EMAIL = "stakeplug-bot@example.org"
TOKEN = "contract-token-5d2e7b"


def _subject(fake: FakeJira) -> ContractSubject:
    seed_example(fake)
    policy = HttpPolicy(jitter=0.0, sleep=lambda _s: None)

    def build(token: str) -> JiraAdapter:
        config = {"url": fake.url, "project": "APOLLO", "token_env": "JIRA_TOKEN"}
        env = {"JIRA_TOKEN": token}
        if fake.mode == "cloud":
            config["email_env"] = "JIRA_EMAIL"
            env["JIRA_EMAIL"] = EMAIL
        return JiraAdapter.from_config(config, env=env, policy=policy)

    return ContractSubject(
        adapter=build(TOKEN),
        since=datetime(2026, 11, 1, tzinfo=UTC),
        until=datetime(2026, 12, 1, tzinfo=UTC),
        make_failing=lambda: build("not-the-token"),
        secrets=(TOKEN,),
    )


class TestJiraCloudContract(AdapterContract):
    @pytest.fixture
    def contract_subject(self) -> Iterator[ContractSubject]:
        with FakeJira(mode="cloud", email=EMAIL, token=TOKEN) as fake:
            yield _subject(fake)


class TestJiraServerContract(AdapterContract):
    @pytest.fixture
    def contract_subject(self) -> Iterator[ContractSubject]:
        with FakeJira(mode="server", email=EMAIL, token=TOKEN) as fake:
            yield _subject(fake)
