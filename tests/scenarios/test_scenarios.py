"""A practitioner's scenarios: small registers and activity streams with the reading one would expect.

Each ``*.toml`` file in this folder is one scenario (the format is in README.md
here).  The stream is written to a JSON Lines file and read by the real
``file`` source; the real ``audit()`` and ``plan_care()`` run over it; the test
compares the map and the care tasks with what the scenario expects.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stakeplug import Audit, CareSuggestion, audit, fingerprint, load_rules, plan_care
from stakeplug.adapter import TaskRef
from stakeplug.app.identities import identity_warnings
from stakeplug.config.register import register_from_mapping
from stakeplug.sources.file import FileAdapter

HERE = Path(__file__).parent
SCENARIOS = sorted(HERE.glob("*.toml"))
DEFAULT_UNTIL = "2026-06-01T00:00:00Z"
_KNOWN_KEYS = frozenset(
    {
        "description",
        "until",
        "now",
        "rules",
        "register",
        "activities",
        "repeat",
        "history",
        "expect",
        "tasks",
        "identities",
    }
)
_TASK_FIELDS = frozenset({"action", "owner", "via", "stakeholder", "title", "why"})
_IDENTITY_KEYS = frozenset({"warnings", "no_warnings", "candidates"})


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _repeated_lines(block: Mapping[str, Any], number: int) -> list[str]:
    """The JSON Lines of one ``[[repeat]]`` block: its line on every ``every_days`` from ``from`` to ``to``."""
    first, last = _day(block["from"]), _day(block["to"])
    step = timedelta(days=float(block.get("every_days", 7)))
    hour = str(block.get("at", "10:00"))
    lines: list[str] = []
    when = datetime.combine(first, datetime.strptime(hour, "%H:%M").time(), UTC)
    n = 0
    while when.date() <= last:
        text = str(block["line"]).replace("{n}", str(n)).replace("{date}", when.date().isoformat())
        line = json.loads(text)
        line.setdefault("timestamp", when.isoformat().replace("+00:00", "Z"))
        line.setdefault("id", f"repeat{number}-{n}")
        lines.append(json.dumps(line))
        when += step
        n += 1
    return lines


def stream_lines(scenario: Mapping[str, Any]) -> list[str]:
    """The scenario's activities as JSON Lines: the written lines, then the repeated ones."""
    lines = [line for line in str(scenario.get("activities", "")).splitlines() if line.strip()]
    for number, block in enumerate(scenario.get("repeat", [])):
        lines.extend(_repeated_lines(block, number))
    return lines


def _history(scenario: Mapping[str, Any], result: Audit) -> list[TaskRef]:
    """The ``[[history]]`` tasks as the tracker would list them, each with the planner's fingerprint."""
    refs = []
    for n, task in enumerate(scenario.get("history", [])):
        rule = result.rules.care[task["action"]]
        created = _when(str(task["created"]))
        period = (created.date() - result.rules.epoch).days // rule.cadence_days
        fp = fingerprint(result.project.name, task["stakeholder"], task["action"], period, rule.cadence_days)
        refs.append(
            TaskRef(fingerprint=fp, id=f"TASK-{n}", open=bool(task.get("open", False)), created=created)
        )
    return refs


def run_scenario(path: Path, tmp: Path) -> tuple[Audit, list[CareSuggestion]]:
    """Audit and plan one scenario file through the file source."""
    scenario = tomllib.loads(path.read_text("utf-8"))
    unknown = set(scenario) - _KNOWN_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    register = register_from_mapping(scenario["register"])
    stream = tmp / "activities.jsonl"
    stream.write_text("\n".join(stream_lines(scenario)) + "\n", "utf-8")
    source = FileAdapter(stream, tool="jira")
    rules = load_rules(overrides=scenario["rules"]) if "rules" in scenario else None
    until = _when(scenario.get("until", DEFAULT_UNTIL))
    result = audit(register, [("stream", source)], until=until, rules=rules)
    assert source.stats.skipped == 0, f"{path.name}: unreadable lines {source.stats.skipped_reasons}"
    now = _when(scenario["now"]) if "now" in scenario else until
    return result, plan_care(result, now=now, history=_history(scenario, result))


def _matches(task: CareSuggestion, wanted: Mapping[str, Any]) -> bool:
    unknown = set(wanted) - _TASK_FIELDS
    assert not unknown, f"unknown task fields {sorted(unknown)}"
    if "why" in wanted and wanted["why"] not in task.explanation:
        return False
    actual = {
        "action": str(task.action),
        "owner": task.owner,
        "via": task.via,
        "stakeholder": task.stakeholder,
        "title": task.title,
    }
    return all(actual[key] == value for key, value in wanted.items() if key != "why")


def _check_tasks(
    where: str, tasks: Sequence[CareSuggestion], must: Sequence[Mapping[str, Any]], must_not: Sequence[Any]
) -> list[str]:
    problems = []
    for wanted in must:
        if not any(_matches(t, wanted) for t in tasks):
            problems.append(f"{where}: expected a task {dict(wanted)}")
    for unwanted in must_not:
        pattern = {"action": unwanted} if isinstance(unwanted, str) else unwanted
        for t in tasks:
            if _matches(t, pattern):
                problems.append(f"{where}: unexpected task {t.action} (owner {t.owner}, via {t.via})")
    return problems


