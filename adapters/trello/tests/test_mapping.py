"""Translation of real Trello actions into activities, and the board snapshot behind it."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from stakeplug_trello import Translator, board_from_payloads, is_done_name, mentions
from stakeplug_trello._mapping import translate_all

from stakeplug import ActivityKind, ItemKind

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def board_of(export: dict[str, Any], **kw: Any) -> Any:
    return board_from_payloads(
        export, export["lists"], export["cards"], export["members"], labels=export["labels"], **kw
    )


def translate(export: dict[str, Any], actions: list[Any] | None = None, **kw: Any) -> list[Any]:
    skipped: list[str] = []
    tr = Translator(board_of(export), **kw)
    found = translate_all(tr, export["actions"] if actions is None else actions, *EVER, skipped.append)
    assert not skipped, skipped
    return found


def test_mentions_are_lowercase_usernames_without_the_author_or_everyone():
    """@mentions give usernames in order, once each, leaving out the author, @card, @board and e-mail addresses."""
    text = "@Kiera_Radman can you look? cc @ibnc2 @kiera_radman @card (mail me: a@b.org) @loudapena"
    assert mentions(text, author="loudapena") == ("kiera_radman", "ibnc2")
    assert mentions(None) == ()
    assert mentions("no one here") == ()


def test_lists_named_like_done_mean_done():
    """A list whose name has the word "done" means done, whatever the case and decoration."""
    assert is_done_name("Done") and is_done_name("DONE! 🙌🏽") and is_done_name("done this week")
    assert not is_done_name("Undone ideas") and not is_done_name("Doing")


def test_the_board_snapshot_reads_the_api_listings(load):
    """Cards, lists and members as the API's listings return them build the board snapshot."""
    board = board_from_payloads(
        load("ruby-trello-board_find_with_id_and_get_all_fields.0.json"),
        load("ruby-trello-can_get_lists_of_board.1.json"),
        load("ruby-trello-can_get_cards_of_board.1.json"),
        load("ruby-trello-can_get_members_of_board.1.json"),
    )
    assert board.permission_level == "org" and not board.public
    assert board.usernames == {"5e679b808e6e8828784b30e1": "hoppertest"}
    assert board.lists == {"5e93bac014d40e501ee46b8d": "L1"}
    card = board.cards["5ec0e621fe539f18d8d81980"]
    assert card.short_link == "WJXNVYCk" and card.url == "https://trello.com/c/WJXNVYCk"
    assert card.due == datetime(2020, 12, 22, 1, 59, tzinfo=UTC) and not card.due_complete


def test_done_lists_can_be_named(gocd):
    """done_lists replaces the default: only the named lists mean done."""
    default = board_of(gocd)
    assert {gocd_list_name(gocd, x) for x in default.done_lists} == {"Done"}
    named = board_of(gocd, done_lists=["ready for qa"])
    assert {gocd_list_name(gocd, x) for x in named.done_lists} == {"Ready for QA"}


def gocd_list_name(export: dict[str, Any], list_id: str) -> str:
    return next(x["name"] for x in export["lists"] if x["id"] == list_id)


def test_every_comment_of_the_export_becomes_one_comment_activity(gocd):
    """Each commentCard is one comment by its creator on its card, addressed to the people it mentions."""
    comments = [a for a in gocd["actions"] if a["type"] == "commentCard"]
    got = [a for a in translate(gocd) if a.kind is ActivityKind.COMMENT]
    assert len(got) == len(comments)
    by_id = {f"trello:{a['id']}": a for a in comments}
    for activity in got:
        raw = by_id[activity.id]
        assert activity.actor == raw["memberCreator"]["username"]
        assert activity.item.id == raw["data"]["card"]["shortLink"]
        assert activity.addressees == mentions(raw["data"]["text"], author=activity.actor)
        assert not {"text", "body"} & set(activity.details)
    assert any(a.addressees for a in got), "the export has comments that mention people"


def test_items_are_cards_with_their_links_labels_and_board(gocd):
    """An activity's item is its card: short link, card URL, name, labels and the board's short link."""
    cards = {c["shortLink"]: c for c in gocd["cards"]}
    for activity in translate(gocd):
        if activity.kind is ActivityKind.MEMBER_ADDED:
            assert activity.item.id == gocd["shortLink"]
            continue
        assert activity.item.project == gocd["shortLink"] == "iq20ZNIV"
        assert activity.item.url is not None and activity.item.url.startswith("https://trello.com/c/")
        card = cards.get(activity.item.id)
        if card is not None:
            assert activity.item.url == card["shortUrl"]
            assert activity.item.labels == tuple(x["name"] for x in card["labels"])


