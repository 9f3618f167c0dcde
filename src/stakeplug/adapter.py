"""The port between stakeplug and a tracker: what every adapter provides.

An adapter only translates.  On the read side it turns a tool's payloads into
:class:`~stakeplug.Activity` records; on the write side it turns a
:class:`TaskDraft` into a task in the tool.  It never scores.

Writing an adapter takes three steps:

1. Write a class with a ``name``, a ``version``, its :class:`Capabilities`, an
   ``OPTIONS`` mapping of :class:`Option` and the methods of :class:`Adapter`.
   Build it from a mapping with :func:`parse_options` so bad keys get the same
   precise errors as the first-party adapters; check what the types alone
   cannot say with a :class:`Checker` bound to the table, and read
   credentials with :func:`secret_from_env`.  A source that only reads
   subclasses :class:`ReadOnlyAdapter` for the task and stats defaults.
2. Register the class in your distribution's ``pyproject.toml``::

       [project.entry-points."stakeplug.adapters"]
       mytool = "my_package:MyToolAdapter"

3. Test it with :class:`stakeplug.testing.AdapterContract`: subclass it and
   override the one fixture ``contract_subject``, returning a
   :class:`stakeplug.testing.ContractSubject` (your adapter built against
   your fake, a window holding some activity, optionally a way to build a
   failing adapter and the secrets that must never show).

Tool adapters that speak HTTP use :class:`stakeplug.http.HttpClient`: it owns
timeouts, retries, rate limits, the request counter and the redaction of
credentials, so an adapter never loops on errors itself.

The contract, checked by the kit:

* :meth:`Adapter.collect` yields activities with ``since <= timestamp < until``,
  timestamps aware UTC, the same account ids for the same people on every run;
  oldest first unless the adapter declares ``Capabilities(ordered=False)``.  An
  adapter that says nothing keeps that promise of time order.  One that declares
  ``ordered=False`` yields in whatever order the tracker answers, page by page,
  holding no whole window in memory: through the activity store nothing changes
  (the store reads every source back oldest first), and in a run without a store
  the engine puts that one source in time order itself before merging it.
* :meth:`Adapter.post_task` is idempotent by fingerprint: a draft whose
  fingerprint already has a task in the tool is not created again.  With
  ``dry_run=True`` nothing is written.
* Failures raise :mod:`stakeplug.errors` classes only, mapped at the edge with
  ``raise ... from exc``; credentials are read only from the environment
  variables named by ``*_env`` options, and never appear in a repr, a log
  line or an error message.
* Comment bodies are read for mentions and never stored.
* Each kind of activity is emitted only when the matching capability is
  declared (``stakeplug.testing.KIND_CAPABILITY``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, ClassVar, Protocol, runtime_checkable

import attrs

from stakeplug.config.checks import Checker, secret_from_env, type_name
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import ConfigError

__all__ = [
    "Adapter",
    "AdapterFactory",
    "Capabilities",
    "Checker",
    "Option",
    "PostResult",
    "ReadOnlyAdapter",
    "SourceStats",
    "TaskDraft",
    "TaskRef",
    "config_place",
    "fingerprint_marker",
    "in_window",
    "parse_options",
    "secret_from_env",
    "task_body",
    "tasks_by_fingerprint",
    "utc_window",
]


@attrs.frozen
class Capabilities:
    """What an adapter can read and write.

    The engine and the conformance kit adapt to these flags, never to adapter names.
    """

    comments: bool = False
    """Emits ``comment`` activities."""
    mentions: bool = False
    """Fills ``addressees`` of comments with the people they mention or address."""
    reviews: bool = False
    """Emits ``review`` (with a verdict) and ``review_comment`` activities."""
    requests: bool = False
    """Emits ``request`` activities: review requests, questions addressed to someone."""
    assignments: bool = False
    """Emits ``assigned`` and ``unassigned`` activities."""
    due_dates: bool = False
    """Fills ``due`` on assignments and completions."""
    transitions: bool = False
    """Emits ``transitioned``, ``completed`` and ``reopened`` activities."""
    links: bool = False
    """Emits ``linked`` activities with ``link_type`` and ``external``."""
    reactions: bool = False
    """Emits ``reaction`` activities."""
    membership: bool = False
    """Emits ``member_added`` activities."""
    created: bool = False
    """Emits ``created`` activities."""
    posts_tasks: bool = False
    """Can find and post care tasks; without it ``find_tasks`` is empty and ``post_task`` raises."""
    ordered: bool = True
    """``collect`` yields oldest first.  ``False``: it yields in the order the tracker answers, and
    the core orders the source (the store reads it back oldest first; a run without a store sorts
    that source's window before merging it).  The conformance kit checks the order only when set."""
    incremental: bool = False
    """``collect(since, until)`` may be asked for what *changed* since ``since``: it then also yields
    older activities of items that changed, and every activity carries a stable ``id``.  The
    activity store asks such an adapter only from its cursor; others are collected in full."""

    def names(self) -> tuple[str, ...]:
        """The names of the capabilities that are switched on (what ``stakeplug adapters`` lists).

        ``ordered`` is not among them: it promises an order of the stream, it reads nothing.
        """
        fields = attrs.fields(Capabilities)
        return tuple(f.name for f in fields if f.name != "ordered" and getattr(self, f.name))


@attrs.frozen
class SourceStats:
    """What one collection cost and what it had to leave out."""

    requests: int = 0
    items: int = 0
    activities: int = 0
    skipped: int = 0
    """Items skipped because their payload was missing or malformed."""
    skipped_reasons: tuple[str, ...] = ()


def fingerprint_marker(fingerprint: str) -> str:
    """The hidden marker written into a task body: an HTML comment on GitHub, plain text elsewhere."""
    return f"stakeplug-fingerprint: {fingerprint}"


def task_body(wording: str, fingerprint: str, *, explanation: str = "", evidence: Sequence[str] = ()) -> str:
    """The text of a task: the neutral ``wording``, then a ``Why:`` and an ``Evidence:``
    section when they are given, then the fingerprint marker."""
    lines = [wording]
    if explanation:
        lines += ["", "Why:", explanation]
    if evidence:
        lines += ["", "Evidence:", *(f"- {link}" for link in evidence)]
    lines += ["", fingerprint_marker(fingerprint)]
    return "\n".join(lines)


@attrs.frozen
class TaskDraft:
    """A care task, rendered and ready for an adapter to create.

    Privacy is data here, not text: ``wording`` is what anyone may read,
    ``explanation`` and ``evidence`` (which name scores, the category and the
    activity behind them) are separate fields, and the core fills them only
    for a target the user declared private.  ``body`` is the text for the
    target as declared; an adapter that knows a place is readable by anyone
    posts :attr:`neutral_body` instead, so it never parses a body.  An adapter
    may show less than the draft carries, never more.

    ``assignee`` is an account in the target tool when the owner's account is known.
    """

    title: str
    body: str
    labels: tuple[str, ...]
    fingerprint: str
    action: str
    stakeholder: str
    due: datetime | None = None
    assignee: str | None = None
    wording: str = ""
    """The neutral text: the action's wording, the intermediary, whom it is for and when it is due.
    Empty for a draft built by hand whose ``body`` is neutral already."""
    explanation: str = ""
    """Why the task was suggested (scores, category, at-risk reason); for the team alone."""
    evidence: tuple[str, ...] = ()
    """Links to the activity behind the suggestion; for the team alone."""

    @property
    def neutral_body(self) -> str:
        """The text for a place anyone can read: the wording and the fingerprint marker only."""
        if not self.wording:
            return self.body
        return task_body(self.wording, self.fingerprint)


@attrs.frozen
class TaskRef:
    """A stakeplug task that exists in a tool."""

    fingerprint: str
    id: str
    url: str | None = None
    open: bool = True
    created: datetime | None = None
    closed: datetime | None = None


def tasks_by_fingerprint(tasks: Iterable[TaskRef]) -> dict[str, TaskRef]:
    """The task that stands for each fingerprint: its first open task, else its first one.

    A tracker can hold several tasks with one fingerprint: copies two runs made
    at the same time, the newer closed as a duplicate of the older.  The open
    one is what the fingerprint stands for, wherever it comes in the listing;
    ``tasks`` listed oldest first give the oldest.
    """
    found: dict[str, TaskRef] = {}
    for task in tasks:
        current = found.get(task.fingerprint)
        if current is None or (task.open and not current.open):
            found[task.fingerprint] = task
    return found


@attrs.frozen
class PostResult:
    """What :meth:`Adapter.post_task` did: created, found existing, or only planned."""

    draft: TaskDraft
    created: bool
    dry_run: bool
    task: TaskRef | None = None
    reason: str = ""
    closed_duplicates: tuple[str, ...] = ()
    """Ids of tasks with the same fingerprint, made at the same time by a racing run, that this
    call closed as duplicates of :attr:`task`."""


@runtime_checkable
class Adapter(Protocol):
    """A built adapter, connected to one source or task target."""

    name: ClassVar[str]
    """The adapter's registered name: ``jira``, ``github``, ``file``..."""
    capabilities: ClassVar[Capabilities]

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the activities with ``since <= timestamp < until``, oldest first
        (in any order when the capabilities declare ``ordered=False``).

        Call it again with ``since`` set to the previous ``until`` for an
        incremental collection.
        """
        ...

    def find_tasks(self) -> Sequence[TaskRef]:
        """Return every stakeplug task in the task target, open or closed."""
        ...

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` as a task unless one with its fingerprint exists."""
        ...

    @property
    def stats(self) -> SourceStats:
        """Requests made and items seen and skipped so far."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class AdapterFactory(Protocol):
    """What the ``stakeplug.adapters`` entry point names: usually the adapter class."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def from_config(
        self,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
    ) -> Adapter:
        """Build the adapter from a ``[[sources]]`` table or keyword arguments.

        ``env`` replaces ``os.environ`` for credentials; ``where`` (``sources[2]``)
        names the config table in error messages, passed on to :func:`parse_options`.
        """
        ...


