"""Care tasks posted as Trello cards: the list, labels, member and due date; idempotent; privacy guard."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from stakeplug_trello import TrelloAdapter
from stakeplug_trello.testing import FAKE_ENV, TrelloState, example_board

from stakeplug import FINGERPRINT_LABEL_PREFIX, TASK_LABEL, TaskDraft, fingerprint_from_text
from stakeplug.adapter import task_body
from stakeplug.errors import ConfigError, PrivacyError

DUE = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)


def draft(
    fingerprint: str = "0a1b2c3d4e5f6a7b", *, assignee: str | None = "dana", private: bool = True
) -> TaskDraft:
    wording = "Thank Maria for the figures and share what they made possible."
    explanation = "partner, energy 4.2, acceptance 2.1" if private else ""
    evidence = ("https://trello.com/c/Abc12345",) if private else ()
    return TaskDraft(
        title="Thank Maria Jensen",
        body=task_body(wording, fingerprint, explanation=explanation, evidence=evidence),
        labels=(TASK_LABEL, "care:celebrate_and_thank", f"{FINGERPRINT_LABEL_PREFIX}{fingerprint}"),
        fingerprint=fingerprint,
        action="celebrate_and_thank",
        stakeholder="Maria Jensen",
        due=DUE,
        assignee=assignee,
        wording=wording,
        explanation=explanation,
        evidence=evidence,
    )


def posts(fake) -> list[str]:
    return [target.split("?")[0] for method, target in fake.request_log if method == "POST"]


def test_a_task_becomes_a_card_in_the_care_list_with_labels_member_and_due_date(
    world, fake, state, make_adapter
):
    """The list and labels are created when missing; the owner is a member; the due date and marker are set."""
    result = make_adapter(board="ApoLLo01").post_task(draft(), dry_run=False)
    assert result.created and result.task is not None and result.task.fingerprint == "0a1b2c3d4e5f6a7b"
    [card] = state.created_cards
    in_list = next(x for x in state.lists[world.board["id"]] if x["id"] == card["idList"])
    assert in_list["name"] == "Stakeholder care"
    assert [x["name"] for x in card["labels"]] == ["stakeplug", "care:celebrate_and_thank"]
    assert not any(x["name"].startswith(FINGERPRINT_LABEL_PREFIX) for x in state.labels[world.board["id"]])
    assert card["idMembers"] == [world.people["dana"]["id"]]
    assert card["due"] == "2026-03-20T17:00:00.000Z"
    assert fingerprint_from_text(card["desc"]) == "0a1b2c3d4e5f6a7b"
    assert "Why:" in card["desc"], "a private board gets the whole body"
    assert result.task.url == card["shortUrl"]
    assert posts(fake) == ["/1/lists", "/1/labels", "/1/labels", "/1/cards"]
    assert [t for m, t in fake.request_log if m == "PUT"] == []


def test_one_listing_finds_the_existing_tasks_and_nothing_is_created_twice(world, fake, state, make_adapter):
    """A second run, on another machine, lists the board's cards once and creates nothing again."""
    make_adapter(board="ApoLLo01").post_task(draft(), dry_run=False)
    fake.reset_stats()
    again = make_adapter(board="ApoLLo01")
    first, second = again.post_task(draft(), dry_run=False), again.post_task(draft(), dry_run=False)
    assert not first.created and not second.created and first.reason == "already exists"
    assert len(state.created_cards) == 1
    assert fake.stats()["by_path"] == {"GET /1/boards/ApoLLo01/cards": 1}


def test_a_task_moved_or_archived_by_the_team_is_still_found(world, state, make_adapter):
    """Tasks are found across the whole board, archived ones too; archived or ticked ones are not open."""
    adapter = make_adapter(board="ApoLLo01")
    adapter.post_task(draft(), dry_run=False)
    [card] = state.created_cards
    card["idList"] = world.lists["Done"]["id"]
    card["closed"] = True
    [task] = make_adapter(board="ApoLLo01").find_tasks()
    assert task.fingerprint == "0a1b2c3d4e5f6a7b" and not task.open
    assert not make_adapter(board="ApoLLo01").post_task(draft(), dry_run=False).created


