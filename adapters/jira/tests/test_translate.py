"""Reading mentions, timestamps and dates out of Jira payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from stakeplug_jira import mentions
from stakeplug_jira._translate import Malformed, parse_date, parse_timestamp


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[~accountid:5b10a2844c20165700ede21g] please look", ("5b10a2844c20165700ede21g",)),
        ("ping [~jsmith] and [~accountid:abc], again [~jsmith]", ("jsmith", "abc")),
        ("no mention, just [~] and [link|http://x]", ()),
        (None, ()),
        ({"type": "doc", "content": "not a list"}, ()),
        (
            {
                "type": "doc",
                "version": 1,
                "content": [
                    {
                        "type": "paragraph",
                        "content": [{"type": "mention", "attrs": {"id": "a1", "text": "@A"}}],
                    },
                    {
                        "type": "bulletList",
                        "content": [
                            {
                                "type": "listItem",
                                "content": [
                                    {
                                        "type": "paragraph",
                                        "content": [
                                            {"type": "text", "text": "and "},
                                            {"type": "mention", "attrs": {"id": "b2"}},
                                            {"type": "mention", "attrs": {"id": "a1"}},
                                        ],
                                    }
                                ],
                            }
                        ],
                    },
                ],
            },
            ("a1", "b2"),
        ),
    ],
)
def test_mentions_in_wiki_markup_and_documents(body: object, expected: tuple[str, ...]) -> None:
    """Mentions are found in document order, each once, in every body format Jira sends."""
    assert mentions(body) == expected


def test_timestamps_in_jira_formats_become_utc() -> None:
    """Jira writes +0000 offsets without a colon, with or without milliseconds."""
    expected = datetime(2021, 1, 17, 12, 34, tzinfo=UTC)
    assert parse_timestamp("2021-01-17T12:34:00.000+0000", "t") == expected
    assert parse_timestamp("2021-01-17T22:34:00.000+1000", "t") == expected
    assert parse_timestamp("2021-01-17T12:34:00+00:00", "t") == expected
    for bad in (None, "", "yesterday", "2021-01-17T12:34:00", 1):
        with pytest.raises(Malformed):
            parse_timestamp(bad, "t")


def test_a_due_date_lasts_until_the_end_of_its_day() -> None:
    """Work done at any time on the due date is on time."""
    assert parse_date("2026-11-20", "d") == datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
    assert parse_date(None, "d") is None
    with pytest.raises(Malformed):
        parse_date("20/11/2026", "d")
