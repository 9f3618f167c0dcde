"""`stakeplug audit` against the fake GitHub (and Jira) servers: real adapters, real HTTP on loopback.

The command runs as a subprocess; the fakes of ``stakeplug_github.testing`` and
``stakeplug_jira.testing`` run in this test process, and the fake GitHub keeps
the created issues between runs, the way GitHub does between two nightly jobs.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import run_stakeplug

pytest.importorskip("stakeplug_github")

from stakeplug_github.testing import FakeGitHub

TOKEN = "gh-test-" + "t0k3n" * 6
WINDOW = ("--since", "2026-08-01", "--until", "2026-11-01")

REGISTER = """\
[project]
name = "Apollo"

[[team]]
name = "Dana Whitfield"
identities = { github = "user00" }

[[team]]
name = "Sam Carter"
identities = { github = "user01" }
"""


def run(
    *args: str, cwd: Path, token: str | None = TOKEN, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {} if token is None else {"APOLLO_GH_TOKEN": token}
    env.update(extra or {})
    return run_stakeplug(*args, cwd=cwd, env=env, drop=("APOLLO_GH_TOKEN",))


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=(TOKEN,)) as fake:
        fake.generate("acme/apollo", issues=30, prs=12, users=10, seed=7)
        fake.add_repo("acme/apollo-team", private=True)
        fake.add_repo("acme/public-board", private=False)
        yield fake


def write_config(folder: Path, fake: FakeGitHub, *, tasks_repo: str | None) -> Path:
    people = "".join(
        f'\n[[stakeholders]]\nname = "Person {i}"\npower = {2 + i % 4}\ninterest = 4\n'
        f'owner = "{"Dana Whitfield" if i % 2 else "Sam Carter"}"\n'
        f'identities = {{ github = "user{i:02d}" }}\n'
        for i in range(2, 9)
    )
    source = (
        f'\n[[sources]]\nadapter = "github"\nrepo = "acme/apollo"\nbase_url = "{fake.url}"\n'
        'token_env = "APOLLO_GH_TOKEN"\n'
    )
    tasks = ""
    if tasks_repo is not None:
        tasks = (
            f'\n[tasks]\nadapter = "github"\nrepo = "{tasks_repo}"\nbase_url = "{fake.url}"\n'
            'token_env = "APOLLO_GH_TOKEN"\nprivate = true\n'
        )
    path = folder / "stakeplug.toml"
    path.write_text(REGISTER + people + source + tasks, "utf-8")
    return path


def report(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
    return data


def test_post_creates_issues_once_even_across_runs(tmp_path: Path, github: FakeGitHub) -> None:
    """Tasks are created in GitHub on the first --post and found there, not duplicated, on the next."""
    write_config(tmp_path, github, tasks_repo="acme/apollo-team")
    github.reset_stats()
    first = run("audit", *WINDOW, "--post", "--out", "one", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    data = report(tmp_path / "one")
    [source] = data["sources"]
    assert (source["name"], source["adapter"], source["status"]) == ("github", "github", "ok")
    assert source["requests"] > 0
    created = [g for g in data["suggestions"] if g["status"] == "created"]
    assert created
    assert all(g["task"]["url"] for g in created)
    issues = [i for i in github.created_issues if i["repo"] == "acme/apollo-team"]
    assert len(issues) == len(created)
    calls = github.stats()["by_path"]
    assert calls["GET /repos/acme/apollo-team/issues"] == 1 + len(created)
    assert calls["POST /repos/acme/apollo-team/issues"] == len(created)
    reads = sum(n for path, n in calls.items() if path.startswith("GET /repos/acme/apollo/"))
    reads += calls.get("POST /graphql", 0)
    assert source["requests"] == reads
    assert all("stakeplug" in i["labels"] for i in issues)

    second = run("audit", *WINDOW, "--post", "--out", "two", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    again = report(tmp_path / "two")
    fingerprints = [g["fingerprint"] for g in data["suggestions"]]
    assert not any(
        g["status"] == "created" and g["fingerprint"] in fingerprints for g in again["suggestions"]
    )
    after = [i for i in github.created_issues if i["repo"] == "acme/apollo-team"]
    titles = [i["title"] for i in after]
    assert len(titles) == len(set(titles))
    assert TOKEN not in first.stdout + first.stderr + second.stdout + second.stderr


def test_a_refused_token_fails_the_source_with_exit_3(tmp_path: Path, github: FakeGitHub) -> None:
    """Wrong credentials: the source is reported failed with the reason; the token is never shown."""
    write_config(tmp_path, github, tasks_repo=None)
    wrong = "gh-wrong-" + "x9" * 12
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path, token=wrong)
    assert result.returncode == 3, result.stderr
    assert "github (failed)" in result.stderr
    data = report(tmp_path / "out")
    assert data["sources"][0]["status"] == "failed"
    assert "401" in data["sources"][0]["error"] or "APOLLO_GH_TOKEN" in data["sources"][0]["error"]
    text = result.stdout + result.stderr + (tmp_path / "out" / "report.md").read_text("utf-8")
    assert wrong not in text


def test_an_unset_token_variable_is_named_before_anything_runs(tmp_path: Path, github: FakeGitHub) -> None:
    """The real adapter names the unset variable; exit code 2 and no report."""
    write_config(tmp_path, github, tasks_repo=None)
    github.reset_stats()
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path, token=None)
    assert result.returncode == 2
    assert "APOLLO_GH_TOKEN" in result.stderr
    assert "sources[0]" in result.stderr
    assert not (tmp_path / "out" / "report.json").exists()
    assert github.requests == 0


def test_a_public_task_target_is_refused(tmp_path: Path, github: FakeGitHub) -> None:
    """Posting into a public repository without allow_public is refused with exit code 2."""
    write_config(tmp_path, github, tasks_repo="acme/public-board")
    result = run("audit", *WINDOW, "--post", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "allow_public" in result.stderr
    assert not [i for i in github.created_issues if i["repo"] == "acme/public-board"]
    data = report(tmp_path / "out")
    assert data["posting"]["error"]


def test_a_refused_public_target_on_github_actions_still_gets_its_summary_and_error(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """Exit 2 after the report is written: the job summary has it and the ::error says why."""
    write_config(tmp_path, github, tasks_repo="acme/public-board")
    summary = tmp_path / "summary.md"
    on_runner = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run("audit", *WINDOW, "--post", "--out", "out", "-q", cwd=tmp_path, extra=on_runner)
    assert result.returncode == 2, result.stderr
    assert summary.read_text("utf-8") == (tmp_path / "out" / "report.md").read_text("utf-8")
    (error,) = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert error.startswith("::error title=stakeplug exited with code 2::")
    assert "public" in error
    assert TOKEN not in result.stdout + result.stderr


def test_a_refused_jira_source_does_not_sink_github(tmp_path: Path, github: FakeGitHub) -> None:
    """Jira refuses the credentials; GitHub is still audited and the report says which failed and why."""
    jira_testing = pytest.importorskip("stakeplug_jira.testing")
    with jira_testing.FakeJira(mode="cloud") as jira:
        jira.add_project("APOLLO")
        config = write_config(tmp_path, github, tasks_repo=None)
        with config.open("a", encoding="utf-8") as fh:
            fh.write(
                f'\n[[sources]]\nadapter = "jira"\nurl = "{jira.url}"\nproject = "APOLLO"\n'
                'email_env = "APOLLO_JIRA_EMAIL"\ntoken_env = "APOLLO_GH_TOKEN"\n'
            )
        email = {"APOLLO_JIRA_EMAIL": "stakeplug-bot@example.org"}
        result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path, extra=email)
    assert result.returncode == 3, result.stderr
    data = report(tmp_path / "out")
    status = {s["name"]: s for s in data["sources"]}
    assert status["github"]["status"] == "ok"
    assert status["github"]["activities"] > 0
    assert status["jira"]["status"] == "failed"
    assert "authentication failed" in status["jira"]["error"]
    assert "APOLLO_GH_TOKEN" in status["jira"]["error"]
    assert any(s["signal_counts"] for s in data["stakeholders"])
    assert TOKEN not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def care_repo(fake: FakeGitHub, label: str) -> str:
    """A fresh private repository for one test's care tasks, so tests do not see each other's."""
    name = f"acme/care-{label}"
    fake.add_repo(name, private=True)
    return name


def issues_in(fake: FakeGitHub, repo: str) -> list[dict[str, Any]]:
    return [i for i in fake.created_issues if i["repo"] == repo]


def add_missing_repo_source(config: Path, fake: FakeGitHub) -> None:
    """A second source on a repository the tracker does not have: it fails, the first still works."""
    with config.open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[[sources]]\nadapter = "github"\nname = "gone"\nrepo = "acme/gone"\n'
            f'base_url = "{fake.url}"\ntoken_env = "APOLLO_GH_TOKEN"\n'
        )


def test_post_with_a_failed_source_posts_nothing_and_says_why(tmp_path: Path, github: FakeGitHub) -> None:
    """A source failed: --post creates no task, and the report and the terminal say why."""
    repo = care_repo(github, "failed-source")
    config = write_config(tmp_path, github, tasks_repo=repo)
    add_missing_repo_source(config, github)
    result = run("audit", *WINDOW, "--post", "--out", "out", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert issues_in(github, repo) == []
    data = report(tmp_path / "out")
    assert {s["name"]: s["status"] for s in data["sources"]} == {"github": "ok", "gone": "failed"}
    assert data["suggestions"], "the tasks that would have been posted are still listed"
    assert {g["status"] for g in data["suggestions"]} == {"dry_run"}
    assert data["posting"]["mode"] == "dry_run"
    assert "gone (failed)" in data["posting"]["withheld"]
    assert "--post-partial" in data["posting"]["withheld"]
    assert "care tasks were not posted: source gone (failed)" in result.stderr
    assert "Nothing was posted: source gone (failed)" in (tmp_path / "out" / "report.md").read_text("utf-8")
    assert "Nothing was posted" in result.stdout


def test_post_partial_posts_although_a_source_failed(tmp_path: Path, github: FakeGitHub) -> None:
    """With --post-partial the tasks are created from the sources that worked; the exit still says 3."""
    repo = care_repo(github, "post-partial")
    config = write_config(tmp_path, github, tasks_repo=repo)
    add_missing_repo_source(config, github)
    result = run("audit", *WINDOW, "--post", "--post-partial", "--out", "out", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    data = report(tmp_path / "out")
    created = [g for g in data["suggestions"] if g["status"] == "created"]
    assert created and len(issues_in(github, repo)) == len(created)
    assert data["posting"]["mode"] == "post"
    assert "withheld" not in data["posting"]
    assert "care tasks were not posted" not in result.stderr


def test_post_with_no_activity_at_all_posts_nothing(tmp_path: Path, github: FakeGitHub) -> None:
    """A window in which no source saw any activity gives no evidence to act on: nothing is posted."""
    repo = care_repo(github, "no-activity")
    write_config(tmp_path, github, tasks_repo=repo)
    result = run(
        "audit", "--since", "2020-01-01", "--until", "2020-02-01", "--post", "--out", "out", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    data = report(tmp_path / "out")
    assert data["activities_seen"] == 0
    assert issues_in(github, repo) == []
    assert "saw no activity at all" in data["posting"]["withheld"]
    assert "care tasks were not posted: the audit saw no activity at all" in result.stderr


def test_post_partial_without_post_is_a_usage_error(tmp_path: Path, github: FakeGitHub) -> None:
    """--post-partial alone posts nothing by surprise: it asks for --post and exits 2."""
    write_config(tmp_path, github, tasks_repo=None)
    result = run("audit", *WINDOW, "--post-partial", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "give --post as well" in result.stderr
    assert not (tmp_path / "out").exists()
