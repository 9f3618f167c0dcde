"""What a plugin author hands the conformance kit: their adapter and a window to test it in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import attrs

from stakeplug.domain.model import ensure_utc

__all__ = ["ContractSubject"]


def _as_tuple(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    return tuple(values)


@attrs.frozen
class ContractSubject:
    """The adapter under test, built against the author's fake, and how to test it.

    ``since`` and ``until`` bound a window that holds at least one activity
    (two or more let the kit check the window edges more sharply).
    ``make_failing`` returns an adapter whose ``collect()`` must raise a
    :class:`~stakeplug.errors.TrackerError` subclass, for instance one built
    with wrong credentials against the same fake; without it the failure
    checks are skipped.  ``secrets`` are the credential values the adapter
    was given: they must not show in its repr, its stats or its errors.
    """

    adapter: Any
    since: datetime = attrs.field(converter=ensure_utc)
    until: datetime = attrs.field(converter=ensure_utc)
    make_failing: Callable[[], Any] | None = None
    secrets: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple)

    @until.validator
    def _after_since(self, _attribute: attrs.Attribute[datetime], value: datetime) -> None:
        if value <= self.since:
            raise ValueError("ContractSubject: until must be later than since")
