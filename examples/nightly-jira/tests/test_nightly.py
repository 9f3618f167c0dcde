"""The nightly CI job, run twice against the fake Jira: the second run creates no task.

The first run finds the partners in a generated project and posts their care
tasks; the second run, like a rerun on a fresh CI runner, finds them in Jira by
their fingerprint labels and creates nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from stakeplug_jira.testing import FakeJira, generate_project

import stakeplug

HERE = Path(__file__).resolve().parent.parent
NIGHTLY = (
    "stakeplug audit --config examples/nightly-jira/stakeplug.toml --post --out report "
    "--format md,json,html --fail-on source-error"
)
ENV = {"JIRA_EMAIL": "stakeplug-bot@example.org", "JIRA_API_TOKEN": "nightly-fake-token"}


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    fake = FakeJira(mode="cloud", email=ENV["JIRA_EMAIL"], token=ENV["JIRA_API_TOKEN"])
    generate_project(fake, project="APOLLO", issues=300, comments=1500, seed=7)
    with fake:
        yield fake


@pytest.fixture
def workdir(tmp_path: Path, jira: FakeJira) -> Path:
    """A checkout-like folder whose config points at the fake instead of acme.atlassian.net."""
    target = tmp_path / "examples" / "nightly-jira"
    target.mkdir(parents=True)
    text = (HERE / "stakeplug.toml").read_text(encoding="utf-8")
    assert text.count("https://acme.atlassian.net") == 2
    (target / "stakeplug.toml").write_text(
        text.replace("https://acme.atlassian.net", jira.url), encoding="utf-8"
    )
    return tmp_path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_both_ci_files_run_the_documented_command() -> None:
    """GitHub Actions and GitLab CI run the same audit, with the secrets as environment variables."""
    for name in ("github-actions.yml", ".gitlab-ci.yml"):
        text = (HERE / name).read_text(encoding="utf-8")
        assert NIGHTLY in _one_line(text.replace(">\n", "\n")), name
        assert "JIRA_API_TOKEN" in text and "JIRA_EMAIL" in text
    workflow = (HERE / "github-actions.yml").read_text(encoding="utf-8")
    assert "schedule:" in workflow and "GITHUB_STEP_SUMMARY" in workflow and "upload-artifact" in workflow
    assert "${{ secrets.JIRA_API_TOKEN }}" in workflow


def test_two_runs_through_the_library_create_each_task_once(workdir: Path, jira: FakeJira) -> None:
    """load config, audit, plan, post; again: the second run posts nothing."""
    config_path = workdir / "examples" / "nightly-jira" / "stakeplug.toml"
    created: list[int] = []
    for _ in range(2):
        config = stakeplug.load_config(config_path)
        sources = config.build_sources(env=ENV)
        try:
            result = stakeplug.audit(config.register, sources, rules=config.load_rules())
        finally:
            for _, adapter in sources:
                adapter.close()
        tasks = config.build_tasks_adapter(env=ENV)
        try:
            suggestions = stakeplug.plan_care(result, history=tasks.find_tasks())
            results = stakeplug.post_care(
                tasks, suggestions, register=config.register, private=True, dry_run=False
            )
        finally:
            tasks.close()
        created.append(sum(r.created for r in results))
    assert created[0] > 0 and created[1] == 0
    assert len(jira.stats()["created_issues"]) == created[0]
    labels = [label for issue in jira.created_issues for label in issue["labels"]]
    assert sum(label.startswith("stakeplug-fp-") for label in labels) == created[0]


def _stakeplug_command() -> str | None:
    beside = Path(sys.executable).with_name("stakeplug")
    return str(beside) if beside.exists() else shutil.which("stakeplug")


def test_two_runs_of_the_nightly_command_create_each_task_once(workdir: Path, jira: FakeJira) -> None:
    """The documented `stakeplug audit ... --post`, run twice: tasks once, reports both times."""
    command = _stakeplug_command()
    if command is None:
        pytest.skip("the `stakeplug` command is not installed in this environment")
    env = {**os.environ, **ENV}
    counts = []
    for _ in range(2):
        done = subprocess.run(
            [command, *NIGHTLY.split()[1:]],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr + done.stdout
        assert ENV["JIRA_API_TOKEN"] not in done.stdout + done.stderr
        counts.append(len(jira.stats()["created_issues"]))
        report = workdir / "report"
        assert {p.name for p in report.iterdir()} >= {"report.md", "report.json", "report.html"}
    assert counts[0] > 0
    assert counts[1] == counts[0]
