"""Canary credentials never leave the process: stdout, stderr and every file a run writes are searched.

The real ``stakeplug`` command runs with ``--debug`` against the fake Jira (Cloud,
basic authentication), GitHub and Trello of the adapters, once when everything
answers and in runs where the fakes refuse or fail with an error body that
repeats the credentials the request carried (``Fault(echo=True)``: the
``Authorization`` header, URL-encoded, basic authentication decoded, the query
string).  Every report format is written; the store file is searched too.  Each
secret is hunted raw, URL-encoded in the ways a link carries it, and as the
base64 ``email:token`` that basic authentication builds.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from clirun import run_stakeplug

pytest.importorskip("stakeplug_jira")
pytest.importorskip("stakeplug_github")
pytest.importorskip("stakeplug_trello")

from stakeplug_github.testing import FakeGitHub, user_logins
from stakeplug_jira.testing import FakeJira
from stakeplug_trello.testing import FakeTrello, TrelloState, generate_board

from stakeplug.testing import Fault

JIRA_EMAIL = "canary-bot@acme.example"
JIRA_TOKEN = "ATATT3xFfGF0/canary+jira=Tok3n/Q9z"  # noqa: S105 - made-up canaries the test hunts for
GH_TOKEN = "ghp_canaryGitHub/Tok+en=0123456789abcd"  # noqa: S105
TRELLO_KEY = "canarytrellokey/0a1b+2c3d4e5f60718293a4b"
TRELLO_TOKEN = "ATTAcanary/trello+token=99887766554433221100ffee"  # noqa: S105
ENV = {
    "CANARY_JIRA_EMAIL": JIRA_EMAIL,
    "CANARY_JIRA_TOKEN": JIRA_TOKEN,
    "CANARY_GH_TOKEN": GH_TOKEN,
    "CANARY_TRELLO_KEY": TRELLO_KEY,
    "CANARY_TRELLO_TOKEN": TRELLO_TOKEN,
}
BASIC = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
WINDOW = ("--since", "2026-08-01", "--until", "2026-11-01")
FORMATS = "md,json,html,csv"
MARIA = "5b10ac8d82e05b22cc7d4ef5"
OLU = "5b109f2e9729b51b54dc274d"
PIECE = 16
"""A run of this many characters of a secret's form shown anywhere counts as a leak."""


def _forms(secret: str) -> dict[str, str]:
    """The secret as it is and in each URL-encoded form a link or a query string carries."""
    forms = {
        "raw": secret,
        "quoted": quote(secret, safe=""),
        "quoted-path": quote(secret),
        "plus": quote_plus(secret),
    }
    return {name: form for name, form in forms.items() if name == "raw" or form != secret}


CANARIES = {
    name: _forms(secret)
    for name, secret in {
        "jira token": JIRA_TOKEN,
        "jira basic": BASIC,
        "github token": GH_TOKEN,
        "trello key": TRELLO_KEY,
        "trello token": TRELLO_TOKEN,
    }.items()
}


def test_every_canary_has_a_url_encoded_form_that_differs() -> None:
    """The canaries are chosen so that hunting the URL-encoded forms means something."""
    assert all(len(forms) > 1 for forms in CANARIES.values()), CANARIES


class Fakes:
    """The three fake trackers of one test, with data in the window."""

    def __init__(self) -> None:
        self.jira = FakeJira(mode="cloud", email=JIRA_EMAIL, token=JIRA_TOKEN)
        self.github = FakeGitHub(tokens=(GH_TOKEN,))
        self.trello = FakeTrello(TrelloState(seed=3), key=TRELLO_KEY, token=TRELLO_TOKEN)
        self.jira.add_project("APOLLO")
        self.jira.add_user(MARIA, "Maria Jensen")
        self.jira.add_user(OLU, "Olu Bello")
        for day in range(1, 20, 3):
            key = self.jira.add_issue("APOLLO", f"Pilot step {day}", creator=OLU, created=_at(day))
            self.jira.comment(key, MARIA, "Looks good to me", at=_at(day + 1))
        self.github.generate("acme/apollo", issues=12, prs=6, users=6, seed=5)
        self.board = generate_board(self.trello.state, cards=20, actions=150, members=8, seed=3)
        self.trello_people = [
            self.trello.state.members[m]["username"]
            for m in self.trello.state.board_members[self.board["id"]]
        ]

    def all(self) -> tuple[Any, ...]:
        return (self.jira, self.github, self.trello)