def _check_person(result: Audit, tasks: Sequence[CareSuggestion], expect: Mapping[str, Any]) -> list[str]:
    name = expect["stakeholder"]
    score = result.score(name)
    problems = []
    if "category" in expect and str(score.category) != expect["category"]:
        problems.append(f"{name}: category {score.category}, expected {expect['category']}")
    if "at_risk" in expect:
        wanted = expect["at_risk"]
        actual: Any = str(score.at_risk_reason) if score.at_risk else False
        if wanted is True:
            wanted = actual if score.at_risk else "at risk"
        if actual != wanted:
            problems.append(f"{name}: at risk {actual}, expected {wanted}")
    for axis in ("acceptance", "energy"):
        if f"{axis}_between" in expect:
            low, high = expect[f"{axis}_between"]
            value = getattr(score, axis)
            if not low <= value <= high:
                problems.append(f"{name}: {axis} {value:.4f}, expected from {low} to {high}")
    if "trend" in expect and str(score.trend) != expect["trend"]:
        problems.append(f"{name}: trend {score.trend}, expected {expect['trend']}")
    for signal, count in expect.get("signals", {}).items():
        if score.signal_counts.get(signal, 0) != count:
            problems.append(f"{name}: {signal} ×{score.signal_counts.get(signal, 0)}, expected ×{count}")
    mine = [t for t in tasks if t.stakeholder == score.name]
    if "max_tasks" in expect and len(mine) > expect["max_tasks"]:
        problems.append(f"{name}: {len(mine)} tasks, expected at most {expect['max_tasks']}")
    problems += _check_tasks(name, mine, expect.get("must", []), expect.get("must_not", []))
    return problems


def _check_identities(result: Audit, expect: Mapping[str, Any]) -> list[str]:
    """The identity warnings (as the report and stderr give them) and the candidates to add."""
    unknown = set(expect) - _IDENTITY_KEYS
    assert not unknown, f"unknown [identities] keys {sorted(unknown)}"
    messages = [w.message() for w in identity_warnings(result)]
    problems = [
        f"no identity warning says {part!r}"
        for part in expect.get("warnings", [])
        if not any(part in m for m in messages)
    ]
    if expect.get("no_warnings") and messages:
        problems.append(f"unexpected identity warnings {messages}")
    shown = {(c.tool, c.account): c.display_name for c in result.candidates}
    for wanted in expect.get("candidates", []):
        key = (wanted.get("tool", "jira"), wanted["account"])
        if key not in shown:
            problems.append(f"no candidate {key}; candidates {sorted(shown)}")
        elif "display_name" in wanted and shown[key] != wanted["display_name"]:
            problems.append(f"candidate {key} shown as {shown[key]!r}, expected {wanted['display_name']!r}")
    return problems


def _reading(result: Audit, tasks: Sequence[CareSuggestion]) -> str:
    """What the audit made of the scenario, for the failure message."""
    lines = []
    for s in result.scores.values():
        risk = f", at risk: {s.at_risk_reason}" if s.at_risk else ""
        lines.append(
            f"  {s.name}: {s.category} (acceptance {s.acceptance:+.2f}, energy {s.energy:.2f}, "
            f"trend {s.trend}{risk}) signals {dict(s.signal_counts)}"
        )
    lines += [
        f"  task {t.action} for {t.stakeholder} (owner {t.owner}, via {t.via}): {t.title}" for t in tasks
    ]
    lines += [f"  identity warning: {w.message()}" for w in identity_warnings(result)]
    return "\n".join(lines)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_scenario_reads_as_a_practitioner_expects(path: Path, tmp_path: Path) -> None:
    """Each scenario's stream gives the expected map, at-risk reading and care tasks."""
    scenario = tomllib.loads(path.read_text("utf-8"))
    result, tasks = run_scenario(path, tmp_path)
    problems: list[str] = []
    for expect in scenario.get("expect", []):
        problems += _check_person(result, tasks, expect)
    if "identities" in scenario:
        problems += _check_identities(result, scenario["identities"])
    overall = scenario.get("tasks", {})
    problems += _check_tasks("any task", tasks, overall.get("must", []), overall.get("must_not", []))
    if "count" in overall and len(tasks) != overall["count"]:
        problems.append(f"{len(tasks)} tasks in all, expected {overall['count']}")
    assert not problems, "\n".join([path.name, *problems, "the audit read:", _reading(result, tasks)])


def test_every_scenario_expects_something() -> None:
    """A scenario without expectations would pass whatever the engine does, so none is allowed."""
    assert len(SCENARIOS) >= 15
    for path in SCENARIOS:
        scenario = tomllib.loads(path.read_text("utf-8"))
        expects = scenario.get("expect") or scenario.get("tasks") or scenario.get("identities")
        assert expects, f"{path.name} expects nothing"
        assert str(scenario.get("description", "")).strip(), f"{path.name} has no description"
