"""The nightly CI jobs, run against the fake Jira: the second run creates no task.

The first run finds the partners in a generated project and posts their care
tasks; the second run, like a rerun on a fresh CI runner, finds them in Jira by
their fingerprint labels and creates nothing.  Both CI files are parsed as
YAML, and the shell lines they run are run here as written (all but the
``pip install``), in a checkout-like folder whose config points at the fake.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from stakeplug_jira.testing import FakeJira, generate_project

import stakeplug
from stakeplug.store._collect import store_settings

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


# --------------------------------------------------------------------------- the CI files as YAML


def _gitlab_job() -> dict[str, Any]:
    jobs = yaml.safe_load((HERE / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job: dict[str, Any] = jobs["stakeplug-nightly"]
    return job


def _github_steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load((HERE / "github-actions.yml").read_text(encoding="utf-8"))
    steps: list[dict[str, Any]] = workflow["jobs"]["audit"]["steps"]
    return steps


def _github_step(name: str) -> dict[str, Any]:
    (step,) = [s for s in _github_steps() if s.get("name", "").startswith(name)]
    return step


def test_the_gitlab_job_exposes_the_html_report_and_keeps_the_store_per_branch() -> None:
    """expose_as on plain file paths (GitLab allows no globs there), report.html among them, kept on
    failure; the cache holds the config's store, keyed by branch, saved even when the job fails."""
    job = _gitlab_job()
    artifacts = job["artifacts"]
    assert artifacts["expose_as"] and artifacts["when"] == "always"
    assert "report/report.html" in artifacts["paths"] and len(artifacts["paths"]) <= 10
    assert not any(ch in p for p in artifacts["paths"] for ch in "*?[")
    cache = job["cache"]
    assert "$CI_COMMIT_REF_SLUG" in cache["key"] and cache["when"] == "always"
    settings = store_settings(stakeplug.load_config(HERE / "stakeplug.toml"))
    assert settings is not None
    store = Path(settings.path).resolve().relative_to(HERE.parent.parent)
    assert [Path(p) for p in cache["paths"]] == [store.parent]
    assert job["resource_group"]  # one audit at a time, also for the store


def test_the_github_workflow_keeps_the_store_in_the_cache_per_branch() -> None:
    """The store the config names is restored before the audit and saved after it, also on failure,
    under a key of its own per run (cache entries cannot be overwritten) found again by its prefix."""
    restore = _github_step("Bring back the activity store")
    save = next(s for s in _github_steps() if str(s.get("uses", "")).startswith("actions/cache/save"))
    settings = store_settings(stakeplug.load_config(HERE / "stakeplug.toml"))
    assert settings is not None
    store = Path(settings.path).resolve().relative_to(HERE.parent.parent)
    assert Path(restore["with"]["path"]) == Path(save["with"]["path"]) == store.parent
    assert restore["with"]["key"] == save["with"]["key"]
    assert "github.run_id" in save["with"]["key"] and "github.ref_name" in save["with"]["key"]
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert save["if"] == "always()"
    steps = [s.get("name", s.get("uses")) for s in _github_steps()]
    assert steps.index(restore["name"]) < steps.index("Audit and post care tasks") < steps.index(save["name"])
    assert "--previous" not in _github_step("Audit and post care tasks")["run"]  # the store remembers


def test_both_examples_install_the_same_pinned_release() -> None:
    """The same exact pin in both files, so the two nightly jobs run the same stakeplug."""
    gitlab_install = _gitlab_job()["script"][0]
    github_install = _github_step("Install")["run"]
    assert gitlab_install == github_install == 'python -m pip install "stakeplug[jira]==0.1.0"'
    assert f"=={stakeplug.__version__}" in gitlab_install


