"""Reading boards through the fake Trello: activities, exact request counts, faults and the export's twin."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from stakeplug_trello import ACTION_TYPES, TrelloAdapter, TrelloExportAdapter
from stakeplug_trello.testing import (
    EXAMPLE_START,
    FAKE_ENV,
    FAKE_TOKEN,
    KEY_BODY,
    TOKEN_BODY,
    FakeClock,
    FakeTrello,
    TrelloState,
    example_board,
    generate_board,
)

from stakeplug import Activity, ActivityKind, ItemKind
from stakeplug.errors import AuthenticationError, ConfigError, NotFoundError, RateLimitedError
from stakeplug.http import HttpPolicy
from stakeplug.testing import AdapterContract, ContractSubject, Reply, Request

WINDOW = (EXAMPLE_START - timedelta(days=1), EXAMPLE_START + timedelta(days=7))
EVER = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


class TestOnlineContract(AdapterContract):
    """The conformance kit, on the small world served by the fake Trello."""

    @pytest.fixture
    def contract_subject(self, world, make_adapter) -> ContractSubject:
        return ContractSubject(
            adapter=make_adapter(board=world.board["shortLink"]),
            since=WINDOW[0],
            until=WINDOW[1],
            make_failing=lambda: make_adapter(
                board=world.board["shortLink"], env={**FAKE_ENV, "TRELLO_TOKEN": "ATTAwrong" + "0" * 40}
            ),
            secrets=tuple(FAKE_ENV.values()),
        )


def in_window(state: TrelloState, board_id: str, since: datetime, until: datetime) -> int:
    """How many actions of the types read the board has in the window (counted on the fake's side)."""
    lo, hi = since.isoformat(), until.isoformat()
    return sum(
        1
        for a in state.actions[board_id]
        if a["type"] in ACTION_TYPES and lo <= datetime.fromisoformat(a["date"]).isoformat() < hi
    )


def _in_time_order(activities: Iterable[Activity]) -> list[Activity]:
    """The adapter yields page by page, newest first (``ordered=False``): by time, then id."""
    return sorted(activities, key=lambda a: (a.timestamp, a.id or ""))


def test_the_small_world_reads_as_its_story(world, make_adapter):
    """Each action of the small board becomes the activity it means (here in time order)."""
    got = _in_time_order(make_adapter(board="ApoLLo01").collect(*WINDOW))
    story = [
        (a.kind, a.actor, a.item.id if a.kind is not ActivityKind.MEMBER_ADDED else "board") for a in got
    ]
    task, ask, report = (world.cards[n]["shortLink"] for n in ("task", "ask", "report"))
    assert story == [
        (ActivityKind.CREATED, "dana", report),
        (ActivityKind.CREATED, "dana", ask),
        (ActivityKind.CREATED, "dana", task),
        (ActivityKind.COMMENT, "maria", report),
        (ActivityKind.REQUEST, "dana", ask),
        (ActivityKind.COMMENT, "maria", ask),
        (ActivityKind.ASSIGNED, "dana", task),
        (ActivityKind.TRANSITIONED, "tom", task),
        (ActivityKind.COMMENT, "dana", task),
        (ActivityKind.COMPLETED, "tom", task),
        (ActivityKind.COMPLETED, "tom", task),
        (ActivityKind.REOPENED, "maria", task),
        (ActivityKind.ASSIGNED, "tom", task),
        (ActivityKind.UNASSIGNED, "tom", task),
        (ActivityKind.COMMENT, None, task),
        (ActivityKind.MEMBER_ADDED, "maria", "board"),
        (ActivityKind.LINKED, "maria", task),
        (ActivityKind.LINKED, "maria", report),
        (ActivityKind.COMMENT, None, report),
    ]
    by_kind = {(a.kind, a.timestamp): a for a in got}
    comment = next(a for a in got if a.kind is ActivityKind.COMMENT and a.actor == "dana")
    assert comment.addressees == ("tom", "maria")
    assert comment.actor_name == "Dana"
    assigned = next(a for a in got if a.kind is ActivityKind.ASSIGNED and a.actor == "dana")
    assert assigned.addressees == ("tom",) and assigned.due == EXAMPLE_START + timedelta(hours=30)
    assert all(a.item.kind is ItemKind.STATUS_REPORT for a in got if a.item.id == report)
    assert all(a.item.kind is ItemKind.INPUT_NEEDED for a in got if a.item.id == ask)
    assert all(a.item.url == f"https://trello.com/c/{a.item.id}" for a in got if a.item.id != "ApoLLo01")
    assert len(by_kind) == len(got)


def test_a_board_costs_its_action_pages_plus_four_requests(state, fake, make_adapter):
    """For A actions in the window a board takes ⌈A/1000⌉ + 4 requests, and none per card or member."""
    board = generate_board(state, cards=40, actions=2500, seed=3)
    since, until = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    adapter = make_adapter(board=board["shortLink"])
    list(adapter.collect(since, until))
    a = in_window(state, board["id"], since, until)
    assert 1000 < a < 2000
    assert fake.requests == adapter.stats.requests == math.ceil(a / 1000) + 4
    link = board["shortLink"]
    assert fake.stats()["by_path"] == {
        f"GET /1/boards/{link}": 1,
        f"GET /1/boards/{link}/actions": math.ceil(a / 1000),
        f"GET /1/boards/{link}/cards": 1,
        f"GET /1/boards/{link}/lists": 1,
        f"GET /1/boards/{link}/members": 1,
    }


def test_a_whole_thousand_of_actions_costs_one_page_more(state, fake, make_adapter):
    """When A is a multiple of 1000 the last full page is followed by one empty page: A/1000 + 5."""
    board = generate_board(state, cards=10, actions=2000, seed=4)
    list(make_adapter(board=board["shortLink"]).collect(*EVER))
    assert in_window(state, board["id"], *EVER) == 2000
    assert fake.requests == 2 + 1 + 4


def test_the_actions_are_asked_for_by_type_and_field_with_credentials_only_in_the_header(
    world, fake, make_adapter
):
    """The actions listing names its types, fields, limit and window; no key or token is in any URL."""
    list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    [target] = [t for m, t in fake.request_log if "/actions" in t]
    query = {k: v[-1] for k, v in parse_qs(urlsplit(target).query).items()}
    assert query["filter"].split(",") == list(ACTION_TYPES)
    assert query["fields"] == "id,type,date,data,idMemberCreator"
    assert query["limit"] == "1000" and query["memberCreator_fields"] == "username,fullName"
    assert query["since"] == "2026-03-01T08:59:59.999Z" and query["before"] == "2026-03-09T09:00:00.000Z"
    assert fake.stats()["credentials_in_query"] == 0
    assert not any("key=" in t or "token=" in t or FAKE_TOKEN in t for _, t in fake.request_log)
    asked = {
        urlsplit(t).path: {k: v[-1] for k, v in parse_qs(urlsplit(t).query).items()}
        for _, t in fake.request_log
    }
    assert "prefs" in asked["/1/boards/ApoLLo01"]["fields"].split(",")
    card_fields = set(asked["/1/boards/ApoLLo01/cards"]["fields"].split(","))
    assert {"due", "dueComplete", "idMembers", "labels", "idList", "shortUrl"} <= card_fields
    assert asked["/1/boards/ApoLLo01/cards"]["filter"] == "all"
    assert asked["/1/boards/ApoLLo01/members"]["fields"] == "id,username,fullName"
    assert asked["/1/boards/ApoLLo01/lists"] == {"filter": "all", "fields": "id,name,closed"}


def test_several_boards_are_read_and_links_between_them_name_the_other_board(state, fake, make_adapter):
    """boards = [a, b] reads both; a card of one attached on the other is an external link naming its board."""
    world = example_board(state)
    other = generate_board(
        state,
        cards=5,
        actions=5,
        seed=9,
        short_link="OthEr002",
        start=EXAMPLE_START,
        end=EXAMPLE_START + timedelta(days=1),
    )
    target = state.cards[other["id"]][0]
    dana = world.people["dana"]
    state.attach_link(
        world.cards["task"], target["shortUrl"], by=dana, when=EXAMPLE_START + timedelta(hours=20)
    )
    got = list(make_adapter(boards=["ApoLLo01", "OthEr002"]).collect(*WINDOW))
    assert {a.item.project for a in got} == {"ApoLLo01", "OthEr002"}
    link = next(
        a for a in got if a.kind is ActivityKind.LINKED and a.timestamp == EXAMPLE_START + timedelta(hours=20)
    )
    assert link.external and link.details["other_project"] == "OthEr002"
    assert fake.requests == 2 * 5


def test_deleted_members_never_crash_the_run(world, make_adapter):
    """A deleted account's actions arrive without memberCreator: kept without an actor, nothing skipped."""
    adapter = make_adapter(board="ApoLLo01")
    got = _in_time_order(adapter.collect(*WINDOW))
    assert [
        a.actor
        for a in got
        if a.kind is ActivityKind.COMMENT and a.item.id == world.cards["task"]["shortLink"]
    ] == ["dana", None]
    assert "gone" not in {x for a in got for x in a.addressees}
    assert adapter.stats.skipped == 0


def test_a_used_up_token_waits_for_the_rest_of_the_window(world, fake, clock, make_adapter):
    """A 429 API_TOKEN_LIMIT_EXCEEDED waits the rest of the 10-second window, then the request is repeated."""
    fake.use_up("token")
    adapter = make_adapter(board="ApoLLo01")
    got = list(adapter.collect(*WINDOW))
    assert got and fake.stats()["rate_limited"]["API_TOKEN_LIMIT_EXCEEDED"] == 1
    assert clock.waits == [10.0]
    assert fake.requests == 5 + 1


def test_a_storm_of_key_limit_answers_is_ridden_out_within_the_budget(world, fake, clock, make_adapter):
    """Three 429 API_KEY_LIMIT_EXCEEDED in a row are each waited out; the fourth attempt is served."""
    fake.fail(429, path="/actions", body=KEY_BODY, times=3)
    got = list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    assert got and len(clock.waits) == 3
    assert all(0 < w <= 10.0 for w in clock.waits)
    assert fake.requests == 5 + 3


def test_a_storm_longer_than_the_attempts_stops_the_source_naming_the_limit(world, fake, make_adapter):
    """A token storm that outlasts the policy's attempts is a RateLimitedError naming the limit, without secrets."""
    fake.fail(429, path="/ApoLLo01", body=TOKEN_BODY, times=50)
    with pytest.raises(RateLimitedError) as info:
        list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    text = str(info.value)
    assert "per-token limit (100 requests per 10 s)" in text and "API_TOKEN_LIMIT_EXCEEDED" in text
    assert "gave up after 5 attempts" in text
    assert all(secret not in text for secret in FAKE_ENV.values())


def test_a_retry_after_is_honoured(world, fake, clock, make_adapter):
    """Should Trello send Retry-After with a 429, that wait is used instead of the window."""
    fake.fail(429, path="/lists", body=KEY_BODY, headers={"Retry-After": "3"})
    list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    assert clock.waits == [3.0]


def test_the_adapter_paces_itself_below_the_limit(state, fake, clock, make_adapter):
    """With a pace of 8 requests per 10 s the adapter waits itself and the fake never answers 429."""
    board = generate_board(state, cards=10, actions=9500, seed=5)
    fake.limits.token_limit = 8
    fake.limits.reset()
    adapter = make_adapter(board=board["shortLink"], requests_per_10s=8)
    list(adapter.collect(*EVER))
    assert fake.requests == 10 + 4
    assert fake.stats()["rate_limited"] == {"API_TOKEN_LIMIT_EXCEEDED": 0, "API_KEY_LIMIT_EXCEEDED": 0}
    assert adapter.pacer.waited > 0 and sum(clock.waits) == pytest.approx(adapter.pacer.waited)


def test_wrong_credentials_name_both_variables(world, make_adapter):
    """A 401 says Trello refused the credentials and names the key's and the token's variables."""
    adapter = make_adapter(
        board="ApoLLo01", env={"TRELLO_API_KEY": "wrongkey1234", "TRELLO_TOKEN": "wrongtoken5678"}
    )
    with pytest.raises(AuthenticationError) as info:
        list(adapter.collect(*WINDOW))
    text = str(info.value)
    assert "TRELLO_API_KEY" in text and "TRELLO_TOKEN" in text and "invalid key" in text
    assert "wrongkey1234" not in text and "wrongtoken5678" not in text


def test_an_unknown_board_is_not_found_or_invisible(world, make_adapter):
    """A 404 on the board says it is not found, or the token cannot see it."""
    with pytest.raises(NotFoundError, match=r"Trello board 'NoSuchBd' not found, or the token cannot see it"):
        list(make_adapter(board="NoSuchBd").collect(*WINDOW))


def test_a_board_id_trello_calls_invalid_names_the_board_key(world, fake, make_adapter):
    """Trello's 400 "invalid id" on the board is a ConfigError naming the board key and the place."""
    fake.fail(400, path="/1/boards/ApoLLo01")
    adapter = TrelloAdapter.from_config(
        {"board": "ApoLLo01", "base_url": fake.url}, env=FAKE_ENV, where="sources[2]"
    )
    with pytest.raises(ConfigError) as info:
        list(adapter.collect(*WINDOW))
    adapter.close()
    assert "board: Trello says 'ApoLLo01' is not a board id" in str(info.value)
    assert "sources[2]" in str(info.value)


def test_a_dropped_connection_and_a_503_are_retried(world, fake, make_adapter):
    """Transient faults on the listings are retried by the shared policy; the collection completes."""
    fake.drop_connections(path="/cards")
    fake.fail(503, path="/members")
    got = list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    assert got and fake.requests == 5 + 2


@pytest.mark.parametrize("seed", [1, 2])
def test_the_export_and_the_api_give_the_same_activities(state, fake, make_adapter, write_export, seed):
    """A board export of the fake's state reads as exactly the activities the API gives for it."""
    example_board(state)
    board = generate_board(
        state, cards=60, actions=900, seed=seed, start=EXAMPLE_START, end=EXAMPLE_START + timedelta(days=5)
    )
    victim = next(m for m in state.members.values() if m["username"] == "member003")
    state.delete_member(victim)
    online = _in_time_order(make_adapter(board=board["shortLink"]).collect(*EVER))
    offline_adapter = TrelloAdapter.from_config(
        {"path": str(write_export(state.export(board["id"])))}, env={}
    )
    assert isinstance(offline_adapter, TrelloExportAdapter)
    offline = list(offline_adapter.collect(*EVER))

    def shown(found):
        return [(a, a.item, a.actor_name, dict(a.details)) for a in found]

    assert len(online) > 800
    assert shown(online) == shown(offline)
    assert {a.kind for a in online} >= {ActivityKind.COMMENT, ActivityKind.LINKED, ActivityKind.MEMBER_ADDED}


def test_a_used_up_key_waits_for_the_window_as_well(world, fake, clock, make_adapter):
    """A 429 API_KEY_LIMIT_EXCEEDED from the fake's own key bucket is waited out the same way."""
    fake.use_up("key")
    got = list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    assert got and fake.stats()["rate_limited"] == {
        "API_TOKEN_LIMIT_EXCEEDED": 0,
        "API_KEY_LIMIT_EXCEEDED": 1,
    }
    assert clock.waits == [10.0] and fake.requests == 5 + 1


class SlowTrello(FakeTrello):
    """A fake Trello on which each request takes 1.5 s of the shared fake clock to arrive."""

    def __init__(self, state: TrelloState, clock: FakeClock):
        super().__init__(state, clock=clock)
        self.fake_clock = clock

    def prepare(self, request: Request) -> Request | Reply:
        self.fake_clock.advance(1.5)
        return super().prepare(request)


def test_a_refusal_after_a_refusal_waits_the_whole_window(world, state, clock, policy):
    """The first 429 waits for this adapter's oldest request to leave the window; a second one, all of it.

    The requests are spread over the window, so the rest of it is short: 2.5 s.  Refused again,
    others spend the same budget, and each further wait is the whole 10 s window.
    """
    with SlowTrello(state, clock) as fake:
        fake.fail(429, path="/actions", body=TOKEN_BODY, times=3)
        adapter = TrelloAdapter.from_config(
            {"board": "ApoLLo01", "base_url": fake.url}, env=FAKE_ENV, policy=policy
        )
        got = list(adapter.collect(*WINDOW))
        adapter.close()
    assert got and clock.waits == [2.5, 10.0, 10.0]
    assert fake.requests == 5 + 3


def test_a_storm_beyond_the_policys_budget_stops_naming_the_budget(world, fake, clock):
    """Waits for the window count against the shared policy's retry budget: past it, the source stops."""
    tight = HttpPolicy(sleep=clock.sleep, clock=clock, jitter=0.0, budget_seconds=15.0)
    fake.fail(429, path="/actions", body=KEY_BODY, times=5)
    adapter = TrelloAdapter.from_config(
        {"board": "ApoLLo01", "base_url": fake.url}, env=FAKE_ENV, policy=tight
    )
    with pytest.raises(RateLimitedError) as info:
        list(adapter.collect(*WINDOW))
    adapter.close()
    text = str(info.value)
    assert "API_KEY_LIMIT_EXCEEDED" in text and "per-key limit (300 requests per 10 s)" in text
    assert "beyond the retry budget of 15 s" in text
    assert clock.waits == [10.0] and fake.requests == 4 + 2


def test_a_card_moved_from_another_board_of_the_run_names_it_by_short_link(state, fake, make_adapter):
    """Trello names a moved card's source board by id; a board read in the run is named by its short link.

    That is how items and the register's own_projects name boards, so a card moved between the
    team's own boards is not taken for an outside board.
    """
    world = example_board(state)
    other = state.add_board("Partner board", short_link="OthEr002", when=EXAMPLE_START)
    card = world.cards["task"]
    when = EXAMPLE_START + timedelta(hours=21)
    for source in (other, {"id": "5a1b2c3d4e5f60718293a4b5"}):
        state.record(
            world.board["id"],
            "moveCardToBoard",
            world.people["maria"],
            when,
            {"card": {"id": card["id"], "shortLink": card["shortLink"]}, "boardSource": {"id": source["id"]}},
        )
    got = list(make_adapter(boards=["ApoLLo01", "OthEr002"]).collect(*WINDOW))
    moved = [a for a in got if a.details.get("via") == "moveCardToBoard"]
    assert sorted((a.kind, a.external, a.details["other_project"]) for a in moved) == [
        (ActivityKind.LINKED, True, "5a1b2c3d4e5f60718293a4b5"),
        (ActivityKind.LINKED, True, "OthEr002"),
    ]


def test_comment_text_is_read_for_mentions_and_never_kept(world, state, make_adapter):
    """A comment's words reach no activity: only the people it mentions are kept."""
    words = "The partner's budget is cut by 40 percent, keep it quiet"
    state.comment(
        world.cards["task"], world.people["dana"], f"{words} @maria", EXAMPLE_START + timedelta(hours=22)
    )
    got = list(make_adapter(board="ApoLLo01").collect(*WINDOW))
    [comment] = [a for a in got if a.timestamp == EXAMPLE_START + timedelta(hours=22)]
    assert comment.kind is ActivityKind.COMMENT and comment.addressees == ("maria",)
    shown = repr(got)
    assert "budget" not in shown and "40 percent" not in shown and "quiet" not in shown
