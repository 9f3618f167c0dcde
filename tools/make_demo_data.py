"""Generate the activity files of the bundled demo project (``src/stakeplug/demo/``).

The demo project "Apollo" has three team members and twelve stakeholders who
act in Jira, GitHub and by mail over six months.  Each stakeholder follows a
*profile*: weekly rates of behaviours, one set for the baseline and one for the
recent weeks, chosen so that the audit shows every category of the map, a
partner at risk, a powerful stakeholder reached through an intermediary, an
ambassador with consent, candidates to add to the register, and every care
action.

The output is deterministic (a seeded random generator and fixed dates), so
the committed files can be checked against a fresh run::

    python tools/make_demo_data.py            # rewrite the files
    python tools/make_demo_data.py --check    # exit 1 if they differ
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src" / "stakeplug" / "demo"
UNTIL = datetime(2026, 11, 30, tzinfo=UTC)
"""The demo's fixed "now"; keep in step with ``stakeplug.demo.UNTIL``."""
START = UNTIL - timedelta(days=180)
RECENT = UNTIL - timedelta(days=42)
SEED = 20261130

JIRA_BASE = "https://jira.example.com/browse/"
GITHUB_REPO = "acme-example/apollo"
GITHUB_BASE = f"https://github.example.com/{GITHUB_REPO}"


def jira_id(name: str) -> str:
    """A Jira Cloud style accountId, derived from the name so it never changes."""
    return "5b10" + hashlib.sha256(name.encode()).hexdigest()[:20]


def login(name: str) -> str:
    return name.lower().replace(" ", "-")


