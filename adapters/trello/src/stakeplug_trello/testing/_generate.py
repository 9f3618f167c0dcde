"""A board of any size for the fake Trello: members, lists, labels, cards and a history of actions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from stakeplug_trello.testing._state import TrelloState

__all__ = ["GENERATED_END", "GENERATED_START", "generate_board"]

GENERATED_START = datetime(2026, 6, 1, tzinfo=UTC)
GENERATED_END = datetime(2026, 12, 1, tzinfo=UTC)

_LISTS = ("To Do", "Doing", "Review", "Done")
_LABELS = (("status report", "blue"), ("input needed", "orange"), ("bug", "red"), ("idea", "green"))
_WEIGHTS = (
    ("comment", 40),
    ("move", 25),
    ("assign", 12),
    ("unassign", 3),
    ("tick", 6),
    ("attach", 3),
    ("copy", 1),
    ("board", 1),
)


def generate_board(
    state: TrelloState,
    *,
    cards: int = 200,
    actions: int = 2000,
    members: int = 12,
    seed: int = 0,
    start: datetime = GENERATED_START,
    end: datetime = GENERATED_END,
    name: str = "Generated board",
    permission: str = "private",
    short_link: str | None = None,
) -> dict[str, Any]:
    """Add a board with ``cards`` cards and exactly ``actions`` actions spread over ``[start, end)``.

    The first actions create the cards (a board with fewer actions than cards
    has cards whose creation is older than its history); the rest are comments
    (half of them mentioning someone), moves between lists, cards joined and
    left, due dates ticked, card links attached, cards copied from another
    board and members added.  The same arguments give the same board.
    """
    if cards < 1 or actions < 0 or members < 2:
        raise ValueError("generate_board: at least one card, no negative actions and two members")
    own_epoch = state.epoch is None
    if own_epoch:
        # Ids made without a time of their own (lists, labels, members) take the window's start,
        # not the clock, so the same arguments give the same board whenever it is generated.
        state.epoch = start
    try:
        return _fill(
            state,
            cards=cards,
            actions=actions,
            members=members,
            seed=seed,
            start=start,
            end=end,
            name=name,
            permission=permission,
            short_link=short_link,
        )
    finally:
        if own_epoch:
            state.epoch = None


def _fill(
    state: TrelloState,
    *,
    cards: int,
    actions: int,
    members: int,
    seed: int,
    start: datetime,
    end: datetime,
    name: str,
    permission: str,
    short_link: str | None,
) -> dict[str, Any]:
    """The body of :func:`generate_board` (every argument given, none defaulted)."""
    rng = random.Random(seed)
    board = state.add_board(name, permission=permission, short_link=short_link, when=start)
    lists = [state.add_list(board, list_name) for list_name in _LISTS]
    labels = [state.add_label(board, label, color) for label, color in _LABELS]
    people = [state.add_member(f"member{i:03d}", f"Member {i:03d}") for i in range(members)]
    for person in people[: max(2, members - 2)]:
        state.join(board, person)
    outsider = state.add_board("Partner board", permission="private", when=start)
    span = (end - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(actions))
    created: list[dict[str, Any]] = []
    for i in range(cards):
        when = times[i] if i < len(times) else start
        chosen = [labels[0]] if i % 25 == 0 else ([labels[1]] if i % 10 == 0 else [])
        due = when + timedelta(days=rng.randint(3, 30)) if i % 3 == 0 else None
        created.append(
            state.add_card(
                board,
                lists[0],
                f"Card {i + 1}",
                by=rng.choice(people),
                when=when,
                due=due,
                labels=chosen,
                action=i < len(times),
            )
        )
    kinds = [k for k, _ in _WEIGHTS]
    weights = [w for _, w in _WEIGHTS]
    for n, when in enumerate(times[cards:]):
        card = created[rng.randrange(min(len(created), cards))]
        by = rng.choice(people)
        kind = rng.choices(kinds, weights)[0]
        _one_action(state, kind, board, card, by, when, rng, people, lists, created, outsider, n)
    return board


def _one_action(
    state: TrelloState,
    kind: str,
    board: dict[str, Any],
    card: dict[str, Any],
    by: dict[str, Any],
    when: datetime,
    rng: random.Random,
    people: list[dict[str, Any]],
    lists: list[dict[str, Any]],
    created: list[dict[str, Any]],
    outsider: dict[str, Any],
    n: int,
) -> None:
    other = rng.choice(people)
    if kind == "move":
        target = rng.choice([x for x in lists if x["id"] != card["idList"]])
        state.move(card, target, by=by, when=when)
    elif kind == "assign":
        state.assign(card, other, by=by, when=when)
    elif kind == "unassign" and card["idMembers"]:
        member = next(p for p in people if p["id"] == card["idMembers"][0])
        state.unassign(card, member, by=by, when=when)
    elif kind == "tick":
        state.tick_due(card, by=by, when=when, complete=not card["dueComplete"])
    elif kind == "attach":
        state.attach_link(card, f"https://trello.com/c/{rng.choice(created)['shortLink']}", by=by, when=when)
    elif kind == "copy":
        state.copy_from(card, outsider, by=by, when=when)
    elif kind == "board":
        state.add_to_board(board, other, by=by, when=when)
    else:
        text = f"Update {n}: @{other['username']} what do you think?" if n % 2 else f"Note {n} on progress."
        state.comment(card, by, text, when)
