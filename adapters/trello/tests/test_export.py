"""The offline source: a Trello board export read with no network and no credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stakeplug_trello import TrelloAdapter, TrelloExportAdapter
from stakeplug_trello.testing import generate_board

from stakeplug import ActivityKind, build_adapter
from stakeplug.errors import ConfigError, NotFoundError, PayloadError, StakeplugError
from stakeplug.testing import AdapterContract, ContractSubject

SINCE = datetime(2019, 5, 1, tzinfo=UTC)
UNTIL = datetime(2019, 7, 1, tzinfo=UTC)
GOCD = Path(__file__).parent / "data" / "gocd-board-export-subset.json"


class TestExportContract(AdapterContract):
    """The conformance kit, on the gocd board export."""

    @pytest.fixture
    def contract_subject(self) -> ContractSubject:
        adapter = TrelloAdapter.from_config({"path": str(GOCD)}, env={})
        gone = GOCD.with_name("no-such-export.json")
        return ContractSubject(
            adapter=adapter,
            since=SINCE,
            until=UNTIL,
            make_failing=lambda: TrelloAdapter.from_config({"path": str(gone)}, env={}),
        )


def test_a_path_builds_the_export_reader_without_credentials():
    """path = "board.json" needs no key or token and reads the file, through the registry too."""
    adapter = build_adapter("trello", {"path": str(GOCD)}, env={})
    assert isinstance(adapter, TrelloExportAdapter)
    found = list(adapter.collect(SINCE, UNTIL))
    assert found and adapter.stats.requests == 0
    assert adapter.stats.activities == len(found) and adapter.stats.items > 0
    assert {a.kind for a in found} >= {ActivityKind.COMMENT, ActivityKind.ASSIGNED, ActivityKind.COMPLETED}


def test_an_export_posts_no_tasks():
    """An export source lists no tasks and refuses to post, naming what to configure instead."""
    adapter = TrelloAdapter.from_config({"path": str(GOCD)}, env={})
    assert adapter.find_tasks() == []
    with pytest.raises(StakeplugError, match="board"):
        adapter.post_task(None, dry_run=False)  # type: ignore[arg-type]


def test_the_export_class_builds_itself_from_the_same_table():
    """TrelloExportAdapter.from_config reads a path table like TrelloAdapter does, and refuses a board."""
    adapter = TrelloExportAdapter.from_config({"path": str(GOCD), "done_lists": ["Done"]}, env={})
    assert isinstance(adapter, TrelloExportAdapter) and adapter.done_lists == ("Done",)
    with pytest.raises(ConfigError, match=r"set path = .* to read a board export") as info:
        TrelloExportAdapter.from_config({"board": "joJVJ2KP"}, env={}, where="sources[2]")
    assert "sources[2]" in str(info.value)
    with pytest.raises(ConfigError, match=r"either board .* or path"):
        TrelloExportAdapter.from_config({"path": "b.json", "boards": ["joJVJ2KP"]}, env={})


def test_a_board_and_a_path_together_are_refused():
    """Naming both a board and a path is a ConfigError naming the place."""
    with pytest.raises(ConfigError, match=r"either board .* or path") as info:
        TrelloAdapter.from_config({"path": "b.json", "board": "joJVJ2KP"}, env={}, where="sources[1]")
    assert "sources[1]" in str(info.value)


def test_a_missing_export_is_not_found(tmp_path):
    """A path to no file is a NotFoundError naming the file."""
    adapter = TrelloAdapter.from_config({"path": str(tmp_path / "gone.json")}, env={})
    with pytest.raises(NotFoundError, match=r"gone\.json"):
        list(adapter.collect(SINCE, UNTIL))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "is not a Trello board export"),
        (json.dumps({"id": "5ca3d99a0378a65090e676ca", "actions": {}}), "'actions' must be a list"),
    ],
)
def test_a_file_that_is_no_export_is_a_payload_error(write_export, content, message):
    """A file that is not a board export says so and how to get one."""
    path = write_export(None)
    path.write_text(content)
    adapter = TrelloAdapter.from_config({"path": str(path)}, env={})
    with pytest.raises(PayloadError, match=message):
        list(adapter.collect(SINCE, UNTIL))


def test_the_export_is_read_again_by_each_collection(gocd, write_export):
    """A newer export at the same path is picked up by the next collection."""
    comments = [a for a in gocd["actions"] if a["type"] == "commentCard"]
    path = write_export(gocd | {"actions": comments[:3]})
    adapter = TrelloAdapter.from_config({"path": str(path)}, env={})
    assert len(list(adapter.collect(SINCE, UNTIL))) == 3
    write_export(gocd | {"actions": comments[:5]})
    assert len(list(adapter.collect(SINCE, UNTIL))) == 5


def test_malformed_actions_are_counted_as_skipped(gocd, write_export):
    """A broken action in an export is skipped with its reason in the stats; the rest is read."""
    good = [a for a in gocd["actions"] if a["type"] == "createCard"]
    broken = {"id": "bad1", "type": "commentCard", "date": "2019-06-01T00:00:00.000Z", "data": {}}
    path = write_export(gocd | {"actions": [*good, broken]})
    adapter = TrelloAdapter.from_config({"path": str(path)}, env={})
    assert len(list(adapter.collect(SINCE, UNTIL))) == sum(1 for a in good if a["date"] >= "2019-05")
    assert adapter.stats.skipped == 1 and "bad1" in adapter.stats.skipped_reasons[0]


def test_a_public_board_export_reads_like_any_other(load, write_export):
    """The trello2planka export (a public board, lists with emoji) is read; DONE! 🙌🏽 means done."""
    path = write_export(load("trello2planka-board-export.json"))
    adapter = TrelloAdapter.from_config({"path": str(path)}, env={})
    found = list(adapter.collect(datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC)))
    kinds = {a.kind for a in found}
    assert ActivityKind.COMMENT in kinds and ActivityKind.CREATED in kinds
    assert all(a.actor == "usersample26" for a in found)


def test_an_export_cut_at_trellos_limit_after_the_window_start_is_partial(state, write_export):
    """An export of 1,000 actions that starts after the window is reported partial, saying from when."""
    board = generate_board(state, cards=20, actions=1000, seed=3)
    adapter = TrelloAdapter.from_config({"path": str(write_export(state.export(board["id"])))}, env={})
    found = list(adapter.collect(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)))
    assert found and adapter.stats.skipped == 1
    assert "newest 1000 actions only, back to 2026-06-01" in adapter.stats.skipped_reasons[0]
    whole = TrelloAdapter.from_config(
        {"path": str(write_export(state.export(board["id"]), "b.json"))}, env={}
    )
    list(whole.collect(datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)))
    assert whole.stats.skipped == 0, "a window the export covers is complete"
