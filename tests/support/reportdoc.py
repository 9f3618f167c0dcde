"""A report document written by hand, for tests of the renderers: every number is known.

The renderers only format the report dict, so a hand-written one pins their
output exactly (golden tests) without depending on how the engine scores.
"""

from __future__ import annotations

import copy
from typing import Any


def _person(name: str, category: str, acceptance: float, energy: float, **more: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "name": name,
        "role": None,
        "owner": "Dana",
        "power": 3,
        "interest": 3,
        "category": category,
        "acceptance": acceptance,
        "energy": energy,
        "recent_energy": energy,
        "baseline_energy": energy,
        "trend": "steady",
        "priority": 9,
        "at_risk": False,
        "reachable_via": None,
        "ambassador_consent": False,
        "signal_counts": {},
        "evidence": [],
    }
    person.update(more)
    person["priority"] = person["power"] * person["interest"]
    return person


_STAKEHOLDERS = [
    _person("Lena", "opponent", -1.8, 4.2, role="Works council", power=4, interest=5),
    _person(
        "Maria",
        "partner",
        2.95,
        3.9,
        role="Sponsor",
        power=5,
        interest=4,
        at_risk=True,
        recent_energy=1.84,
        baseline_energy=4.1,
        trend="falling",
        weekly_activity=[6, 7, 5, 6, 6, 2, 1, 0],
        recent_rate=1.0,
        baseline_rate=6.0,
        rate_ratio=0.17,
        evidence=[
            {
                "signal": "answers_messages",
                "resistance": False,
                "timestamp": "2026-05-20T10:00:00Z",
                "weight": 0.93,
                "note": "answered within 3 hours",
                "links": ["https://git.example.com/acme/apollo/issues/7"],
            }
        ],
        history=[
            {
                "label": "previous run",
                "generated_at": "2026-05-25T00:00:00Z",
                "acceptance": 2.6,
                "energy": 4.0,
                "category": "partner",
            }
        ],
    ),
    _person("山田 太郎", "silent_supporter", 1.25, 1.6, power=2, interest=2),
    _person("=HYPERLINK(1)", "undecided", 0.0, 2.0, owner=None, power=1, interest=4),
    _person("Omar", "silent_critic", -0.85, 1.2, power=2, interest=1),
    _person("Ines", "partner", 2.0, 4.5, power=3, interest=5, trend="rising"),
]


def _suggestion(stakeholder: str, action: str, status: str, task: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "action": action,
        "stakeholder": stakeholder,
        "owner": "Dana",
        "via": None,
        "title": f"{action.replace('_', ' ').capitalize()} for {stakeholder}",
        "wording": "A short, neutral task text.",
        "why": f"{stakeholder} needs it.\nSee the evidence.",
        "links": ["https://git.example.com/acme/apollo/issues/7"],
        "due": "2026-06-08T00:00:00Z",
        "priority": 20,
        "period": "2026-W23/14d",
        "fingerprint": f"fp{len(stakeholder):02d}{action[:6]}",
        "status": status,
        "task": task,
    }


_REPORT: dict[str, Any] = {
    "schema_version": "1",
    "generator": "stakeplug 0.0.0",
    "generated_at": "2026-06-01T00:00:00Z",
    "project": {"name": "Apollo <beta>"},
    "window": {"since": "2026-01-02T00:00:00Z", "until": "2026-06-01T00:00:00Z"},
    "partial": True,
    "activities_seen": 1,
    "sources": [
        {
            "name": "github",
            "adapter": "github",
            "status": "ok",
            "error": None,
            "requests": 12,
            "items": 40,
            "activities": 1,
            "skipped": 0,
            "skipped_reasons": [],
        },
        {
            "name": "jira",
            "adapter": "jira",
            "status": "partial",
            "error": "rate limited after 3 pages",
            "requests": 3,
            "items": 150,
            "activities": 0,
            "skipped": 2,
            "skipped_reasons": ["changelog overflow"],
        },
    ],
    "warnings": [],
    "stakeholders": _STAKEHOLDERS,
    "partners_at_risk": ["Maria"],
    "posting": {"mode": "post", "target": "jira", "error": None},
    "suggestions": [
        _suggestion(
            "Maria",
            "risk_briefing",
            "created",
            {"id": "AP-101", "url": "https://jira.example.com/browse/AP-101", "open": True},
        ),
        _suggestion(
            "Ines",
            "status_update",
            "exists",
            {"id": "AP-90", "url": "https://jira.example.com/browse/AP-90", "open": True},
        ),
        _suggestion("Lena", "listen_to_concerns", "failed", None),
    ],
    "candidates": [
        {"tool": "gh", "account": "stranger", "activities": 1, "last_seen": "2026-05-30T00:00:00Z"}
    ],
    "previous": {"generated_at": "2026-05-25T00:00:00Z", "window": None},
    "changes": [
        {
            "stakeholder": "Maria",
            "from": "partner",
            "to": "partner",
            "at_risk_before": False,
            "at_risk_now": True,
        }
    ],
    "map": {"accept_above": 0.5, "reject_below": -0.5, "high_energy": 3.0},
}


def sample_report() -> dict[str, Any]:
    """A fresh copy of the hand-written report: six stakeholders, one partner at risk, a partial source."""
    return copy.deepcopy(_REPORT)


_FIRST = ("Ana", "Bartholomew", "Chen", "Dagny", "Emmanuel", "Fatima", "Gunnhild", "Hiro", "Isabella")
_LAST = ("Ng", "Oyelaran-Whitfield", "Park", "Quintero", "Rasmussen")


def crowded_report(
    count: int = 26, *, acceptance: float = 1.8, energy: float = 3.9, category: str = "partner"
) -> dict[str, Any]:
    """The sample report with ``count`` stakeholders at nearly one spot of the map (0.02 apart at most).

    Names differ in length (short, long, hyphenated); powers cycle 1 … 5; every seventh is a partner
    at risk, ringed and drawn at a lower recent energy.
    """
    report = sample_report()
    people = []
    for i in range(count):
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[i % len(_LAST)]}"
        at_risk = category == "partner" and i % 7 == 3
        people.append(
            _person(
                name if i < len(_FIRST) * len(_LAST) else f"{name} {i}",
                category,
                acceptance + (i % 3) * 0.01,
                energy - (i % 2) * 0.02,
                power=1 + i % 5,
                interest=1 + (i * 2) % 5,
                at_risk=at_risk,
                recent_energy=energy - 0.02 if at_risk else energy,
                baseline_energy=energy + 0.6 if at_risk else energy,
            )
        )
    report["stakeholders"] = people
    report["partners_at_risk"] = [p["name"] for p in people if p["at_risk"]]
    report["suggestions"], report["changes"] = [], []
    return report


def demo_report() -> dict[str, Any]:
    """The report the bundled demo project gives (as ``stakeplug demo`` builds it), in process."""
    import stakeplug
    from stakeplug import demo
    from stakeplug.reports import build_report

    with demo.config_path() as path:
        config = stakeplug.load_config(path)
        result = stakeplug.audit(
            config.register, config.build_sources(), until=demo.UNTIL, rules=config.load_rules()
        )
    return build_report(result, stakeplug.plan_care(result, now=demo.UNTIL), generated_at=demo.UNTIL)
