"""The ``file`` source: JSON Lines in, chronological activities out, bad lines skipped."""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stakeplug import Activity, ActivityKind, ItemKind, Verdict, build_adapter
from stakeplug.adapter import TaskDraft
from stakeplug.errors import ConfigError, NotFoundError, StakeplugError, TrackerError
from stakeplug.sources.file import FileAdapter, parse_line
from stakeplug.testing import SAMPLE_START, AdapterContract, ContractSubject, sample_activities


def to_line(a: Activity) -> dict[str, Any]:
    """The file-format object for an activity (the inverse of parse_line)."""
    item: dict[str, Any] = {"tool": a.item.tool, "id": a.item.id, "kind": a.item.kind.value}
    for key in ("url", "title", "project"):
        if getattr(a.item, key):
            item[key] = getattr(a.item, key)
    if a.item.labels:
        item["labels"] = list(a.item.labels)
    line: dict[str, Any] = {
        "kind": a.kind.value,
        "actor": a.actor,
        "timestamp": a.timestamp.isoformat(),
        "item": item,
    }
    if a.addressees:
        line["addressees"] = list(a.addressees)
    if a.verdict:
        line["verdict"] = a.verdict.value
    if a.due:
        line["due"] = a.due.isoformat()
    if a.link_type:
        line["link_type"] = a.link_type
    if a.external:
        line["external"] = True
    if a.count != 1:
        line["count"] = a.count
    if a.id:
        line["id"] = a.id
    return line


