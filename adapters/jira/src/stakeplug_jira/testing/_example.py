"""A small example project in which every kind of Jira activity happens.

Used by the tests, the nightly example and anyone who wants a readable world
rather than a generated one: Maria (a stakeholder) creates an issue, Dana
(the team) assigns it to her and asks her a question in a comment, Maria
answers, works on it and completes it, Ole reopens it; Ole picks up and drops
a status report and links it to a partner project's issue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from stakeplug_jira.testing._server import FakeJira

__all__ = ["DANA", "MARIA", "OLE", "at", "seed_example"]

MARIA = "5b10a2844c20165700ede21g"
DANA = "5b10ac8d82e05b22cc7d4ef5"
OLE = "5b109f2e9729b51b54dc274d"


def at(day: int, hour: int = 9) -> datetime:
    """A moment in November 2026, the month the example happens in."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def seed_example(fake: FakeJira, *, project: str = "APOLLO") -> dict[str, str]:
    """Fill ``fake`` with the example; return the ids clients see for ``maria``, ``dana``, ``ole``.

    On Cloud those are account ids, on Server the user names ``mjensen``,
    ``dwhitfield`` and ``obrandt``.
    """
    fake.add_user(MARIA, "Maria Jensen", name="mjensen")
    fake.add_user(DANA, "Dana Whitfield", name="dwhitfield")
    fake.add_user(OLE, "Ole Brandt", name="obrandt")
    fake.add_project(project, project.title())
    fake.add_project("PARTNER", "Partner programme")
    partner = fake.add_issue("PARTNER", "Partner rollout", creator=OLE, created=at(1))
    one = fake.add_issue(
        project, "Export the audit trail", creator=MARIA, created=at(2), duedate=date(2026, 11, 20)
    )
    fake.assign(one, MARIA, by=DANA, at=at(3))
    fake.comment(one, DANA, f"[~accountid:{MARIA}] could you check the export format?", at=at(4))
    fake.comment(one, MARIA, "Checked, it works for us.", at=at(5))
    fake.transition(one, "In Progress", by=MARIA, at=at(6))
    fake.transition(one, "Done", by=MARIA, at=at(7))
    fake.transition(one, "In Progress", by=OLE, at=at(8))
    two = fake.add_issue(
        project, "Status report November", creator=DANA, created=at(9), labels=["status-report"]
    )
    fake.assign(two, OLE, by=OLE, at=at(10))
    fake.assign(two, None, by=OLE, at=at(11))
    fake.link(two, partner, "Blocks", outward=True, by=OLE, at=at(12))
    fake.link(one, two, "Relates")
    return {"maria": fake.user_ref(MARIA), "dana": fake.user_ref(DANA), "ole": fake.user_ref(OLE)}
