"""What the fake Jira's parts know of the fake: its mode, address, clock, settings and state.

:class:`~stakeplug_jira.testing._payloads.JiraShapes`,
:class:`~stakeplug_jira.testing._api.JiraApi` and
:class:`~stakeplug_jira.testing._writes.JiraWrites` are handed the
:class:`~stakeplug_jira.testing.FakeJira` they serve, but see it only as a
:class:`FakeSite`, so none of them imports the server that builds them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from stakeplug_jira.testing._state import State

__all__ = ["FakeSite"]


class FakeSite(Protocol):
    """The fake Jira as its payloads, endpoints and writes read it; settings may change between requests."""

    BOT: str
    """The account id of the authenticated automation user."""

    @property
    def url(self) -> str:
        """The base URL clients use."""

    @property
    def mode(self) -> str:
        """``"cloud"`` or ``"server"``."""

    @property
    def clock(self) -> Callable[[], datetime]:
        """The fake's wall clock: what "now" is for relative JQL dates and new records."""

    @property
    def state(self) -> State:
        """The projects, users and issues."""

    @property
    def page_cap(self) -> int:
        """The most results one page holds, whatever the client asks."""

    @property
    def search_lag(self) -> int:
        """On Cloud, how many searches a new issue stays unindexed."""

    @property
    def inline_comments(self) -> int:
        """Comments an issue carries inline in a search answer."""

    @property
    def inline_histories(self) -> int:
        """Changelog entries an issue carries inline in a search answer."""

    @property
    def announce_deployment(self) -> bool:
        """Whether ``serverInfo`` names the deployment type."""

    def user_ref(self, account_id: str) -> str:
        """The id under which clients see ``account_id``: itself on Cloud, the user name on Server."""
        ...
