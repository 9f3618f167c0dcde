"""The ``file`` source: activities from a JSON Lines file, for any tool stakeplug has no adapter for.

Export what people did from any system (a spreadsheet, a chat log, a script
over another tracker's API) into a text file with one JSON object per line,
and stakeplug scores it like the activities of Jira or GitHub::

    {"kind": "comment", "actor": "maria", "timestamp": "2026-03-03T09:00:00+01:00",
     "item": {"tool": "wiki", "id": "page-17", "title": "Status report, week 10",
              "kind": "status_report", "url": "https://wiki.example.org/17"}}
    {"kind": "assigned", "actor": "dana", "addressees": ["maria"],
     "timestamp": "2026-03-04T10:00:00Z", "due": "2026-03-14T17:00:00Z",
     "item": {"tool": "wiki", "id": "task-3"}}

(each object on a single line in the file.)

Keys of a line:

``kind`` (required)
    One of ``comment``, ``review``, ``review_comment``, ``request``,
    ``assigned``, ``unassigned``, ``transitioned``, ``completed``, ``reopened``,
    ``linked``, ``member_added``, ``reaction``, ``created``.
``actor`` (required)
    The account that acted, as the register's identities name it for the
    item's tool; ``null`` for a deleted account.
``timestamp`` (required)
    ISO 8601 with a UTC offset (``Z`` or ``+01:00``).  A timestamp without an
    offset is refused: guessing a zone would move evidence across windows.
``item`` (required)
    An object with ``tool`` (unless the source sets a default ``tool``), ``id``,
    and optionally ``url``, ``title``, ``labels`` (a list), ``kind`` (``task``,
    ``issue``, ``pull_request``, ``status_report``, ``discussion``,
    ``input_needed``, ``message``) and ``project``.
``addressees``
    The accounts the activity was aimed at (mentioned, asked, assigned).
``verdict``
    For reviews: ``approved``, ``changes_requested``, ``commented``,
    ``rejected`` or ``dismissed``.
``due``
    The agreed date of an assignment or completion, ISO 8601 with offset.
``link_type``, ``external``
    For links: ``blocks``, ``relates``..., and whether the other end lies
    outside the project's own projects.
``count``
    For reactions: how many.
``request_kind``
    For requests: ``review`` for a review request, ``input`` for a request for
    input (the default).
``id``
    A stable id for the event.
``actor_name``
    The name the tool shows for the actor (``Maria Jensen``), if known; only
    shown next to the account in reports, never scored.

The file is UTF-8 (a byte order mark at its start is allowed); only ``\n``
ends a line (``\r\n`` works too), so U+2028 or U+0085 inside a string stay
in their line.  Blank lines and lines starting with ``#`` are ignored.  A
line that cannot be read, whatever is wrong with it (bad JSON or bytes that
are not UTF-8, a missing or unknown key, a naive timestamp or one outside the
years 1970–2199, an unknown kind, a ``count`` outside 1 to 1,000,000, nesting
too deep or a number too long to read), is skipped and logged; its line
number and the reason are counted in :attr:`FileAdapter.stats`, which makes
the source partial in the report, and the rest of the file is read.  A file
of which no line can be read fails as a whole.  Lines may come in
any order: the file is read whole and sorted, since a file source is small.
There is no place for comment bodies: stakeplug does not store them.

Options of a ``[[sources]]`` table with ``adapter = "file"``: ``path``
(required; relative paths are taken from the working directory) and ``tool``
(the tool name for items that do not give one).  The file source reads only;
it does not post tasks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from stakeplug.adapter import (
    Capabilities,
    Checker,
    Option,
    ReadOnlyAdapter,
    config_place,
    in_window,
    parse_options,
    utc_window,
)
from stakeplug.domain.model import _NO_DETAILS, Activity, ActivityKind, Item, ItemKind, Verdict, ensure_utc
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import (
    NotFoundError,
    PermissionDeniedError,
    TrackerError,
)
from stakeplug.http import get_logger

__all__ = ["FileAdapter", "parse_line"]

log = get_logger("stakeplug.sources.file")

_LINE_KEYS = frozenset(
    {
        "kind",
        "actor",
        "timestamp",
        "item",
        "addressees",
        "verdict",
        "due",
        "link_type",
        "external",
        "count",
        "id",
        "request_kind",
        "actor_name",
    }
)
_ITEM_KEYS = frozenset({"tool", "id", "url", "title", "labels", "kind", "project"})


_MAX_COUNT = 1_000_000
"""The largest ``count`` of one line: more reactions than that on one item is a broken export."""
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Times a line may give: those an audit window can name (``--since``/``--until`` take the same)."""
_BOM = b"\xef\xbb\xbf"


