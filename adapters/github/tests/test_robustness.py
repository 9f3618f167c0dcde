"""Any payload, however odd, is either translated or skipped; mentions are always valid logins."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from stakeplug_github import mentions
from stakeplug_github._mapping import Translator

LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
SKIPPABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)
"""What the adapter's guard turns into a skipped record; nothing else may escape a translation."""

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "number",
        "id",
        "user",
        "actor",
        "event",
        "issue",
        "created_at",
        "submitted_at",
        "state",
        "body",
        "issue_url",
        "pull_request_url",
        "html_url",
        "labels",
        "assignees",
        "milestone",
        "assignee",
        "requested_reviewer",
        "commit_url",
        "reactions",
        "pull_request",
    ]
)
payloads = st.dictionaries(keys, json_values, max_size=10)


@settings(max_examples=150, deadline=None)
@given(payload=payloads)
def test_translation_of_any_payload_succeeds_or_fails_in_a_skippable_way(payload: dict[str, Any]) -> None:
    """The guard catches every way a malformed payload can fail."""
    tr = Translator("o/r")
    for translate in (tr.issue, tr.comment, tr.review_comment, tr.event, lambda p: tr.review(1, p)):
        with contextlib.suppress(*SKIPPABLE):
            translate(payload)


@settings(max_examples=200, deadline=None)
@given(body=st.text(alphabet=st.characters(codec="ascii"), max_size=80))
def test_mentions_are_always_distinct_valid_logins(body: str) -> None:
    """Whatever the text, mentions are well-formed logins, without repeats and without ghost."""
    found = mentions(body)
    assert all(LOGIN.match(login) for login in found)
    assert len({x.lower() for x in found}) == len(found)
    assert "ghost" not in {x.lower() for x in found}
