"""The whole pipeline on the fake GitHub: audit, plan care, post tasks, run again the next night."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub, user_logins

from stakeplug import audit, load_register, plan_care, post_care

Make = Callable[..., GitHubAdapter]
END = datetime(2026, 11, 1, tzinfo=UTC)


def _register(tmp_path: Path) -> Path:
    people = user_logins(12)
    lines = ['[project]\nname = "Apollo"\nlookback_days = 120\n']
    lines.append(f'[[team]]\nname = "Dana"\nidentities = {{ github = "{people[0]}" }}\n')
    for login in people[1:]:
        lines.append(
            f'[[stakeholders]]\nname = "{login}"\nowner = "Dana"\npower = 4\ninterest = 4\n'
            f'identities = {{ github = "{login}" }}\n'
        )
    path = tmp_path / "register.toml"
    path.write_text("\n".join(lines))
    return path


def test_an_audit_of_a_github_repository_scores_and_posts_care_once(
    fake: FakeGitHub, make_adapter: Make, tmp_path: Path
) -> None:
    """Activities from the fake feed the engine; care tasks land as issues once, not twice."""
    fake.generate("acme/apollo", issues=60, prs=40, users=12, end=END, seed=9)
    fake.add_repo("acme/team", collaborators=["user00"])
    register = load_register(_register(tmp_path))
    source = make_adapter(repo="acme/apollo")
    result = audit(register, [("code", source)], since=END - timedelta(days=120), until=END)
    [report] = result.sources
    assert report.status == "ok" and report.activities > 0
    assert report.stats.requests == fake.requests
    assert len(result.scores) == 11

    tasks = make_adapter(repo="acme/team")
    suggestions = plan_care(result, now=END, history=tasks.find_tasks())
    posted = post_care(tasks, suggestions, register=register, dry_run=False)
    assert suggestions and all(r.created for r in posted)
    assert len(fake.created_issues) == len(suggestions)
    assert {tuple(i["assignees"]) for i in fake.created_issues} == {("user00",)}

    nightly = make_adapter(repo="acme/team")
    again = post_care(nightly, suggestions, register=register, dry_run=False)
    assert not any(r.created for r in again)
    assert len(fake.created_issues) == len(suggestions)


def test_a_failing_github_source_does_not_sink_the_audit(
    fake: FakeGitHub, make_adapter: Make, tmp_path: Path
) -> None:
    """A repository the token cannot see is reported as failed while the other source counts."""
    fake.generate("acme/apollo", issues=30, prs=20, users=12, end=END, seed=9)
    register = load_register(_register(tmp_path))
    good = make_adapter(repo="acme/apollo")
    hidden = make_adapter(repo="acme/hidden")
    result = audit(register, [("code", good), ("hidden", hidden)], since=END - timedelta(days=120), until=END)
    status = {r.name: (r.status, r.error or "") for r in result.sources}
    assert status["code"][0] == "ok"
    assert status["hidden"][0] == "failed"
    assert "not found, or the token in GITHUB_TOKEN cannot see it" in status["hidden"][1]
