"""``python -m stakeplug_trello.testing``: serve a generated board on a fake Trello, or export it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stakeplug_trello.testing._generate import generate_board
from stakeplug_trello.testing._server import FakeTrello
from stakeplug_trello.testing._state import TrelloState


def main(argv: list[str] | None = None) -> int:
    """Build the board, write the export if asked, then serve until interrupted (unless ``--no-serve``)."""
    parser = argparse.ArgumentParser(prog="python -m stakeplug_trello.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--public", action="store_true", help="make the board public")
    parser.add_argument(
        "--export",
        metavar="PATH",
        help="write the board as a Trello board export (every action; Trello's own keeps the newest 1,000)",
    )
    parser.add_argument("--no-serve", action="store_true", help="only write the export")
    args = parser.parse_args(argv)
    state = TrelloState(seed=args.seed)
    try:
        board = generate_board(
            state,
            cards=args.cards,
            actions=args.actions,
            members=args.members,
            seed=args.seed,
            permission="public" if args.public else "private",
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.export:
        Path(args.export).write_text(json.dumps(state.export(board["id"])), encoding="utf-8")
        print(f"export: {args.export} ({args.actions} actions, {args.cards} cards)")
    if args.no_serve:
        return 0
    fake = FakeTrello(state, host=args.host, port=args.port, latency=args.latency)
    fake.start()
    print(f"fake Trello: {fake.url}  board: {board['shortLink']}")
    print(f"TRELLO_API_KEY={fake.key}")
    print(f"TRELLO_TOKEN={fake.token}")
    sys.stdout.flush()
    fake.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
