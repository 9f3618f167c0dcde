"""Card writes that converge: ambiguous create failures, and two runs that both make the care list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from stakeplug_trello.testing import FakeTrello, TrelloState, World

from stakeplug import FINGERPRINT_LABEL_PREFIX, TASK_LABEL, TaskDraft, fingerprint_from_text
from stakeplug.adapter import task_body
from stakeplug.errors import UnavailableError

FP = "0a1b2c3d4e5f6a7b"


def draft(fingerprint: str = FP) -> TaskDraft:
    """A neutral care task for Maria, owned by dana."""
    wording = "Thank Maria for the figures and share what they made possible."
    return TaskDraft(
        title="Keep in touch with Maria Jensen",
        body=task_body(wording, fingerprint),
        labels=(TASK_LABEL, f"{FINGERPRINT_LABEL_PREFIX}{fingerprint}"),
        fingerprint=fingerprint,
        action="celebrate_and_thank",
        stakeholder="Maria Jensen",
        due=datetime(2026, 3, 20, 17, 0, tzinfo=UTC),
        assignee="dana",
        wording=wording,
    )


@pytest.fixture
def ready(world: World, state: TrelloState) -> World:
    """The example board with the care list and labels in place: a post is one card create."""
    state.add_list(world.board, "Stakeholder care")
    state.add_label(world.board, TASK_LABEL)
    return world


def _cards(state: TrelloState, world: World) -> list[dict[str, object]]:
    return [c for c in state.cards[world.board["id"]] if fingerprint_from_text(str(c["desc"])) == FP]


def test_a_503_after_the_card_was_created_is_not_answered_with_a_second_card(
    ready: World, fake: FakeTrello, state: TrelloState, make_adapter
) -> None:
    """Trello created the card but answered 503: the adapter looks in the list, finds it, reports it."""
    fake.fail(503, method="POST", path="/1/cards", after=True)
    result = make_adapter(board="ApoLLo01").post_task(draft(FP), dry_run=False)
    [card] = state.created_cards
    assert result.created and result.task is not None and result.task.id == card["shortLink"]
    assert "its answer was lost; found by its fingerprint" in result.reason
    assert fake.stats()["by_path"]["POST /1/cards"] == 1


def test_a_connection_dropped_after_the_card_was_created_is_not_answered_with_a_second_card(
    ready: World, fake: FakeTrello, state: TrelloState, make_adapter
) -> None:
    """No answer at all after the create: look first, find the card, create nothing more."""
    fake.drop_connections(method="POST", path="/1/cards", after=True)
    result = make_adapter(board="ApoLLo01").post_task(draft(FP), dry_run=False)
    [card] = state.created_cards
    assert result.created and result.task is not None and result.task.id == card["shortLink"]
    assert fake.stats()["by_path"]["POST /1/cards"] == 1


def test_a_503_before_anything_happened_is_looked_into_and_sent_once_more(
    ready: World, fake: FakeTrello, state: TrelloState, make_adapter
) -> None:
    """A 503 that created nothing: the look finds no card, so the second attempt creates it."""
    fake.fail(503, method="POST", path="/1/cards")
    result = make_adapter(board="ApoLLo01").post_task(draft(FP), dry_run=False)
    assert result.created and result.reason.endswith("at the second attempt")
    assert len(state.created_cards) == 1
    assert fake.stats()["by_path"]["POST /1/cards"] == 2


def test_two_failed_attempts_end_in_the_error_without_a_third(
    ready: World, fake: FakeTrello, state: TrelloState, make_adapter
) -> None:
    """When the second attempt fails too, the error is raised and nothing was created."""
    fake.fail(502, method="POST", path="/1/cards", times=2)
    with pytest.raises(UnavailableError):
        make_adapter(board="ApoLLo01").post_task(draft(FP), dry_run=False)
    assert state.created_cards == []
    assert fake.stats()["by_path"]["POST /1/cards"] == 2


def test_two_runs_that_both_create_the_care_list_end_with_one_list_and_one_open_card(
    world: World, fake: FakeTrello, state: TrelloState, make_adapter
) -> None:
    """Both runs found no care list and made one; the later run archives its own, empty, and uses the first."""
    one, two = make_adapter(board="ApoLLo01"), make_adapter(board="ApoLLo01")
    assert one.find_tasks() == [] and two.find_tasks() == []
    assert one.post_task(draft(FP), dry_run=True).dry_run and two.post_task(draft(FP), dry_run=True).dry_run
    first = one.post_task(draft(FP), dry_run=False)
    second = two.post_task(draft(FP), dry_run=False)
    care = [x for x in state.lists[world.board["id"]] if x["name"] == "Stakeholder care"]
    assert [x["closed"] for x in care] == [False, True]
    cards = _cards(state, world)
    assert {c["idList"] for c in cards} == {care[0]["id"]}
    assert [c["shortLink"] for c in cards if not c["closed"]] == [c["shortLink"] for c in cards[:1]]
    assert first.created and first.task is not None
    assert not second.created and second.task is not None and second.task.id == first.task.id
    assert f"this run's card {cards[1]['shortLink']} was archived" in second.reason
    assert [t for m, t in fake.request_log if m == "PUT"] == [
        f"/1/lists/{care[1]['id']}",
        f"/1/cards/{cards[1]['id']}",
    ]