def test_the_list_and_labels_that_exist_are_used(world, fake, state, make_adapter):
    """An existing list (any case) and existing labels are used, not created again."""
    care = state.add_list(world.board, "stakeholder CARE")
    state.add_label(world.board, "stakeplug")
    state.add_label(world.board, "care:celebrate_and_thank")
    make_adapter(board="ApoLLo01").post_task(draft(), dry_run=False)
    assert posts(fake) == ["/1/cards"]
    assert state.created_cards[0]["idList"] == care["id"]


def test_a_dry_run_is_the_default_and_writes_nothing(world, fake, state, make_adapter):
    """Without dry_run=False nothing is created; the result says where the card would go."""
    result = make_adapter(board="ApoLLo01", list="Partner care").post_task(draft())
    assert result.dry_run and not result.created
    assert (
        "would create a card in list 'Partner care' of board 'ApoLLo01' (the list would be created)"
        in result.reason
    )
    assert posts(fake) == [] and state.created_cards == []


def test_an_owner_who_is_not_on_the_board_leaves_the_card_without_a_member(world, state, make_adapter):
    """A card whose owner is no board member is still created, and the reason says why it has no member."""
    result = make_adapter(board="ApoLLo01").post_task(draft(assignee="stranger"), dry_run=False)
    assert result.created and "'stranger' is not a member of the board" in result.reason
    assert state.created_cards[0]["idMembers"] == []


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_public_board_is_refused_unless_allowed(fake, state, make_adapter, dry_run):
    """Posting to a public board is a PrivacyError, in a dry run too; nothing is created."""
    example_board(state, permission="public")
    with pytest.raises(PrivacyError, match="is public") as info:
        make_adapter(board="ApoLLo01").post_task(draft(), dry_run=dry_run)
    assert "allow_public = true" in str(info.value)
    assert state.created_cards == [] and posts(fake) == []


def test_an_allowed_public_board_gets_the_neutral_wording_only(fake, state, make_adapter):
    """With allow_public the card shows nothing that tells the action or category, whatever the draft says.

    The draft is one for a private target (the action's title, the care:<action> label, scores
    and evidence); on a public board the card gets the generic title, the neutral text and the
    stakeplug label only, and no care label is created on the board.
    """
    world = example_board(state, permission="public")
    result = make_adapter(board="ApoLLo01", allow_public=True).post_task(draft(), dry_run=False)
    assert result.created
    [card] = state.created_cards
    desc = card["desc"]
    assert desc.startswith("Thank Maria for the figures")
    assert "Why:" not in desc and "energy" not in desc and "Evidence" not in desc
    assert fingerprint_from_text(desc) == "0a1b2c3d4e5f6a7b"
    assert card["name"] == "Keep in touch with Maria Jensen"
    assert [x["name"] for x in card["labels"]] == ["stakeplug"]
    assert not any(x["name"].startswith("care:") for x in state.labels[world.board["id"]])
    assert posts(fake) == ["/1/lists", "/1/labels", "/1/cards"]


def test_a_neutral_draft_on_a_private_board_gets_no_action_label(world, fake, state, make_adapter):
    """A draft for a shared target (no care:<action> label, the generic title) is posted as it is."""
    neutral = attrs.evolve(
        draft(private=False),
        title="Keep in touch with Maria Jensen",
        labels=(TASK_LABEL, f"{FINGERPRINT_LABEL_PREFIX}0a1b2c3d4e5f6a7b"),
    )
    assert make_adapter(board="ApoLLo01").post_task(neutral, dry_run=False).created
    [card] = state.created_cards
    assert card["name"] == "Keep in touch with Maria Jensen"
    assert [x["name"] for x in card["labels"]] == ["stakeplug"]
    assert "Why:" not in card["desc"]


def test_several_boards_need_a_board_to_receive_the_tasks(world, state, make_adapter):
    """An adapter reading several boards without a board key says which key names the task board."""
    state.add_board("Other", short_link="OthEr002")
    adapter = make_adapter(boards=["ApoLLo01", "OthEr002"])
    with pytest.raises(ConfigError, match="set board ="):
        adapter.find_tasks()


def test_the_tasks_table_builds_the_adapter_with_its_list(world, fake, policy):
    """A [tasks] table with board and list builds an adapter that posts into that list."""
    adapter = TrelloAdapter.from_config(
        {"board": "ApoLLo01", "list": "Care", "base_url": fake.url},
        env=FAKE_ENV,
        where="tasks",
        policy=policy,
    )
    try:
        assert adapter.post_task(draft(), dry_run=False).created
        assert any(x["name"] == "Care" for x in fake.state.lists[world.board["id"]])
    finally:
        adapter.close()
    with pytest.raises(ConfigError, match="list: name the list"):
        TrelloAdapter.from_config({"board": "ApoLLo01", "list": " "}, env=FAKE_ENV, where="tasks")


