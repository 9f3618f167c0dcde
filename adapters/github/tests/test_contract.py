"""The GitHub adapter passes stakeplug's conformance kit against the fake GitHub."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub

from stakeplug.testing import AdapterContract, ContractSubject


class TestGitHubContract(AdapterContract):
    @pytest.fixture
    def contract_subject(
        self, fake: FakeGitHub, make_adapter: Callable[..., GitHubAdapter], token: str
    ) -> ContractSubject:
        t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        fake.generate(
            "acme/contract",
            issues=12,
            prs=8,
            start=t0,
            end=t0 + timedelta(days=20),
            seed=4,
            collaborators=(),
        )
        wrong = "ghp_wrongtoken00000000000000000000000000"
        return ContractSubject(
            adapter=make_adapter(repo="acme/contract"),
            since=t0 + timedelta(days=3),
            until=t0 + timedelta(days=15),
            make_failing=lambda: make_adapter(env={"GITHUB_TOKEN": wrong}, repo="acme/contract"),
            secrets=(token, wrong),
        )
