"""Identities that look wrong, and people shown by name: the real command against the fake trackers.

Each test runs the installed ``stakeplug`` command as a subprocess against
the fake GitHub or the fake Jira on loopback, through the real adapters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from clirun import run_stakeplug
from stakeplug_github.testing import FakeGitHub

GH_TOKEN = "gh-test-" + "1d3nt" * 6
JIRA_EMAIL = "stakeplug-bot@example.org"
JIRA_TOKEN = "jira-test-" + "n4m3s" * 5
WINDOW = ("--since", "2026-08-01", "--until", "2026-11-01")
ENV = {"IDS_GH_TOKEN": GH_TOKEN, "IDS_JIRA_EMAIL": JIRA_EMAIL, "IDS_JIRA_TOKEN": JIRA_TOKEN}

MARIA = "5b10a2844c20165700ede21g"
OLU = "5b10ac8d82e05b22cc7d4ef5"


def run(*args: str, cwd: Path) -> Any:
    return run_stakeplug(*args, cwd=cwd, env=ENV, drop=tuple(ENV))


def report(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(tokens=(GH_TOKEN,)) as fake:
        fake.generate("acme/apollo", issues=30, prs=12, users=10, seed=7)
        yield fake


def github_config(folder: Path, fake: FakeGitHub, stakeholders: str) -> Path:
    path = folder / "stakeplug.toml"
    path.write_text(
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Dana Whitfield"\nidentities = { github = "user00" }\n'
        + stakeholders
        + f'\n[[sources]]\nadapter = "github"\nrepo = "acme/apollo"\nbase_url = "{fake.url}"\n'
        'token_env = "IDS_GH_TOKEN"\n',
        "utf-8",
    )
    return path


def test_a_mistyped_github_identity_is_warned_with_the_account_meant(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """``user-03`` registered while ``user03`` is active: a did-you-mean on stderr and in the report."""
    github_config(
        tmp_path,
        github,
        '\n[[stakeholders]]\nname = "Sam Ortiz"\npower = 4\ninterest = 4\nowner = "Dana Whitfield"\n'
        'identities = { github = "user-03" }\n',
    )
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = report(tmp_path / "out")
    assert any(c["account"] == "user03" for c in data["candidates"])
    expected = "stakeholder Sam Ortiz: github identity 'user-03' saw no activity in the window"
    [warning] = [w for w in data["warnings"] if "Sam Ortiz" in w]
    assert warning.startswith(expected)
    assert "did you mean 'user03'?" in warning
    assert f"stakeplug: warning: {warning}" in result.stderr
    assert warning in (tmp_path / "out" / "report.md").read_text("utf-8")


def test_a_different_digit_is_another_person_not_a_typo(tmp_path: Path, github: FakeGitHub) -> None:
    """``user05`` and ``user09`` are two accounts: no warning, although one is only a candidate."""
    github_config(
        tmp_path,
        github,
        '\n[[stakeholders]]\nname = "Ana Lima"\npower = 3\ninterest = 3\nowner = "Dana Whitfield"\n'
        'identities = { github = "user05" }\n',
    )
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = report(tmp_path / "out")
    assert any(c["account"] == "user09" for c in data["candidates"])
    assert not [w for w in data["warnings"] if "Ana Lima" in w]
    assert "Ana Lima" not in result.stderr


def test_an_identity_in_a_tool_no_source_reads_is_warned(tmp_path: Path, github: FakeGitHub) -> None:
    """A Trello identity with only a GitHub source can never show activity; the report says so."""
    github_config(
        tmp_path,
        github,
        '\n[[stakeholders]]\nname = "Lena Fischer"\npower = 3\ninterest = 4\nowner = "Dana Whitfield"\n'
        'identities = { github = "user04", trello = "lenafischer" }\n',
    )
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = (
        "stakeholder Lena Fischer: trello identity 'lenafischer' cannot show any activity: "
        "no source reads trello (the sources read github)"
    )
    assert expected in report(tmp_path / "out")["warnings"]
    assert f"stakeplug: warning: {expected}" in result.stderr


@pytest.fixture
def jira() -> Iterator[Any]:
    jira_testing = pytest.importorskip("stakeplug_jira.testing")
    with jira_testing.FakeJira(mode="cloud", email=JIRA_EMAIL, token=JIRA_TOKEN) as fake:
        fake.add_project("APOLLO")
        fake.add_user(MARIA, "Maria Jensen")
        fake.add_user(OLU, "Olu Bello")
        at = datetime(2026, 9, 1, 9, tzinfo=UTC)
        key = fake.add_issue("APOLLO", "Pilot plan", creator=OLU, created=at)
        fake.comment(key, MARIA, "Looks good to me", at=datetime(2026, 9, 2, 9, tzinfo=UTC))
        fake.comment(key, OLU, "Thanks, shipping it", at=datetime(2026, 9, 3, 9, tzinfo=UTC))
        yield fake


def jira_config(folder: Path, fake: Any, maria_account: str) -> Path:
    path = folder / "stakeplug.toml"
    path.write_text(
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Dana Whitfield"\n'
        'identities = { jira = "5b102feb354ec37617160931" }\n\n'
        '[[stakeholders]]\nname = "Maria Jensen"\npower = 5\ninterest = 4\nowner = "Dana Whitfield"\n'
        f'identities = {{ jira = "{maria_account}" }}\n'
        f'\n[[sources]]\nadapter = "jira"\nurl = "{fake.url}"\nproject = "APOLLO"\n'
        'email_env = "IDS_JIRA_EMAIL"\ntoken_env = "IDS_JIRA_TOKEN"\n',
        "utf-8",
    )
    return path


def test_candidates_are_shown_by_the_name_jira_gives_them(tmp_path: Path, jira: Any) -> None:
    """An unregistered Jira account is listed with its display name next to the account id."""
    jira_config(tmp_path, jira, MARIA)
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [olu] = [c for c in report(tmp_path / "out")["candidates"] if c["account"] == OLU]
    assert olu["display_name"] == "Olu Bello"
    assert f"Olu Bello (jira:{OLU})" in result.stdout
    assert f"Olu Bello ({OLU})" in (tmp_path / "out" / "report.md").read_text("utf-8")


def test_a_wrong_jira_account_is_matched_by_the_name_jira_shows(tmp_path: Path, jira: Any) -> None:
    """Maria's registered Jira id is wrong; the active account Jira calls Maria Jensen is suggested."""
    wrong = "5b10a2844c20165700ede000"
    jira_config(tmp_path, jira, wrong)
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [warning] = [w for w in report(tmp_path / "out")["warnings"] if "Maria Jensen" in w]
    assert f"jira identity '{wrong}' saw no activity in the window" in warning
    assert f"the similar account '{MARIA}' (Maria Jensen) is active" in warning
    assert f"did you mean '{MARIA}'?" in warning
    assert f"stakeplug: warning: {warning}" in result.stderr