def test_a_board_state_of_its_own_is_untouched_by_posting(world, state: TrelloState, make_adapter):
    """Posting adds one card and its createCard action; the board's other cards do not change."""
    before = {c["id"]: dict(c) for c in state.cards[world.board["id"]]}
    make_adapter(board="ApoLLo01").post_task(draft(), dry_run=False)
    after = {c["id"]: c for c in state.cards[world.board["id"]]}
    assert set(after) - set(before) == {state.created_cards[0]["id"]}
    assert all(after[k] == v for k, v in before.items())


def test_runs_that_race_end_with_one_open_card_per_fingerprint(world, fake, state, make_adapter):
    """Two runs that both found no task and both created one end with one open card, the same for both."""
    one, two = make_adapter(board="ApoLLo01"), make_adapter(board="ApoLLo01")
    assert one.find_tasks() == [] and two.find_tasks() == []
    first = one.post_task(draft(), dry_run=False)
    second = two.post_task(draft(), dry_run=False)
    cards = [
        c for c in state.cards[world.board["id"]] if fingerprint_from_text(c["desc"]) == "0a1b2c3d4e5f6a7b"
    ]
    assert len(cards) == 2 and sorted(c["closed"] for c in cards) == [False, True]
    [kept] = [c for c in cards if not c["closed"]]
    assert second.task is not None and second.task.id == kept["shortLink"]
    assert [t.id for t in make_adapter(board="ApoLLo01").find_tasks() if t.open] == [kept["shortLink"]]
    assert first.created
    assert second.created == (kept["id"] == state.created_cards[1]["id"])


def test_a_run_that_meets_an_earlier_duplicate_archives_its_own_card(world, fake, state, make_adapter):
    """A card another run created after this run's listing is kept; this run's new card is archived."""
    adapter = make_adapter(board="ApoLLo01")
    assert adapter.find_tasks() == []
    care = state.add_list(world.board, "Stakeholder care")
    body = task_body("Thank Maria for the figures.", "0a1b2c3d4e5f6a7b")
    rival = state.add_card(
        world.board, care, "Thank Maria Jensen", by=None, when=datetime(2020, 1, 1, tzinfo=UTC), desc=body
    )
    result = adapter.post_task(draft(), dry_run=False)
    assert not result.created and result.task is not None and result.task.id == rival["shortLink"]
    [mine] = state.created_cards
    assert f"this run's card {mine['shortLink']} was archived" in result.reason
    assert result.closed_duplicates == (mine["shortLink"],)
    assert mine["closed"] and not rival["closed"]
    assert [t for m, t in fake.request_log if m == "PUT"] == [f"/1/cards/{mine['id']}"]


def test_posting_n_tasks_costs_one_listing_four_reads_and_two_requests_a_card(
    world, fake, state, make_adapter
):
    """With the list and labels in place, N new tasks take 1 + 4 + 2N requests, counted exactly."""
    state.add_list(world.board, "Stakeholder care")
    for name in ("stakeplug", "care:celebrate_and_thank"):
        state.add_label(world.board, name)
    adapter = make_adapter(board="ApoLLo01")
    results = [adapter.post_task(draft(f"{i:016x}"), dry_run=False) for i in range(1, 4)]
    assert all(r.created for r in results)
    assert fake.requests == adapter.stats.requests == 1 + 4 + 2 * 3


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_workspace_board_takes_neutral_tasks_only(fake, state, make_adapter, dry_run):
    """A board its whole workspace reads refuses a private draft (scores, care label), posts a neutral one."""
    example_board(state, permission="org")
    adapter = make_adapter(board="ApoLLo01")
    with pytest.raises(PrivacyError, match="every member of its workspace") as info:
        adapter.post_task(draft(), dry_run=dry_run)
    assert "private = false" in str(info.value)
    assert state.created_cards == [] and posts(fake) == []
    neutral = attrs.evolve(
        draft(private=False),
        title="Keep in touch with Maria Jensen",
        labels=(TASK_LABEL, f"{FINGERPRINT_LABEL_PREFIX}0a1b2c3d4e5f6a7b"),
    )
    result = adapter.post_task(neutral, dry_run=dry_run)
    assert result.created is not dry_run
