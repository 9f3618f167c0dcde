"""An example board for tests and demonstrations: a small story every kind of action tells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from stakeplug_trello.testing._state import TrelloState

__all__ = ["EXAMPLE_START", "World", "example_board"]


EXAMPLE_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The time of the example board's first action."""


@attrs.define
class World:
    """The example board and what is on it, by name."""

    board: dict[str, Any]
    lists: dict[str, dict[str, Any]]
    labels: dict[str, dict[str, Any]]
    people: dict[str, dict[str, Any]]
    cards: dict[str, dict[str, Any]]


def example_board(state: TrelloState, *, permission: str = "private") -> World:
    """Add "Apollo" (short link ``ApoLLo01``): two days of comments with mentions, a request for input,
    assignments with a due date, moves into and out of Done, a ticked due date, a member added, links, a
    comment without a creator and one by a member deleted since.

    ``dana`` writes the cards; ``maria`` and ``tom`` answer; ``gone`` is deleted at the end.
    """
    board = state.add_board("Apollo", short_link="ApoLLo01", permission=permission, when=EXAMPLE_START)
    lists = {name: state.add_list(board, name) for name in ("To Do", "Doing", "Done")}
    labels = {name: state.add_label(board, name) for name in ("status report", "input needed")}
    people = {name: state.add_member(name, name.title()) for name in ("dana", "maria", "tom", "gone")}
    for person in people.values():
        state.join(board, person)
    dana, maria, tom, gone = (people[n] for n in ("dana", "maria", "tom", "gone"))
    at = [EXAMPLE_START + timedelta(hours=h) for h in range(40)]
    report = state.add_card(
        board, lists["To Do"], "Status report, week 10", by=dana, when=at[0], labels=[labels["status report"]]
    )
    ask = state.add_card(
        board, lists["To Do"], "Which data do you need?", by=dana, when=at[1], labels=[labels["input needed"]]
    )
    task = state.add_card(board, lists["To Do"], "Review the rollout plan", by=dana, when=at[2], due=at[30])
    state.comment(report, maria, "Thanks, looks good @dana", at[3])
    state.assign(ask, maria, by=dana, when=at[4])
    state.comment(ask, maria, "The monthly figures, please.", at[5])
    state.assign(task, tom, by=dana, when=at[6])
    state.move(task, lists["Doing"], by=tom, when=at[7])
    state.comment(task, dana, "@tom @maria can you both look at section 3?", at[8])
    state.tick_due(task, by=tom, when=at[9])
    state.move(task, lists["Done"], by=tom, when=at[10])
    state.move(task, lists["Doing"], by=maria, when=at[11])
    state.assign(task, tom, by=tom, when=at[12])
    state.unassign(task, tom, by=tom, when=at[13])
    state.comment(task, gone, "I am leaving soon", at[14])
    state.add_to_board(board, state.add_member("newbie", "New Bie"), by=maria, when=at[15])
    state.attach_link(task, "https://trello.com/c/Xy12Ab34", by=maria, when=at[16])
    state.copy_from(report, state.add_board("Maria's board", when=at[0]), by=maria, when=at[17])
    state.comment(report, None, "a comment without a creator", at[18])
    state.delete_member(gone)
    cards = {"report": report, "ask": ask, "task": task}
    return World(board=board, lists=lists, labels=labels, people=people, cards=cards)
