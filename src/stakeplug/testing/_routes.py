"""What a fake tracker's handlers see and answer: one request type, one reply type, a route table.

A handler is a plain function from :class:`Request` to :class:`Reply`.  Deep inside
one, ``raise ReplyNow(Reply(...))`` answers at once (a validation error, a 404),
so helpers need not thread error replies back through every caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["Handler", "Reply", "ReplyNow", "Request", "Routes"]


@attrs.frozen
class Reply:
    """One answer of a fake server.

    ``body`` is a JSON value (``None`` sends an empty body); ``raw`` sends those
    exact bytes instead, for payloads no JSON encoder would write.  ``headers``
    are added to the server's own (``content-type``, ``content-length``).
    """

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    raw: bytes | None = None
    drip: float = 0.0
    """Seconds between the body's bytes (a fault's slow server); zero sends it at once."""
    truncate: bool = False
    """Announce the whole body's length but close the connection after half of it (a fault)."""

    def encoded(self) -> bytes:
        """The bytes sent as the body."""
        if self.raw is not None:
            return self.raw
        return b"" if self.body is None else json.dumps(self.body).encode()


class ReplyNow(Exception):
    """Raised inside a handler to answer with :attr:`reply` at once."""

    def __init__(self, reply: Reply):
        super().__init__(reply.status)
        self.reply = reply


@attrs.frozen
class Request:
    """One request as a handler sees it.

    ``path`` has no query string; ``query`` maps each parameter to its values in
    order; ``headers`` have lower-case names; ``params`` are the parts the route
    pattern captured (``{number:int}`` still arrives as text).
    """

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    params: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def path(self) -> str:
        """The path without the query string."""
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        """Every query parameter with its values in order (blank values kept)."""
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``, or ``default``."""
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body parsed as JSON (``None`` when empty); raises :class:`ValueError` when malformed."""
        return json.loads(self.body) if self.body else None


Handler = Callable[[Request], Reply]
"""What a route calls: a request in, a reply out."""

_PART = re.compile(r"\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<kind>int|path))?\}")
_KINDS = {None: r"[^/]+", "int": r"\d+", "path": r".+"}


def _compile(pattern: str) -> re.Pattern[str]:
    """``/repos/{owner}/{repo}/pulls/{number:int}`` as an anchored regular expression."""
    out, pos = [], 0
    for m in _PART.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        out.append(f"(?P<{m.group('name')}>{_KINDS[m.group('kind')]})")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out) + r"\Z")


@attrs.frozen
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler


class Routes:
    """A route table: method and path pattern to handler, first match wins.

    A pattern is a path with ``{name}`` for one segment, ``{name:int}`` for
    digits and ``{name:path}`` for the rest of the path.
    """

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Serve ``method`` requests on paths matching ``pattern`` with ``handler``."""
        self._routes.append(_Route(method.upper(), pattern, _compile(pattern), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """The decorator form of :meth:`add`."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return register

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler for this request and the captured parts, or ``None`` when no route matches."""
        method = method.upper()
        for route in self._routes:
            if route.method == method:
                m = route.regex.match(path)
                if m is not None:
                    return route.handler, m.groupdict()
        return None

    def patterns(self) -> list[tuple[str, str]]:
        """Every ``(method, pattern)`` served, in the order they are tried."""
        return [(r.method, r.pattern) for r in self._routes]