class _BadLine(ValueError):
    """Why one line of the file cannot be used."""


def _choices(enum: type[Any]) -> str:
    return ", ".join(m.value for m in enum)


def _time(value: Any, key: str) -> datetime:
    if not isinstance(value, str):
        raise _BadLine(f"{key} must be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _BadLine(f"{key} {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise _BadLine(f"{key} {value!r} has no UTC offset; add Z or +hh:mm")
    try:
        when = ensure_utc(parsed)
    except (OverflowError, ValueError):
        when = None
    if when is None or not _EARLIEST <= when < _LATEST:
        raise _BadLine(f"{key} {value!r} is outside the years {_EARLIEST.year}–{_LATEST.year - 1}")
    return when


def _text(value: Any, key: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise _BadLine(f"{key} must be a non-empty string")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise _BadLine(f"{key} must be a list of strings")
    return tuple(value)


def _unknown(keys: Any, allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(keys) - allowed)
    if extra:
        hint = did_you_mean(extra[0], allowed)
        raise _BadLine(f"unknown key {where}{extra[0]!r}{hint}")


def _item(value: Any, default_tool: str | None) -> Item:
    if not isinstance(value, dict):
        raise _BadLine("item must be an object with at least an id")
    _unknown(value, _ITEM_KEYS, "item.")
    tool = _text(value.get("tool"), "item.tool") or default_tool
    if tool is None:
        raise _BadLine("item.tool is missing and the source sets no default tool")
    item_id = _text(value.get("id"), "item.id", optional=False)
    kind = value.get("kind", ItemKind.TASK.value)
    try:
        item_kind = ItemKind(kind)
    except ValueError:
        raise _BadLine(f"item.kind {kind!r} is not one of {_choices(ItemKind)}") from None
    return Item(
        tool=tool,
        id=str(item_id),
        url=_text(value.get("url"), "item.url"),
        title=_text(value.get("title"), "item.title"),
        labels=_strings(value.get("labels"), "item.labels"),
        kind=item_kind,
        project=_text(value.get("project"), "item.project"),
    )


def _item_key(value: Any) -> tuple[Any, ...] | None:
    """A hashable key for an item object, or ``None`` when it has none."""
    if not isinstance(value, dict):
        return None
    key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(value.items()))
    try:
        hash(key)
    except TypeError:  # nested objects: let _item report them
        return None
    return key


def _decode(text: str) -> dict[str, Any]:
    """The JSON object of one line; nesting too deep or an integer too long is a bad line too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _BadLine("nested too deeply to be an activity") from None
    except ValueError as exc:  # an integer longer than Python converts
        raise _BadLine(f"not usable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _BadLine("a line must be a JSON object")
    return data


def parse_line(
    text: str, *, default_tool: str | None = None, items: dict[Any, Item] | None = None
) -> Activity:
    """Read one line of the format above into an :class:`~stakeplug.Activity`.

    ``items`` caches the items already read, so the many activities of one
    item share a single :class:`~stakeplug.Item`.  Raises :class:`ValueError`
    with the reason when the line cannot be used.
    """
    data = _decode(text)
    _unknown(data, _LINE_KEYS, "")
    for key in ("kind", "actor", "timestamp", "item"):
        if key not in data:
            raise _BadLine(f"missing required key {key!r}")
    try:
        kind = ActivityKind(data["kind"])
    except ValueError:
        raise _BadLine(f"kind {data['kind']!r} is not one of {_choices(ActivityKind)}") from None
    verdict = data.get("verdict")
    if verdict is not None:
        try:
            verdict = Verdict(verdict)
        except ValueError:
            raise _BadLine(f"verdict {verdict!r} is not one of {_choices(Verdict)}") from None
    external = data.get("external", False)
    if not isinstance(external, bool):
        raise _BadLine("external must be true or false")
    count = data.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= _MAX_COUNT:
        raise _BadLine(f"count must be a whole number from 1 to {_MAX_COUNT}")
    request_kind = data.get("request_kind")
    if request_kind is not None and request_kind not in ("review", "input"):
        raise _BadLine(f"request_kind {request_kind!r} is not one of review, input")
    raw_item = data["item"]
    item_key = _item_key(raw_item) if items is not None else None
    item = items.get(item_key) if items is not None and item_key is not None else None
    if item is None:
        item = _item(raw_item, default_tool)
        if items is not None and item_key is not None:
            items[item_key] = item
    return Activity(
        kind=kind,
        actor=_text(data["actor"], "actor"),
        item=item,
        timestamp=_time(data["timestamp"], "timestamp"),
        addressees=_strings(data.get("addressees"), "addressees"),
        verdict=verdict,
        due=None if data.get("due") is None else _time(data["due"], "due"),
        link_type=_text(data.get("link_type"), "link_type"),
        external=external,
        count=count,
        id=_text(data.get("id"), "id"),
        details={"request_kind": request_kind} if request_kind else _NO_DETAILS,
        actor_name=_text(data.get("actor_name"), "actor_name"),
    )


class FileAdapter(ReadOnlyAdapter):
    """Reads activities from a JSON Lines file (the format is in the module docstring).

    The file is read again when it has changed since the last collection, so
    lines appended between two runs show up in the next incremental
    collection.
    """

    name: ClassVar[str] = "file"
    version: ClassVar[str] = "1.0"
    capabilities: ClassVar[Capabilities] = Capabilities(
        comments=True,
        mentions=True,
        reviews=True,
        requests=True,
        assignments=True,
        due_dates=True,
        transitions=True,
        links=True,
        reactions=True,
        membership=True,
        created=True,
        posts_tasks=False,
    )
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "path": Option(str, required=True, help="the JSON Lines file to read"),
        "tool": Option(str, help="the tool name for items that do not give one"),
    }

    def __init__(self, path: str | os.PathLike[str], *, tool: str | None = None):
        self.path = Path(path)
        self.tool = tool
        super().__init__()
        self._cache_key: tuple[int, int] | None = None
        self._activities: list[Activity] = []

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
    ) -> FileAdapter:
        """Build from a ``[[sources]]`` table; a missing file is a ConfigError naming it."""
        options = parse_options(cls.name, config, cls.OPTIONS, where=where)
        check = Checker(place=config_place(cls.name, where))
        path = Path(options["path"]).expanduser()
        if not path.is_file():
            what = "is a directory, not a file" if path.is_dir() else "does not exist"
            raise check.fail("path", f"{str(path)!r} {what}")
        return cls(path, tool=options["tool"])

    def __repr__(self) -> str:
        return f"FileAdapter(path={str(self.path)!r}, tool={self.tool!r})"

    def _load(self) -> list[Activity]:
        try:
            info = self.path.stat()
            key = (info.st_mtime_ns, info.st_size)
            if key == self._cache_key:
                return self._activities
            raw = self.path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(
                f"the activity file {str(self.path)!r} no longer exists", adapter=self.name
            ) from exc
        except PermissionError as exc:
            raise PermissionDeniedError(
                f"the activity file {str(self.path)!r} cannot be read: permission denied",
                adapter=self.name,
            ) from exc
        except OSError as exc:
            raise TrackerError(
                f"the activity file {str(self.path)!r} cannot be read: {exc}", adapter=self.name
            ) from exc
        self._requests += 1
        activities: list[Activity] = []
        skipped: list[str] = []
        items: dict[Any, Item] = {}
        for number, data in enumerate(raw.removeprefix(_BOM).split(b"\n"), start=1):
            try:
                stripped = data.decode("utf-8").strip()
                if not stripped or stripped.startswith("#"):
                    continue
                activities.append(parse_line(stripped, default_tool=self.tool, items=items))
            except UnicodeDecodeError as exc:
                reason = f"line {number}: not UTF-8 text (byte {exc.start + 1} of the line)"
            except (ValueError, TypeError) as exc:
                reason = f"line {number}: {exc}"
            else:
                continue
            skipped.append(reason)
            log.warning("%s: skipped %s", self.path, reason)
        if skipped and not activities:
            raise TrackerError(
                f"the activity file {str(self.path)!r} cannot be read: none of its lines is an "
                f"activity ({skipped[0]}{'; ...' if len(skipped) > 1 else ''})",
                adapter=self.name,
            )
        activities.sort(key=lambda a: a.timestamp)
        self._activities = activities
        self._skipped = skipped
        self._items = len({(a.item.tool, a.item.id) for a in activities})
        self._cache_key = key
        return activities

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the file's activities with ``since <= timestamp < until``, oldest first."""
        since, until = utc_window(since, until)
        for activity in in_window(self._load(), since, until):
            self._collected += 1
            yield activity