def mail(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.org"


TEAM = ["Dana Whitfield", "Sam Carter", "Yuki Tanaka"]


@dataclass
class Person:
    name: str
    tools: tuple[str, ...]
    rates: dict[str, tuple[float, float]] = field(default_factory=dict)
    """behaviour -> (weekly rate in the baseline, weekly rate in the recent weeks)"""
    start_week: int = 0
    once: tuple[tuple[int, str], ...] = ()
    """(week, behaviour) pairs that happen exactly once: for people whose place must not depend on chance"""


PEOPLE = [
    # A partner and ambassador: answers, comments on reports, keeps agreements, invites the team.
    Person(
        "Maria Jensen",
        ("jira", "email"),
        {
            "answer": (1.2, 1.2),
            "report_feedback": (0.6, 0.7),
            "comment": (0.4, 0.5),
            "kept": (0.3, 0.5),
            "mail_reply": (0.4, 0.4),
            "invite": (0.03, 0.2),
        },
    ),
    # A partner at risk: very engaged for months, then nearly silent.
    Person(
        "Tom Okafor",
        ("jira", "github"),
        {
            "answer": (1.5, 0.15),
            "comment": (0.8, 0.1),
            "review": (0.8, 0.1),
            "kept": (0.3, 0.0),
            "ignore": (0.05, 0.5),
        },
    ),
    # High in the hierarchy, reached through Maria; quiet, but positive when heard from.
    Person("Henrik Larsen", ("email",), {"mail_reply": (0.15, 0.15), "mail_ignore": (0.05, 0.0)}),
    # A partner who reviews on request and delivers.
    Person(
        "Priya Raman",
        ("github", "jira"),
        {
            "review": (1.0, 1.3),
            "comment": (0.5, 0.6),
            "kept": (0.3, 0.6),
            "answer": (0.4, 0.5),
        },
    ),
    # An opponent: requests changes unasked, blocks and reopens.
    Person(
        "Lena Fischer",
        ("github", "jira"),
        {
            "changes": (0.9, 1.1),
            "block": (0.15, 0.25),
            "reopen": (0.12, 0.2),
            "answer": (0.2, 0.2),
        },
    ),
    # A silent critic with power: leaves requests unanswered, misses agreements.
    Person(
        "Jonas Becker",
        ("jira", "email"),
        {
            "ignore": (0.5, 0.5),
            "missed": (0.1, 0.1),
            "changes": (0.05, 0.1),
            "mail_ignore": (0.2, 0.2),
        },
    ),
    # A silent supporter: reacts and approves now and then.
    Person("Sofia Alvarez", ("github",), {"react": (0.8, 0.8), "approve": (0.08, 0.1)}),
    # Undecided: approves some changes and pushes back on others.
    Person(
        "Ahmed Karim",
        ("github", "jira"),
        # Whole-number rates: the same mix every week, so the balance does not depend on chance.
        {"approve": (1.0, 1.0), "changes": (1.0, 1.0), "react": (2.0, 2.0)},
    ),
    # A partner on GitHub: raises issues and discusses.
    Person(
        "Grace Liu",
        ("github",),
        {
            "comment": (0.8, 0.9),
            "answer": (0.6, 0.6),
            "create": (0.2, 0.25),
        },
    ),
    # A silent critic without much power: left alone by the planner.
    Person("Ravi Patel", ("jira",), {"ignore": (0.3, 0.3), "missed": (0.05, 0.05)}),
    # A silent supporter by mail.
    Person("Elena Petrova", ("email",), {"mail_reply": (0.12, 0.12)}),
    # New and undecided: a few reactions since joining.
    Person("Marco Rossi", ("github",), {}, once=((20, "react"), (23, "react"))),
]

# Active people the register does not know yet: reported as candidates.
STRANGERS = [
    ("github", "kwame-osei", None, 0.5),
    ("jira", jira_id("Unknown Contractor"), "Unknown Contractor", 0.25),
]
"""Tool, account, the name the tool shows (Jira gives one, GitHub only the login) and how often."""


class World:
    """Items, ids and the activity lists of each tool."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.out: dict[str, list[dict[str, Any]]] = {"jira": [], "github": [], "email": []}
        self.seq = 0
        self.jira_n = 100
        self.pr_n = 200
        self.thread_n = 0
        self.reports: list[tuple[datetime, dict[str, Any]]] = []

    # -- items ----------------------------------------------------------------

    def jira_item(self, title: str, *, labels: tuple[str, ...] = (), kind: str = "task") -> dict[str, Any]:
        self.jira_n += 1
        key = f"APOLLO-{self.jira_n}"
        return {
            "tool": "jira",
            "id": key,
            "url": JIRA_BASE + key,
            "title": title,
            "labels": list(labels),
            "kind": kind,
            "project": "APOLLO",
        }

    def pr(self, title: str) -> dict[str, Any]:
        self.pr_n += 1
        return {
            "tool": "github",
            "id": f"{GITHUB_REPO}#{self.pr_n}",
            "url": f"{GITHUB_BASE}/pull/{self.pr_n}",
            "title": title,
            "labels": [],
            "kind": "pull_request",
            "project": GITHUB_REPO,
        }

    def issue(self, title: str) -> dict[str, Any]:
        self.pr_n += 1
        return {
            "tool": "github",
            "id": f"{GITHUB_REPO}#{self.pr_n}",
            "url": f"{GITHUB_BASE}/issues/{self.pr_n}",
            "title": title,
            "labels": [],
            "kind": "issue",
            "project": GITHUB_REPO,
        }

    def thread(self, subject: str) -> dict[str, Any]:
        self.thread_n += 1
        return {
            "tool": "email",
            "id": f"<apollo-{self.thread_n:04d}@mail.example.org>",
            "url": f"https://lists.example.org/apollo-updates/thread/{self.thread_n:04d}",
            "title": subject,
            "labels": [],
            "kind": "message",
            "project": "apollo-updates",
        }

    # -- activities -----------------------------------------------------------

    def add(self, kind: str, actor: str, item: dict[str, Any], when: datetime, **extra: Any) -> None:
        when = when.replace(microsecond=0)
        if when >= UNTIL:
            return
        self.seq += 1
        record: dict[str, Any] = {
            "id": f"{item['tool']}-{self.seq:05d}",
            "kind": kind,
            "actor": actor,
            "timestamp": when.isoformat(),
            "item": item,
        }
        for key, value in extra.items():
            if isinstance(value, datetime):
                record[key] = value.replace(microsecond=0).isoformat()
            else:
                record[key] = value
        self.out[item["tool"]].append(record)

    def account(self, name: str, tool: str) -> str:
        return {"jira": jira_id, "github": login, "email": mail}[tool](name)

    def later(self, when: datetime, lo_h: float, hi_h: float) -> datetime:
        return when + timedelta(hours=self.rng.uniform(lo_h, hi_h))


TOPICS = [
    "export to the data lake",
    "single sign-on",
    "the billing interface",
    "audit logging",
    "the mobile reports view",
    "role-based access",
    "the migration plan",
    "search filters",
    "invoice templates",
    "the onboarding flow",
    "offline mode",
    "the customer import",
]


def topic(rng: random.Random) -> str:
    return rng.choice(TOPICS)


def behave(w: World, person: Person, behaviour: str, when: datetime) -> None:
    """Emit the activities of one behaviour of ``person`` at about ``when``."""
    rng = w.rng
    team = rng.choice(TEAM)
    tools = person.tools
    tool = next((t for t in tools if t != "email"), "email")
    me = w.account(person.name, tool)
    lead = w.account(team, tool)
    if behaviour in ("answer", "ignore"):
        item = (
            w.jira_item(f"Decide on {topic(rng)}")
            if tool == "jira"
            else w.issue(f"Question about {topic(rng)}")
        )
        w.add("created", lead, item, when - timedelta(hours=2))
        w.add("comment", lead, item, when, addressees=[me])
        if behaviour == "answer":
            w.add("comment", me, item, w.later(when, 1, 40))
    elif behaviour == "comment":
        item = w.jira_item(f"Plan {topic(rng)}") if tool == "jira" else w.issue(f"Improve {topic(rng)}")
        w.add("created", lead, item, when - timedelta(days=1))
        w.add("comment", me, item, when)
    elif behaviour == "create":
        item = w.issue(f"Idea: {topic(rng)}")
        w.add("created", me, item, when)
        w.add("comment", lead, item, w.later(when, 2, 30))
    elif behaviour == "report_feedback":
        if w.reports:
            earlier = [r for t, r in w.reports if t <= when]
            if earlier:
                w.add("comment", me, earlier[-1], when)
    elif behaviour in ("review", "approve", "changes"):
        gh = "github" in tools
        me = w.account(person.name, "github" if gh else "jira")
        lead = w.account(team, "github" if gh else "jira")
        item = w.pr(f"Add {topic(rng)}") if gh else w.jira_item(f"Review {topic(rng)}")
        w.add("created", lead, item, when - timedelta(hours=6))
        if behaviour == "review":
            w.add("request", lead, item, when - timedelta(hours=5), addressees=[me])
            w.add("review", me, item, w.later(when, 0, 30), verdict="approved")
        elif behaviour == "approve":
            w.add("review", me, item, when, verdict="approved")
        else:
            w.add("review", me, item, when, verdict="changes_requested")
    elif behaviour in ("kept", "missed"):
        jira_me = w.account(person.name, "jira") if "jira" in tools else me
        jira_lead = w.account(team, "jira") if "jira" in tools else lead
        item = (
            w.jira_item(f"Input on {topic(rng)}") if "jira" in tools else w.issue(f"Help with {topic(rng)}")
        )
        due = when + timedelta(days=rng.choice([5, 7, 10]))
        w.add("created", jira_lead, item, when - timedelta(hours=1))
        w.add("assigned", jira_lead, item, when, addressees=[jira_me], due=due)
        if behaviour == "kept":
            w.add("transitioned", jira_me, item, w.later(when, 4, 30))
            w.add(
                "completed",
                jira_me,
                item,
                due - timedelta(days=rng.uniform(0.5, 3)),
                addressees=[jira_me],
                due=due,
            )
    elif behaviour == "block":
        item = w.jira_item(f"Roll out {topic(rng)}") if "jira" in tools else w.pr(f"Ship {topic(rng)}")
        jme = w.account(person.name, item["tool"])
        w.add("created", w.account(team, item["tool"]), item, when - timedelta(days=2))
        w.add("linked", jme, item, when, link_type="is blocked by")
    elif behaviour == "reopen":
        item = w.jira_item(f"Fix {topic(rng)}") if "jira" in tools else w.issue(f"Fix {topic(rng)}")
        jme = w.account(person.name, item["tool"])
        jlead = w.account(team, item["tool"])
        w.add("created", jlead, item, when - timedelta(days=4))
        w.add("completed", jlead, item, when - timedelta(days=1))
        w.add("reopened", jme, item, when)
    elif behaviour == "react":
        item = w.pr(f"Polish {topic(rng)}")
        w.add("created", lead, item, when - timedelta(hours=3))
        w.add("reaction", me, item, when, count=1)
    elif behaviour == "invite":
        item = w.jira_item("Apollo rollout in the strategy programme")
        w.add("linked", w.account(person.name, "jira"), item, when, link_type="relates to", external=True)
    elif behaviour in ("mail_reply", "mail_ignore"):
        me = mail(person.name)
        item = w.thread(f"Apollo: {topic(rng)}")
        w.add("comment", mail(team), item, when, addressees=[me])
        if behaviour == "mail_reply":
            w.add("comment", me, item, w.later(when, 2, 60))
    else:
        raise ValueError(behaviour)


def generate() -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(SEED)
    w = World(rng)
    weeks = 26
    first = UNTIL - timedelta(weeks=weeks)
    # Fortnightly status reports, written by the project lead.
    for n in range(weeks // 2):
        when = first + timedelta(weeks=2 * n, hours=9)
        item = w.jira_item(f"Status report {when:%Y-%m-%d}", labels=("status-report",))
        w.add("created", jira_id("Dana Whitfield"), item, when)
        w.reports.append((when, item))
    for week in range(weeks):
        start = first + timedelta(weeks=week)
        recent = start >= RECENT
        for person in PEOPLE:
            if week < person.start_week:
                continue
            for when_week, behaviour in person.once:
                if when_week == week:
                    behave(w, person, behaviour, start + timedelta(hours=rng.uniform(8, 24 * 5)))
            for behaviour, (base, late) in person.rates.items():
                rate = late if recent else base
                n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
                for _ in range(n):
                    when = start + timedelta(hours=rng.uniform(8, 24 * 7 - 40))
                    behave(w, person, behaviour, when)
        for tool, account, shown, rate in STRANGERS:
            if rng.random() < rate:
                when = start + timedelta(hours=rng.uniform(8, 24 * 6))
                item = (
                    w.issue(f"Report: {topic(rng)}")
                    if tool == "github"
                    else w.jira_item(f"Contract work on {topic(rng)}")
                )
                w.add("comment", account, item, when, **({"actor_name": shown} if shown else {}))
    # Team members add each other and the stakeholders' boards: the member_added case.
    item = w.jira_item("Strategy programme board")
    w.add(
        "member_added",
        jira_id("Maria Jensen"),
        item,
        RECENT + timedelta(days=9),
        addressees=[jira_id("Dana Whitfield")],
    )
    for records in w.out.values():
        records.sort(key=lambda r: (r["timestamp"], r["id"]))
    return w.out


HEADER = {
    "jira": "Jira activity of the demo project Apollo (generated by tools/make_demo_data.py)",
    "github": "GitHub activity of the demo project Apollo (generated by tools/make_demo_data.py)",
    "email": "Mail activity of the demo project Apollo (generated by tools/make_demo_data.py)",
}


def render(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = generate()
    differ = []
    for tool, records in data.items():
        path = args.out / f"{tool}.jsonl"
        text = render(records)
        if args.check:
            if not path.exists() or path.read_text("utf-8") != text:
                differ.append(path.name)
        else:
            path.write_text(text, "utf-8")
            print(f"{path}: {len(records)} activities")
    if differ:
        print("out of date: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
