"""The bundled demo project behind ``stakeplug demo``.

"Apollo" has three team members, twelve stakeholders and six months of made-up
activity in Jira, GitHub and mail (``jira.jsonl``, ``github.jsonl``,
``email.jsonl``, read with the ``file`` source) and on a Trello board
(``trello-board.json``, a Trello board export read by the ``trello`` adapter,
so the demo exercises all three first-party trackers' translation offline;
when that adapter is not installed the demo leaves the board out).  The activity was generated
with a seeded script so that the audit shows every category of the map, a
partner at risk, a powerful stakeholder reached through an intermediary, an
ambassador with consent, candidates for the register and every care action.

The demo always audits the window that ends at :data:`UNTIL`, so its results
do not change with the calendar.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from stakeplug.plugins.registry import available_adapters

__all__ = ["FILES", "UNTIL", "config_path"]

UNTIL = datetime(2026, 11, 30, tzinfo=UTC)
"""The fixed end of the demo's audit window (exclusive), and its "now"."""

FILES = ("stakeplug.toml", "jira.jsonl", "github.jsonl", "email.jsonl", "trello-board.json")
"""The files of the demo project."""


@contextlib.contextmanager
def config_path() -> Iterator[Path]:
    """The path of the demo's ``stakeplug.toml``, with its activity files beside it.

    When the package is installed as plain files (the usual case) this is the
    file in the package; otherwise, or when the ``trello`` adapter is not
    installed (its source is then left out), the files are copied to a
    temporary folder for the duration of the ``with`` block.
    """
    root = files(__name__)
    trello = "trello" in available_adapters()
    if isinstance(root, Path) and trello:
        yield root / "stakeplug.toml"
        return
    with tempfile.TemporaryDirectory(prefix="stakeplug-demo-") as tmp:
        for name in FILES:
            with root.joinpath(name).open("rb") as src, open(Path(tmp) / name, "wb") as dst:
                shutil.copyfileobj(src, dst)
        config = Path(tmp) / "stakeplug.toml"
        if not trello:
            text = config.read_text(encoding="utf-8")
            config.write_text(text[: text.index(_TRELLO_PART)], encoding="utf-8")
        yield config


_TRELLO_PART = "# The Trello board needs the trello adapter"
"""Where the demo config's Trello source starts: it runs to the end of the file."""