def write_sample(path: Path, *, extra: tuple[str, ...] = ()) -> list[Activity]:
    """Write the sample stream shuffled, with ``extra`` raw lines, and return it in order."""
    stream = sample_activities(tool="wiki")
    lines = [json.dumps(to_line(a)) for a in stream] + list(extra)
    random.Random(7).shuffle(lines)
    path.write_text("# exported activities\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return stream


class TestFileSourceContract(AdapterContract):
    """The file source passes the conformance kit, its posting checks skipped by capability."""

    @pytest.fixture
    def contract_subject(self, tmp_path: Path) -> ContractSubject:
        path = tmp_path / "activities.jsonl"
        write_sample(path, extra=('{"kind": "comment"',))
        gone = tmp_path / "gone.jsonl"
        gone.write_text("", encoding="utf-8")

        def make_failing() -> FileAdapter:
            adapter = FileAdapter.from_config({"path": str(gone)})
            gone.unlink()
            return adapter

        return ContractSubject(
            adapter=FileAdapter.from_config({"path": str(path)}, where="sources[0]"),
            since=SAMPLE_START + timedelta(hours=1),
            until=SAMPLE_START + timedelta(days=15),
            make_failing=make_failing,
        )


def test_lines_out_of_order_come_out_in_order(tmp_path: Path) -> None:
    """A shuffled file yields exactly the stream, oldest first."""
    path = tmp_path / "a.jsonl"
    stream = write_sample(path)
    adapter = FileAdapter(path)
    got = list(adapter.collect(SAMPLE_START, SAMPLE_START + timedelta(days=60)))
    assert got == stream
    assert [a.timestamp for a in got] == sorted(a.timestamp for a in got)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    """Items, addressees, verdicts, due dates, links and counts survive the file format."""
    path = tmp_path / "a.jsonl"
    stream = write_sample(path)
    got = list(FileAdapter(path).collect(SAMPLE_START, SAMPLE_START + timedelta(days=60)))
    assert [(a.item, a.addressees, a.verdict, a.due, a.link_type, a.external, a.count) for a in got] == [
        (a.item, a.addressees, a.verdict, a.due, a.link_type, a.external, a.count) for a in stream
    ]


def test_malformed_lines_are_skipped_counted_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each bad line is skipped with its line number and reason; the good lines are read."""
    base = {"kind": "comment", "actor": "ann", "timestamp": "2026-03-02T10:00:00Z"}
    item = {"tool": "wiki", "id": "1"}

    def line(**changes: Any) -> str:
        data = {**base, "item": item, **changes}
        return json.dumps({k: v for k, v in data.items() if v is not None})

    lines = [
        line(),
        "not json",
        "[1, 2]",
        line(timestamp="2026-03-02T10:00:00"),
        line(kind="waved"),
        line(actor=None, actr="ann"),
        line(item={"id": "1"}),
        line(kind="review", verdict="meh"),
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="stakeplug")
    adapter = FileAdapter(path)
    got = list(adapter.collect(SAMPLE_START, SAMPLE_START + timedelta(days=1)))
    assert [a.actor for a in got] == ["ann"]
    stats = adapter.stats
    assert stats.skipped == 7
    reasons = stats.skipped_reasons
    assert reasons[0].startswith("line 2: not valid JSON")
    assert reasons[1] == "line 3: a line must be a JSON object"
    assert "line 4: timestamp '2026-03-02T10:00:00' has no UTC offset" in reasons[2]
    assert reasons[3].startswith("line 5: kind 'waved' is not one of comment, review")
    assert reasons[4] == "line 6: unknown key 'actr' (did you mean 'actor'?)"
    assert reasons[5] == "line 7: item.tool is missing and the source sets no default tool"
    assert reasons[6].startswith("line 8: verdict 'meh'")
    assert len([r for r in caplog.records if "skipped line" in r.getMessage()]) == 7


def test_default_tool_fills_items_without_one(tmp_path: Path) -> None:
    """The ``tool`` option names the tool of items that give none."""
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"kind": "created", "actor": "ann", "timestamp": "2026-03-02T10:00:00+02:00",'
        ' "item": {"id": 7, "kind": "status_report"}}\n',
        encoding="utf-8",
    )
    adapter = build_adapter("file", {"path": str(path), "tool": "wiki"}, where="sources[3]")
    (a,) = adapter.collect(SAMPLE_START - timedelta(days=1), SAMPLE_START)
    assert a.item.tool == "wiki" and a.item.id == "7" and a.item.kind is ItemKind.STATUS_REPORT
    assert a.timestamp == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_appended_lines_show_up_in_the_next_incremental_collection(tmp_path: Path) -> None:
    """A line appended after a run is found by the next collection from the previous until."""
    path = tmp_path / "a.jsonl"
    write_sample(path)
    adapter = FileAdapter(path)
    until = SAMPLE_START + timedelta(days=30)
    list(adapter.collect(SAMPLE_START, until))
    assert list(adapter.collect(until, until + timedelta(days=1))) == []
    late = {
        "kind": "review",
        "actor": "maria",
        "verdict": "approved",
        "timestamp": (until + timedelta(hours=2)).isoformat(),
        "item": {"tool": "wiki", "id": "x"},
    }
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(late) + "\n")
    (got,) = adapter.collect(until, until + timedelta(days=1))
    assert got.verdict is Verdict.APPROVED and got.kind is ActivityKind.REVIEW


def test_missing_file_is_a_config_error_naming_path_and_source(tmp_path: Path) -> None:
    """A path that does not exist is bad input: the error names the source and the path."""
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(ConfigError) as info:
        FileAdapter.from_config({"path": str(missing)}, where="sources[2]")
    assert str(info.value).startswith("sources[2] (file): path: ")
    assert str(missing) in str(info.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "missing required key 'path'"),
        ({"path": 3}, "path: must be a string, got int"),
        ({"path": "x", "tol": "wiki"}, "unknown key 'tol' (did you mean 'tool'?)"),
    ],
)
def test_bad_options_name_the_source_and_key(config: dict[str, Any], message: str) -> None:
    """Unknown, missing and mistyped keys are ConfigErrors naming the source index and key."""
    with pytest.raises(ConfigError) as info:
        FileAdapter.from_config(config, where="sources[1]")
    assert str(info.value).startswith("sources[1] (file): ")
    assert message in str(info.value)


def test_vanished_file_raises_not_found(tmp_path: Path) -> None:
    """A file removed after the source was built is a TrackerError, not a crash."""
    path = tmp_path / "a.jsonl"
    path.write_text("", encoding="utf-8")
    adapter = FileAdapter.from_config({"path": str(path)})
    path.unlink()
    with pytest.raises(NotFoundError) as info:
        list(adapter.collect(SAMPLE_START, SAMPLE_START + timedelta(days=1)))
    assert info.value.adapter == "file"


def test_file_source_does_not_post(tmp_path: Path) -> None:
    """find_tasks is empty and post_task raises a stakeplug error, even for a dry run."""
    path = tmp_path / "a.jsonl"
    path.write_text("", encoding="utf-8")
    adapter = FileAdapter(path)
    assert adapter.find_tasks() == []
    draft = TaskDraft("t", "b", (), "0123456789abcdef", "status_update", "Maria")
    with pytest.raises(StakeplugError):
        adapter.post_task(draft)


def test_parse_line_accepts_a_deleted_actor() -> None:
    """``actor: null`` stands for a deleted account."""
    a = parse_line(
        '{"kind": "comment", "actor": null, "timestamp": "2026-03-02T10:00:00Z",'
        ' "item": {"tool": "t", "id": "1"}}'
    )
    assert a.actor is None


def test_a_naive_window_is_refused(tmp_path: Path) -> None:
    """collect with a naive datetime raises a ConfigError instead of guessing a zone."""
    path = tmp_path / "a.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="no time zone"):
        list(FileAdapter(path).collect(datetime(2026, 3, 1), datetime(2026, 4, 1, tzinfo=UTC)))


def test_activities_on_one_item_share_one_item_record(tmp_path: Path) -> None:
    """Lines naming the same item reuse one Item, keeping large files small in memory."""
    path = tmp_path / "a.jsonl"
    write_sample(path)
    got = list(FileAdapter(path).collect(SAMPLE_START, SAMPLE_START + timedelta(days=60)))
    by_id: dict[str, set[int]] = {}
    for a in got:
        by_id.setdefault(a.item.id, set()).add(id(a.item))
    assert all(len(ids) == 1 for ids in by_id.values())
    assert len(by_id) == 5


def test_request_kind_marks_review_requests(tmp_path: Path) -> None:
    """A request line with request_kind = review is a review request for the engine."""
    path = tmp_path / "a.jsonl"
    line = (
        '{"kind": "request", "actor": "dana", "addressees": ["maria"], "request_kind": "review",'
        ' "timestamp": "2026-03-01T10:00:00Z", "item": {"tool": "wiki", "id": "p1"}}\n'
        '{"kind": "request", "actor": "dana", "request_kind": "please",'
        ' "timestamp": "2026-03-02T10:00:00Z", "item": {"tool": "wiki", "id": "p2"}}\n'
    )
    path.write_text(line, encoding="utf-8")
    adapter = FileAdapter.from_config({"path": str(path)})
    (activity,) = adapter.collect(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    assert activity.details["request_kind"] == "review"
    assert adapter.stats.skipped == 1
    assert "request_kind 'please'" in adapter.stats.skipped_reasons[0]


GOOD = {
    "kind": "comment",
    "actor": "ann",
    "timestamp": "2026-03-02T10:00:00Z",
    "item": {"tool": "w", "id": "1"},
}


def good_line(**changes: Any) -> bytes:
    """One valid line as UTF-8 bytes, with ``changes`` applied to the object."""
    return json.dumps({**GOOD, **changes}, ensure_ascii=False).encode("utf-8")


def raw_line(key: str, raw: bytes, **changes: Any) -> bytes:
    """A valid line whose ``key`` holds ``raw``, JSON text that :func:`json.dumps` would not write."""
    return good_line(**{key: "@RAW@"}, **changes).replace(b'"@RAW@"', raw)


def read_lines(tmp_path: Path, lines: list[bytes]) -> tuple[list[Activity], FileAdapter]:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    adapter = FileAdapter(path)
    got = list(adapter.collect(SAMPLE_START - timedelta(days=30), SAMPLE_START + timedelta(days=30)))
    return got, adapter


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            good_line(timestamp="9999-12-31T23:00:00-05:00"),
            "timestamp '9999-12-31T23:00:00-05:00' is outside",
        ),
        (
            good_line(timestamp="0001-01-01T00:00:00+01:00"),
            "timestamp '0001-01-01T00:00:00+01:00' is outside",
        ),
        (good_line(timestamp="2500-01-01T00:00:00Z"), "is outside the years 1970–2199"),
        (good_line(kind="assigned", due="1969-12-31T23:59:59Z"), "due '1969-12-31T23:59:59Z' is outside"),
        (raw_line("actor", b'"ann\xff"'), "not UTF-8 text (byte 34 of the line)"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to be an activity"),
        (raw_line("item", b'{"labels": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"), "nested too deeply"),
        (good_line(kind="reaction", count=10**400), "count must be a whole number from 1 to 1000000"),
        (good_line(kind="reaction", count=0), "count must be a whole number from 1 to 1000000"),
        (raw_line("count", b"1e400", kind="reaction"), "count must be a whole number"),
        (raw_line("count", b"7" * 5000, kind="reaction"), "not usable JSON (Exceeds the limit"),
        (raw_line("timestamp", b"NaN"), "timestamp must be an ISO 8601 string, got float"),
    ],
)
def test_any_single_bad_line_is_skipped_with_its_number_and_reason(
    tmp_path: Path, bad: bytes, reason: str
) -> None:
    """Dates out of range, bytes that are not UTF-8, deep nesting and huge numbers lose one line only."""
    got, adapter = read_lines(tmp_path, [good_line(id="before"), bad, good_line(id="after")])
    assert [a.id for a in got] == ["before", "after"]
    (why,) = adapter.stats.skipped_reasons
    assert why.startswith("line 2: ")
    assert reason in why


def test_lines_are_split_only_on_newline(tmp_path: Path) -> None:
    """U+2028, U+0085 and other separators inside a string stay in their line; CRLF endings work."""
    title = "Status\u2028report\x85week\u2029ten\x0bnine\x1cend"
    lines = [good_line(id="a", item={"tool": "w", "id": "1", "title": title}) + b"\r", good_line(id="b")]
    got, adapter = read_lines(tmp_path, lines)
    assert [a.id for a in got] == ["a", "b"]
    assert got[0].item.title == title
    assert adapter.stats.skipped == 0


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path: Path) -> None:
    """A file saved with a UTF-8 BOM keeps its first line."""
    got, adapter = read_lines(tmp_path, [b"\xef\xbb\xbf" + good_line(id="first"), good_line(id="second")])
    assert [a.id for a in got] == ["first", "second"]
    assert adapter.stats.skipped == 0


def test_a_byte_order_mark_inside_the_file_is_a_bad_line(tmp_path: Path) -> None:
    """Only the file's very start may carry a BOM; elsewhere it is reported with its line."""
    got, adapter = read_lines(tmp_path, [good_line(id="first"), b"\xef\xbb\xbf" + good_line(id="second")])
    assert [a.id for a in got] == ["first"]
    assert adapter.stats.skipped_reasons[0].startswith("line 2: not valid JSON")


def test_a_file_of_which_no_line_can_be_read_fails_as_a_whole(tmp_path: Path) -> None:
    """When every line is bad the source fails with the first reason instead of reporting nothing as read."""
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\xff\xfe not text\n" + good_line(count=0) + b"\n")
    with pytest.raises(TrackerError) as info:
        list(FileAdapter(path).collect(SAMPLE_START, SAMPLE_START + timedelta(days=1)))
    assert "cannot be read: none of its lines is an activity (line 1: not UTF-8 text" in str(info.value)
    assert info.value.adapter == "file"
