"""The small part of JQL the fake Jira understands.

Real JQL is a large language; the fake answers the queries stakeplug and
simple automation send, and refuses everything else the way Jira refuses a
query it cannot parse (HTTP 400 with ``errorMessages``), so a test never
passes against the fake with a query Jira would read differently.

Supported::

    clause   := field op value | "(" query ")"
    query    := clause ("AND" clause)* ["ORDER BY" field [ASC|DESC] ("," field [ASC|DESC])*]
    field    := project | key | labels | updated | created | status | assignee | reporter
    op       := "=" | "!=" | ">=" | "<=" | ">" | "<"      (order operators on dates only)

Dates are ``"yyyy-MM-dd HH:mm"``, ``"yyyy/MM/dd HH:mm"`` or ``"yyyy-MM-dd"``
and are read in UTC (Jira reads them in the searching user's time zone), or a
period relative to the fake's clock as Jira writes it: ``"-90m"``,
``"-4w 2d"``, ``"-2h"`` (weeks, days, hours, minutes; a bare number is minutes;
``-`` is the past, no sign or ``+`` the future).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

__all__ = ["JqlError", "Query", "parse_jql"]


class JqlError(ValueError):
    """The query is outside the supported subset, or names something that does not exist."""


_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>!=|>=|<=|=|>|<)"""
    r"""|(?P<paren>[(),])|(?P<word>[A-Za-z0-9_.:\-/]+))"""
)
_DATE_FIELDS = frozenset({"updated", "created"})
_TEXT_FIELDS = frozenset({"project", "key", "labels", "status", "assignee", "reporter"})
_ORDER_FIELDS = frozenset({"updated", "created", "key"})


@attrs.frozen
class Condition:
    field: str
    op: str
    value: Any


@attrs.frozen
class Query:
    """A parsed query: conditions joined by AND, and an ordering."""

    conditions: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]
    """``(field, descending)`` pairs."""

    def projects(self) -> tuple[str, ...]:
        """The project keys the query names with ``project =``."""
        return tuple(str(c.value) for c in self.conditions if c.field == "project" and c.op == "=")

    def matches(self, get: Callable[[str], Any]) -> bool:
        """True when the issue read through ``get(field)`` meets every condition.

        ``get`` returns a string for text fields, a list of strings for
        ``labels`` and an aware datetime for dates.
        """
        return all(bool(_test(c, get(c.field))) for c in self.conditions)


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _test(c: Condition, actual: Any) -> bool:
    if c.field == "labels":
        found = c.value in (actual or ())
        return found if c.op == "=" else not found
    if c.field in _DATE_FIELDS:
        if actual is None:
            return False
        return bool(_COMPARE[c.op](actual, c.value))
    same = actual is not None and str(actual).casefold() == str(c.value).casefold()
    return same if c.op == "=" else not same


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: the character {text[pos]!r} is not expected at position {pos}."
            )
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


_PERIOD = re.compile(r"^([+-]?)((?:\d+[wdhm]?)(?:\s+\d+[wdhm])*)$")
_UNIT = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def _period(value: str, now: datetime) -> datetime | None:
    """A relative date (``"-90m"``, ``"-4w 2d"``) counted from ``now``, or ``None`` for anything else."""
    m = _PERIOD.match(value.strip())
    if m is None:
        return None
    span = sum(
        (int(part.rstrip("wdhm")) * _UNIT.get(part[-1], _UNIT["m"]) for part in m.group(2).split()),
        timedelta(0),
    )
    return now - span if m.group(1) == "-" else now + span


def _date(value: str, now: datetime) -> datetime:
    relative = _period(value, now)
    if relative is not None:
        return relative
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'."
    )


class _Parser:
    def __init__(self, tokens: Sequence[tuple[str, str]], now: datetime):
        self.tokens = list(tokens)
        self.now = now
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise JqlError("Error in the JQL Query: the query ends too early.")
        self.i += 1
        return tok

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == "word" and tok[1].upper() == word:
            self.i += 1
            return True
        return False

    def query(self, nested: bool = False) -> list[Condition]:
        conds = self.clause()
        while self.keyword("AND"):
            conds += self.clause()
        tok = self.peek()
        if tok is not None and tok[0] == "word" and tok[1].upper() == "OR":
            raise JqlError("Error in the JQL Query: OR is not supported by this fake Jira.")
        if nested and (tok is None or tok != ("paren", ")")):
            raise JqlError("Error in the JQL Query: expecting ')' before the end of the query.")
        return conds

    def clause(self) -> list[Condition]:
        tok = self.take()
        if tok == ("paren", "("):
            conds = self.query(nested=True)
            self.take()
            return conds
        if tok[0] != "word":
            raise JqlError(f"Error in the JQL Query: expecting a field name but got '{tok[1]}'.")
        field = tok[1].lower()
        if field not in _DATE_FIELDS | _TEXT_FIELDS:
            raise JqlError(f"Field '{tok[1]}' does not exist or you do not have permission to view it.")
        kind, op = self.take()
        if kind != "op":
            raise JqlError(f"Error in the JQL Query: expecting an operator after '{tok[1]}' but got '{op}'.")
        if field not in _DATE_FIELDS and op not in ("=", "!="):
            raise JqlError(f"The operator '{op}' is not supported by the '{field}' field.")
        vkind, value = self.take()
        if vkind not in ("word", "str"):
            raise JqlError(f"Error in the JQL Query: expecting a value but got '{value}'.")
        parsed: Any = _date(value, self.now) if field in _DATE_FIELDS else value
        return [Condition(field, op, parsed)]

    def order(self) -> list[tuple[str, bool]]:
        if not self.keyword("ORDER"):
            return []
        if not self.keyword("BY"):
            raise JqlError("Error in the JQL Query: expecting 'BY' after 'ORDER'.")
        result: list[tuple[str, bool]] = []
        while True:
            kind, field = self.take()
            if kind != "word" or field.lower() not in _ORDER_FIELDS:
                raise JqlError(f"Not able to sort using field '{field}'.")
            desc = False
            if self.keyword("DESC"):
                desc = True
            else:
                self.keyword("ASC")
            result.append((field.lower(), desc))
            if self.peek() == ("paren", ","):
                self.take()
                continue
            return result


def parse_jql(text: str, *, now: datetime | None = None) -> Query:
    """Parse ``text``; raise :class:`JqlError` with Jira's wording when it is not supported.

    Relative dates are counted from ``now`` (the fake's clock; the wall clock when not given).
    """
    tokens = _tokens(text)
    parser = _Parser(tokens, now or datetime.now(UTC))
    conditions: list[Condition] = []
    first = parser.peek()
    if first is not None and not (first[0] == "word" and first[1].upper() == "ORDER"):
        conditions = parser.query()
    order = parser.order()
    if parser.peek() is not None:
        raise JqlError(f"Error in the JQL Query: unexpected '{parser.peek()[1]}'.")  # type: ignore[index]
    return Query(tuple(conditions), tuple(order))