def test_the_demo_shows_a_candidate_by_the_name_in_its_activity_file(tmp_path: Path) -> None:
    """A file line's ``actor_name`` reaches the candidates: the demo's contractor is shown by name."""
    result = run("demo", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Unknown Contractor (jira:5b1065996789e12092c30bfd)" in result.stdout
    [contractor] = [c for c in report(tmp_path / "out")["candidates"] if c["tool"] == "jira"]
    assert contractor["display_name"] == "Unknown Contractor"


def test_an_identity_in_a_tool_no_file_line_mentions_is_warned(tmp_path: Path) -> None:
    """With a file source any tool is possible; a tool from which no activity came at all is named."""
    (tmp_path / "wiki.jsonl").write_text(
        '{"kind": "comment", "actor": "maria", "timestamp": "2026-09-01T10:00:00Z", '
        '"item": {"tool": "wiki", "id": "page-1"}}\n',
        "utf-8",
    )
    (tmp_path / "stakeplug.toml").write_text(
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Dana Whitfield"\nidentities = { wiki = "dana" }\n\n'
        '[[stakeholders]]\nname = "Maria Jensen"\npower = 4\ninterest = 4\nowner = "Dana Whitfield"\n'
        'identities = { wiki = "maria", chat = "maria.j" }\n\n'
        '[[sources]]\nadapter = "file"\npath = "wiki.jsonl"\n',
        "utf-8",
    )
    result = run("audit", *WINDOW, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = (
        "stakeholder Maria Jensen: chat identity 'maria.j' showed no activity: "
        "no source delivered any chat activity (it came from wiki)"
    )
    assert report(tmp_path / "out")["warnings"] == [expected]
    assert f"stakeplug: warning: {expected}" in result.stderr
