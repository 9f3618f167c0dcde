"""Use stakeplug as a library: load a register, collect, audit, plan care, post (dry run).

Run it from the repository root::

    uv run python examples/library_audit.py

It audits the bundled demo project (a register and JSON Lines activity files)
with the ``file`` source, prints the stakeholder map and the partners at risk,
explains one stakeholder, and shows the care tasks it would post to an
in-memory tracker.  No network, no credentials.
"""

from __future__ import annotations

from importlib import resources

import stakeplug
from stakeplug.demo import UNTIL
from stakeplug.testing import MemoryAdapter


def main() -> None:
    demo = resources.files("stakeplug") / "demo"
    register = stakeplug.load_register(str(demo / "stakeplug.toml"))

    # Every source is built through the adapter registry, exactly like a [[sources]] table.
    sources = [
        (tool, stakeplug.build_adapter("file", {"path": str(demo / f"{tool}.jsonl")}))
        for tool in ("jira", "github", "email")
    ]

    # Pinning `until` to the end of the demo data keeps the result stable.
    result = stakeplug.audit(register, sources, until=UNTIL)

    print(f"{'stakeholder':<20} {'category':<17} {'acceptance':>10} {'energy':>6}  trend")
    for score in result.scores.values():
        print(
            f"{score.name:<20} {score.category.label:<17} {score.acceptance:>+10.2f} "
            f"{score.energy:>6.2f}  {score.trend.value}{'  (partner at risk)' if score.at_risk else ''}"
        )

    suggestions = stakeplug.plan_care(result)
    print(f"\n{len(suggestions)} care suggestions; the evidence behind the first stakeholder at risk:\n")
    at_risk = result.partners_at_risk
    if at_risk:
        print(result.explain(at_risk[0].name, suggestions))

    # Posting is a dry run unless dry_run=False; an in-memory tracker stands in for Jira here.
    tracker = MemoryAdapter()
    for outcome in stakeplug.post_care(tracker, suggestions, register=register, dry_run=True):
        print(f"would create: {outcome.draft.title}  [{outcome.draft.fingerprint}]")


if __name__ == "__main__":
    main()
