"""The fake Trello answers like Trello: shapes of the real payloads, paging caps, limits, errors, its CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
import requests
from stakeplug_trello.testing import (
    FAKE_KEY,
    FAKE_TOKEN,
    FakeTrello,
    TrelloState,
    example_board,
    generate_board,
)

AUTH = {"Authorization": f'OAuth oauth_consumer_key="{FAKE_KEY}", oauth_token="{FAKE_TOKEN}"'}


def get(fake: FakeTrello, path: str, **params: object) -> requests.Response:
    return requests.get(f"{fake.url}/{path}", params=params, headers=AUTH, timeout=10)


def test_payloads_have_the_keys_of_the_real_ones(world, fake, load):
    """Cards, lists, members and actions carry the keys the recorded Trello answers carry."""
    real_card = load("ruby-trello-can_get_cards_of_board.1.json")[0]
    real_list = load("ruby-trello-can_get_lists_of_board.1.json")[0]
    real_action = load("ruby-trello-can_get_actions_of_board.1.json")[0]
    card = get(fake, "boards/ApoLLo01/cards").json()[0]
    wanted = {"id", "name", "idList", "idBoard", "idMembers", "idLabels", "labels", "due", "dueComplete"}
    wanted |= {"shortLink", "shortUrl", "url", "closed", "desc", "idShort", "dateLastActivity"}
    assert wanted <= set(card) and wanted <= set(real_card)
    assert {"id", "name", "closed", "idBoard", "pos"} <= set(
        get(fake, "boards/ApoLLo01/lists").json()[0]
    ) & set(real_list)
    action = next(a for a in get(fake, "boards/ApoLLo01/actions").json() if "memberCreator" in a)
    assert {"id", "idMemberCreator", "data", "type", "date", "memberCreator"} <= set(action) & set(
        real_action
    )
    assert set(action["data"]["board"]) == set(real_action["data"]["board"])


def test_actions_come_newest_first_and_page_with_before_and_since(state, fake):
    """limit, before and since page the history newest first; both cursors exclude their own action."""
    board = generate_board(state, cards=5, actions=30, seed=2)
    link = board["shortLink"]
    everything = get(fake, f"boards/{link}/actions", limit=1000).json()
    assert [a["date"] for a in everything] == sorted((a["date"] for a in everything), reverse=True)
    first = get(fake, f"boards/{link}/actions", limit=10).json()
    second = get(fake, f"boards/{link}/actions", limit=10, before=first[-1]["id"]).json()
    assert first + second == everything[:20]
    newer = get(fake, f"boards/{link}/actions", since=everything[5]["id"], limit=1000).json()
    assert newer == everything[:5]
    by_date = get(fake, f"boards/{link}/actions", since=everything[5]["date"], limit=1000).json()
    assert by_date == everything[:5]


@pytest.mark.parametrize("limit", ["1001", "-1", "many"])
def test_a_limit_beyond_trellos_cap_is_refused(world, fake, limit):
    """limit must be 0…1000, as on Trello: otherwise 400 with Trello's text."""
    answer = get(fake, "boards/ApoLLo01/actions", limit=limit)
    assert answer.status_code == 400 and answer.text == "invalid value for limit"


def test_fields_and_filters_select_what_is_sent(world, fake):
    """fields, memberCreator_fields and filter cut the answer to what was asked."""
    answer = get(
        fake,
        "boards/ApoLLo01/actions",
        filter="commentCard",
        fields="type,date",
        memberCreator_fields="username",
    ).json()
    assert {a["type"] for a in answer} == {"commentCard"}
    assert all(set(a) <= {"id", "type", "date", "memberCreator"} for a in answer)
    assert all(set(a["memberCreator"]) == {"id", "username"} for a in answer if "memberCreator" in a)
    cards = get(fake, "boards/ApoLLo01/cards", fields="name,due").json()
    assert all(set(c) == {"id", "name", "due"} for c in cards)


def test_credentials_are_checked_and_query_credentials_counted(world, fake):
    """Wrong credentials get Trello's 401 text; credentials in the query work but are counted."""
    bad = requests.get(f"{fake.url}/boards/ApoLLo01", headers={"Authorization": "OAuth x"}, timeout=10)
    assert bad.status_code == 401 and bad.text == "invalid key"
    query = requests.get(
        f"{fake.url}/boards/ApoLLo01", params={"key": FAKE_KEY, "token": FAKE_TOKEN}, timeout=10
    )
    assert query.status_code == 200
    assert requests.get(f"{fake.address}/_fake/stats", timeout=10).json()["credentials_in_query"] == 1


