"""Benchmark the Trello adapter: a full audit of a large board on the fake Trello.

Run it on demand::

    python tests/benchmarks/bench_trello.py [--cards 2000] [--actions 50000] [--latency 0.05]

The fake serves a generated board of ``--cards`` cards and ``--actions``
actions over six months, answering every request after ``--latency`` seconds,
with Trello's rate limits on.  The benchmark runs a full audit (the register's
whole lookback, scored by the engine) through the adapter, then lets a
collector that reads card by card (``GET /1/cards/{id}/actions`` for every
card, plus the board's lists and members) read the same board, and counts
both from the fake's request log.  It prints one ``key=value`` line per figure:

* ``actions_in_window``: A, the actions of the types read inside the audit's window;
* ``requests`` and ``expected_requests`` (⌈A/1000⌉ + 4; one page more when A is a
  multiple of 1,000);
* ``audit_seconds``: wall time of the audit, latency included; ``paced_seconds``:
  time the adapter waited to stay under Trello's limits; ``rate_limited``: 429s;
* ``activities`` and ``stakeholders_scored``;
* ``per_card_requests``: what the card-by-card collector needed (run without
  latency and with the fake's limits lifted, to keep the benchmark short),
  ``per_card_seconds_at_latency``, the time those requests take one after another
  at the same latency, and ``per_card_seconds_at_token_limit``, the least time
  Trello's 100 requests per 10 s per token allows them;
* ``request_ratio``: per_card_requests / requests;
* ``store_…``: three nights a day apart through a real store file with ``stakeplug.run_audit``
  (see ``_nights.py``), at the same latency with the limits on (a fresh budget each night):
  cold, a rerun with nothing changed, and one after a new comment on 1 % of the cards.
  Target for the quiet rerun: one page of the actions listing plus the board, its lists,
  members and cards, in at most 10 % of the cold night's wall time.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from _nights import Nights, evenly_between, three_nights
from stakeplug_trello import ACTION_TYPES, TOKEN_LIMIT, WINDOW_SECONDS, TrelloAdapter
from stakeplug_trello.testing import FAKE_ENV, FAKE_KEY, FAKE_TOKEN, FakeTrello, TrelloState, generate_board

from stakeplug import audit, load_register

END = datetime(2026, 12, 1, tzinfo=UTC)
LOOKBACK_DAYS = 180


def register_file(folder: Path, usernames: list[str], *, source: str = "") -> Path:
    """A register with the board's members as stakeholders and two of them as the team.

    With ``source`` (a ``[[sources]]`` table) it is a whole ``stakeplug.toml``.
    """
    lines = [f'[project]\nname = "Bench"\nlookback_days = {LOOKBACK_DAYS}\n']
    for name in usernames[:2]:
        lines.append(f'[[team]]\nname = "{name}"\nidentities = {{ trello = "{name}" }}\n')
    for name in usernames[2:]:
        lines.append(
            f'[[stakeholders]]\nname = "{name}"\nowner = "{usernames[0]}"\nidentities = {{ trello = "{name}" }}\n'
        )
    lines.append(source)
    path = folder / ("stakeplug.toml" if source else "register.toml")
    path.write_text("\n".join(lines))
    return path


def store_nights(
    fake: FakeTrello, state: TrelloState, board: dict[str, Any], usernames: list[str], folder: Path
) -> Nights:
    """Three nights a day apart through a store file; 1 % of the cards get a comment before the third."""
    os.environ.update(FAKE_ENV)
    config = register_file(
        folder,
        usernames,
        source=f'[[sources]]\nadapter = "trello"\nboard = "{board["shortLink"]}"\nbase_url = "{fake.url}"\n',
    )
    by = next(m for m in state.members.values() if m["username"] == usernames[3])

    def change(after: datetime, before: datetime) -> int:
        cards = state.cards[board["id"]][50::100]
        for card, at in evenly_between(cards, after, before):
            state.comment(card, by, "one more thought", at)
        return len(cards)

    def reset() -> None:
        fake.reset_stats()
        fake.limits.reset()

    return three_nights(
        config,
        folder / "store.sqlite",
        until=lambda n: END + timedelta(days=n),
        by_path=lambda: fake.stats()["by_path"],
        reset=reset,
        change=change,
    )


def per_card_collect(fake: FakeTrello, board: str, card_ids: list[str], since: datetime) -> int:
    """Read the board card by card, as a collector without the board's actions listing would."""
    session = requests.Session()
    session.headers["Authorization"] = f'OAuth oauth_consumer_key="{FAKE_KEY}", oauth_token="{FAKE_TOKEN}"'
    before = fake.requests
    for path in (f"boards/{board}/lists", f"boards/{board}/members"):
        session.get(f"{fake.url}/{path}", timeout=30).raise_for_status()
    stamp = since.isoformat().replace("+00:00", "Z")
    for card_id in card_ids:
        params: dict[str, object] = {"limit": 1000, "since": stamp, "filter": ",".join(ACTION_TYPES)}
        while True:
            answer = session.get(f"{fake.url}/cards/{card_id}/actions", params=params, timeout=30)
            answer.raise_for_status()
            page = answer.json()
            if len(page) < 1000:
                break
            params["before"] = page[-1]["id"]
    return fake.requests - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--actions", type=int, default=50_000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    state = TrelloState(seed=1)
    started = time.perf_counter()
    board = generate_board(state, cards=args.cards, actions=args.actions, members=40, seed=1)
    print(f"generate_seconds={time.perf_counter() - started:.2f}")
    link = board["shortLink"]
    since = END - timedelta(days=LOOKBACK_DAYS)
    lo, hi = since.isoformat(), END.isoformat()
    in_window = sum(
        1
        for a in state.actions[board["id"]]
        if a["type"] in ACTION_TYPES and lo <= datetime.fromisoformat(a["date"]).isoformat() < hi
    )
    pages = in_window // 1000 + 1
    usernames = [state.members[m]["username"] for m in state.board_members[board["id"]]]

    with tempfile.TemporaryDirectory() as tmp, FakeTrello(state, latency=args.latency) as fake:
        register = load_register(register_file(Path(tmp), usernames))
        adapter = TrelloAdapter.from_config({"board": link, "base_url": fake.url}, env=FAKE_ENV)
        assert isinstance(adapter, TrelloAdapter)
        started = time.perf_counter()
        result = audit(register, [adapter], until=END)
        seconds = time.perf_counter() - started
        requests_made = fake.requests
        rate_limited = sum(fake.stats()["rate_limited"].values())
        paced = adapter.pacer.waited
        adapter.close()

        fake.latency = 0.0
        fake.limits.enabled = False
        fake.reset_stats()
        card_ids = [c["id"] for c in state.cards[board["id"]]]
        per_card = per_card_collect(fake, link, card_ids, since)

        fake.latency = args.latency
        fake.limits.enabled = True
        nights = store_nights(fake, state, board, usernames, Path(tmp))

    activities = sum(s.activities for s in result.sources)
    print(f"cards={args.cards}")
    print(f"actions={args.actions}")
    print(f"latency_seconds={args.latency}")
    print(f"actions_in_window={in_window}")
    print(f"requests={requests_made}")
    print(f"expected_requests={pages + 4}")
    print(f"ceil_formula_requests={math.ceil(in_window / 1000) + 4}")
    print(f"audit_seconds={seconds:.2f}")
    print(f"paced_seconds={paced:.2f}")
    print(f"rate_limited={rate_limited}")
    print(f"activities={activities}")
    print(f"stakeholders_scored={len(result.scores)}")
    print(f"per_card_requests={per_card}")
    print(f"per_card_seconds_at_latency={per_card * args.latency:.1f}")
    print(f"per_card_seconds_at_token_limit={per_card / TOKEN_LIMIT * WINDOW_SECONDS:.1f}")
    print(f"request_ratio={per_card / requests_made:.1f}")
    nights.print()


if __name__ == "__main__":
    main()
