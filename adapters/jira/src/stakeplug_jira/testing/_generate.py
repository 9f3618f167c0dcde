"""A generated Jira project of any size, for tests, benchmarks and demos.

The project is deterministic for a given ``seed`` and ``now``: the same
users, issues, comments, assignments, transitions and cross-project links
every time, spread over the ``days`` before ``now``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import attrs

from stakeplug_jira.testing._server import FakeJira

__all__ = ["GeneratedProject", "generate_project"]

_WORDS = (
    "billing export",
    "login page",
    "search index",
    "audit trail",
    "release notes",
    "data import",
    "partner API",
    "onboarding flow",
    "report layout",
    "cache layer",
    "mobile sync",
    "access rights",
)
_STATUSES = ("To Do", "In Progress", "In Review", "Done")


@attrs.frozen
class GeneratedProject:
    """What :func:`generate_project` made."""

    project: str
    partner_project: str
    users: tuple[str, ...]
    """Account ids as the fake's clients see them (user names in Server mode)."""
    issues: tuple[str, ...]
    comments: int
    overflowing: tuple[str, ...]
    """Issues with more comments than the search shows inline."""
    now: datetime


def generate_project(
    fake: FakeJira,
    *,
    project: str = "DEMO",
    issues: int = 100,
    comments: int = 500,
    users: int = 25,
    overflow: int = 0,
    seed: int = 0,
    now: datetime | None = None,
    days: int = 180,
    partner_project: str = "PARTNER",
) -> GeneratedProject:
    """Seed ``fake`` with a project of ``issues`` issues and ``comments`` comments.

    Exactly ``overflow`` issues get more comments than fit inline (the first
    ones, by key); every other issue stays within the inline cap, so request
    counts are predictable.  The comment total is ``comments`` unless the
    overflowing issues alone need more.
    """
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    cap = fake.inline_comments
    accounts: list[str] = []
    for i in range(users):
        account = f"5b10a2844c20165700e{i:05x}"
        fake.state.add_user(account, f"Person {i:03d}", name=f"person{i:03d}")
        accounts.append(account)
    fake.add_project(project, project.title())
    fake.add_project(partner_project, partner_project.title())
    start = now - timedelta(days=days)
    partner_keys = []
    for i in range(max(3, issues // 50)):
        who = rng.choice(accounts)
        partner_keys.append(fake.add_issue(partner_project, f"Partner work {i}", creator=who, created=start))

    per_issue = [0] * issues
    for i in range(min(overflow, issues)):
        per_issue[i] = cap + 5 + i % 7
    remaining = max(0, comments - sum(per_issue))
    room = [i for i in range(issues) if per_issue[i] == 0]
    while remaining > 0 and room:
        i = rng.choice(room)
        per_issue[i] += 1
        remaining -= 1
        if per_issue[i] >= cap:
            room.remove(i)

    keys: list[str] = []
    for n in range(issues):
        created = start + timedelta(minutes=rng.randrange(0, days * 24 * 60 - 60 * 24 * 3))
        creator = rng.choice(accounts)
        due = (created + timedelta(days=rng.randrange(3, 40))).date() if rng.random() < 0.6 else None
        labels = ["status-report"] if n % 25 == 0 else []
        key = fake.add_issue(
            project,
            f"{rng.choice(_WORDS).capitalize()} #{n}",
            creator=creator,
            created=created,
            duedate=due,
            labels=labels,
        )
        keys.append(key)
        span = max(60, int((now - created).total_seconds() // 60) - 1)
        times = sorted(created + timedelta(minutes=rng.randrange(1, span)) for _ in range(per_issue[n] + 6))
        t = iter(times)
        assignee = creator if rng.random() < 0.3 else rng.choice(accounts)
        fake.assign(key, assignee, by=rng.choice([creator, assignee]), at=next(t))
        path = rng.choice(
            [("In Progress",), ("In Progress", "Done"), ("In Progress", "In Review", "Done"), ()]
        )
        for status in path:
            fake.transition(key, status, by=assignee, at=next(t))
        if path and path[-1] == "Done" and rng.random() < 0.1:
            fake.transition(key, "In Progress", by=rng.choice(accounts), at=next(t))
        for _ in range(per_issue[n]):
            author = rng.choice(accounts)
            body = "Looks good to me."
            if rng.random() < 0.3:
                body = f"[~accountid:{rng.choice(accounts)}] could you have a look?"
            fake.comment(key, author, body, at=next(t, now - timedelta(minutes=1)))
        if n % 10 == 3:
            fake.link(
                key,
                rng.choice(partner_keys),
                rng.choice(["Blocks", "Relates"]),
                outward=rng.random() < 0.5,
                by=rng.choice(accounts),
                at=created + timedelta(minutes=1),
            )
    return GeneratedProject(
        project=project,
        partner_project=partner_project,
        users=tuple(fake.user_ref(a) for a in accounts),
        issues=tuple(keys),
        comments=sum(per_issue),
        overflowing=tuple(keys[: min(overflow, issues)]),
        now=now,
    )
