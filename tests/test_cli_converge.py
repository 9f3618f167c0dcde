"""Writes converge from the outside: real ``stakeplug audit --post`` runs at once, or killed and run again.

Each trial starts a fresh fake tracker in this process, seeded with a small
project whose register plans six care tasks, and runs the real command in
subprocesses against it (``convergeworld`` has the worlds and the checks):

* two audits at once: the fake holds the first write of each until both are
  waiting (so both are posting, having listed the tracker's tasks before
  either created one) and then delays every write by a seeded random time;
  after the first pair one more audit runs, which must find every planned task
  open (its closed duplicate beside it) and create nothing;
* one audit killed with SIGKILL at a seeded random moment after one of its
  creates reached the tracker, then run again to the end.

Afterwards no fingerprint has two open tasks, each planned task is open once,
every run exited 0 and reported each task it lists with the id of the open
one, and the reports (JSON and the printed summary) name every task closed as
a duplicate.  Jira is Cloud
with its eventually consistent search (``search_lag``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("stakeplug_jira")
pytest.importorskip("stakeplug_github")
pytest.importorskip("stakeplug_trello")

from convergeworld import concurrent_trial, crash_trial

TOOLS = ("jira", "github", "trello")
PAIRS = 2
KILLS = 5


@pytest.mark.parametrize("tool", TOOLS)
def test_two_audits_posting_at_once_end_with_one_open_task_per_fingerprint(tool: str, tmp_path: Path) -> None:
    """Both runs post at the same time, create the same tasks, and leave each planned task open once."""
    for seed in range(PAIRS):
        trial = concurrent_trial(tool, tmp_path / f"pair{seed}", seed, after=1 if seed == 0 else 0)
        assert trial.overlapped, "both runs were posting at once"
        assert trial.problems == [], trial.problems
        assert [run.code for run in trial.runs] == [0, 0] + ([0] if seed == 0 else [])
        # Both had listed the tasks before either created one, so the first task was made twice.
        assert trial.planned >= 2 and trial.closed >= 1 and trial.creates > trial.planned
        for run in trial.runs:
            assert run.report is not None
            closed = [x for g in run.report["suggestions"] for x in g.get("duplicates_closed", [])]
            assert all(f"closed its duplicate {x}" in run.out for x in closed), run.out


@pytest.mark.parametrize("tool", TOOLS)
def test_audits_killed_while_posting_then_run_again_end_with_each_task_once(
    tool: str, tmp_path: Path
) -> None:
    """SIGKILL at seeded random moments of posting; the rerun completes and nothing is open twice."""
    trials = [crash_trial(tool, tmp_path / f"kill{seed}", 100 + seed) for seed in range(KILLS)]
    for trial in trials:
        assert trial.problems == [], trial.problems
        assert [run.code for run in trial.runs] == [0]
        assert trial.planned >= 2
    assert any(trial.mid_posting for trial in trials), "a kill landed while the run was posting"