def _run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Shell lines of a CI file, run one after the other by bash like a runner does; stops at a failure."""
    script = "set -e\n" + "\n".join(lines)
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _runner_env(extra: dict[str, str]) -> dict[str, str]:
    command = _stakeplug_command()
    if command is None:
        pytest.skip("the `stakeplug` command is not installed in this environment")
    path = f"{Path(command).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    dropped = {"CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", *ENV}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, "PATH": path, **extra}


def _gitlab_lines() -> list[str]:
    install, *rest = _gitlab_job()["script"]
    assert install.startswith("python -m pip install ")  # the one line not run here
    return rest


def test_the_gitlab_job_compares_with_the_previous_night_through_its_cached_store(
    workdir: Path, jira: FakeJira, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Night one on one runner, night two on a fresh runner with only the cache restored: the second
    report compares with the first, collects incrementally and posts nothing twice."""
    env = _runner_env(ENV)
    first = _run_lines(_gitlab_lines(), workdir, env)
    assert first.returncode == 0, first.stderr + first.stdout
    night_one = json.loads((workdir / "report" / "report.json").read_text("utf-8"))
    assert night_one["previous"] is None
    requests_one, created = jira.stats()["requests"], len(jira.stats()["created_issues"])
    assert created > 0

    fresh = tmp_path_factory.mktemp("next-runner")
    for cached in _gitlab_job()["cache"]["paths"]:
        shutil.copytree(workdir / cached, fresh / cached)
    config = workdir / "examples" / "nightly-jira" / "stakeplug.toml"
    shutil.copy(config, fresh / "examples" / "nightly-jira" / "stakeplug.toml")
    second = _run_lines(_gitlab_lines(), fresh, env)
    assert second.returncode == 0, second.stderr + second.stdout
    night_two = json.loads((fresh / "report" / "report.json").read_text("utf-8"))
    assert night_two["previous"] is not None
    assert night_two["previous"]["window"] == night_one["window"]  # night one, as the store recorded it
    assert "## Changes since the previous report" in (fresh / "report" / "report.md").read_text("utf-8")
    assert jira.stats()["requests"] - requests_one < requests_one  # incremental: only what changed
    assert len(jira.stats()["created_issues"]) == created
    assert {"report.html", "report.md", "report.json"} <= {p.name for p in (fresh / "report").iterdir()}


def test_a_failing_gitlab_audit_fails_the_job_with_a_red_line_and_keeps_its_report(workdir: Path) -> None:
    """Jira down: the audit line exits non-zero (the job fails), says what the code means, and the
    exposed report.html and the store to cache are still there."""
    config = workdir / "examples" / "nightly-jira" / "stakeplug.toml"
    text = config.read_text("utf-8")
    url = text.split('url = "', 1)[1].split('"', 1)[0]
    config.write_text(text.replace(url, "http://127.0.0.1:9"), "utf-8")  # nothing listens on port 9
    done = _run_lines(_gitlab_lines(), workdir, _runner_env(ENV))
    assert done.returncode == 1, done.stderr
    assert (
        "\033[1;31mstakeplug audit failed with exit code 1: a source or posting failed "
        "(--fail-on source-error)\033[0m"
    ) in done.stdout
    assert (workdir / "report" / "report.html").exists()
    assert list((workdir / _gitlab_job()["cache"]["paths"][0]).glob("*.sqlite"))


def test_the_gitlab_failure_line_names_every_exit_code() -> None:
    """Each code the audit can end with gets its own words in the red line (run through sh)."""
    line = _gitlab_lines()[-1]
    for code, words in ((2, "config error"), (3, "a source or posting failed"), (4, "internal error")):
        faked = line.replace("stakeplug audit", f"sh -c 'exit {code}' stakeplug audit", 1)
        done = subprocess.run(["sh", "-c", faked], capture_output=True, text=True, check=False)
        assert done.returncode == code
        assert f"failed with exit code {code}: {words}" in done.stdout


def test_the_github_audit_step_annotates_a_failure_even_when_the_audit_fails_early(workdir: Path) -> None:
    """Without the token the config cannot be used (exit 2, nothing collected): the workflow's own
    audit line still ends with an ::error annotation naming the missing variable."""
    step = _github_step("Audit")
    env = _runner_env({"JIRA_EMAIL": ENV["JIRA_EMAIL"], "GITHUB_ACTIONS": "true"})
    done = _run_lines([step["run"]], workdir, env)
    assert done.returncode == 2
    (error,) = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert error.startswith("::error title=stakeplug exited with code 2::")
    assert "JIRA_API_TOKEN" in error
    validate = _run_lines([_github_step("Check the config")["run"]], workdir, env)
    assert validate.returncode == 2 and "::error title=stakeplug exited with code 2::" in validate.stdout