def test_moves_through_the_lists_end_in_a_completion(load):
    """A card moved list by list is transitioned each time and completed when it lands in Done."""
    actions = load("adlio-card-actions-typical.json")
    export = {
        "id": "57f039fbc0f98772398d289d",
        "shortLink": "QB4oHV5k",
        "lists": [{"id": "57f03a11ab00f21e8197bef5", "name": "Done"}],
        "cards": [],
        "members": [],
        "labels": [],
    }
    kinds = [a.kind for a in translate(export, actions)]
    assert kinds == [ActivityKind.CREATED] + [ActivityKind.TRANSITIONED] * 5 + [ActivityKind.COMPLETED]


def test_a_card_moved_out_of_done_is_reopened(gocd):
    """Moving a card from a done list to another list reopens it."""
    done = next(x for x in gocd["lists"] if x["name"] == "Done")
    other = next(x for x in gocd["lists"] if x["name"] == "In Progress")
    action = copy.deepcopy(next(a for a in gocd["actions"] if "listAfter" in a["data"]))
    action["data"]["listBefore"] = {"id": done["id"], "name": done["name"]}
    action["data"]["listAfter"] = {"id": other["id"], "name": other["name"]}
    [activity] = translate(gocd, [action])
    assert activity.kind is ActivityKind.REOPENED


def test_assignments_carry_the_cards_due_date(gocd):
    """addMemberToCard is an assignment of that member, with the card's due date; removal an unassignment."""
    got = translate(gocd)
    assigned = [a for a in got if a.kind is ActivityKind.ASSIGNED]
    raw = [a for a in gocd["actions"] if a["type"] == "addMemberToCard"]
    assert len(assigned) == len(raw)
    due = {c["shortLink"]: c["due"] for c in gocd["cards"]}
    for activity in assigned:
        expected = due.get(activity.item.id)
        assert (activity.due.isoformat() if activity.due else None) == (
            datetime.fromisoformat(expected).isoformat() if expected else None
        )
        assert activity.details.get("self_assigned", False) == (activity.actor in activity.addressees)
    removed = [a for a in got if a.kind is ActivityKind.UNASSIGNED]
    assert len(removed) == sum(1 for a in gocd["actions"] if a["type"] == "removeMemberFromCard")
    assert all(len(a.addressees) == 1 for a in assigned + removed)


def test_a_member_added_to_the_board_is_addressed(gocd):
    """addMemberToBoard is a member added by its creator, addressed to the new member, on the board."""
    added = [a for a in translate(gocd) if a.kind is ActivityKind.MEMBER_ADDED]
    assert ("loudapena", ("ankitsri",)) in [(a.actor, a.addressees) for a in added]
    assert len(added) == sum(1 for a in gocd["actions"] if a["type"] == "addMemberToBoard")


def test_ticking_the_due_date_completes_unless_the_card_sits_in_done(gocd):
    """dueComplete set completes with the due date; on a card now in a done list its move counted already."""
    ticks = [a for a in gocd["actions"] if "dueComplete" in a["data"].get("old", {})]
    assert ticks, "the export ticks due dates"
    board = board_of(gocd)
    got = {a.id: a for a in translate(gocd, ticks)}
    for raw in ticks:
        card = board.cards.get(raw["data"]["card"]["id"])
        in_done = card is not None and card.list_id in board.done_lists
        activity = got.get(f"trello:{raw['id']}")
        if in_done and raw["data"]["card"]["dueComplete"]:
            assert activity is None
        elif raw["data"]["card"]["dueComplete"]:
            assert activity is not None and activity.kind is ActivityKind.COMPLETED
        else:
            assert activity is not None and activity.kind is ActivityKind.REOPENED


def test_a_card_copied_within_the_board_is_created_and_from_another_board_is_linked(load):
    """copyCard without a source board is a created card; with one it is an external link naming it."""
    [action] = load("adlio-board-actions-copyCard.json")
    export = {"id": "57f039fbc0f98772398d289d", "shortLink": "QB4oHV5k", "lists": [], "cards": []}
    export |= {"members": [], "labels": []}
    [created] = translate(export, [action])
    assert created.kind is ActivityKind.CREATED and created.actor == "cfadl"
    linked_action = copy.deepcopy(action)
    linked_action["data"]["boardSource"] = {"id": "5a1b2c3d4e5f60718293a4b5"}
    [linked] = translate(export, [linked_action])
    assert linked.kind is ActivityKind.LINKED and linked.external
    assert linked.details["other_project"] == "5a1b2c3d4e5f60718293a4b5"


