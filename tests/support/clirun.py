"""The installed ``stakeplug`` command, run as a real subprocess for the CLI tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path


def stakeplug_command() -> str:
    """The ``stakeplug`` console script of this environment."""
    found = shutil.which("stakeplug", path=str(Path(sys.executable).parent)) or shutil.which("stakeplug")
    assert found, "the stakeplug console script is installed"
    return found


def run_stakeplug(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
    command: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``stakeplug *args`` in ``cwd``; a failing exit is returned, not raised.

    The child gets this environment without ``CI`` and the names in ``drop``,
    plus ``env``.  ``command`` replaces the console script (e.g. ``python -m stakeplug``).
    """
    dropped = {"CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", *drop}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env or {})
    return subprocess.run(
        [*(command or [stakeplug_command()]), *args],
        cwd=cwd,
        env=full_env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
