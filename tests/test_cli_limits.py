"""Absurd waits on the task lookup: the real command against the fake Jira ends with a report.

A ``Retry-After`` of ``inf`` or ``1e12`` on the search that looks up existing care tasks used to
end in "year 33715 is out of range" and exit 4 without a report.  Now the wait is clamped to a
day and explained, posting stops before anything is created, and the run exits 3 with every report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run_stakeplug

pytest.importorskip("stakeplug_jira")

from stakeplug_jira.testing import FakeJira

from stakeplug.testing import Fault

EMAIL = "bot@acme.example"
TOKEN = "jira-token-for-the-lookup-test"  # noqa: S105 - the fake's made-up credential
ENV = {"LOOKUP_JIRA_EMAIL": EMAIL, "LOOKUP_JIRA_TOKEN": TOKEN}


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(mode="cloud", email=EMAIL, token=TOKEN) as fake:
        fake.add_project("APOLLO")
        yield fake


def _project(folder: Path, jira: FakeJira) -> None:
    lines = [
        json.dumps(
            {
                "kind": "comment",
                "actor": "olu",
                "addressees": ["maria"],
                "timestamp": f"2026-11-{10 + day}T09:00:00Z",
                "item": {"tool": "mail", "id": f"thread-{day}", "title": "Pilot questions"},
            }
        )
        for day in range(6)
    ]
    (folder / "mail.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    people = "".join(
        f'\n[[stakeholders]]\nname = "{name}"\npower = 5\ninterest = {interest}\nowner = "Dana"\n'
        f'identities = {{ mail = "{name.lower()}" }}\n'
        for name, interest in (("Maria", 5), ("Olu", 1))
    )
    (folder / "stakeplug.toml").write_text(
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Dana"\nidentities = { mail = "dana" }\n'
        + people
        + '\n[[sources]]\nadapter = "file"\npath = "mail.jsonl"\n'
        f'\n[tasks]\nadapter = "jira"\nurl = "{jira.url}"\nproject = "APOLLO"\n'
        'email_env = "LOOKUP_JIRA_EMAIL"\ntoken_env = "LOOKUP_JIRA_TOKEN"\n',
        "utf-8",
    )


@pytest.mark.parametrize("value", ["inf", "1e12"])
def test_an_absurd_retry_after_on_the_task_lookup_is_clamped_and_reported(
    tmp_path: Path, jira: FakeJira, value: str
) -> None:
    """The lookup is refused with 429 and an unusable Retry-After: exit 3, reports written, the clamp
    named in the posting error, nothing created, and no internal error."""
    _project(tmp_path, jira)
    jira.inject(Fault(status=429, path="/search", headers={"Retry-After": value}, times=100))
    result = run_stakeplug(
        "audit", "--until", "2026-11-30", "--since", "60d", "--post", "--format", "md,json",
        "--out", "out", cwd=tmp_path, env=ENV,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr[-2000:]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert (tmp_path / "out" / "report.md").is_file()
    error = data["posting"]["error"] or ""
    assert error.startswith("reading existing care tasks failed: ")
    assert f"Retry-After '{value}' is not a usable wait; read as 86400 s" in error
    assert "beyond the retry budget" in error
    assert data["suggestions"] and jira.stats()["by_path"].get("/rest/api/2/issue", 0) == 0
    assert jira.stats()["by_path"]["/rest/api/2/search/jql"] == 1
