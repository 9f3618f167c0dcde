"""The command line knows the Trello adapter: `stakeplug adapters` lists it, `stakeplug init` offers it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from stakeplug_trello import TrelloAdapter

from stakeplug import Capabilities

ENV = {"TRELLO_API_KEY": "k" * 32, "TRELLO_TOKEN": "t" * 64}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRELLO_")}
    return subprocess.run(
        [sys.executable, "-m", "stakeplug", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_adapters_lists_trello_with_its_capabilities(tmp_path: Path) -> None:
    """`stakeplug adapters` names trello, its distribution and exactly the capabilities it declares."""
    listed = {a["name"]: a for a in json.loads(run("adapters", "--json", cwd=tmp_path).stdout)}
    trello = listed["trello"]
    declared = TrelloAdapter.capabilities.names()
    assert sorted(trello["capabilities"]) == sorted(declared)
    assert {"comments", "mentions", "assignments", "due_dates", "links", "posts_tasks"} <= set(declared)
    assert "reviews" not in trello["capabilities"] and "reactions" not in trello["capabilities"]
    assert {"reviews", "reactions"} <= set(Capabilities(reviews=True, reactions=True).names())
    assert trello["version"] == TrelloAdapter.version
    table = run("adapters", cwd=tmp_path).stdout.splitlines()
    assert any(line.split()[0] == "trello" and "stakeplug-trello" in line for line in table[1:])


def _uncomment_trello_blocks(text: str) -> str:
    """The init template with its commented Trello sources and Trello [tasks] table switched on."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line in ("# [[sources]]", "# [tasks]") and nxt == '# adapter = "trello"':
            while i < len(lines) and lines[i].startswith("# ") and lines[i] != "#":
                out.append(lines[i][2:])
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def test_init_offers_a_trello_source_that_validates(tmp_path: Path) -> None:
    """The starter config has a Trello board source, a board export source and Trello tasks, all valid."""
    assert run("init", cwd=tmp_path).returncode == 0
    path = tmp_path / "stakeplug.toml"
    enabled = _uncomment_trello_blocks(path.read_text("utf-8"))
    assert len(re.findall(r'^adapter = "trello"$', enabled, re.M)) == 3
    path.write_text(enabled, "utf-8")
    missing = run("validate", cwd=tmp_path)
    assert missing.returncode == 2 and "TRELLO_API_KEY" in missing.stderr
    valid = run("validate", cwd=tmp_path, env=ENV)
    assert valid.returncode == 0, valid.stderr
    assert "trello (trello)" in valid.stdout and "trello-export (trello)" in valid.stdout
    assert "care tasks go to: trello" in valid.stdout
    for secret in ENV.values():
        assert secret not in valid.stdout + valid.stderr