def _at(day: int) -> datetime:
    return datetime(2026, 9, day, 9, tzinfo=UTC)


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    made = Fakes()
    for fake in made.all():
        fake.start()
    try:
        yield made
    finally:
        for fake in made.all():
            fake.stop()


@pytest.fixture
def project(tmp_path: Path, fakes: Fakes) -> Path:
    logins = user_logins(6)
    trello = fakes.trello_people
    people = "".join(
        f'\n[[stakeholders]]\nname = "Person {i}"\npower = {2 + i % 4}\ninterest = 4\nowner = "Dana Whitfield"\n'
        f'identities = {{ github = "{logins[i]}", trello = "{trello[i - 1]}" }}\n'
        for i in range(1, 6)
    )
    config = (
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Dana Whitfield"\n'
        f'identities = {{ github = "{logins[0]}", jira = "{OLU}" }}\n'
        '\n[[stakeholders]]\nname = "Maria Jensen"\npower = 5\ninterest = 4\nowner = "Dana Whitfield"\n'
        f'identities = {{ jira = "{MARIA}" }}\n' + people + "\n[[sources]]\n"
        f'adapter = "jira"\nurl = "{fakes.jira.url}"\nproject = "APOLLO"\n'
        'email_env = "CANARY_JIRA_EMAIL"\ntoken_env = "CANARY_JIRA_TOKEN"\n'
        f'\n[[sources]]\nadapter = "github"\nrepo = "acme/apollo"\nbase_url = "{fakes.github.url}"\n'
        'token_env = "CANARY_GH_TOKEN"\n'
        f'\n[[sources]]\nadapter = "trello"\nboard = "{fakes.board["shortLink"]}"\n'
        f'base_url = "{fakes.trello.url}"\nkey_env = "CANARY_TRELLO_KEY"\ntoken_env = "CANARY_TRELLO_TOKEN"\n'
        f'\n[tasks]\nadapter = "jira"\nurl = "{fakes.jira.url}"\nproject = "APOLLO"\n'
        'email_env = "CANARY_JIRA_EMAIL"\ntoken_env = "CANARY_JIRA_TOKEN"\n'
    )
    (tmp_path / "stakeplug.toml").write_text(config, "utf-8")
    return tmp_path


