"""The whole command line on the fake Trello: audit a board, post care as cards, run again the next night."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from stakeplug_trello.testing import FAKE_ENV, FAKE_KEY, FAKE_TOKEN, FakeTrello, TrelloState, generate_board

TEAM = ("member000", "member001")
STAKEHOLDERS = tuple(f"member{i:03d}" for i in range(2, 10))


def _config(folder: Path, fake: FakeTrello, board: str) -> Path:
    lines = ['[project]\nname = "Apollo"\nlookback_days = 180\n']
    for name in TEAM:
        lines.append(f'[[team]]\nname = "{name}"\nidentities = {{ trello = "{name}" }}\n')
    for name in STAKEHOLDERS:
        lines.append(
            f'[[stakeholders]]\nname = "{name}"\nowner = "{TEAM[0]}"\npower = 4\ninterest = 4\n'
            f'identities = {{ trello = "{name}" }}\n'
        )
    lines.append(f'[[sources]]\nadapter = "trello"\nboard = "{board}"\nbase_url = "{fake.url}"\n')
    lines.append(f'[tasks]\nadapter = "trello"\nboard = "{board}"\nbase_url = "{fake.url}"\nprivate = true\n')
    path = folder / "stakeplug.toml"
    path.write_text("\n".join(lines))
    return path


def _audit(config: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **FAKE_ENV}
    command = [sys.executable, "-m", "stakeplug", "audit", "--config", str(config), "--format", "json"]
    command += ["--since", "2026-06-01", "--until", "2026-12-01", *extra]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_an_audit_of_a_trello_board_posts_care_as_cards_once(tmp_path: Path) -> None:
    """The CLI reads the board, posts the care tasks as cards, and the next run creates none again."""
    state = TrelloState(seed=11)
    board = generate_board(state, cards=80, actions=2800, members=12, seed=11, short_link="ApoLLo02")
    with FakeTrello(state) as fake:
        config = _config(tmp_path, fake, board["shortLink"])
        first = _audit(config, tmp_path, "--post")
        assert first.returncode in (0, 1), first.stderr
        report = json.loads((tmp_path / "stakeplug-report" / "report.json").read_text())
        [source] = report["sources"]
        assert source["adapter"] == "trello" and source["status"] == "ok"
        assert source["requests"] == 3 + 4
        created = list(state.created_cards)
        assert created and len(created) == sum(1 for r in report["suggestions"] if r["status"] == "created")
        owner = next(m["id"] for m in state.members.values() if m["username"] == TEAM[0])
        assert all(card["idMembers"] == [owner] for card in created)
        assert all(card["name"] for card in created)

        second = _audit(config, tmp_path, "--post")
        assert second.returncode in (0, 1), second.stderr
        assert len(state.created_cards) == len(created)
        for run in (first, second):
            for secret in (FAKE_KEY, FAKE_TOKEN):
                assert secret not in run.stdout and secret not in run.stderr
        for path in (tmp_path / "stakeplug-report").iterdir():
            text = path.read_text(errors="replace")
            assert FAKE_TOKEN not in text
            assert "what do you think" not in text, "comment text is never kept"
        assert fake.stats()["credentials_in_query"] == 0


def test_posting_to_a_public_board_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    """A public task board without allow_public: nothing is created and the command exits 2 saying why."""
    state = TrelloState(seed=12)
    board = generate_board(state, cards=40, actions=900, members=12, seed=12, permission="public")
    with FakeTrello(state) as fake:
        config = _config(tmp_path, fake, board["shortLink"])
        run = _audit(config, tmp_path, "--post")
        assert run.returncode == 2, run.stderr
        assert "is public" in run.stderr and "allow_public = true" in run.stderr
        assert state.created_cards == []
