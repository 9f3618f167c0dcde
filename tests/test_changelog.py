"""CHANGELOG.md keeps the Keep a Changelog shape: [Unreleased] on top, each kind of change once."""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = Path(__file__).parents[1] / "CHANGELOG.md"
KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


def _versions(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return [(part.split("\n", 1)[0], part) for part in parts]


def test_unreleased_is_the_first_version_section() -> None:
    versions = _versions(CHANGELOG.read_text(encoding="utf-8"))
    assert versions, "no version section at all"
    assert versions[0][0] == "[Unreleased]"


def test_each_version_names_each_kind_of_change_once_in_the_usual_order() -> None:
    for title, body in _versions(CHANGELOG.read_text(encoding="utf-8")):
        kinds = re.findall(r"^### (.+)$", body, flags=re.M)
        assert all(kind in KINDS for kind in kinds), (title, kinds)
        assert len(kinds) == len(set(kinds)), f"{title} repeats a heading: {kinds}"
        assert kinds == sorted(kinds, key=KINDS.index), (title, kinds)


def test_every_entry_is_a_bullet_under_a_kind() -> None:
    for title, body in _versions(CHANGELOG.read_text(encoding="utf-8")):
        before_first_kind = re.split(r"^### ", body, flags=re.M)[0]
        assert not re.search(r"^- ", before_first_kind, flags=re.M), f"{title} has a bullet outside a heading"