def _audit(folder: Path, out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_stakeplug(
        "audit", "--debug", *WINDOW, "--format", FORMATS, "--out", out, *extra, cwd=folder, env=ENV
    )


def _leaks(result: subprocess.CompletedProcess[str], folder: Path) -> list[str]:
    """Every place a canary shows in the run's output or in a file below ``folder``, as ``place: form``."""
    texts: dict[str, bytes] = {"stdout": result.stdout.encode(), "stderr": result.stderr.encode()}
    texts.update({str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    return [
        f"{place}: {name} ({how}) {piece}"
        for place, data in texts.items()
        for name, forms in CANARIES.items()
        for how, form in forms.items()
        for piece in _pieces(form)
        if piece.encode() in data
    ]


def _pieces(form: str) -> list[str]:
    """The whole form, and each run of PIECE characters in it, so that a secret cut short is found too."""
    return [form] + [form[i : i + PIECE] for i in range(len(form) - PIECE + 1)]


def _written(folder: Path, out: str) -> dict[str, Any]:
    """The run wrote every format; the JSON report's contents."""
    names = {p.name for p in (folder / out).iterdir()}
    assert {"report.md", "report.json", "report.html"} <= names, names
    assert any(name.endswith(".csv") for name in names), names
    data: dict[str, Any] = json.loads((folder / out / "report.json").read_text("utf-8"))
    return data


def test_a_succeeding_run_shows_no_credential(project: Path, fakes: Fakes) -> None:
    """All three sources read, tasks posted to Jira, debug logging on: no form of any canary anywhere."""
    result = _audit(project, "out", "--post")
    assert result.returncode == 0, result.stderr[-3000:]
    data = _written(project, "out")
    assert [s["status"] for s in data["sources"]] == ["ok", "ok", "ok"]
    assert all(s["activities"] > 0 for s in data["sources"])
    assert "Reports: out/report.md" in result.stdout
    assert fakes.jira.stats()["requests"] > 0
    assert [p for p in (project / ".stakeplug").iterdir() if p.stat().st_size > 0]
    assert _leaks(result, project) == []


def test_refusals_that_repeat_the_credentials_show_none_of_them(project: Path, fakes: Fakes) -> None:
    """Every tracker answers 401 with a body repeating what it was sent: the echo is hidden everywhere."""
    for fake in fakes.all():
        fake.inject(Fault(status=401, times=1000, echo=True))
    result = _audit(project, "out", "--post", "--post-partial")
    assert result.returncode == 3, result.stderr[-3000:]
    data = _written(project, "out")
    assert [s["status"] for s in data["sources"]] == ["failed", "failed", "failed"]
    assert all("CANARY_" in (s["error"] or "") for s in data["sources"]), data["sources"]
    assert "***" in json.dumps(data)
    assert _leaks(result, project) == []
    explained = run_stakeplug("explain", "--debug", *WINDOW, "Maria Jensen", cwd=project, env=ENV)
    assert explained.returncode == 3, explained.stderr[-3000:]
    assert "CANARY_GH_TOKEN" in explained.stdout + explained.stderr
    assert _leaks(explained, project) == []


def test_server_errors_that_repeat_the_credentials_show_none_of_them(project: Path, fakes: Fakes) -> None:
    """A 500 with an echoing body before each source's first answer (retried, logged), then Jira
    refusing the first task it is asked to create with an echoing 400: hidden in every output."""
    for fake in fakes.all():
        fake.inject(Fault(status=500, echo=True))
    fakes.jira.inject(Fault(status=400, path="/issue", method="POST", times=1000, echo=True))
    result = _audit(project, "out", "--post")
    assert result.returncode == 3, result.stderr[-3000:]
    data = _written(project, "out")
    assert [s["status"] for s in data["sources"]] == ["ok", "ok", "ok"]
    assert data["posting"]["error"]
    assert "***" in result.stderr
    assert _leaks(result, project) == []


def test_the_http_libraries_debug_lines_show_no_credential(project: Path, fakes: Fakes) -> None:
    """Each tracker's first answer redirects to a sign-in page whose query string carries every
    canary (a misconfigured single sign-on proxy does this): urllib3 logs the followed request
    line at debug, which ``--debug`` turns on, and the line is shown with the credentials hidden."""
    login = "/sso/login?" + "&".join(
        f"{name}={quote_plus(value)}"
        for name, value in {
            "as": f"Basic {BASIC}",
            "key": TRELLO_KEY,
            "token": TRELLO_TOKEN,
            "from": GH_TOKEN,
            "jira": JIRA_TOKEN,
        }.items()
    )
    for fake in fakes.all():
        fake.inject(Fault(status=302, headers={"Location": login}))
    result = _audit(project, "out")
    assert result.returncode == 3, result.stderr[-3000:]
    followed = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("stakeplug: DEBUG: urllib3.connectionpool: ") and '"GET /sso/login?' in line
    ]
    assert len(followed) == 3, result.stderr[-3000:]
    assert all("as=Basic+***&key=***&token=***&from=***&jira=***" in line for line in followed), followed
    assert _leaks(result, project) == []
