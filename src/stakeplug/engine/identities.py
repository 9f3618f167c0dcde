"""Who an account is: a stakeholder as one tool knows them, a team member, or someone to add.

Lookups go through the register once per tool and account and are cached; the
hot loop reads the caches directly (see :meth:`Identities.tool`).  Accounts the
register does not know are counted as candidates.
"""

from __future__ import annotations

from datetime import datetime

from stakeplug.domain.model import Activity, Item, ItemKind
from stakeplug.domain.register import Register
from stakeplug.engine.ledger import PendingRequest, Person

TEAM = object()
"""Marks a team member's account in the identity cache."""
MISSING = object()
"""What a cache look-up returns for an account not looked up yet."""

_REPORT_CACHE_LIMIT = 50_000


class Handle:
    """A stakeholder as one tool knows them: their requests pending there, by item id.

    It holds the person's logs (and act log, with its weights) too, for the hot loop.
    """

    __slots__ = ("act_log", "act_weights", "index", "lapsed", "logs", "pending", "person", "tool")

    def __init__(self, person: Person, tool: str):
        self.person = person
        self.index = person.index
        self.logs = person.logs
        self.act_log = person.act_log
        self.act_weights = person.act_weights
        self.lapsed = person.lapsed
        self.tool = tool
        self.pending: dict[str, PendingRequest] = {}


Who = Handle | object | None
"""A resolved account: a stakeholder's :class:`Handle`, :data:`TEAM`, or ``None`` (unknown)."""


class Identities:
    """The identity and status-report caches per tool, and the candidates seen so far."""

    def __init__(self, register: Register, people: list[Person]):
        self.register = register
        self.by_name = {p.stakeholder.name: p for p in people}
        self.report_labels = {label.casefold() for label in register.project.status_report_labels}
        self.report_titles = tuple(t.casefold() for t in register.project.status_report_titles)
        self.accounts: dict[str, dict[str | None, Who]] = {}
        """Per tool: raw account -> who it is."""
        self.reports: dict[str, dict[str, bool]] = {}
        """Per tool: item id -> whether it is a status report."""
        self.handles: dict[tuple[str, int], Handle] = {}
        self.candidates: dict[tuple[str, str], tuple[int, datetime, str | None]] = {}
        """Per (tool, account) outside the register: activities, the latest time seen, the display name."""

    def tool(self, tool: str) -> tuple[dict[str | None, Who], dict[str, bool]]:
        """The identity and status-report caches of one tool."""
        accounts = self.accounts.get(tool)
        if accounts is None:
            accounts = self.accounts[tool] = {None: None}
            self.reports[tool] = {}
        return accounts, self.reports[tool]

    def resolve(self, tool: str, account: str | None) -> Who:
        """Who an account is: a stakeholder's handle in ``tool``, ``TEAM``, or ``None`` (unknown)."""
        accounts, _ = self.tool(tool)
        cached = accounts.get(account, MISSING)
        if cached is not MISSING or account is None:
            return cached
        hit = self.register.lookup(tool, account)
        result: Who
        if hit is None:
            result = None
        elif hit[0] == "team":
            result = TEAM
        else:
            person = self.by_name[hit[1]]
            result = self.handles.get((tool, person.index))
            if result is None:
                result = self.handles[(tool, person.index)] = Handle(person, tool)
        accounts[account] = result
        return result

    def report_flag(self, item: Item, cache: dict[str, bool]) -> bool:
        """Whether ``item`` is a status report (by kind, label or title); cached per item."""
        flag = item.kind is ItemKind.STATUS_REPORT or any(
            label.casefold() in self.report_labels for label in item.labels
        )
        if not flag and self.report_titles and item.title:
            title = item.title.casefold()
            flag = any(t in title for t in self.report_titles)
        if len(cache) > _REPORT_CACHE_LIMIT:
            cache.clear()
        cache[item.id] = flag
        return flag

    def count_candidate(self, activity: Activity, tool: str) -> None:
        """Count an activity of someone outside the register."""
        account = activity.actor
        if account is None:
            return
        key = (tool, account)
        seen = self.candidates.get(key)
        if seen is None:
            self.candidates[key] = (1, activity.timestamp, activity.actor_name)
        else:
            name = activity.actor_name or seen[2]
            self.candidates[key] = (seen[0] + 1, max(seen[1], activity.timestamp), name)
