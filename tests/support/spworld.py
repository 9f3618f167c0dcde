"""A small world for engine and planner tests: one team member, a few stakeholders, a clock.

Tests build activity streams by hand with :meth:`World.act` and audit them with
the real engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from stakeplug import Activity, Audit, Item, audit, load_rules
from stakeplug.config.register import register_from_mapping
from stakeplug.domain.register import Register

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)


def make_register(stakeholders: Iterable[Mapping[str, Any]] | None = None, **project: Any) -> Register:
    """A register with team member Tess and, by default, stakeholders Sam and Alex."""
    people = list(
        stakeholders
        if stakeholders is not None
        else [
            {"name": "Sam", "owner": "Tess", "power": 3, "interest": 3, "identities": {"jira": "sam"}},
            {"name": "Alex", "owner": "Tess", "power": 3, "interest": 3, "identities": {"jira": "alex"}},
        ]
    )
    return register_from_mapping(
        {
            "project": {"name": "Apollo", "lookback_days": 180, **project},
            "team": [
                {"name": "Tess", "identities": {"jira": "tess"}},
                {"name": "Uma", "identities": {"jira": "uma"}},
            ],
            "stakeholders": people,
        }
    )


class World:
    """Collects hand-built activities and audits them."""

    def __init__(self, register: Register | None = None, until: datetime = UNTIL):
        self.register = register or make_register()
        self.until = until
        self.activities: list[Activity] = []

    def at(self, days_ago: float, hours: float = 0.0) -> datetime:
        return self.until - timedelta(days=days_ago) + timedelta(hours=hours)

    @staticmethod
    def item(key: str = "AP-1", **kwargs: Any) -> Item:
        kwargs.setdefault("url", f"https://jira.example.org/browse/{key}")
        kwargs.setdefault("project", "AP")
        return Item(tool="jira", id=key, **kwargs)

    def act(
        self, kind: str, actor: str | None, item: Item | str, days_ago: float, hours: float = 0.0, **kw: Any
    ) -> Activity:
        if isinstance(item, str):
            item = self.item(item)
        activity = Activity(kind=kind, actor=actor, item=item, timestamp=self.at(days_ago, hours), **kw)
        self.activities.append(activity)
        return activity

    def audit(self, rules: Mapping[str, Any] | None = None, **kwargs: Any) -> Audit:
        ordered = sorted(self.activities, key=lambda a: a.timestamp)
        return audit(
            self.register,
            [ordered],
            until=self.until,
            rules=load_rules(overrides=rules) if rules else None,
            **kwargs,
        )

    def signals(self, name: str = "Sam", **kwargs: Any) -> dict[str, int]:
        return dict(self.audit(**kwargs).score(name).signal_counts)
