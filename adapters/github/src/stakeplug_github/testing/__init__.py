"""A fake GitHub for offline tests, benchmarks and your own automation.

:class:`FakeGitHub` is a loopback HTTP server that answers the REST
endpoints the adapter uses from in-memory repositories, with GitHub's paging,
``since`` filters, counting ``x-ratelimit-*`` headers and injectable faults::

    from datetime import UTC, datetime

    from stakeplug_github import GitHubAdapter
    from stakeplug_github.testing import FakeGitHub

    with FakeGitHub() as fake:
        fake.generate("octo-org/demo", issues=100, prs=50)  # 2026-08-03 .. 2026-11-01
        adapter = GitHubAdapter.from_config(
            {"repo": "octo-org/demo", "base_url": fake.url},
            env={"GITHUB_TOKEN": "test-token"},
        )
        activities = list(adapter.collect(datetime(2026, 8, 1, tzinfo=UTC), datetime.now(UTC)))
        print(fake.stats()["requests"])

Tests that exercise rate limits pass one :class:`FakeClock` to the fake
(``clock=``) and to the adapter's :class:`~stakeplug.http.HttpPolicy`
(``clock=`` and ``sleep=clock.sleep``): waits then move the clock instead of
sleeping.

From a shell, ``python -m stakeplug_github.testing --port 8081 --issues 1000
--prs 1000`` serves a generated repository and prints its URL.
"""

from __future__ import annotations

from stakeplug_github.testing._clock import FakeClock
from stakeplug_github.testing._generate import generate_repo, user_logins
from stakeplug_github.testing._server import PRIMARY_MESSAGE, SECONDARY_MESSAGE, FakeGitHub
from stakeplug_github.testing._state import (
    GHOST,
    FakeComment,
    FakeEvent,
    FakeIssue,
    FakeRepo,
    FakeReview,
    FakeReviewComment,
)

__all__ = [
    "GHOST",
    "PRIMARY_MESSAGE",
    "SECONDARY_MESSAGE",
    "FakeClock",
    "FakeComment",
    "FakeEvent",
    "FakeGitHub",
    "FakeIssue",
    "FakeRepo",
    "FakeReview",
    "FakeReviewComment",
    "generate_repo",
    "user_logins",
]