def test_the_token_bucket_refuses_the_hundred_and_first_request_in_ten_seconds(world, fake):
    """100 requests per token go through at once; the next gets 429 API_TOKEN_LIMIT_EXCEEDED."""
    statuses = [get(fake, "boards/ApoLLo01", fields="name").status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100
    refused = get(fake, "boards/ApoLLo01")
    assert refused.status_code == 429 and refused.json() == {
        "error": "API_TOKEN_LIMIT_EXCEEDED",
        "message": "Rate limit exceeded",
    }


def test_a_used_up_key_is_refused_with_the_key_body(world, fake, clock):
    """When the key's budget is spent the answer names the key limit; ten seconds later it is back."""
    fake.use_up("key")
    assert get(fake, "boards/ApoLLo01").json()["error"] == "API_KEY_LIMIT_EXCEEDED"
    clock.advance(10)
    assert get(fake, "boards/ApoLLo01").status_code == 200


def test_created_cards_lists_and_labels_are_kept(world, fake):
    """POST /1/lists, /1/labels and /1/cards create what they say; a bad list id is Trello's 400."""
    board_id = world.board["id"]
    made = requests.post(
        f"{fake.url}/lists", json={"name": "Care", "idBoard": board_id}, headers=AUTH, timeout=10
    )
    label = requests.post(
        f"{fake.url}/labels",
        json={"name": "stakeplug", "idBoard": board_id, "color": "blue"},
        headers=AUTH,
        timeout=10,
    )
    card = requests.post(
        f"{fake.url}/cards",
        json={"idList": made.json()["id"], "name": "Call Maria", "idLabels": [label.json()["id"]]},
        headers=AUTH,
        timeout=10,
    )
    assert card.status_code == 200 and card.json()["labels"][0]["name"] == "stakeplug"
    assert fake.stats()["created_cards"] == 1
    refused = requests.post(f"{fake.url}/cards", json={"idList": "0" * 24}, headers=AUTH, timeout=10)
    assert refused.status_code == 400 and refused.text == "invalid value for idList"


def test_the_command_line_writes_an_export_of_the_generated_board(tmp_path):
    """--export writes the board as Trello's export, with every action, card, list and member inline."""
    path = tmp_path / "board.json"
    run = [sys.executable, "-m", "stakeplug_trello.testing", "--cards", "20", "--actions", "300"]
    out = subprocess.run(
        [*run, "--export", str(path), "--no-serve"], capture_output=True, text=True, check=True, timeout=120
    )
    assert "export:" in out.stdout
    data = json.loads(path.read_text())
    assert len(data["actions"]) == 300 and len(data["cards"]) == 20
    assert {"lists", "members", "labels", "prefs", "shortLink"} <= set(data)


def test_the_command_line_serves_and_prints_its_url_and_credentials():
    """The fake started from a shell prints its URL, board and both credentials, then serves them."""
    cmd = [sys.executable, "-m", "stakeplug_trello.testing", "--port", "0", "--cards", "5", "--actions", "40"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        url, board = lines[0].split()[2], lines[0].split()[4]
        env = dict(line.split("=", 1) for line in lines[1:])
        answer = requests.get(
            f"{url}/boards/{board}/actions",
            headers={
                "Authorization": f'OAuth oauth_consumer_key="{env["TRELLO_API_KEY"]}", oauth_token="{env["TRELLO_TOKEN"]}"'
            },
            params={"limit": 1000},
            timeout=10,
        )
        assert answer.status_code == 200 and len(answer.json()) == 40
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_generated_boards_have_exactly_the_asked_size_and_repeat_with_the_seed():
    """generate_board makes exactly N cards and A actions, the same for the same seed, also when the
    second board is made in a later second of the clock (ids carry a time)."""
    one, two = TrelloState(seed=1), TrelloState(seed=1)
    a = generate_board(one, cards=30, actions=700, seed=5)
    time.sleep(1.01 - time.time() % 1.0)
    b = generate_board(two, cards=30, actions=700, seed=5)
    assert len(one.cards[a["id"]]) == 30 and len(one.actions[a["id"]]) == 700
    assert one.export(a["id"]) == two.export(b["id"])
    assert min(x["date"] for x in one.actions[a["id"]]) >= "2026-06-01"
    assert datetime.fromisoformat(max(x["date"] for x in one.actions[a["id"]])) < datetime(
        2026, 12, 1, tzinfo=UTC
    )


def test_the_example_board_is_available_to_users(state):
    """example_board names its cards and people for tests of one's own automation."""
    world = example_board(state)
    assert world.board["shortLink"] == "ApoLLo01"
    assert set(world.people) == {"dana", "maria", "tom", "gone"}
    assert world.people["gone"]["id"] in state.deleted


def test_a_cards_actions_are_listed_alone(world, fake):
    """GET /1/cards/{id}/actions lists that card's actions only, newest first."""
    task = world.cards["task"]
    answer = get(fake, f"cards/{task['id']}/actions", limit=1000).json()
    assert answer and all(a["data"]["card"]["id"] == task["id"] for a in answer)
    assert [a["date"] for a in answer] == sorted((a["date"] for a in answer), reverse=True)
    assert get(fake, f"cards/{'0' * 24}/actions").status_code == 404


def test_more_than_two_hundred_refusals_close_the_key_for_the_rest_of_the_window(world, fake, clock):
    """After 200 429s in a window every request with the key is refused until the window ends."""
    fake.use_up("key")
    for _ in range(201):
        get(fake, "boards/ApoLLo01", fields="name")
    clock.advance(5)
    assert get(fake, "boards/ApoLLo01").json()["error"] == "API_KEY_LIMIT_EXCEEDED", "refilled, yet refused"
    clock.advance(5.1)
    assert get(fake, "boards/ApoLLo01").status_code == 200
