"""Generate the Trello board export of the bundled demo project (``src/stakeplug/demo/trello-board.json``).

The Apollo team plans its rollout on a Trello board.  Over the demo's six
months, Dana hands rollout waves to Priya with a due date and Priya moves them
through the lists into Done in time; Dana posts a monthly status-report card
that Maria comments on unasked; Yuki asks Maria a question in a comment and
she answers the next day; Maria picks up training cards herself and finishes
them, and once adds Sam to the board.  Both are partners already, so the
board adds evidence without moving anyone on the map: the demo's promises
(every category, a partner at risk, every care action) hold with it.

The board is built with the fake Trello's state and written as Trello's own
"Export as JSON", read by the ``trello`` adapter's ``path`` source.  Links
point at ``trello.example.com``.  The output is deterministic::

    python tools/make_demo_trello.py            # rewrite the file
    python tools/make_demo_trello.py --check    # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stakeplug_trello.testing import TrelloState

OUT = Path(__file__).resolve().parent.parent / "src" / "stakeplug" / "demo" / "trello-board.json"
START = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
"""Two days into the demo's window, which ends on 2026-11-30."""
MONTHS = 6
SEED = 20261130


def build() -> dict[str, Any]:
    """The demo board, as an export."""
    state = TrelloState(seed=SEED, epoch=START)
    board = state.add_board("Apollo rollout", short_link="ApoRollo", permission="org", when=START)
    lists = {name: state.add_list(board, name) for name in ("To Do", "Doing", "Done")}
    report_label = state.add_label(board, "status-report", "blue")
    people = _people(state, board)
    dana, sam, yuki = people["danawhitfield"], people["samcarter"], people["yukitanaka"]
    maria, priya = people["mariajensen"], people["priyaraman"]
    for month in range(MONTHS):
        at = START + timedelta(days=28 * month)
        wave = state.add_card(
            board, lists["To Do"], f"Rollout wave {month + 1}", by=dana, when=at, due=at + timedelta(days=10)
        )
        state.assign(wave, priya, by=dana, when=at + timedelta(hours=2))
        state.move(wave, lists["Doing"], by=priya, when=at + timedelta(days=1))
        state.comment(wave, priya, "Wave prepared; the pilot sites are ready.", at + timedelta(days=4))
        state.move(wave, lists["Done"], by=priya, when=at + timedelta(days=7))
        report = state.add_card(
            board,
            lists["Done"],
            f"Status report, month {month + 1}",
            by=dana,
            when=at + timedelta(days=8),
            labels=[report_label],
        )
        state.comment(report, maria, "Good progress, thanks for the clear summary.", at + timedelta(days=9))
        question = state.add_card(
            board, lists["To Do"], f"Budget question {month + 1}", by=yuki, when=at + timedelta(days=12)
        )
        state.comment(
            question,
            yuki,
            "@mariajensen can the pilot budget cover the extra site?",
            at + timedelta(days=12, hours=1),
        )
        state.comment(question, maria, "Yes, it can; I will confirm in writing.", at + timedelta(days=13))
        training = state.add_card(
            board,
            lists["To Do"],
            f"Training plan {month + 1}",
            by=sam,
            when=at + timedelta(days=15),
            due=at + timedelta(days=25),
        )
        state.assign(training, maria, by=maria, when=at + timedelta(days=16))
        state.move(training, lists["Done"], by=maria, when=at + timedelta(days=22))
        if month == 2:
            state.add_to_board(board, sam, by=maria, when=at + timedelta(days=20))
    export = state.export(board["id"])
    return _example_links(export)


def _people(state: TrelloState, board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The team and the two partners who use the board (Sam joins it later, added by Maria)."""
    names = (
        ("danawhitfield", "Dana Whitfield"),
        ("samcarter", "Sam Carter"),
        ("yukitanaka", "Yuki Tanaka"),
        ("mariajensen", "Maria Jensen"),
        ("priyaraman", "Priya Raman"),
    )
    people = {key: state.add_member(key, name) for key, name in names}
    for key in ("danawhitfield", "yukitanaka", "mariajensen", "priyaraman"):
        state.join(board, people[key])
    return people


def _example_links(export: dict[str, Any]) -> dict[str, Any]:
    """Every link on trello.example.com: the demo's accounts and links are made up."""
    text = json.dumps(export, ensure_ascii=False, sort_keys=True)
    return json.loads(text.replace("https://trello.com/", "https://trello.example.com/"))  # type: ignore[no-any-return]


def render() -> str:
    """The file's text: one line, keys sorted, so a change shows as a change."""
    return json.dumps(build(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the export, or with ``--check`` compare it with the committed file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(
                f"{OUT.name} differs from the generator's output; run tools/make_demo_trello.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