@attrs.frozen
class Option:
    """One key an adapter accepts in its ``[[sources]]`` table."""

    type: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    help: str = ""


def config_place(adapter: str, where: str | None = None) -> str:
    """How messages name an adapter's config table: ``sources[2] (jira)``, or ``adapter 'jira'``.

    Use it as the ``location`` of the :class:`~stakeplug.errors.ConfigError` your
    ``from_config`` raises, so every adapter's errors point at the place the same way.
    """
    return f"{where} ({adapter})" if where else f"adapter {adapter!r}"


def in_window(activities: Sequence[Activity], since: datetime, until: datetime) -> Sequence[Activity]:
    """The activities with ``since <= timestamp < until`` from a list sorted by timestamp.

    Two binary searches, so an adapter that holds its activities in memory (a file, a
    mailbox) answers every window without scanning the list.
    """
    start = bisect.bisect_left(activities, since, key=_timestamp)
    end = bisect.bisect_left(activities, until, key=_timestamp)
    return activities[start:end]


_timestamp = attrgetter("timestamp")


def utc_window(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """``since`` and ``until`` as aware UTC datetimes, for the top of :meth:`Adapter.collect`.

    A naive datetime cannot be placed in time without guessing a zone, so it is
    a :class:`~stakeplug.errors.ConfigError`.
    """
    try:
        return ensure_utc(since), ensure_utc(until)
    except ValueError as exc:
        raise ConfigError(f"collect: since and until must be timezone-aware (UTC): {exc}") from None


def parse_options(
    adapter: str,
    config: Mapping[str, Any],
    options: Mapping[str, Option],
    *,
    where: str | None = None,
) -> dict[str, Any]:
    """Check ``config`` against ``options`` and return it with defaults filled in.

    ``where`` is the place for messages (``sources[2]``); the adapter name and
    the key are always named.  ``adapter`` and ``name`` keys of the config table
    are accepted and ignored.
    """
    check = Checker(place=config_place(adapter, where))
    result: dict[str, Any] = {}
    for key, raw in config.items():
        value = raw
        if key in ("adapter", "name"):
            continue
        spec = options.get(key)
        if spec is None:
            hint = did_you_mean(key, options)
            allowed = ", ".join(sorted(options)) or "none"
            raise check.fail("", f"unknown key {key!r}{hint}; {adapter} accepts: {allowed}")
        expected = spec.type
        ok = isinstance(value, expected)
        if ok and not isinstance(expected, tuple) and expected is int and isinstance(value, bool):
            ok = False
        if not ok and expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise check.fail(key, f"must be {type_name(expected)}, got {type(value).__name__}")
        result[key] = value
    for key, spec in options.items():
        if key not in result:
            if spec.required:
                raise check.fail("", f"missing required key {key!r} ({spec.help or type_name(spec.type)})")
            result[key] = spec.default
    return result


class ReadOnlyAdapter:
    """The defaults of a source that only reads: no tasks, posting refused, stats from counters.

    Subclass it, set ``name`` and ``capabilities``, call ``super().__init__()``
    and write :meth:`collect`; count into ``_requests`` (reads or calls made),
    ``_items``, ``_collected`` (activities yielded) and ``_skipped`` (one
    reason per item left out) and :attr:`stats` reports them.
    """

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    max_reasons: ClassVar[int] = 50
    """How many skip reasons :attr:`stats` keeps; the count is always complete."""

    def __init__(self) -> None:
        self._requests = 0
        self._items = 0
        self._collected = 0
        self._skipped: list[str] = []

    def find_tasks(self) -> Sequence[TaskRef]:
        """A read-only source holds no tasks: always empty."""
        return []

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Refused with a :class:`~stakeplug.errors.ConfigError`: this source cannot post tasks."""
        raise ConfigError(
            f"the {self.name} source cannot post tasks; choose a tracker adapter as the task target",
            location="tasks.adapter",
        )

    @property
    def stats(self) -> SourceStats:
        """Requests, items, activities yielded, and the skipped items with reasons."""
        return SourceStats(
            requests=self._requests,
            items=self._items,
            activities=self._collected,
            skipped=len(self._skipped),
            skipped_reasons=tuple(self._skipped[: self.max_reasons]),
        )

    def close(self) -> None:
        """Nothing to release."""


from stakeplug.domain.model import Activity, ensure_utc  # noqa: E402  (after the Protocols: import order)