def test_an_attached_card_link_is_a_link_inside_or_outside_the_board(gocd):
    """An attachment linking a card of this board is an internal link; one to an unknown card is external."""
    base = next(a for a in gocd["actions"] if a["type"] == "addAttachmentToCard")
    inside, outside = copy.deepcopy(base), copy.deepcopy(base)
    inside["data"]["attachment"]["url"] = f"https://trello.com/c/{gocd['cards'][0]['shortLink']}/1-x"
    outside["data"]["attachment"]["url"] = "https://trello.com/c/Zz9Yy8Xx"
    inside["id"], outside["id"] = "1" * 24, "2" * 24
    got = {a.id: a for a in translate(gocd, [inside, outside, base])}
    assert not got["trello:" + "1" * 24].external
    assert got["trello:" + "2" * 24].external
    assert f"trello:{base['id']}" not in got, "a file attachment is no link"


def test_input_and_status_labels_set_the_item_kind(gocd):
    """A card with an input label asks for input (someone else adding a member is a request); a status label is a report."""
    got = translate(gocd, input_labels=["Research"], status_labels=["Website"])
    kinds = Counter(a.item.kind for a in got)
    assert kinds[ItemKind.INPUT_NEEDED] and kinds[ItemKind.STATUS_REPORT]
    for activity in got:
        if activity.kind is ActivityKind.REQUEST:
            assert activity.item.kind is ItemKind.INPUT_NEEDED
            assert activity.actor not in activity.addressees
            assert activity.details["request_kind"] == "input"


def test_deleted_members_and_missing_creators_never_stop_the_translation(gocd):
    """An action without memberCreator whose creator left the board has no actor; a vanished assignee is dropped."""
    comment = copy.deepcopy(next(a for a in gocd["actions"] if a["type"] == "commentCard"))
    del comment["memberCreator"]
    comment["idMemberCreator"] = "f" * 24
    known = copy.deepcopy(next(a for a in gocd["actions"] if a["type"] == "createCard"))
    del known["memberCreator"]
    assign = copy.deepcopy(next(a for a in gocd["actions"] if a["type"] == "addMemberToCard"))
    del assign["member"]
    assign["data"]["idMember"] = "e" * 24
    got = {a.id: a for a in translate(gocd, [comment, known, assign])}
    assert got[f"trello:{comment['id']}"].actor is None
    creator = next(m["username"] for m in gocd["members"] if m["id"] == known["idMemberCreator"])
    assert got[f"trello:{known['id']}"].actor == creator
    assert f"trello:{assign['id']}" not in got


def test_a_malformed_action_is_skipped_with_its_reason(gocd):
    """An action without a date or card is skipped and named; the others are still translated."""
    good = next(a for a in gocd["actions"] if a["type"] == "createCard")
    broken = {"id": "x1", "type": "commentCard", "date": "2019-06-01T00:00:00.000Z", "data": {}}
    undated = {"id": "x2", "type": "createCard", "data": {"card": {"id": "c"}}}
    skipped: list[str] = []
    got = translate_all(
        Translator(board_of(gocd)), [broken, good, undated, "nonsense"], *EVER, skipped.append
    )
    assert [a.id for a in got] == [f"trello:{good['id']}"]
    assert len(skipped) == 3 and any("x1" in s for s in skipped) and any("x2" in s for s in skipped)


@pytest.mark.parametrize("name", ["gocd-board-export-subset.json", "trello2planka-board-export.json"])
def test_translation_ignores_the_action_types_it_does_not_read(name, load):
    """Checklist, list and plugin actions carry no signal and give no activity."""
    export = load(name)
    read = {"commentCard", "createCard", "updateCard", "addMemberToCard", "removeMemberFromCard"}
    read |= {"addAttachmentToCard", "addMemberToBoard", "copyCard", "moveCardToBoard"}
    ids = {f"trello:{a['id']}" for a in export["actions"] if a["type"] in read}
    assert {a.id for a in translate(export)} <= ids
